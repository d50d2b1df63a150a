import datetime as dt

import pytest
from django.urls import reverse

from virtualschool.core import extensions
from virtualschool.core.models import Notification
from virtualschool.core.notifications import mark_read, notify, notify_many, unread_count
from virtualschool.core.signals import pep_review_proposed


@pytest.mark.django_db
def test_one_event_is_told_to_a_person_once(world):
    first = notify(world.lead, kind="alert", key="test:1", subject="Something happened", child=world.child_a)
    again = notify(world.lead, kind="alert", key="test:1", subject="Something happened again")
    assert first is not None and again is None
    assert Notification.objects.filter(recipient=world.lead).count() == 1
    assert first.child_id == world.child_a.pk


@pytest.mark.django_db
def test_nobody_and_closed_accounts_are_not_notified(world):
    world.sw_a.is_active = False
    world.sw_a.save()
    assert notify(None, kind="alert", key="k", subject="s") is None
    assert notify(world.sw_a, kind="alert", key="k", subject="s") is None
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_an_unknown_kind_is_refused_with_the_kinds_to_use(world):
    with pytest.raises(ValueError, match="due_soon"):
        notify(world.lead, kind="gossip", key="k", subject="s")


@pytest.mark.django_db
def test_notify_many_tells_each_distinct_person_once(world):
    made = notify_many([world.lead, world.sw_a, world.lead, None], kind="summary", key="day:1", subject="Summary")
    assert {n.recipient for n in made} == {world.lead, world.sw_a}


@pytest.mark.django_db
def test_a_person_reads_and_marks_only_their_own_notifications(world, client):
    mine = notify(world.lead, kind="alert", key="a", subject="For the lead", url="/children/")
    notify(world.sw_a, kind="alert", key="a", subject="For the social worker")
    assert unread_count(world.lead) == 1
    client.force_login(world.lead)
    page = client.get(reverse("notifications"))
    assert page.status_code == 200
    assert "For the lead" in page.content.decode() and "For the social worker" not in page.content.decode()
    assert "(1 unread)" in page.content.decode()
    refused = client.post(reverse("notifications"), {}, follow=True)
    assert "Select the notifications" in refused.content.decode()
    client.post(reverse("notifications"), {"notification": [str(mine.pk)]})
    assert unread_count(world.lead) == 0 and unread_count(world.sw_a) == 1
    assert mark_read(world.lead) == 0


@pytest.mark.django_db
def test_a_registered_tab_appears_on_every_child_page_in_order(world, client):
    with extensions.registered():
        extensions.register_child_tab(extensions.ChildTab("extra", "Extra tab", "children:care-history", order=35))
        extensions.register_child_tab(
            extensions.ChildTab("hidden", "Hidden tab", "children:care-history", permission="no.such_permission")
        )
        client.force_login(world.lead)
        html = client.get(reverse("children:detail", args=[world.child_a.pk])).content.decode()
    assert "Extra tab" in html and "Hidden tab" not in html
    assert html.index("Care history") < html.index("Extra tab") < html.index(">SDQ<")


def test_record_providers_are_called_in_order_and_may_have_nothing():
    start, end = dt.date(2026, 9, 1), dt.date(2026, 12, 1)

    def second(child, s, e):
        return extensions.RecordSummary("second", "Second", s, e, (extensions.RecordLine("Days", "3"),))

    with extensions.registered():
        extensions.register_child_records("second", second, order=20)
        extensions.register_child_records("none", lambda child, s, e: None, order=10)
        extensions.register_child_records(
            "first", lambda child, s, e: extensions.RecordSummary("first", "First", s, e), order=5
        )
        found = extensions.child_records(object(), start, end)
        only = extensions.child_records(object(), start, end, keys=["second"])
    assert [s.key for s in found] == ["first", "second"]
    assert only[0].as_dict()["lines"] == [{"label": "Days", "value": "3"}]
    assert extensions.child_records(object(), start, end, keys=["second"]) == []


def test_the_pep_review_signal_reaches_its_receivers():
    heard = []

    def receiver(sender, **kwargs):
        heard.append(kwargs["trigger"])

    pep_review_proposed.connect(receiver, weak=False)
    try:
        pep_review_proposed.send(
            sender=None,
            child=None,
            pep_type="emergency",
            trigger="suspension",
            reason="r",
            raised_on=dt.date(2026, 12, 1),
            source_key="suspension:1",
            actor=None,
        )
    finally:
        pep_review_proposed.disconnect(receiver)
    assert heard == ["suspension"]

"""My work, compliance and the child's Duties tab: scoped exactly as the children selectors scope children."""

import datetime as dt

import pytest
from django.urls import reverse

from virtualschool.children.tests.factories import ChildFactory
from virtualschool.core.models import Notification
from virtualschool.duties import engine, events
from virtualschool.duties.models import DutyInstance, State
from virtualschool.placements.tests.factories import EducationPlacementFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def duties(world):
    """child_a (lead, sw_a, school A, in area): overdue roll duty; child_b (lead, sw_b, school B, out of area):
    met late; child_c (another lead): due today. Only the roll's own duties are measured here (the PEP and
    suspension apps' sources are tested in test_app_event_sources)."""
    with events.sources_restored():
        for kind, source in events.event_sources().items():
            if source.app not in {"children", "placements", "duties"}:
                events.unregister_event_source(kind)
        yield _make_duties(world)


def _make_duties(world):
    from virtualschool.accounts.models import Role
    from virtualschool.accounts.tests.factories import UserFactory

    for child, added in ((world.child_a, None), (world.child_b, dt.date(2026, 11, 26))):
        child.care_status_received_on = dt.date(2026, 11, 20)
        child.added_to_roll_on = added
        child.save()
    other_lead = UserFactory(username="other_lead", role=Role.VIRTUAL_SCHOOL_LEAD)
    child_c = ChildFactory(first_name="Cara", last_name="Thirdchild", allocated_lead=other_lead,
                           care_status_received_on=dt.date(2026, 11, 23), added_to_roll_on=None)  # fmt: skip
    EducationPlacementFactory(child=child_c, school=world.school_a, start_date=dt.date(2024, 9, 4))
    engine.refresh(today=TODAY)
    return child_c, other_lead


def test_my_work_lists_the_leads_own_caseload_overdue_and_due(client, world, duties):
    _child_c, other_lead = duties
    client.force_login(world.lead)
    with _today(TODAY):
        html = client.get(reverse("duties:my-work")).content.decode()
    assert "Ava Testchild" in html  # overdue
    assert "Ben Otherchild" not in html  # met late: not work to do
    assert "Cara Thirdchild" not in html  # another lead's caseload
    client.force_login(other_lead)
    html = client.get(reverse("duties:my-work")).content.decode()
    assert "Cara Thirdchild" in html and "Due this week" in html


@pytest.mark.parametrize(("role", "sees_a", "sees_c"), [
    ("sw_a", True, False), ("sw_b", False, False), ("dt_a", True, True), ("dt_b", False, False),
    ("iro_a", True, False), ("panel", False, False), ("admin", False, False), ("head", False, False),
])  # fmt: skip
def test_my_work_for_other_roles_is_their_childrens_duties(client, world, duties, role, sees_a, sees_c):
    client.force_login(world.users()[role])
    response = client.get(reverse("duties:my-work"))
    assert response.status_code == 200
    html = response.content.decode()
    assert ("Ava Testchild" in html) == sees_a, role
    assert ("Cara Thirdchild" in html) == sees_c, role


def test_mine_only_keeps_duties_the_user_owns(client, world, duties):
    client.force_login(world.dt_a)  # the roll duty is the lead's, not the designated teacher's
    html = client.get(reverse("duties:my-work") + "?mine=1").content.decode()
    assert "Ava Testchild" not in html


def test_compliance_shares_by_area_with_the_list_behind_each_figure(client, world, duties):
    client.force_login(world.head)
    response = client.get(reverse("duties:compliance"), {"from": "2026-09-01", "to": "2026-11-26", "by": "area"})
    assert response.status_code == 200
    rows = response.context["rows"]
    roll = next(row for row in rows if row["entry"].rule.slug == "roll-add-after-care-status")
    # a overdue (in area), b met late (out of area); c is due today and not yet decided
    assert (roll["entry"].total.decided, roll["entry"].total.on_time, roll["entry"].total.share) == (2, 0, 0.0)
    labels = {group["label"]: group["figure"].decided for group in roll["groups"]}
    assert labels == {"In area": 1, "Out of area": 1}
    out_of_area = next(group for group in roll["groups"] if group["label"] == "Out of area")
    listed = client.get(reverse("duties:compliance-list") + "?" + out_of_area["query"])
    assert listed.status_code == 200
    assert [d.child for d in listed.context["duties"]] == [world.child_b]
    overdue = client.get(reverse("duties:compliance-list") + "?" + roll["query"] + "&outcome=overdue")
    assert [d.child for d in overdue.context["duties"]] == [world.child_a]
    assert "Not yet measured" in response.content.decode()


def test_compliance_by_lead_and_by_school(client, world, duties):
    client.force_login(world.head)
    by_lead = client.get(reverse("duties:compliance"), {"from": "2026-09-01", "to": "2026-11-26", "by": "lead"})
    roll = next(row for row in by_lead.context["rows"] if row["entry"].rule.slug == "roll-add-after-care-status")
    assert [group["figure"].decided for group in roll["groups"]] == [2]
    by_school = client.get(reverse("duties:compliance"), {"from": "2026-09-01", "to": "2026-11-26", "by": "school"})
    roll = next(row for row in by_school.context["rows"] if row["entry"].rule.slug == "roll-add-after-care-status")
    assert {group["label"] for group in roll["groups"]} == {"Alderley Primary", "Birchwood High"}


@pytest.mark.parametrize("role", ["lead", "sw_a", "dt_a", "panel"])
def test_compliance_is_for_the_head_and_those_who_report(client, world, role):
    client.force_login(world.users()[role])
    assert client.get(reverse("duties:compliance")).status_code == 403
    assert client.get(reverse("duties:compliance-list") + "?rule=roll-add-after-care-status").status_code == 403


def test_compliance_with_a_bad_period_says_what_to_fix(client, world):
    client.force_login(world.head)
    html = client.get(reverse("duties:compliance"), {"from": "26/11/2026"}).content.decode()
    assert "Enter the period" in html


def test_childs_duties_tab_shows_the_clocks_and_what_is_not_yet_measured(client, world, duties):
    client.force_login(world.sw_a)
    response = client.get(reverse("duties:child", args=[world.child_a.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Add the child to the roll after care status is received" in html
    assert "25 November 2026" in html
    assert "Overdue" in html
    assert "not yet measured" in html
    assert 'href="/duties/children/' in html  # the tab is in the child's sub-navigation
    client.force_login(world.sw_b)
    assert client.get(reverse("duties:child", args=[world.child_a.pk])).status_code == 404


def test_rules_page_lists_every_rule(client, world):
    client.force_login(world.dt_a)
    html = client.get(reverse("duties:rules")).content.decode()
    assert "School SDQ after a carer" in html and "Not yet measured" in html


def test_navigation_offers_my_work_and_compliance_by_role(client, world):
    client.force_login(world.head)
    html = client.get(reverse("home")).content.decode()
    assert 'href="/duties/"' in html and 'href="/duties/compliance/"' in html
    client.force_login(world.sw_a)
    html = client.get(reverse("home")).content.decode()
    assert 'href="/duties/"' in html and 'href="/duties/compliance/"' not in html


# --- notifications ----------------------------------------------------------------------------------------------


def test_owner_is_notified_once_when_a_duty_becomes_due_soon_and_once_when_overdue(world):
    child = ChildFactory(care_status_received_on=dt.date(2026, 11, 20), added_to_roll_on=None,
                         allocated_lead=world.lead)  # fmt: skip
    engine.refresh([child.pk], today=dt.date(2026, 11, 16))  # upcoming
    assert not Notification.objects.filter(child_id=child.pk).exists()
    engine.refresh([child.pk], today=dt.date(2026, 11, 20))  # due soon
    engine.refresh([child.pk], today=dt.date(2026, 11, 21))  # still due soon
    assert list(Notification.objects.filter(child_id=child.pk).values_list("kind", "recipient")) == [
        ("due_soon", world.lead.pk)
    ]
    engine.refresh([child.pk], today=dt.date(2026, 11, 26))  # overdue
    engine.refresh([child.pk], today=dt.date(2026, 11, 27))
    kinds = sorted(Notification.objects.filter(child_id=child.pk).values_list("kind", flat=True))
    assert kinds == ["due_soon", "overdue"]
    overdue = Notification.objects.get(child_id=child.pk, kind="overdue")
    assert "25 November 2026" in overdue.subject
    assert overdue.url == reverse("duties:child", args=[child.pk])


def test_recomputed_rows_are_never_notified_twice(world):
    child = ChildFactory(care_status_received_on=dt.date(2026, 11, 20), added_to_roll_on=None,
                         allocated_lead=world.lead)  # fmt: skip
    engine.refresh([child.pk], today=dt.date(2026, 11, 26))
    DutyInstance.objects.filter(child=child).delete()  # as if the worker restarted with nothing stored
    engine.refresh([child.pk], today=dt.date(2026, 11, 26))
    assert Notification.objects.filter(child_id=child.pk, kind="overdue").count() == 1


def test_long_overdue_duties_found_for_the_first_time_are_not_notified(world):
    child = ChildFactory(care_status_received_on=dt.date(2026, 1, 5), added_to_roll_on=None,
                         allocated_lead=world.lead)  # fmt: skip
    engine.refresh([child.pk], today=dt.date(2026, 11, 26))
    assert DutyInstance.objects.get(child=child, rule__slug="roll-add-after-care-status").state == State.OVERDUE
    assert not Notification.objects.filter(child_id=child.pk).exists()


def test_refresh_command_for_one_child_and_a_clear_error_for_an_unknown_one(world):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("refresh_duties", "--child", str(world.child_a.pk), stdout=out)
    assert "1 children" in out.getvalue()
    with pytest.raises(CommandError, match="No child with id 999999"):
        call_command("refresh_duties", "--child", "999999")


def test_refresh_task_runs(world):
    from virtualschool.duties.tasks import refresh_duties

    result = refresh_duties.enqueue(child_ids=[world.child_a.pk])
    assert "1 children" in result.return_value


def _today(day):
    import time_machine

    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 10, tzinfo=dt.UTC), tick=False)


@pytest.mark.django_db(transaction=True)
def test_a_write_refreshes_the_childs_duties_once_it_commits(world):
    from django.db import transaction

    child = world.child_a
    with transaction.atomic():
        child.care_status_received_on = dt.date(2026, 11, 20)
        child.added_to_roll_on = None
        child.save()
        # not yet: the refresh waits for the commit
        assert not DutyInstance.objects.filter(child=child, started_on=dt.date(2026, 11, 20)).exists()
    duty = DutyInstance.objects.get(child=child, rule__slug="roll-add-after-care-status")
    assert (duty.started_on, duty.due_on) == (dt.date(2026, 11, 20), dt.date(2026, 11, 25))


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_leaves_no_refresh_waiting(world):
    from django.db import transaction

    child = world.child_a
    with pytest.raises(RuntimeError), transaction.atomic():
        child.care_status_received_on = dt.date(2026, 11, 20)
        child.save()
        raise RuntimeError("undone")
    with transaction.atomic():
        child.refresh_from_db()
        child.care_status_received_on = dt.date(2026, 11, 23)
        child.added_to_roll_on = None
        child.save()
    started = DutyInstance.objects.get(child=child, rule__slug="roll-add-after-care-status").started_on
    assert started == dt.date(2026, 11, 23)


def test_a_duty_met_early_counts_in_the_period_it_was_met(client, world):
    child = ChildFactory(care_status_received_on=dt.date(2026, 11, 20), added_to_roll_on=dt.date(2026, 11, 20))
    engine.refresh([child.pk], today=dt.date(2026, 11, 20))  # due 25 November, met on the day it started
    client.force_login(world.head)
    response = client.get(reverse("duties:compliance"), {"from": "2026-09-01", "to": "2026-11-20"})
    roll = next(row for row in response.context["rows"] if row["entry"].rule.slug == "roll-add-after-care-status")
    assert (roll["entry"].total.decided, roll["entry"].total.on_time) == (1, 1)


def test_opening_a_childs_duties_tab_is_in_their_audit_history(client, world):
    from virtualschool.core.models import AuditEvent

    client.force_login(world.sw_a)
    assert client.get(reverse("duties:child", args=[world.child_a.pk])).status_code == 200
    assert AuditEvent.objects.filter(child_id=world.child_a.pk, action="view", context__page="duties").exists()

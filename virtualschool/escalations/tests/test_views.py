"""The escalation pages: list, one escalation, the forms that move it on, letters, the child tab, settings."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from conftest import EXPECTED_VISIBLE
from virtualschool.escalations import services
from virtualschool.escalations.models import ChildView, Contact, Escalation, NotificationPreference

from .conftest import MONDAY

pytestmark = pytest.mark.django_db


def _date(prefix: str, day: dt.date) -> dict[str, str]:
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


def test_raising_through_the_form_then_working_it_to_resolution(client, world, frozen):
    client.force_login(world.lead)
    child = world.child_a
    tab = client.get(reverse("escalations:child", args=[child.pk]))
    assert tab.status_code == 200 and "Raise a concern" in tab.content.decode()
    from virtualschool.escalations.models import Ladder

    ladder = Ladder.objects.get(slug="dorset-virtual-school-internal")
    form = client.get(reverse("escalations:raise", args=[child.pk]))
    assert form.status_code == 200
    response = client.post(
        reverse("escalations:raise", args=[child.pk]),
        {
            "ladder": ladder.pk,
            "failing_party": "school",
            "party_name": "Alderley Primary",
            "summary": "Advice on seating plan ignored",
            "evidence": "",
            "safeguarding": "no",
            **_date("arose_on", MONDAY),
        },
    )
    escalation = Escalation.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("escalations:detail", args=[escalation.pk])

    page = client.get(reverse("escalations:detail", args=[escalation.pk])).content.decode()
    assert "9 November 2026" in page and "moj-timeline" in page and 'data-testid="views-missing"' in page
    assert "Record the response" in page

    assert (
        client.post(
            reverse("escalations:contact", args=[escalation.pk]),
            {
                "person": "Mrs Khan",
                "role": "Head teacher",
                "method": "phone",
                **_date("contacted_on", MONDAY),
                "asked": "Follow the advice",
                "response": "Will review",
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("escalations:child-view", args=[escalation.pk]),
            {**_date("recorded_on", MONDAY), "views": "I sit at the back and cannot see"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("escalations:responses", args=[escalation.pk]),
            {"responses": ["An additional PEP review"], "note": ""},
        ).status_code
        == 302
    )
    assert Contact.objects.count() == 1 and ChildView.objects.count() == 1

    page = client.get(reverse("escalations:detail", args=[escalation.pk])).content.decode()
    assert "Mrs Khan" in page and "I sit at the back" in page and 'data-testid="views-missing"' not in page

    assert client.post(reverse("escalations:move", args=[escalation.pk]), {"reason": ""}).status_code == 302
    escalation.refresh_from_db()
    assert escalation.current_step.level.number == 2
    assert (
        client.post(
            reverse("escalations:skip", args=[escalation.pk]), {"level": "3", "reason": "School refuses to meet"}
        ).status_code
        == 302
    )
    escalation.refresh_from_db()
    assert escalation.current_step.level.number == 3
    assert (
        client.post(
            reverse("escalations:resolve", args=[escalation.pk]), {"outcome": "Seating changed after the QARO met them"}
        ).status_code
        == 302
    )
    escalation.refresh_from_db()
    assert escalation.status == "resolved"


def test_a_form_with_errors_shows_them_and_writes_nothing(client, world, frozen):
    client.force_login(world.lead)
    response = client.post(reverse("escalations:raise", args=[world.child_a.pk]), {"summary": ""})
    html = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in html
    assert "Enter what is not happening" in html and "Select yes if this is a safeguarding matter" in html
    assert not Escalation.objects.exists()


def test_the_list_filters_overdue_and_shows_the_due_date(client, world, raise_concern, frozen):
    late = raise_concern()
    frozen.move_to(dt.date(2026, 11, 12))
    raise_concern(child=world.child_b)
    frozen.move_to(dt.date(2026, 11, 20))
    client.force_login(world.head)
    everything = client.get(reverse("escalations:list")).content.decode()
    assert "moj-filter-layout" in everything and "<strong>2</strong> escalations" in everything
    assert "Overdue" in everything and "16 November 2026" in everything
    overdue = client.get(reverse("escalations:list"), {"state": "overdue"}).content.decode()
    assert "<strong>1</strong> escalation" in overdue and f"escalation {late.pk}<" in overdue
    assert "Selected filters" in overdue


def test_a_skip_is_refused_where_the_ladder_does_not_allow_it(client, world, raise_concern, frozen):
    escalation = raise_concern("gloucestershire-school")
    client.force_login(world.lead)
    assert client.get(reverse("escalations:skip", args=[escalation.pk])).status_code == 403
    assert "Skip to a level" not in client.get(reverse("escalations:detail", args=[escalation.pk])).content.decode()


def test_the_letter_has_the_facts_filled_in_and_downloads_as_word(client, world, raise_concern, frozen):
    escalation = raise_concern("dorset-dispute-resolution", actor=world.iro_a, evidence="Care plan of 1 October")
    services.contact_record(
        actor=world.iro_a,
        escalation=escalation,
        person="Sam Team-Manager",
        method="email",
        contacted_on=MONDAY,
        response="Looking into it",
    )
    services.escalation_move_up(actor=world.iro_a, escalation=escalation)
    client.force_login(world.iro_a)
    html = client.get(reverse("escalations:letter", args=[escalation.pk])).content.decode()
    body = re.search(r'data-testid="letter">(.*?)</textarea>', html, re.S).group(1)
    assert "Ava Testchild" in body and "9 November 2026" in body and "Care plan of 1 October" in body
    assert "Sam Team-Manager" in body and "Service manager" in body  # who is copied at level 1
    other = client.get(reverse("escalations:letter", args=[escalation.pk]), {"level": "3"}).content.decode()
    assert "Head of locality" in other
    docx = client.get(reverse("escalations:letter-docx", args=[escalation.pk]))
    assert docx.status_code == 200 and docx["Content-Disposition"].endswith('.docx"')
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "Ava Testchild" in text and "Looking into it" in text


def test_every_ladder_drafts_a_letter_for_every_level(world, raise_concern, frozen):
    from virtualschool.escalations.letters import draft_letter
    from virtualschool.escalations.models import Ladder

    for ladder in Ladder.objects.all():
        escalation = raise_concern(ladder.slug)
        for level in ladder.levels.all():
            letter = draft_letter(escalation, level)
            assert "Ava Testchild" in letter.subject, (ladder.slug, level.number)
            assert level.responsible in letter.body and "{" not in letter.body


@pytest.mark.parametrize("role", sorted(EXPECTED_VISIBLE))
def test_pages_answer_by_need_to_know(client, world, raise_concern, frozen, role):
    escalation = raise_concern(actor=world.dt_a)  # for Ava, raised by her designated teacher
    user = world.users()[role]
    client.force_login(user)
    sees = role in {"head", "manager", "data", "lead", "sw_a", "iro_a", "dt_a"}
    changes = role in {"head", "manager", "lead", "dt_a"}
    detail = client.get(reverse("escalations:detail", args=[escalation.pk])).status_code
    assert detail == (200 if sees else 404), role
    for name in ("move", "resolve", "contact", "child-view"):
        status = client.get(reverse(f"escalations:{name}", args=[escalation.pk])).status_code
        assert status == (200 if changes else 403 if sees else 404), (role, name, status)
    letter = client.get(reverse("escalations:letter", args=[escalation.pk])).status_code
    assert letter == (200 if sees else 404)
    assert client.get(reverse("escalations:list")).status_code == 200
    tab = client.get(reverse("escalations:child", args=[world.child_a.pk])).status_code
    assert tab == (200 if "child_a" in EXPECTED_VISIBLE[role] else 404)
    if not sees:
        client.post(reverse("escalations:resolve", args=[escalation.pk]), {"outcome": "x"})
        escalation.refresh_from_db()
        assert escalation.is_open


def test_notification_settings_are_saved(client, world):
    client.force_login(world.sw_a)
    page = client.get(reverse("escalations:preferences"))
    assert page.status_code == 200 and "daily digest" in page.content.decode()
    client.post(reverse("escalations:preferences"), {"due_soon": "digest", "overdue": "digest", "other": "immediate"})
    pref = NotificationPreference.objects.get(user=world.sw_a)
    assert (pref.due_soon, pref.overdue, pref.other) == ("digest", "digest", "immediate")


def test_the_ladders_page_lists_every_level(client, world):
    client.force_login(world.lead)
    html = client.get(reverse("escalations:ladders")).content.decode()
    assert "Referral to CAFCASS" in html and "Fortnightly reminders until it is done" in html
    assert html.count('class="govuk-heading-m" id=') == 11


def test_moving_up_can_hand_the_escalation_to_another_holder(client, world, raise_concern, frozen):
    escalation = raise_concern()
    client.force_login(world.lead)
    page = client.get(reverse("escalations:move", args=[escalation.pk])).content.decode()
    names = {key: escape(str(user)) for key, user in (("head", world.head), ("sw_a", world.sw_a), ("sw_b", world.sw_b))}
    assert names["head"] in page and names["sw_a"] in page and names["sw_b"] not in page  # names such as O'Connor
    client.post(reverse("escalations:move", args=[escalation.pk]), {"reason": "", "holder": world.head.pk})
    escalation.refresh_from_db()
    assert escalation.holder == world.head and escalation.current_step.level.number == 2
    refused = client.post(reverse("escalations:move", args=[escalation.pk]), {"holder": world.sw_b.pk})
    assert refused.status_code == 200 and "govuk-error-summary" in refused.content.decode()


def test_reading_the_child_tab_and_drafting_letters_are_in_the_childs_audit_history(
    client, world, raise_concern, frozen
):
    from virtualschool.core.models import AuditEvent

    escalation = raise_concern()
    client.force_login(world.sw_a)
    client.get(reverse("escalations:child", args=[world.child_a.pk]))
    client.get(reverse("escalations:letter", args=[escalation.pk]))
    client.get(reverse("escalations:letter-docx", args=[escalation.pk]))
    events = AuditEvent.objects.filter(actor=world.sw_a, child_id=world.child_a.pk)
    assert events.filter(action="view", context__page="escalations").exists()
    assert events.filter(action="view", context__page="letter").exists()
    assert events.filter(action="export", context__format="docx").exists()


def test_an_informal_stage_gets_the_due_date_the_holder_sets_when_raising(client, world, frozen):
    from virtualschool.escalations.models import Ladder

    client.force_login(world.iro_a)
    ladder = Ladder.objects.get(slug="dorset-dispute-resolution")
    response = client.post(
        reverse("escalations:raise", args=[world.child_a.pk]),
        {
            "ladder": ladder.pk,
            "failing_party": "local_authority",
            "summary": "Care plan not reviewed",
            "safeguarding": "no",
            **_date("arose_on", MONDAY),
            **_date("due_on", dt.date(2026, 11, 6)),
        },
    )
    assert response.status_code == 302
    escalation = Escalation.objects.get()
    assert escalation.current_step.level.number == 0 and escalation.due_on == dt.date(2026, 11, 6)


def test_moving_up_to_another_holder_is_audited_with_both_holders(client, world, raise_concern, frozen):
    from virtualschool.core.models import AuditEvent

    escalation = raise_concern()
    old_holder, old_step = escalation.holder_id, escalation.current_step_id
    client.force_login(world.lead)
    client.post(reverse("escalations:move", args=[escalation.pk]), {"reason": "", "holder": world.head.pk})
    event = AuditEvent.objects.filter(object_type="escalations.escalation", object_id=str(escalation.pk),
                                      action="update").latest("id")  # fmt: skip
    assert event.changes["holder"] == [old_holder, world.head.pk]
    assert event.changes["current_step"][0] == old_step
    assert event.context["level"] == 2

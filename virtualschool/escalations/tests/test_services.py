"""Raising, moving up, skipping, resolving, and the record of contacts and the child's views."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from virtualschool.core.models import AuditEvent, Notification
from virtualschool.escalations import services
from virtualschool.escalations.models import ChildView, Contact, Escalation, EscalationStep, Ladder
from virtualschool.escalations.selectors import escalations_visible_to

from .conftest import MONDAY

pytestmark = pytest.mark.django_db


def test_raising_starts_at_the_first_level_with_its_due_date_audited_and_the_lead_told(world, raise_concern, frozen):
    escalation = raise_concern(actor=world.sw_a, party_name="Alderley Primary", evidence="PEP minutes")

    assert escalation.current_step.level.number == 1
    assert escalation.due_on == dt.date(2026, 11, 16)
    assert escalation.holder == world.sw_a and escalation.raised_on == MONDAY
    assert escalation.current_step.how == EscalationStep.How.RAISED
    assert AuditEvent.objects.filter(object_type="escalations.escalation", action="create").count() == 1
    told = Notification.objects.get(recipient=world.lead)
    assert told.kind == "escalation" and "Ava Testchild" in told.subject


def test_bad_input_is_refused_with_what_to_fix_and_nothing_written(world, frozen):
    ladder = Ladder.objects.get(slug="gloucestershire-school")
    with pytest.raises(ValidationError) as caught:
        services.escalation_raise(
            actor=world.lead, child=world.child_a, ladder=ladder, summary=" ", arose_on=MONDAY + dt.timedelta(days=1)
        )
    assert caught.value.message_dict["summary"] == ["Enter what is not happening"]
    assert caught.value.message_dict["arose_on"] == ["The date the concern arose must be today or in the past"]
    assert not Escalation.objects.exists() and not EscalationStep.objects.exists()


def test_moving_up_enters_the_next_level_with_a_new_due_date_and_tells_people(world, raise_concern, frozen):
    escalation = raise_concern()
    frozen.move_to(dt.date(2026, 11, 17))
    step = services.escalation_move_up(actor=world.lead, escalation=escalation)
    escalation.refresh_from_db()

    assert step.level.number == 2 and step.how == "moved"
    assert escalation.due_on == dt.date(2026, 12, 1)  # 10 working days from Tuesday 17 November
    assert EscalationStep.objects.get(escalation=escalation, level__number=1).left_on == dt.date(2026, 11, 17)
    assert escalation.current_step == step


def test_the_last_level_cannot_move_up_but_a_repeating_level_starts_again(world, raise_concern, frozen):
    home = raise_concern("childrens-home-regulation-5")
    for _ in range(6):
        services.escalation_move_up(actor=world.lead, escalation=home)
    reminder = services.escalation_move_up(actor=world.lead, escalation=home)
    assert reminder.level.number == 7 and reminder.how == "reminder"
    assert reminder.due_on == MONDAY + dt.timedelta(weeks=2)

    school = raise_concern("gloucestershire-send-in-area")
    services.escalation_move_up(actor=world.lead, escalation=school)
    services.escalation_move_up(actor=world.lead, escalation=school)
    with pytest.raises(ValidationError, match="last level"):
        services.escalation_move_up(actor=world.lead, escalation=school)


def test_a_different_timescale_needs_a_reason(world, raise_concern, frozen):
    escalation = raise_concern("dorset-dispute-resolution", actor=world.iro_a)
    with pytest.raises(ValidationError) as caught:
        services.escalation_move_up(actor=world.iro_a, escalation=escalation, due_on=dt.date(2026, 11, 4))
    assert "reason" in caught.value.message_dict
    step = services.escalation_move_up(
        actor=world.iro_a, escalation=escalation, due_on=dt.date(2026, 11, 4), reason="Exclusion hearing on Thursday"
    )
    assert step.due_on == dt.date(2026, 11, 4) and "set by the holder" in step.timescale_note


def test_skipping_needs_a_ladder_that_allows_it_and_a_reason(world, raise_concern, frozen):
    dispute = raise_concern("dorset-dispute-resolution", actor=world.iro_a)
    with pytest.raises(ValidationError) as caught:
        services.escalation_skip(actor=world.iro_a, escalation=dispute, level_number=5, reason="")
    assert "reason" in caught.value.message_dict
    step = services.escalation_skip(
        actor=world.iro_a, escalation=dispute, level_number=5, reason="The child's rights are being breached now"
    )
    assert step.level.number == 5 and step.how == "skipped" and step.reason
    assert EscalationStep.objects.filter(escalation=dispute).count() == 2

    school = raise_concern("gloucestershire-school")
    with pytest.raises(ValidationError, match="does not allow levels to be skipped"):
        services.escalation_skip(actor=world.lead, escalation=school, level_number=3, reason="urgent")


def test_a_concern_can_start_above_the_first_level_only_with_a_reason(world, raise_concern, frozen):
    with pytest.raises(ValidationError) as caught:
        raise_concern("dorset-dispute-resolution", actor=world.iro_a, start_level=2)
    assert "reason" in caught.value.message_dict
    escalation = raise_concern("dorset-dispute-resolution", actor=world.iro_a, start_level=2, reason="Informal tried")
    assert escalation.current_step.level.number == 2 and escalation.current_step.how == "skipped"


def test_safeguarding_applies_the_faster_timescales_and_allows_every_step_at_once(world, raise_concern, frozen):
    home = raise_concern("childrens-home-regulation-5", safeguarding=True)
    assert home.due_on == MONDAY  # all steps at once
    step = services.escalation_skip(actor=world.lead, escalation=home, level_number=6, reason="Visit to family tonight")
    assert step.due_on == MONDAY and step.level.number == 6

    school = raise_concern("gloucestershire-school", safeguarding=True)
    assert school.due_on == dt.date(2026, 11, 4)
    assert "Safeguarding timescale" in school.current_step.timescale_note


def test_resolving_needs_an_outcome_and_closes_it(world, raise_concern, frozen):
    escalation = raise_concern()
    with pytest.raises(ValidationError):
        services.escalation_resolve(actor=world.lead, escalation=escalation, outcome="")
    services.escalation_resolve(actor=world.lead, escalation=escalation, outcome="Support in place from Monday")
    escalation.refresh_from_db()
    assert escalation.status == "resolved" and escalation.resolved_on == MONDAY
    with pytest.raises(ValidationError, match="resolved"):
        services.escalation_move_up(actor=world.lead, escalation=escalation)


def test_contacts_and_the_childs_views_are_recorded_at_the_current_level(world, raise_concern, frozen):
    escalation = raise_concern()
    contact = services.contact_record(
        actor=world.lead,
        escalation=escalation,
        person="Ms Patel",
        role="Designated teacher",
        method="phone",
        contacted_on=MONDAY,
        asked="When will support start?",
        response="Next week",
    )
    view = services.child_view_record(actor=world.lead, escalation=escalation, recorded_on=MONDAY, views="I want help")
    missing = services.child_view_record(
        actor=world.lead, escalation=escalation, recorded_on=MONDAY, not_obtained_reason="Unwell this week"
    )
    assert contact.step == escalation.current_step and view.step == escalation.current_step
    assert Contact.objects.count() == 1 and ChildView.objects.count() == 2 and missing.views == ""
    with pytest.raises(ValidationError) as caught:
        services.child_view_record(actor=world.lead, escalation=escalation, recorded_on=MONDAY)
    assert caught.value.message_dict["views"] == ["Enter the child's views, or why they could not be obtained"]
    with pytest.raises(ValidationError) as caught:
        services.contact_record(actor=world.lead, escalation=escalation, person="", method="fax", contacted_on=None)
    assert set(caught.value.message_dict) == {"person", "method", "contacted_on"}


def test_the_dorset_managers_responses_come_from_the_levels_list(world, raise_concern, frozen):
    escalation = raise_concern("dorset-virtual-school-internal")
    step = services.responses_record(
        actor=world.lead, escalation=escalation, responses=["An additional PEP review"], note="Booked for Friday"
    )
    assert step.responses == ["An additional PEP review"]
    with pytest.raises(ValidationError):
        services.responses_record(actor=world.lead, escalation=escalation, responses=["Something else"])


def test_who_may_raise_and_act(world, raise_concern, frozen):
    with pytest.raises(PermissionDenied):
        raise_concern(actor=world.sw_b)  # not Ava's social worker
    with pytest.raises(PermissionDenied):
        raise_concern(actor=world.panel)
    escalation = raise_concern(actor=world.dt_a)
    with pytest.raises(PermissionDenied):
        services.escalation_move_up(actor=world.sw_a, escalation=escalation)  # sees it, neither raised nor holds it
    services.escalation_move_up(actor=world.lead, escalation=escalation)  # Ava's allocated lead
    services.escalation_move_up(actor=world.head, escalation=escalation)


EXPECTED = {
    "head": {"a_by_dt", "b_by_lead"},
    "manager": {"a_by_dt", "b_by_lead"},
    "data": {"a_by_dt", "b_by_lead"},
    "lead": {"a_by_dt", "b_by_lead"},  # allocated to both children
    "sw_a": {"a_by_dt"},
    "sw_b": {"b_by_lead"},
    "iro_a": {"a_by_dt"},
    "dt_a": {"a_by_dt"},  # raised it
    "dt_b": set(),  # a concern about their school is not theirs to read
    "send": set(),  # not about SEND casework
    "panel": set(),
    "admin": set(),
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_each_role_sees_only_the_escalations_it_needs_to(world, raise_concern, frozen, who):
    made = {
        "a_by_dt": raise_concern(actor=world.dt_a),
        "b_by_lead": raise_concern(child=world.child_b, party_name="Birchwood High"),
    }
    names = {v.pk: k for k, v in made.items()}
    seen = {names[e.pk] for e in escalations_visible_to(world.users()[who])}
    assert seen == EXPECTED[who]


def test_the_send_specialist_sees_send_casework_concerns(world, raise_concern, frozen):
    escalation = raise_concern("gloucestershire-send-in-area")
    assert list(escalations_visible_to(world.send)) == [escalation]


def test_the_clock_proposes_moving_up_once_and_warns_when_due_soon(world, raise_concern, frozen):
    escalation = raise_concern()  # due Monday 16 November
    frozen.move_to(dt.date(2026, 11, 12))
    assert services.check_escalation_clocks() == {"due_soon": 1, "proposed": 0}
    assert services.check_escalation_clocks() == {"due_soon": 0, "proposed": 0}
    frozen.move_to(dt.date(2026, 11, 17))
    assert services.check_escalation_clocks()["proposed"] == 1
    assert services.check_escalation_clocks()["proposed"] == 0
    kinds = sorted(Notification.objects.filter(recipient=world.lead).values_list("kind", flat=True))
    assert kinds == ["due_soon", "escalation"]  # the lead raised it: not told of their own raising
    time_up = Notification.objects.get(recipient=world.lead, kind="escalation")
    assert "move it up" in time_up.subject
    escalation.refresh_from_db()
    assert escalation.current_step.proposed_at is not None


def test_a_concern_about_the_school_names_the_childs_current_school(world, raise_concern, frozen):
    escalation = raise_concern()
    assert escalation.school == world.school_a and escalation.party_name == "Alderley Primary"


def test_the_childs_records_summarise_open_and_recent_escalations_for_the_pep(world, raise_concern, frozen):
    from virtualschool.core.extensions import child_records

    raise_concern()
    frozen.move_to(dt.date(2026, 11, 20))
    (summary,) = child_records(world.child_a, dt.date(2026, 9, 1), dt.date(2026, 11, 20), keys=["escalations"])
    assert summary.lines[0].label == "School (raised 2 November 2026)"
    assert "due 16 November 2026" in summary.lines[0].value
    assert summary.concerns == ("An escalation about school is overdue.",)
    assert child_records(world.child_b, dt.date(2026, 9, 1), dt.date(2026, 11, 20), keys=["escalations"]) == []

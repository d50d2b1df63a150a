"""Recording suspensions, exclusions, risks and reduced timetables: validation, the permanent-exclusion gate,
notifications, PEP review proposals, audit and who may record what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from virtualschool.core.models import AuditEvent, Notification
from virtualschool.core.signals import pep_review_proposed
from virtualschool.suspensions import services
from virtualschool.suspensions.models import ExclusionRisk, ReducedTimetable, Suspension
from virtualschool.suspensions.selectors import (
    part_time_concerns,
    suspension_facts,
    suspension_policy,
    suspensions_for_children,
)

D = dt.date
MEETING = {
    "meeting_on": D(2025, 11, 3),
    "meeting_social_worker": "Sam Social",
    "meeting_carer": "Casey Carer",
    "meeting_reviewing_officer": "Riley Reviewer",
    "meeting_vs_lead": "Lee Lead",
    "meeting_school": "Hana Head",
}


@pytest.fixture
def proposals():
    heard: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        heard.append(kwargs)

    pep_review_proposed.connect(receiver, weak=False, dispatch_uid="suspension-test")
    yield heard
    pep_review_proposed.disconnect(dispatch_uid="suspension-test")


def suspend(world: Any, actor: Any = None, child: Any = None, school: Any = None, **values: Any) -> Suspension:
    base = {
        "decided_on": D(2025, 11, 3),
        "start_date": D(2025, 11, 3),
        "length_unit": "days",
        "length": 2,
        "reasons": ["DB"],
    }
    base.update(values)
    return services.suspension_create(
        actor=actor or world.lead, child=child or world.child_a, school=school or world.school_a, **base
    )


@pytest.mark.django_db
def test_recording_a_suspension_works_out_its_dates_and_audits_it(world, terms):
    s = suspend(world, start_date=D(2025, 10, 23), decided_on=D(2025, 10, 22), length=6)
    assert s.end_date == D(2025, 11, 6)
    assert s.full_time_from == D(2025, 11, 6)
    assert s.school_days == 6
    event = AuditEvent.objects.get(object_type="suspensions.suspension", object_id=str(s.pk))
    assert event.action == "create" and event.child_id == world.child_a.pk and event.actor == world.lead


@pytest.mark.django_db
def test_recording_tells_the_social_worker_at_once_and_the_lead_and_reviewing_officer(world, terms):
    s = suspend(world)
    told = Notification.objects.filter(key=f"suspension:{s.pk}:recorded")
    assert {n.recipient for n in told} == {world.sw_a, world.lead, world.iro_a}
    note = told.get(recipient=world.sw_a)
    assert note.kind == "alert" and note.child_id == world.child_a.pk
    assert "suspended for 2 school days" in note.subject
    assert note.url == f"/suspensions/children/{world.child_a.pk}/"


@pytest.mark.django_db
def test_a_suspension_proposes_an_emergency_pep_review_and_a_second_in_the_term_a_pattern(world, terms, proposals):
    first = suspend(world, start_date=D(2025, 9, 15), decided_on=D(2025, 9, 15))
    assert [(p["trigger"], p["source_key"], p["pep_type"]) for p in proposals] == [
        ("suspension", f"suspension:{first.pk}", "emergency")
    ]
    assert proposals[0]["child"] == world.child_a and proposals[0]["actor"] == world.lead
    assert proposals[0]["reason"] == "Suspended for 2 school days from 15 September 2025."
    proposals.clear()
    second = suspend(world, start_date=D(2025, 11, 10), decided_on=D(2025, 11, 10))
    assert [(p["trigger"], p["source_key"]) for p in proposals] == [
        ("suspension", f"suspension:{second.pk}"),
        ("suspension-pattern", f"suspension-pattern:{world.child_a.pk}:term:2025-autumn"),
    ]
    assert proposals[1]["reason"] == "A pattern of suspensions: 2 suspensions in the autumn term 2025/26."


@pytest.mark.django_db
def test_a_risk_of_permanent_exclusion_proposes_an_emergency_review(world, proposals):
    risk = services.risk_record(
        actor=world.dt_a,
        child=world.child_a,
        school=world.school_a,
        raised_on=D(2025, 11, 3),
        raised_by="Jo Bell, headteacher",
        school_said="One more serious incident and she will be permanently excluded.",
    )
    assert [(p["trigger"], p["source_key"]) for p in proposals] == [
        ("risk-of-exclusion", f"risk-of-exclusion:{risk.pk}")
    ]
    assert Notification.objects.filter(recipient=world.sw_a, key=f"exclusion-risk:{risk.pk}:recorded").exists()
    services.risk_close(actor=world.lead, risk=risk, closed_on=D(2025, 12, 1), note="Managed move agreed")
    risk.refresh_from_db()
    assert risk.closed_on == D(2025, 12, 1)
    with pytest.raises(ValidationError, match="already closed"):
        services.risk_close(actor=world.lead, risk=risk, closed_on=D(2025, 12, 2))


@pytest.mark.django_db
def test_bad_input_names_each_field_and_saves_nothing(world, terms):
    with pytest.raises(ValidationError) as caught:
        services.suspension_create(
            actor=world.lead,
            child=world.child_a,
            school=world.school_a,
            decided_on=D(2025, 11, 4),
            start_date=D(2025, 11, 3),
            length_unit="weeks",
            length=0,
            reasons=["XX"],
            vs_told_on=D(2030, 1, 1),
        )
    errors = caught.value.message_dict
    assert set(errors) == {"decided_on", "length_unit", "length", "reasons", "vs_told_on"}
    assert errors["reasons"] == ["Unknown reason code XX: use the census codes"]
    with pytest.raises(ValidationError, match="up to 3 reasons"):
        suspend(world, reasons=["DB", "PP", "PA", "VA"])
    with pytest.raises(ValidationError, match="longer than 45 school days"):
        suspend(world, length=46)
    assert not Suspension.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_the_longest_suspension_is_the_policys_yearly_limit(world, terms):
    from virtualschool.suspensions.models import SuspensionPolicy

    SuspensionPolicy.objects.update_or_create(pk=1, defaults={"year_days_maximum": 30})
    with pytest.raises(ValidationError, match="longer than 60 sessions"):
        suspend(world, length_unit="sessions", length=61)
    with pytest.raises(ValidationError, match="longer than 30 school days"):
        suspend(world, length=31)
    assert suspend(world, length=30).length == 30


@pytest.mark.django_db
def test_a_permanent_exclusion_is_refused_as_final_without_the_multi_agency_meeting(world, terms):
    with pytest.raises(ValidationError) as caught:
        suspend(world, category="PERM", is_final=True, **{**MEETING, "meeting_carer": "", "meeting_vs_lead": ""})
    message = caught.value.message_dict["is_final"][0]
    assert "Missing: the carer and the Virtual School Lead." in message
    assert not Suspension.objects.exists()
    exclusion = suspend(world, category="PERM")  # recorded, not final
    assert not exclusion.is_final and exclusion.length is None and exclusion.end_date is None
    assert exclusion.full_time_from == D(2025, 11, 10)
    with pytest.raises(ValidationError, match="Missing: the date of the meeting, the social worker"):
        services.suspension_update(actor=world.lead, suspension=exclusion, is_final=True)
    services.suspension_update(actor=world.lead, suspension=exclusion, is_final=True, **MEETING)
    exclusion.refresh_from_db()
    assert exclusion.is_final


@pytest.mark.django_db
def test_governors_and_independent_review_follow_in_order(world, terms):
    exclusion = suspend(world, category="PERM", is_final=True, **MEETING)
    with pytest.raises(ValidationError, match="follows only governors who upheld"):
        services.suspension_update(actor=world.lead, suspension=exclusion, review_requested_on=D(2025, 11, 20))
    with pytest.raises(ValidationError, match="date of the governors' meeting"):
        services.suspension_update(actor=world.lead, suspension=exclusion, governors_outcome="upheld")
    services.suspension_update(
        actor=world.lead, suspension=exclusion, governors_meeting_on=D(2025, 11, 17), governors_outcome="upheld"
    )
    with pytest.raises(ValidationError, match="on or after the date it was requested"):
        services.suspension_update(
            actor=world.lead, suspension=exclusion, review_requested_on=D(2025, 11, 24), review_on=D(2025, 11, 21)
        )
    services.suspension_update(
        actor=world.lead,
        suspension=exclusion,
        review_requested_on=D(2025, 11, 21),
        review_on=D(2025, 12, 8),
        review_outcome="quashed",
    )
    exclusion.refresh_from_db()
    assert exclusion.get_review_outcome_display().startswith("Quashed")
    assert (
        AuditEvent.objects.filter(
            object_type="suspensions.suspension", object_id=str(exclusion.pk), action="update"
        ).count()
        == 2
    )


@pytest.mark.django_db
def test_a_suspension_has_no_governors_or_final_decision(world, terms):
    with pytest.raises(ValidationError, match="Only a permanent exclusion"):
        suspend(world, is_final=True)


@pytest.mark.django_db
def test_facts_flag_late_telling_missing_paperwork_and_day_six(world, terms):
    s = suspend(
        world,
        length=8,
        vs_told_on=D(2025, 11, 3),
        social_worker_told_on=D(2025, 11, 4),
    )
    facts = suspension_facts(s, today=D(2025, 11, 6), policy=suspension_policy(), calendar=_cal())
    assert facts.vs_told == "on_time" and facts.social_worker_told == "late"
    assert facts.late_told == ["the social worker", "the reviewing officer"]
    assert facts.late_told_text == "The social worker and the reviewing officer not told on the day"
    assert facts.paperwork == "missing" and facts.paperwork_due == D(2025, 11, 5)
    assert s.full_time_from == D(2025, 11, 10)
    assert facts.day6_status == "due"  # within three school days
    assert suspension_facts(s, today=D(2025, 11, 10), policy=suspension_policy(), calendar=_cal()).day6_status == (
        "overdue"
    )
    services.suspension_update(actor=world.lead, suspension=s, provision_day6="Full-time at the local AP")
    s.refresh_from_db()
    assert suspension_facts(s, today=D(2025, 11, 10), policy=suspension_policy(), calendar=_cal()).day6_status == (
        "arranged"
    )


def _cal():
    from virtualschool.core.calendar import school_calendar

    return school_calendar()


@pytest.mark.django_db
def test_a_designated_teacher_records_only_for_their_own_schools_pupils(world, terms):
    assert suspend(world, actor=world.dt_a).created_by == world.dt_a
    with pytest.raises(PermissionDenied):
        suspend(world, actor=world.dt_b)  # child_a is not their pupil
    with pytest.raises(PermissionDenied, match="your own school"):
        suspend(world, actor=world.dt_a, school=world.school_b)
    for reader in (world.sw_a, world.iro_a, world.manager, world.panel):
        with pytest.raises(PermissionDenied):
            suspend(world, actor=reader)
    assert Suspension.objects.count() == 1


@pytest.mark.django_db
def test_the_duties_selector_gives_suspensions_of_a_set_of_children_in_scope(world, terms):
    a = suspend(world, vs_told_on=D(2025, 11, 3), paperwork_received_on=D(2025, 11, 4))
    b = suspend(world, child=world.child_b, school=world.school_b, start_date=D(2025, 11, 5), decided_on=D(2025, 11, 5))
    ids = [world.child_a.pk, world.child_b.pk]
    assert list(suspensions_for_children(user=world.lead, child_ids=ids)) == [a, b]
    assert list(suspensions_for_children(user=world.dt_a, child_ids=ids)) == [a]
    assert list(suspensions_for_children(user=world.lead, child_ids=ids, start=D(2025, 11, 4))) == [b]
    row = suspensions_for_children(user=world.sw_a, child_ids=ids).get()
    assert (row.vs_told_on, row.paperwork_received_on) == (D(2025, 11, 3), D(2025, 11, 4))


def _timetable(world: Any, **values: Any) -> ReducedTimetable:
    base: dict[str, Any] = {
        "hours_per_week": "15",
        "start_date": D(2025, 9, 8),
        "end_date": D(2025, 12, 1),
        "review_dates": [D(2025, 10, 6)],
        "school": world.school_a,
        "agreements": {"social_care": "Sam Social", "virtual_school": "Lee Lead", "school": "Dee Teacher"},
    }
    base.update(values)
    return services.timetable_create(actor=world.lead, child=world.child_a, **base)


@pytest.mark.django_db
def test_a_reduced_timetable_needs_an_end_date_a_review_date_and_fewer_than_full_time_hours(world):
    with pytest.raises(ValidationError) as caught:
        _timetable(world, hours_per_week="25", end_date=None, review_dates=[])
    assert set(caught.value.message_dict) == {"hours_per_week", "end_date", "review_dates"}
    assert "25 hours is full-time for this child" in caught.value.message_dict["hours_per_week"][0]
    with pytest.raises(ValidationError, match="between the start and end dates"):
        _timetable(world, review_dates=[D(2026, 1, 5)])
    t = _timetable(world)
    assert (t.agreed_social_care, t.agreed_social_care_by, t.agreed_carer) == (True, "Sam Social", False)
    assert [r.due_on for r in t.reviews.all()] == [D(2025, 10, 6)]
    with pytest.raises(ValidationError, match="already has a reduced timetable"):
        _timetable(world, start_date=D(2025, 11, 3), review_dates=[D(2025, 11, 17)])


@pytest.mark.django_db
def test_a_review_answers_the_date_due_and_sets_the_next(world):
    t = _timetable(world)
    with pytest.raises(ValidationError, match="Enter the next review date"):
        services.timetable_review_record(actor=world.lead, timetable=t, held_on=D(2025, 10, 6))
    services.timetable_review_record(
        actor=world.lead, timetable=t, held_on=D(2025, 10, 6), next_review_on=D(2025, 11, 3), notes="Going well"
    )
    assert [(r.due_on, r.held_on) for r in t.reviews.all()] == [
        (D(2025, 10, 6), D(2025, 10, 6)),
        (D(2025, 11, 3), None),
    ]
    services.timetable_review_record(actor=world.lead, timetable=t, held_on=D(2025, 11, 3), ended_on=D(2025, 11, 10))
    t.refresh_from_db()
    assert t.ended_on == D(2025, 11, 10)


@pytest.mark.django_db
def test_hours_below_full_time_without_a_live_reduced_timetable_are_a_concern(world):
    placement = world.child_a.education_placements.get()
    placement.hours_per_week = Decimal("15")
    placement.save()
    today = D(2025, 10, 1)
    concerns = part_time_concerns(user=world.lead, today=today)
    assert [c.child for c in concerns] == [world.child_a]
    assert concerns[0].sentence == (
        "15 hours a week at Alderley Primary, below full-time (25 hours), with no reduced timetable in place"
    )
    assert part_time_concerns(user=world.dt_b, today=today) == []
    _timetable(world)
    assert part_time_concerns(user=world.lead, today=today) == []
    # Once it has ended the hours are a concern again.
    ReducedTimetable.objects.update(ended_on=D(2025, 9, 30))
    assert len(part_time_concerns(user=world.lead, today=today)) == 1


@pytest.mark.django_db
def test_exclusion_risk_selectors_are_scoped(world):
    services.risk_record(
        actor=world.lead, child=world.child_b, raised_on=D(2025, 11, 3), raised_by="Head", school_said="Worried"
    )
    from virtualschool.suspensions.selectors import overview

    assert [r.child for r in overview(user=world.lead, today=D(2025, 11, 4)).open_risks] == [world.child_b]
    assert overview(user=world.dt_a, today=D(2025, 11, 4)).open_risks == []
    assert ExclusionRisk.objects.count() == 1


@pytest.mark.django_db
def test_a_return_meeting_without_inviting_both_is_flagged_and_governors_have_15_school_days(world, terms):
    s = suspend(world, reintegration_meeting_on=D(2025, 11, 6), reintegration_vs_invited=True)
    facts = suspension_facts(s, today=D(2025, 11, 7), policy=suspension_policy(), calendar=_cal())
    assert facts.not_invited == ("the social worker",)
    exclusion = suspend(world, category="PERM", start_date=D(2025, 10, 23), decided_on=D(2025, 10, 23))
    facts = suspension_facts(exclusion, today=D(2025, 11, 7), policy=suspension_policy(), calendar=_cal())
    # 15 school days after Thursday 23 October, skipping half term: Thursday 20 November.
    assert facts.governors_by == D(2025, 11, 20)


@pytest.mark.django_db
def test_the_notification_says_what_happened_and_what_is_due(world, terms):
    s = suspend(world, length=8)
    body = Notification.objects.get(recipient=world.sw_a, key=f"suspension:{s.pk}:recorded").body
    assert "suspended for 8 school days from 3 November 2025 by Alderley Primary" in body
    assert "Reasons: Persistent or general disruptive behaviour." in body
    assert "Full-time education must be in place from 10 November 2025." in body
    assert "paperwork is due by 5 November 2025" in body
    # Told once: recording the same event again tells nobody twice.
    from virtualschool.suspensions.services import _tell_people

    _tell_people(s)
    assert Notification.objects.filter(key=f"suspension:{s.pk}:recorded").count() == 3


@pytest.mark.django_db
def test_the_overview_figures_are_the_share_of_the_roll_suspended_and_on_a_reduced_timetable(world, terms):
    from virtualschool.suspensions.selectors import overview

    suspend(world)
    suspend(world, start_date=D(2025, 11, 10), decided_on=D(2025, 11, 10))  # the same child twice counts once
    _timetable(world)
    figures = overview(user=world.lead, today=D(2025, 11, 20)).figures
    assert figures is not None
    assert (figures.roll, figures.suspended, figures.reduced_timetable) == (2, 1, 1)
    assert (figures.suspended_percent, figures.reduced_timetable_percent) == ("50.0%", "50.0%")
    mine = overview(user=world.dt_b, today=D(2025, 11, 20)).figures
    assert mine is not None and (mine.roll, mine.suspended) == (1, 0)
    at_b = overview(user=world.lead, today=D(2025, 11, 20), school_id=world.school_b.pk).figures
    assert at_b is not None and (at_b.roll, at_b.suspended, at_b.reduced_timetable) == (1, 0, 0)


@pytest.mark.django_db
def test_the_policy_numbers_are_changed_by_the_head_or_an_administrator_and_audited(world, terms):
    with pytest.raises(PermissionDenied):
        services.suspension_policy_update(actor=world.lead, pattern_in_term=3)
    with pytest.raises(ValidationError, match="above the one at which parents may ask"):
        services.suspension_policy_update(actor=world.head, term_days_must_consider=Decimal(4))
    services.suspension_policy_update(actor=world.admin, pattern_in_term=3)
    assert suspension_policy().pattern_in_term == 3
    assert AuditEvent.objects.filter(object_type="suspensions.suspensionpolicy", actor=world.admin).exists()
    # The pattern now needs three in a term.
    suspend(world, start_date=D(2025, 9, 15), decided_on=D(2025, 9, 15))
    suspend(world, start_date=D(2025, 11, 10), decided_on=D(2025, 11, 10))
    from virtualschool.suspensions.selectors import overview

    assert overview(user=world.lead, today=D(2025, 11, 20)).patterns == []


@pytest.mark.django_db
def test_the_policy_admin_page_goes_straight_to_the_one_row(client, world):
    world.admin.is_staff = True
    world.admin.save()
    client.force_login(world.admin)
    response = client.get("/django-admin/suspensions/suspensionpolicy/")
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_correcting_the_term_dates_works_the_stored_dates_out_again(world, terms):
    from virtualschool.core.models import SchoolTerm
    from virtualschool.core.services import school_term_save

    s = suspend(world, start_date=D(2025, 10, 23), decided_on=D(2025, 10, 23), length=5)
    assert s.end_date == D(2025, 11, 5)
    autumn = SchoolTerm.objects.get(academic_year=2025, term="autumn")
    # Half term was entered a week out: it is 20 to 24 October, so Thursday 23 October is in half term and the
    # five days are Monday 27 to Friday 31 October.
    school_term_save(
        actor=world.head, school_term=autumn, half_term_start=D(2025, 10, 20), half_term_end=D(2025, 10, 24)
    )
    s.refresh_from_db()
    assert s.end_date == D(2025, 10, 31)
    event = AuditEvent.objects.filter(object_type="suspensions.suspension", object_id=str(s.pk), action="update").get()
    assert event.actor is None and event.context["reason"] == "term dates of 2025 changed"
    assert event.changes["end_date"] == ["2025-11-05", "2025-10-31"]

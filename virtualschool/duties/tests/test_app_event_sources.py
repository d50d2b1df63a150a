"""The PEP and suspension apps' event sources turn their duty rules on, measured from their own records."""

import datetime as dt

import pytest

from virtualschool.core.models import SchoolTerm
from virtualschool.duties import engine, events
from virtualschool.duties.models import DutyInstance, State
from virtualschool.peps.models import MeetingMode, Pep, PepSection, PepType, SectionKind
from virtualschool.suspensions.models import Suspension
from virtualschool.suspensions.tests.conftest import TERMS_2025

pytestmark = pytest.mark.django_db
D = dt.date


def duty(child, slug):
    return DutyInstance.objects.filter(child=child, rule__slug=slug).order_by("started_on")


def test_the_pep_and_suspension_kinds_have_sources():
    for kind in (
        "pep_initiated", "pep_meeting_held", "pep_meeting_held_in_person", "pep_sections_completed",
        "pep_submitted_for_qa", "pep_qa_completed", "pep_review_held", "pep_meeting_scheduled",
        "suspension_started", "suspension_told_social_worker", "suspension_told_reviewing_officer",
        "suspension_paperwork_received", "suspension_provision_arranged", "exclusion_risk_raised",
        "attendance_below_threshold", "reduced_timetable_review_set", "ppplus_application_received",
        "ppplus_application_decided", "ppplus_decision_published",
    ):  # fmt: skip
        assert events.provides(kind), kind


def test_a_pep_meeting_twenty_working_days_after_entering_care_is_on_time_and_a_later_one_late(world):
    child = world.child_a
    facts = engine.load_facts([child.pk])[child.pk]
    entered = facts.period_of_care_start
    assert entered is not None
    pep = Pep.objects.create(
        child=child, academic_year=2026, term="autumn", pep_type=PepType.INITIAL,
        started_on=entered + dt.timedelta(days=1),
    )  # fmt: skip
    engine.refresh([child.pk], today=entered + dt.timedelta(days=60))
    started = duty(child, "pep-initiated-after-entering-care").first()
    assert started is not None and started.state == State.MET_ON_TIME
    meeting = duty(child, "pep-meeting-after-entering-care").first()
    assert meeting.state == State.OVERDUE
    pep.meeting_held_on = meeting.due_on + dt.timedelta(days=1)
    pep.meeting_mode = MeetingMode.IN_PERSON
    pep.save()
    engine.refresh([child.pk], today=entered + dt.timedelta(days=60))
    meeting = duty(child, "pep-meeting-after-entering-care").first()
    assert meeting.state == State.MET_LATE and meeting.met_on == pep.meeting_held_on


def test_sections_count_as_completed_only_when_the_three_required_are(world):
    pep = Pep.objects.create(child=world.child_a, academic_year=2026, term="autumn", meeting_date=D(2026, 11, 20))
    for kind, day in ((SectionKind.DESIGNATED_TEACHER, D(2026, 11, 10)), (SectionKind.SOCIAL_WORKER, D(2026, 11, 12))):
        PepSection.objects.create(pep=pep, kind=kind, completed=True, completed_on=day)
    source = events.event_source("pep_sections_completed")
    context = events.EventContext(
        today=D(2026, 12, 1), calendar=None, policy=None, history_start=D(2025, 9, 1), children={}
    )  # type: ignore[arg-type]
    assert list(source.fn([world.child_a.pk], context)) == []
    PepSection.objects.create(pep=pep, kind=SectionKind.CHILD_VOICE, completed=True, completed_on=D(2026, 11, 14))
    assert list(source.fn([world.child_a.pk], context)) == [(world.child_a.pk, D(2026, 11, 14), f"pep:{pep.pk}")]


def test_a_social_worker_told_before_the_first_day_was_told_on_time_and_one_told_late_is_late(world):
    for term, start, end, half_start, half_end in TERMS_2025:
        SchoolTerm.objects.create(
            academic_year=2025, term=term, start_date=start, end_date=end,
            half_term_start=half_start, half_term_end=half_end,
        )  # fmt: skip
    on_time = Suspension.objects.create(
        child=world.child_a, school=world.school_a, decided_on=D(2025, 11, 3), start_date=D(2025, 11, 4),
        length_unit="days", length=1, social_worker_told_on=D(2025, 11, 3), paperwork_received_on=D(2025, 11, 5),
    )  # fmt: skip
    engine.refresh([world.child_a.pk], today=D(2025, 11, 20))
    told = duty(world.child_a, "suspension-told-social-worker").get()
    assert (told.started_on, told.state) == (on_time.start_date, State.MET_ON_TIME)
    paperwork = duty(world.child_a, "suspension-paperwork-received").get()
    assert paperwork.state == State.MET_ON_TIME
    Suspension.objects.create(
        child=world.child_a, school=world.school_a, decided_on=D(2025, 11, 17), start_date=D(2025, 11, 17),
        length_unit="days", length=1, social_worker_told_on=D(2025, 11, 18),
    )  # fmt: skip
    engine.refresh([world.child_a.pk], today=D(2025, 11, 20))
    states = [d.state for d in duty(world.child_a, "suspension-told-social-worker")]
    assert states == [State.MET_ON_TIME, State.MET_LATE]
    assert [d.state for d in duty(world.child_a, "suspension-paperwork-received")] == [
        State.MET_ON_TIME,
        State.OVERDUE,
    ]


def test_full_time_education_arranged_by_the_sixth_school_day_is_on_time(world):
    for term, start, end, half_start, half_end in TERMS_2025:
        SchoolTerm.objects.create(
            academic_year=2025, term=term, start_date=start, end_date=end,
            half_term_start=half_start, half_term_end=half_end,
        )  # fmt: skip
    # Monday 10 November 2025 for ten school days: the sixth is Monday 17 November.
    Suspension.objects.create(
        child=world.child_a, school=world.school_a, decided_on=D(2025, 11, 7), start_date=D(2025, 11, 10),
        length_unit="days", length=10, provision_day6="Alternative provision",
        provision_day6_arranged_on=D(2025, 11, 14),
    )  # fmt: skip
    engine.refresh([world.child_a.pk], today=D(2025, 11, 20))
    provision = duty(world.child_a, "suspension-full-time-education").get()
    assert (provision.due_on, provision.state) == (D(2025, 11, 17), State.MET_ON_TIME)


def _context():
    return events.EventContext(
        today=D(2026, 12, 1), calendar=None, policy=None, history_start=D(2025, 9, 1), children={}
    )  # type: ignore[arg-type]


def test_attendance_below_the_threshold_is_dated_by_the_proposal_it_made(world):
    from virtualschool.peps.models import PepProposal

    PepProposal.objects.create(
        child=world.child_a, pep_type="emergency", trigger="attendance-below-threshold", reason="Attendance 82 %",
        raised_on=D(2026, 10, 5), source_key="attendance-below-threshold:1:2026-autumn",
    )  # fmt: skip
    PepProposal.objects.create(
        child=world.child_a, pep_type="emergency", trigger="suspension", reason="Suspended",
        raised_on=D(2026, 10, 6), source_key="suspension:9",
    )  # fmt: skip
    found = list(events.event_source("attendance_below_threshold").fn([world.child_a.pk], _context()))
    assert [(child, day) for child, day, _ in found] == [(world.child_a.pk, D(2026, 10, 5))]


def test_a_reduced_timetable_counts_once_it_has_a_review_date(world):
    from virtualschool.suspensions.models import ReducedTimetable, ReducedTimetableReview

    timetable = ReducedTimetable.objects.create(
        child=world.child_a, hours_per_week=15, start_date=D(2026, 11, 2), end_date=D(2026, 12, 18)
    )
    source = events.event_source("reduced_timetable_review_set")
    assert list(source.fn([world.child_a.pk], _context())) == []
    ReducedTimetableReview.objects.create(timetable=timetable, due_on=D(2026, 11, 16))
    ReducedTimetableReview.objects.create(timetable=timetable, due_on=D(2026, 11, 30))
    found = list(source.fn([world.child_a.pk], _context()))
    assert found == [(world.child_a.pk, D(2026, 11, 2), f"reduced-timetable:{timetable.pk}")]

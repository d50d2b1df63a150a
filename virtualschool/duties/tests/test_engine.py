"""The engine: clocks from the records, due dates in each unit, states at their boundaries, owners, scope."""

import datetime as dt

import pytest
import time_machine

from virtualschool.children.models import SdqScore
from virtualschool.children.tests.factories import ChildFactory, SdqScoreFactory
from virtualschool.core.calendar import SchoolCalendar, TermDates
from virtualschool.core.models import SchoolClosure, SchoolTerm
from virtualschool.demo import catalogue
from virtualschool.duties import engine
from virtualschool.duties.models import DutyInstance, DutyRule, State
from virtualschool.placements.tests.factories import EducationPlacementFactory

pytestmark = pytest.mark.django_db


def instance(child, slug):
    return DutyInstance.objects.get(child=child, rule__slug=slug)


def carer_sdq(child, on, total=15):
    # emotional + conduct + hyperactivity + peer = total (scales recorded here make it a questionnaire)
    emotional = min(total, 10)
    rest = total - emotional
    conduct = min(rest, 10)
    hyperactivity = min(rest - conduct, 10)
    return SdqScoreFactory(
        child=child, recorded_on=on, respondent=SdqScore.Respondent.CARER, total_score=total, source="",
        emotional_score=emotional, conduct_score=conduct, hyperactivity_score=hyperactivity,
        peer_score=total - emotional - conduct - hyperactivity, prosocial_score=8,
    )  # fmt: skip


# --- the roll duty: 3 working days from care status received to added to the roll ---------------------------


def test_roll_duty_met_on_the_third_working_day_is_on_time(world):
    child = ChildFactory(care_status_received_on=dt.date(2026, 11, 20), added_to_roll_on=dt.date(2026, 11, 25),
                         allocated_lead=world.lead)  # fmt: skip
    engine.refresh([child.pk], today=dt.date(2026, 12, 1))
    duty = instance(child, "roll-add-after-care-status")
    # Friday 20 November: Monday 23, Tuesday 24, Wednesday 25 November
    assert (duty.started_on, duty.due_on, duty.met_on) == (dt.date(2026, 11, 20), dt.date(2026, 11, 25),
                                                            dt.date(2026, 11, 25))  # fmt: skip
    assert duty.state == State.MET_ON_TIME
    assert duty.owner == world.lead


def test_roll_duty_met_one_working_day_late_is_met_late(world):
    child = ChildFactory(care_status_received_on=dt.date(2026, 11, 20), added_to_roll_on=dt.date(2026, 11, 26))
    engine.refresh([child.pk], today=dt.date(2026, 12, 1))
    assert instance(child, "roll-add-after-care-status").state == State.MET_LATE


def test_roll_duty_skips_christmas_and_boxing_day_bank_holidays():
    # Wednesday 23 December 2026: Thursday 24, (25 Christmas Day, 26 Saturday, 27 Sunday, 28 Boxing Day
    # substitute), Tuesday 29, Wednesday 30 December.
    child = ChildFactory(care_status_received_on=dt.date(2026, 12, 23), added_to_roll_on=None)
    engine.refresh([child.pk], today=dt.date(2026, 12, 24))
    duty = instance(child, "roll-add-after-care-status")
    assert duty.due_on == dt.date(2026, 12, 30)
    assert duty.state == State.UPCOMING or duty.state == State.DUE


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (dt.date(2026, 11, 17), State.UPCOMING),  # 8 days before the due date
        (dt.date(2026, 11, 18), State.DUE),  # 7 days before: due soon
        (dt.date(2026, 11, 25), State.DUE),  # due today
        (dt.date(2026, 11, 26), State.OVERDUE),  # one day late
    ],
)
def test_states_at_the_boundaries(today, state):
    child = ChildFactory(care_status_received_on=dt.date(2026, 11, 20), added_to_roll_on=None)
    engine.refresh([child.pk], today=today)
    assert instance(child, "roll-add-after-care-status").state == state


def test_frozen_time_drives_the_default_today():
    child = ChildFactory(care_status_received_on=dt.date(2026, 11, 20), added_to_roll_on=None)
    with time_machine.travel(dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC), tick=False):
        engine.refresh([child.pk])
    assert instance(child, "roll-add-after-care-status").state == State.OVERDUE


def test_roll_removal_clock_runs_after_the_child_has_left():
    child = ChildFactory(closed_on=dt.date(2026, 11, 20), closure_reason="returned_home",
                         closure_notified_on=dt.date(2026, 11, 23), removed_from_roll_on=None)  # fmt: skip
    engine.refresh([child.pk], today=dt.date(2026, 12, 1))
    duty = instance(child, "roll-remove-after-closure")
    assert duty.due_on == dt.date(2026, 11, 26)
    assert duty.state == State.OVERDUE


# --- education placement arranged with the care placement (school age, same day) ---------------------------


def test_school_age_child_without_a_placement_is_overdue_the_next_day():
    child = ChildFactory(date_of_birth=dt.date(2015, 1, 1), added_to_roll_on=dt.date(2026, 11, 2))
    engine.refresh([child.pk], today=dt.date(2026, 11, 2))
    assert instance(child, "education-placement-arranged").state == State.DUE
    engine.refresh([child.pk], today=dt.date(2026, 11, 3))
    assert instance(child, "education-placement-arranged").state == State.OVERDUE


def test_gap_between_placements_is_met_when_the_next_placement_starts():
    child = ChildFactory(date_of_birth=dt.date(2015, 1, 1), added_to_roll_on=dt.date(2024, 1, 9))
    EducationPlacementFactory(child=child, start_date=dt.date(2024, 1, 9), end_date=dt.date(2026, 10, 9))
    EducationPlacementFactory(child=child, start_date=dt.date(2026, 10, 19))
    engine.refresh([child.pk], today=dt.date(2026, 11, 2))
    duty = instance(child, "education-placement-arranged")
    assert (duty.started_on, duty.due_on, duty.met_on) == (dt.date(2026, 10, 10), dt.date(2026, 10, 10),
                                                            dt.date(2026, 10, 19))  # fmt: skip
    assert duty.state == State.MET_LATE


def test_under_school_age_child_without_a_placement_has_no_such_duty():
    child = ChildFactory(date_of_birth=dt.date(2023, 1, 1), added_to_roll_on=dt.date(2026, 11, 2))
    engine.refresh([child.pk], today=dt.date(2026, 11, 3))
    assert not DutyInstance.objects.filter(child=child, rule__slug="education-placement-arranged").exists()


# --- school SDQ within a month of a carer's total above 14 ----------------------------------------------------


def test_school_sdq_due_a_month_after_a_carer_score_above_the_threshold(world):
    carer_sdq(world.child_a, dt.date(2026, 1, 31), total=15)
    engine.refresh([world.child_a.pk], today=dt.date(2026, 3, 1))
    duty = instance(world.child_a, "school-sdq-after-carer-score")
    assert duty.due_on == dt.date(2026, 2, 28)  # 31 January + 1 month, clamped
    assert duty.state == State.OVERDUE
    assert duty.owner is None  # the placement names no designated teacher


def test_school_sdq_met_by_a_teacher_questionnaire_and_not_asked_for_at_the_threshold(world):
    carer_sdq(world.child_a, dt.date(2026, 1, 10), total=15)
    SdqScoreFactory(child=world.child_a, recorded_on=dt.date(2026, 2, 3), respondent=SdqScore.Respondent.TEACHER,
                    total_score=11, source="")  # fmt: skip
    carer_sdq(world.child_b, dt.date(2026, 1, 10), total=14)
    engine.refresh([world.child_a.pk, world.child_b.pk], today=dt.date(2026, 3, 1))
    assert instance(world.child_a, "school-sdq-after-carer-score").state == State.MET_ON_TIME
    assert not DutyInstance.objects.filter(child=world.child_b, rule__slug="school-sdq-after-carer-score").exists()


# --- rules that other apps' events will measure --------------------------------------------------------------


def test_rule_without_a_source_is_not_yet_measured_and_creates_nothing(world):
    # Nothing yet records when a designated teacher was told of a child's arrival.
    status = engine.rule_status(DutyRule.objects.get(slug="designated-teacher-told-of-arrival"))
    assert not status.measured
    assert "designated_teacher_informed" in status.missing
    assert "peps feature" in status.reason
    engine.refresh(today=dt.date(2026, 12, 1))
    assert not DutyInstance.objects.filter(rule__slug="designated-teacher-told-of-arrival").exists()


def test_registered_source_turns_a_rule_on_with_no_code_change(world, fake_sources):
    # Entered care Monday 2 November 2026: 20 working days is Monday 30 November.
    child = ChildFactory(period_of_care_start=dt.date(2026, 11, 2), allocated_lead=world.lead, social_worker=world.sw_a)
    fake_sources("pep_meeting_held", {child.pk: [dt.date(2026, 12, 1)]})
    fake_sources("pep_initiated", {child.pk: [dt.date(2026, 11, 13)]})
    engine.refresh([child.pk], today=dt.date(2026, 12, 2))
    meeting = instance(child, "pep-meeting-after-entering-care")
    assert (meeting.due_on, meeting.met_on, meeting.state) == (dt.date(2026, 11, 30), dt.date(2026, 12, 1),
                                                                State.MET_LATE)  # fmt: skip
    initiated = instance(child, "pep-initiated-after-entering-care")
    assert (initiated.due_on, initiated.state, initiated.owner) == (dt.date(2026, 11, 16), State.MET_ON_TIME,
                                                                     world.sw_a)  # fmt: skip


def test_a_new_rule_row_is_measured_with_no_code_change(world, fake_sources):
    fake_sources("careers_interview_held", {})
    DutyRule.objects.create(slug="careers-guidance-after-care", name="Careers guidance", source="local",
                            start_event="entered_care", duration=6, unit="weeks", owner_role="lead",
                            met_by_event="careers_interview_held")  # fmt: skip
    child = ChildFactory(period_of_care_start=dt.date(2026, 9, 1), allocated_lead=world.lead)
    engine.refresh([child.pk], today=dt.date(2026, 12, 1))
    duty = instance(child, "careers-guidance-after-care")
    assert (duty.due_on, duty.state, duty.owner) == (dt.date(2026, 10, 13), State.OVERDUE, world.lead)


def test_suspension_rules_in_school_days_and_on_the_day(fake_sources):
    _configure_terms()
    child = ChildFactory()
    # Monday 14 December 2026, four school days left in term, back Monday 4 January 2027
    fake_sources("suspension_started", {child.pk: [dt.date(2026, 12, 14)]})
    fake_sources("suspension_provision_arranged", {child.pk: [dt.date(2027, 1, 4)]})
    fake_sources("suspension_told_social_worker", {child.pk: [dt.date(2026, 12, 15)]})
    fake_sources("suspension_paperwork_received", {child.pk: [dt.date(2026, 12, 16)]})
    engine.refresh([child.pk], today=dt.date(2027, 1, 5))
    provision = instance(child, "suspension-full-time-education")
    assert provision.due_on == dt.date(2027, 1, 4)  # day 6 of the suspension: the fifth school day after
    assert provision.state == State.MET_ON_TIME
    told = instance(child, "suspension-told-social-worker")
    assert (told.due_on, told.state) == (dt.date(2026, 12, 14), State.MET_LATE)
    paperwork = instance(child, "suspension-paperwork-received")
    assert (paperwork.due_on, paperwork.state) == (dt.date(2026, 12, 16), State.MET_ON_TIME)


def test_pep_before_care_review_is_due_three_days_before_each_review(fake_sources):
    child = ChildFactory(period_of_care_start=dt.date(2026, 9, 1))
    fake_sources("pep_shared_with_reviewing_officer", {child.pk: [dt.date(2026, 9, 25)]})
    engine.refresh([child.pk], today=dt.date(2026, 12, 1))
    rows = list(DutyInstance.objects.filter(child=child, rule__slug="pep-available-before-care-review")
                .order_by("started_on").values_list("started_on", "due_on", "state"))  # fmt: skip
    # reviews at 28 days (29 September), 3 months (1 December), 9 months (1 June 2027) ...
    assert rows[0] == (dt.date(2026, 9, 29), dt.date(2026, 9, 26), State.MET_ON_TIME)
    assert rows[1] == (dt.date(2026, 12, 1), dt.date(2026, 11, 28), State.OVERDUE)
    assert rows[2][0] == dt.date(2027, 6, 1)
    assert rows[2][2] == State.UPCOMING


def test_termly_pep_review_is_due_by_the_end_of_each_term(fake_sources):
    _configure_terms()
    child = ChildFactory(period_of_care_start=dt.date(2026, 2, 10))
    fake_sources("pep_meeting_held", {child.pk: [dt.date(2026, 3, 2), dt.date(2026, 9, 20)]})
    engine.refresh([child.pk], today=dt.date(2026, 10, 1))
    rows = dict(DutyInstance.objects.filter(child=child, rule__slug="pep-review-each-term")
                .values_list("started_on", "state"))  # fmt: skip
    spring, summer, autumn = (dt.date(2026, 2, 10), catalogue_term(2025, "summer").start,
                              catalogue_term(2026, "autumn").start)  # fmt: skip
    assert rows[spring] == State.MET_ON_TIME
    assert rows[summer] == State.OVERDUE  # no meeting in the summer term
    assert rows[autumn] == State.MET_ON_TIME


def test_unmet_clock_is_dropped_when_the_child_leaves_before_it_falls_due(fake_sources):
    child = ChildFactory(period_of_care_start=dt.date(2026, 11, 2), closed_on=dt.date(2026, 11, 10),
                         closure_reason="returned_home")  # fmt: skip
    fake_sources("pep_meeting_held", {})
    engine.refresh([child.pk], today=dt.date(2026, 12, 1))
    assert not DutyInstance.objects.filter(child=child, rule__slug="pep-meeting-after-entering-care").exists()


def test_refresh_is_idempotent_and_removes_clocks_whose_records_went(world):
    child = ChildFactory(care_status_received_on=dt.date(2026, 11, 20), added_to_roll_on=None)
    first = engine.refresh([child.pk], today=dt.date(2026, 11, 30))
    assert first.created >= 1
    again = engine.refresh([child.pk], today=dt.date(2026, 11, 30))
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)
    child.care_status_received_on = None
    child.save()
    gone = engine.refresh([child.pk], today=dt.date(2026, 11, 30))
    assert gone.deleted == 1
    assert not DutyInstance.objects.filter(child=child, rule__slug="roll-add-after-care-status").exists()


def test_inactive_rule_is_not_computed():
    DutyRule.objects.filter(slug="roll-add-after-care-status").update(active=False)
    child = ChildFactory(care_status_received_on=dt.date(2026, 11, 20), added_to_roll_on=None)
    engine.refresh([child.pk], today=dt.date(2026, 11, 30))
    assert not DutyInstance.objects.filter(child=child, rule__slug="roll-add-after-care-status").exists()


def test_a_changed_duration_moves_the_due_date():
    DutyRule.objects.filter(slug="roll-add-after-care-status").update(duration=5)
    child = ChildFactory(care_status_received_on=dt.date(2026, 11, 20), added_to_roll_on=dt.date(2026, 11, 26))
    engine.refresh([child.pk], today=dt.date(2026, 12, 1))
    duty = instance(child, "roll-add-after-care-status")
    assert (duty.due_on, duty.state) == (dt.date(2026, 11, 27), State.MET_ON_TIME)


def test_school_and_area_are_kept_as_they_were_when_the_clock_started(world):
    carer_sdq(world.child_b, dt.date(2026, 1, 10), total=20)
    engine.refresh([world.child_b.pk], today=dt.date(2026, 3, 1))
    duty = instance(world.child_b, "school-sdq-after-carer-score")
    assert duty.school == world.school_b
    assert duty.in_area is False  # Birchwood High is in LA 888, the authority is 999


# --- helpers -----------------------------------------------------------------------------------------------------


def _configure_terms():
    for year in (2025, 2026, 2027):
        for t in catalogue.term_dates(year):
            SchoolTerm.objects.create(academic_year=year, **t)
    SchoolClosure.objects.create(start_date=dt.date(2026, 11, 27), end_date=dt.date(2026, 11, 27),
                                 reason="Staff training day")  # fmt: skip


def catalogue_term(year, term):
    found = next(t for t in catalogue.term_dates(year) if t["term"] == term)
    return TermDates(year, term, found["start_date"], found["end_date"])


def test_due_dates_for_every_unit_from_one_start():
    cal = SchoolCalendar()
    rule = DutyRule(duration=2, unit="weeks")
    assert engine.due_date(rule, dt.date(2026, 11, 2), cal) == dt.date(2026, 11, 16)
    rule = DutyRule(duration=1, unit="months")
    assert engine.due_date(rule, dt.date(2026, 1, 31), cal) == dt.date(2026, 2, 28)
    rule = DutyRule(duration=3, unit="working", before_start=True)
    assert engine.due_date(rule, dt.date(2026, 12, 29), cal) == dt.date(2026, 12, 22)  # back over Christmas
    rule = DutyRule(duration=0, unit="calendar")
    assert engine.due_date(rule, dt.date(2026, 11, 2), cal) == dt.date(2026, 11, 2)


def test_day_index_gives_the_calendars_answers():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from virtualschool.core.calendar import add_working_days
    from virtualschool.duties.engine import DayIndex, _subtract_school_days, _subtract_working_days

    configured = [
        TermDates(year, t["term"], t["start_date"], t["end_date"], t["half_term_start"], t["half_term_end"], True)
        for year in (2025, 2026, 2027)
        for t in catalogue.term_dates(year)
    ]
    cal = SchoolCalendar(configured, [(dt.date(2026, 11, 27), dt.date(2026, 11, 27), "Training")])
    index = DayIndex(cal, dt.date(2025, 6, 1), dt.date(2027, 6, 1))

    @settings(max_examples=300, deadline=None)
    @given(start=st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2028, 1, 1)),
           n=st.integers(min_value=0, max_value=60))  # fmt: skip
    def check(start, n):
        assert index.add(start, n, "working") == add_working_days(start, n)
        assert index.add(start, n, "school") == cal.add_school_days(start, n)
        assert index.subtract(start, n, "working") == _subtract_working_days(start, n)
        assert index.subtract(start, n, "school") == _subtract_school_days(cal, start, n)

    check()

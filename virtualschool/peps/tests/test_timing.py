"""Every PEP timing rule, with bank holidays and the authority's term dates (SchoolTerm rows)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from virtualschool.core.calendar import school_calendar
from virtualschool.peps import services, timing
from virtualschool.peps.models import PepPolicy
from virtualschool.peps.selectors import due_for_children
from virtualschool.placements.tests.factories import EducationPlacementFactory
from virtualschool.schools.tests.factories import SchoolFactory

from .conftest import section

POLICY = PepPolicy()  # the defaults, unsaved


def items_by_key(entry):
    return {item.key: item for item in entry.items}


def test_initial_pep_deadlines_skip_christmas_bank_holidays(world, terms):
    child = world.child_b
    child.period_of_care_start = dt.date(2026, 12, 21)
    child.save()
    [entry] = due_for_children([child], today=dt.date(2026, 12, 22))
    found = items_by_key(entry)
    # 25 December (Friday), 28 December (Boxing Day substitute) and 1 January are not working days
    assert found["initial-started"].due_on == dt.date(2027, 1, 7)
    assert found["initial-held"].due_on == dt.date(2027, 1, 21)
    assert found["initial-started"].status(dt.date(2026, 12, 22)) == timing.DUE
    assert found["initial-started"].status(dt.date(2027, 1, 8)) == timing.OVERDUE


def test_initial_pep_met_on_time(world, terms):
    child = world.child_a
    child.period_of_care_start = dt.date(2026, 11, 2)
    child.save()
    pep = services.pep_create(actor=world.lead, child=child, academic_year=2026, term="autumn", pep_type="initial")
    services.pep_start(actor=world.lead, pep=pep, today=dt.date(2026, 11, 10))
    [entry] = due_for_children([child], today=dt.date(2026, 11, 20))
    started = items_by_key(entry)["initial-started"]
    assert started.due_on == dt.date(2026, 11, 16)
    assert started.done_on == dt.date(2026, 11, 10)
    assert started.status(dt.date(2026, 11, 20)) == timing.DONE


def test_termly_pep_due_by_the_configured_last_day_of_term(world, terms):
    [entry] = due_for_children([world.child_a], today=dt.date(2026, 11, 16))
    termly = items_by_key(entry)["termly-2026-autumn"]
    assert termly.due_on == dt.date(2026, 12, 18)  # the SchoolTerm row, not an estimate
    assert termly.status(dt.date(2026, 12, 19)) == timing.OVERDUE
    # the term before was missed: overdue
    assert items_by_key(entry)["termly-2025-summer"].status(dt.date(2026, 11, 16)) == timing.OVERDUE


def test_termly_pep_in_a_holiday_counts_for_the_next_term(world, terms):
    calendar = school_calendar()
    assert calendar.term_for(dt.date(2026, 12, 28)).key == "2026-spring"


def test_change_of_school_new_pep_within_ten_working_days(world, terms):
    new_school = SchoolFactory(name="Cedar Academy")
    old = world.child_a.education_placements.get()
    old.end_date = dt.date(2026, 5, 21)
    old.save()
    EducationPlacementFactory(child=world.child_a, school=new_school, start_date=dt.date(2026, 5, 22))
    [entry] = due_for_children([world.child_a], today=dt.date(2026, 6, 1))
    item = next(i for i in entry.items if i.key.startswith("change-of-school"))
    # 25 May 2026 is the spring bank holiday
    assert item.due_on == dt.date(2026, 6, 8)


def test_qa_ready_within_twenty_days_of_the_meeting(world, terms):
    from .conftest import pep_ready_to_submit

    pep = pep_ready_to_submit(world, held_on=dt.date.today() - dt.timedelta(days=25))
    [entry] = due_for_children([world.child_a], today=dt.date.today())
    item = items_by_key(entry)[f"qa-ready-{pep.pk}"]
    assert item.due_on == pep.meeting_held_on + dt.timedelta(days=20)
    assert item.status(dt.date.today()) == timing.OVERDUE


def test_care_review_schedule_28_days_3_months_then_6():
    start = dt.date(2026, 1, 5)
    dates = timing.care_review_dates(start, [], POLICY, until=dt.date(2027, 6, 1))
    assert dates == [dt.date(2026, 2, 2), dt.date(2026, 5, 2), dt.date(2026, 11, 2), dt.date(2027, 5, 2)]


def test_recorded_review_dates_are_preferred():
    start = dt.date(2026, 1, 5)
    held_late = dt.date(2026, 2, 10)
    dates = timing.care_review_dates(start, [held_late], POLICY, until=dt.date(2026, 12, 31))
    assert dates == [held_late, dt.date(2026, 5, 10), dt.date(2026, 11, 10)]
    booked = dt.date(2026, 10, 20)
    assert timing.next_care_review(start, [held_late, booked], POLICY, dt.date(2026, 9, 1)) == booked


def test_next_meeting_must_fall_before_the_next_care_review(world, terms):
    child = world.child_a
    child.period_of_care_start = dt.date(2026, 10, 1)
    child.save()
    services.care_review_record(actor=world.iro_a, child=child, review_date=dt.date(2026, 10, 29))
    pep = services.pep_create(actor=world.lead, child=child, academic_year=2026, term="autumn")
    held = dt.date(2026, 11, 2)
    # next review: 3 months after the recorded first one, 29 January 2027
    with pytest.raises(ValidationError) as exc:
        services.meeting_record(
            actor=world.lead,
            pep=pep,
            expected_version=pep.version,
            held_on=held,
            attendees="All",
            notes="Notes",
            next_meeting_date=dt.date(2027, 2, 1),
            mode="virtual",
            today=dt.date(2026, 11, 3),
        )
    assert "before the child's next care review on 29 January 2027" in str(exc.value)
    services.meeting_record(
        actor=world.lead,
        pep=pep,
        expected_version=pep.version,
        held_on=held,
        attendees="All",
        notes="Notes",
        next_meeting_date=dt.date(2027, 1, 20),
        mode="virtual",
        today=dt.date(2026, 11, 3),
    )


def test_reviewing_officer_has_the_pep_three_days_before_review(world, terms):
    child = world.child_a
    services.care_review_record(actor=world.sw_a, child=child, review_date=dt.date(2026, 12, 10))
    [entry] = due_for_children([child], today=dt.date(2026, 12, 1))
    item = next(i for i in entry.items if i.key.startswith("iro-"))
    assert item.due_on == dt.date(2026, 12, 7)


def _held(mode, day, pk):
    return SimpleNamespace(
        pk=pk,
        pep_type="termly",
        academic_year=2025,
        term="autumn",
        status="approved",
        started_on=day,
        meeting_held_on=day,
        meeting_mode=mode,
        next_meeting_date=day + dt.timedelta(days=90),
        submitted_on=day,
        term_label="Autumn term",
    )


def _child(**kw):
    return SimpleNamespace(pk=1, period_of_care_start=dt.date(2024, 1, 8), cohort="cla", closed_on=None, **kw)


def _placement(la):
    return SimpleNamespace(
        pk=1, school_id=5, school=SimpleNamespace(la_code=la), start_date=dt.date(2024, 1, 8), end_date=None
    )


@pytest.mark.parametrize(
    ("modes", "expect"),
    [
        (["virtual", "virtual", "in_person"], None),
        (["in_person", "virtual", "virtual"], "Next PEP meeting in person"),
        (["virtual", "virtual", "virtual"], "PEP meeting in person"),
    ],
)
def test_out_of_authority_no_more_than_two_of_three_virtual(modes, expect, db):
    today = dt.date(2026, 11, 16)
    peps = [_held(m, dt.date(2026, 1, 10) + dt.timedelta(days=100 * i), i + 1) for i, m in enumerate(modes)]
    items = timing.due_items(
        child=_child(),
        peps=peps,
        placements=[_placement("888")],
        care_reviews=[],
        policy=POLICY,
        calendar=school_calendar(),
        today=today,
        home_la_code="999",
    )
    found = [i for i in items if i.key == "in-person"]
    if expect is None:
        assert not found
    else:
        assert found[0].label == expect


def test_in_authority_one_meeting_a_year_in_person(db):
    today = dt.date(2026, 11, 16)
    peps = [_held("in_person", dt.date(2025, 9, 20), 1), _held("virtual", dt.date(2026, 1, 20), 2)]
    items = timing.due_items(
        child=_child(),
        peps=peps,
        placements=[_placement("999")],
        care_reviews=[],
        policy=POLICY,
        calendar=school_calendar(),
        today=today,
        home_la_code="999",
    )
    item = next(i for i in items if i.key == "in-person")
    assert item.due_on == dt.date(2026, 9, 20)
    assert item.status(today) == timing.OVERDUE


def test_policy_numbers_are_used(world, terms):
    policy = services.policy_get()
    policy.initial_start_working_days = 5
    policy.save()
    child = world.child_b
    child.period_of_care_start = dt.date(2026, 11, 2)
    child.save()
    [entry] = due_for_children([child], today=dt.date(2026, 11, 3))
    assert items_by_key(entry)["initial-started"].due_on == dt.date(2026, 11, 9)
    assert section  # helper import used elsewhere

"""The suspension rules as calculation: school-day ends, day 6, 48 hours, on the day, thresholds, patterns,
the permanent-exclusion gate and reduced timetables (no database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from virtualschool.suspensions import assess

from .conftest import calendar_2025

D = dt.date
CAL = calendar_2025()


def test_five_school_days_from_a_thursday_before_half_term_end_after_it():
    dates = assess.suspension_dates(CAL, start=D(2025, 10, 23), unit="days", length=5)
    # Thursday 23 and Friday 24 October, half term 27 to 31 October, then 3, 4 and 5 November.
    assert dates.end_date == D(2025, 11, 5)
    assert dates.school_days == 5
    assert dates.full_time_from is None  # five days never reach the sixth


def test_the_sixth_school_day_is_named_across_half_term():
    dates = assess.suspension_dates(CAL, start=D(2025, 10, 23), unit="days", length=10)
    assert dates.full_time_from == D(2025, 11, 6)
    assert dates.end_date == D(2025, 11, 12)


def test_a_bank_holiday_is_not_a_school_day_of_a_suspension():
    # Thursday 30 April, Friday 1 May, Monday 4 May is the Early May bank holiday, so the third day is 5 May.
    dates = assess.suspension_dates(CAL, start=D(2026, 4, 30), unit="days", length=3)
    assert dates.end_date == D(2026, 5, 5)
    eight = assess.suspension_dates(CAL, start=D(2026, 4, 30), unit="days", length=8)
    assert eight.full_time_from == D(2026, 5, 8)


def test_sessions_are_half_days_and_an_odd_number_ends_on_a_half_day():
    dates = assess.suspension_dates(CAL, start=D(2025, 10, 24), unit="sessions", length=3)
    assert dates.school_days == Decimal("1.5")
    assert dates.end_date == D(2025, 11, 3)
    weights = assess.day_weights(CAL, start=D(2025, 10, 24), school_days=Decimal("1.5"))
    assert weights == [(D(2025, 10, 24), Decimal(1)), (D(2025, 11, 3), Decimal("0.5"))]
    assert assess.suspension_dates(CAL, start=D(2025, 11, 3), unit="sessions", length=11).full_time_from == D(
        2025, 11, 10
    )


def test_a_start_on_a_weekend_counts_from_the_next_school_day():
    dates = assess.suspension_dates(CAL, start=D(2025, 11, 8), unit="days", length=1)
    assert dates.first_day == dates.end_date == D(2025, 11, 10)


def test_a_permanent_exclusion_has_full_time_education_from_the_sixth_school_day():
    assert assess.permanent_exclusion_full_time_from(CAL, D(2025, 10, 23)) == D(2025, 11, 6)


@given(st.dates(D(2025, 9, 3), D(2026, 7, 1)), st.integers(1, 45))
def test_a_suspension_covers_exactly_its_length_in_school_days(start, length):
    dates = assess.suspension_dates(CAL, start=start, unit="days", length=length)
    assert CAL.is_school_day(dates.end_date)
    assert len(CAL.school_days(dates.first_day, dates.end_date)) == length
    if dates.full_time_from is not None:
        assert len(CAL.school_days(dates.first_day, dates.full_time_from)) == 6


def test_told_on_the_day_is_expected_later_is_late():
    decided = D(2025, 11, 3)
    assert assess.told_status(decided, decided) == assess.ON_TIME
    assert assess.told_status(decided - dt.timedelta(days=1), decided) == assess.ON_TIME
    assert assess.told_status(decided + dt.timedelta(days=1), decided) == assess.LATE
    assert assess.told_status(None, decided) == assess.NOT_TOLD


def test_paperwork_is_due_within_48_hours_late_after_and_missing_once_they_pass():
    decided = D(2025, 11, 3)  # a Monday: due by Wednesday 5 November
    assert assess.paperwork_due(decided, 48) == D(2025, 11, 5)
    assert assess.paperwork_status(D(2025, 11, 5), decided, 48, D(2025, 11, 20)) == assess.RECEIVED
    assert assess.paperwork_status(D(2025, 11, 6), decided, 48, D(2025, 11, 20)) == assess.RECEIVED_LATE
    assert assess.paperwork_status(None, decided, 48, D(2025, 11, 5)) == assess.AWAITED
    assert assess.paperwork_status(None, decided, 48, D(2025, 11, 6)) == assess.MISSING
    assert assess.paperwork_due(decided, 72) == D(2025, 11, 6)


@dataclass
class Row:
    pk: int
    start_date: dt.date
    school_days: Decimal | None
    is_permanent: bool = False


def _row(pk: int, start: dt.date, days: float, permanent: bool = False) -> Row:
    return Row(pk, start, None if permanent else Decimal(str(days)), permanent)


def test_days_are_counted_in_the_term_each_falls_in_and_flag_the_governors_thresholds():
    rows = [
        _row(1, D(2025, 10, 1), 3),
        _row(2, D(2025, 11, 10), 3),  # six in the autumn term: parents may ask
        _row(3, D(2025, 12, 17), 4),  # 17, 18, 19 December in autumn, 5 January in spring
    ]
    totals = {t.key: t for t in assess.term_totals(rows, CAL, if_asked=Decimal(5), must=Decimal(15))}
    assert totals["2025-autumn"].days == 9
    assert totals["2025-autumn"].flags == (assess.PARENTS_MAY_ASK,)
    assert totals["2025-spring"].days == 1
    assert totals["2025-spring"].flags == ()


def test_exactly_five_days_in_a_term_crosses_no_threshold_and_sixteen_must_be_considered():
    five = assess.term_totals([_row(1, D(2025, 9, 8), 5)], CAL, if_asked=Decimal(5), must=Decimal(15))
    assert five[0].flags == ()
    half = assess.term_totals([_row(1, D(2025, 9, 8), 5.5)], CAL, if_asked=Decimal(5), must=Decimal(15))
    assert half[0].flags == (assess.PARENTS_MAY_ASK,)
    fifteen = assess.term_totals([_row(1, D(2025, 9, 8), 15)], CAL, if_asked=Decimal(5), must=Decimal(15))
    assert fifteen[0].flags == (assess.PARENTS_MAY_ASK,)
    sixteen = assess.term_totals([_row(1, D(2025, 9, 8), 16)], CAL, if_asked=Decimal(5), must=Decimal(15))
    assert sixteen[0].flags == (assess.MUST_CONSIDER,)


def test_the_school_year_total_is_flagged_above_the_legal_limit():
    rows = [_row(1, D(2025, 9, 8), 15), _row(2, D(2026, 1, 12), 15), _row(3, D(2026, 4, 20), 15)]
    years = assess.year_totals(rows, CAL, maximum=Decimal(45))
    assert [(y.label, y.days, y.flags) for y in years] == [("School year 2025/26", 45, ())]
    years = assess.year_totals([*rows, _row(4, D(2026, 6, 8), 0.5)], CAL, maximum=Decimal(45))
    assert years[0].days == Decimal("45.5")
    assert years[0].flags == (assess.OVER_YEAR_LIMIT,)


def test_a_permanent_exclusion_adds_no_days_and_no_pattern():
    rows = [_row(1, D(2025, 10, 1), 0, permanent=True)]
    assert assess.term_totals(rows, CAL, if_asked=Decimal(5), must=Decimal(15)) == []
    assert assess.find_pattern(rows, CAL, in_term=2, in_rolling=3, rolling_months=12) is None


def test_two_suspensions_in_a_term_are_a_pattern():
    one = [_row(1, D(2025, 9, 15), 1)]
    assert assess.find_pattern(one, CAL, in_term=2, in_rolling=3, rolling_months=12) is None
    two = [*one, _row(2, D(2025, 11, 10), 1)]
    pattern = assess.find_pattern(two, CAL, in_term=2, in_rolling=3, rolling_months=12)
    assert pattern is not None and pattern.kind == "term" and pattern.suspension_ids == (1, 2)
    assert pattern.description == "2 suspensions in the autumn term 2025/26"


def test_three_in_twelve_months_across_terms_are_a_pattern_and_older_ones_drop_out():
    rows = [_row(1, D(2025, 3, 10), 1), _row(2, D(2025, 10, 1), 1), _row(3, D(2026, 2, 2), 1)]
    pattern = assess.find_pattern(rows, CAL, in_term=2, in_rolling=3, rolling_months=12)
    assert pattern is not None and pattern.kind == "rolling" and pattern.suspension_ids == (1, 2, 3)
    later = [_row(1, D(2025, 1, 10), 1), _row(2, D(2025, 10, 1), 1), _row(3, D(2026, 2, 2), 1)]
    assert assess.find_pattern(later, CAL, in_term=2, in_rolling=3, rolling_months=12) is None
    # The numbers are the policy's: with 2 in 12 months, two suspensions a term apart are a pattern.
    assert assess.find_pattern(later, CAL, in_term=5, in_rolling=2, rolling_months=12) is not None


def test_the_multi_agency_meeting_names_who_is_missing():
    full = {
        "meeting_on": D(2025, 11, 3),
        "meeting_social_worker": "A",
        "meeting_carer": "B",
        "meeting_reviewing_officer": "C",
        "meeting_vs_lead": "D",
        "meeting_school": "E",
    }
    assert assess.meeting_missing(full) == []
    assert assess.meeting_missing({**full, "meeting_carer": " "}) == ["the carer"]
    assert assess.meeting_missing({}) == [
        "the date of the meeting",
        "the social worker",
        "the carer",
        "the reviewing officer",
        "the Virtual School Lead",
        "the school",
    ]
    assert assess.join_words(["a", "b", "c"]) == "a, b and c"


def _timetable(start: dt.date, end: dt.date, ended: dt.date | None = None) -> SimpleNamespace:
    t = SimpleNamespace(start_date=start, end_date=end, ended_on=ended)
    t.is_live = lambda on: t.start_date <= on and (t.ended_on is None or t.ended_on > on)
    return t


def test_a_reduced_timetable_past_a_review_date_or_its_end_date_is_overdue():
    t = _timetable(D(2025, 9, 8), D(2025, 12, 1))
    review = SimpleNamespace(due_on=D(2025, 10, 6), held_on=None)
    assert not assess.timetable_state(t, [review], D(2025, 10, 6)).overdue
    late = assess.timetable_state(t, [review], D(2025, 10, 7))
    assert late.overdue and late.reasons == ("Review due on 6 October 2025 not held",)
    held = SimpleNamespace(due_on=D(2025, 10, 6), held_on=D(2025, 10, 6))
    assert not assess.timetable_state(t, [held], D(2025, 11, 1)).overdue
    past_end = assess.timetable_state(t, [held], D(2025, 12, 2))
    assert past_end.overdue and past_end.reasons == ("Past its agreed end date of 1 December 2025",)
    ended = _timetable(D(2025, 9, 8), D(2025, 12, 1), ended=D(2025, 11, 28))
    assert not assess.timetable_state(ended, [review], D(2025, 12, 2)).overdue


def test_full_time_hours_by_year_group():
    kwargs = {"school_age": Decimal(25), "post16": Decimal(16)}
    assert assess.full_time_hours(0, **kwargs) is None
    assert assess.full_time_hours(1, **kwargs) == 25
    assert assess.full_time_hours(11, **kwargs) == 25
    assert assess.full_time_hours(12, **kwargs) == 16


@pytest.mark.parametrize(
    ("value", "text"), [(1, "1 school day"), (Decimal("2.5"), "2.5 school days"), (3, "3 school days")]
)
def test_days_text(value, text):
    assert assess.days_text(value) == text

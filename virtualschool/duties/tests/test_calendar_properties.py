"""Property tests of working-day and school-day arithmetic, across Christmas, Easter and academic years."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from virtualschool.core.calendar import (
    SchoolCalendar,
    TermDates,
    add_working_days,
    is_working_day,
    working_days_between,
)
from virtualschool.demo import catalogue

CONFIGURED = [
    TermDates(year, t["term"], t["start_date"], t["end_date"], t["half_term_start"], t["half_term_end"], True)
    for year in (2025, 2026, 2027)
    for t in catalogue.term_dates(year)
]
CLOSURES = [(dt.date(2026, 11, 27), dt.date(2026, 11, 27), "Staff training day"),
            (dt.date(2027, 1, 4), dt.date(2027, 1, 5), "Staff training days")]  # fmt: skip
# Configured years (2025/26 to 2027/28) and the estimated years either side.
# A year the authority has entered only in part (the autumn term of 2028/29) estimates the rest.
PARTLY = [*CONFIGURED, TermDates(2028, "autumn", dt.date(2028, 9, 4), dt.date(2028, 12, 20), None, None, True)]
CALENDARS = st.sampled_from([SchoolCalendar(CONFIGURED, CLOSURES), SchoolCalendar(), SchoolCalendar(PARTLY)])
DAYS = st.dates(min_value=dt.date(2024, 6, 1), max_value=dt.date(2029, 8, 31))
# Days near the holidays that break most arithmetic: Christmas, Easter (2026: 5 April; 2027: 28 March) and
# the turn of the academic year.
AWKWARD = st.sampled_from(
    [
        dt.date(2025, 12, 19), dt.date(2025, 12, 24), dt.date(2025, 12, 31), dt.date(2026, 4, 2),
        dt.date(2026, 4, 3), dt.date(2026, 4, 6), dt.date(2026, 7, 22), dt.date(2026, 8, 31),
        dt.date(2026, 9, 1), dt.date(2026, 12, 18), dt.date(2026, 12, 25), dt.date(2027, 3, 25),
        dt.date(2027, 3, 29), dt.date(2027, 7, 21), dt.date(2027, 9, 1),
    ]
)  # fmt: skip
STARTS = st.one_of(DAYS, AWKWARD)
COUNTS = st.integers(min_value=0, max_value=200)


@given(start=STARTS, n=COUNTS)
def test_add_working_days_then_count_gives_n_and_lands_on_a_working_day(start, n):
    end = add_working_days(start, n)
    assert working_days_between(start, end) == n
    if n:
        assert is_working_day(end)
        assert end > start


@given(start=STARTS, n=st.integers(min_value=0, max_value=150), m=st.integers(min_value=0, max_value=150))
def test_add_working_days_is_monotonic_and_additive(start, n, m):
    assert add_working_days(start, n) <= add_working_days(start, n + m)
    assert add_working_days(add_working_days(start, n), m) == add_working_days(start, n + m)


@given(a=DAYS, b=DAYS)
def test_working_days_between_is_antisymmetric(a, b):
    assert working_days_between(a, b) == -working_days_between(b, a)


@settings(max_examples=150)
@given(calendar=CALENDARS, start=STARTS, n=COUNTS)
def test_add_school_days_then_count_gives_n_and_never_lands_on_a_non_school_day(calendar, start, n):
    end = calendar.add_school_days(start, n)
    assert calendar.school_days_between(start, end) == n
    if n:
        assert calendar.is_school_day(end), calendar.problem(end)
        # The day before the answer holds exactly n - 1 school days: the answer is the first such day.
        assert calendar.school_days_between(start, end - dt.timedelta(days=1)) == n - 1


@settings(max_examples=100)
@given(calendar=CALENDARS, start=STARTS, n=st.integers(min_value=0, max_value=100),
       m=st.integers(min_value=0, max_value=100))  # fmt: skip
def test_add_school_days_is_monotonic_and_additive(calendar, start, n, m):
    assert calendar.add_school_days(start, n) <= calendar.add_school_days(start, n + m)
    assert calendar.add_school_days(calendar.add_school_days(start, n), m) == calendar.add_school_days(start, n + m)


@settings(max_examples=100)
@given(calendar=CALENDARS, a=DAYS, b=DAYS)
def test_school_days_never_exceed_working_days_and_count_is_antisymmetric(calendar, a, b):
    assert calendar.school_days_between(a, b) == -calendar.school_days_between(b, a)
    assert abs(calendar.school_days_between(a, b)) <= abs(working_days_between(a, b))


@given(calendar=CALENDARS, day=DAYS)
def test_a_school_day_is_a_working_day_in_a_term_and_not_in_half_term(calendar, day):
    if calendar.is_school_day(day):
        assert is_working_day(day)
        term = calendar.term_for(day)
        assert term.contains(day)
        assert not term.in_half_term(day)


@given(calendar=CALENDARS, day=DAYS)
def test_a_working_day_inside_a_term_and_outside_half_term_is_a_school_day(calendar, day):
    # The converse: term_for and is_school_day agree, even in a year whose terms are only partly entered.
    term = calendar.term_for(day)
    if is_working_day(day) and term.contains(day) and not term.in_half_term(day) and day not in calendar._closed:
        assert calendar.is_school_day(day), (day, calendar.problem(day))


def test_a_partly_entered_year_estimates_the_terms_not_entered():
    calendar = SchoolCalendar(PARTLY)
    assert calendar.problem(dt.date(2028, 12, 27)) == "outside the term dates (a school holiday)"
    assert calendar.is_school_day(dt.date(2029, 2, 6))  # spring 2029 not entered: estimated
    assert calendar.add_school_days(dt.date(2028, 12, 20), 1) == dt.date(2029, 1, 2)


@given(calendar=CALENDARS, day=DAYS)
def test_previous_and_next_school_days_are_inverse_around_a_school_day(calendar, day):
    following = calendar.next_school_day(day)
    assert calendar.is_school_day(following)
    assert calendar.previous_school_day(following) <= day or not calendar.is_school_day(day)
    if calendar.is_school_day(day):
        assert calendar.previous_school_day(following) == day


@given(calendar=CALENDARS, day=DAYS)
def test_term_for_a_day_is_the_term_containing_it_or_the_next_one(calendar, day):
    term = calendar.term_for(day)
    assert term.contains(day) or term.start > day
    if not term.contains(day):
        assert calendar.previous_term(term).end < day


def test_christmas_and_easter_are_never_school_days_in_any_year():
    calendar = SchoolCalendar(CONFIGURED, CLOSURES)
    for day in (dt.date(2025, 12, 25), dt.date(2026, 4, 3), dt.date(2026, 4, 6), dt.date(2027, 3, 26),
                dt.date(2027, 3, 29), dt.date(2028, 4, 14), dt.date(2024, 12, 26)):  # fmt: skip
        assert not calendar.is_school_day(day), day
        assert not SchoolCalendar().is_school_day(day), day

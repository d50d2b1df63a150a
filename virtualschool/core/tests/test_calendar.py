import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from virtualschool.core.calendar import (
    add_months,
    add_working_days,
    is_working_day,
    national_curriculum_year,
    working_days_between,
)

days = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2035, 12, 31))


def test_christmas_and_boxing_day_are_not_working_days():
    assert not is_working_day(dt.date(2026, 12, 25))
    assert not is_working_day(dt.date(2026, 12, 28))  # Boxing Day observed on the Monday
    assert is_working_day(dt.date(2026, 12, 29))


def test_three_working_days_after_a_friday_before_easter_skip_the_bank_holidays():
    # Thursday 2 April 2026; Good Friday 3 April and Easter Monday 6 April are bank holidays.
    assert add_working_days(dt.date(2026, 4, 2), 3) == dt.date(2026, 4, 9)


def test_roll_duty_counts_working_days_not_calendar_days():
    received = dt.date(2026, 11, 20)  # a Friday
    assert working_days_between(received, dt.date(2026, 11, 25)) == 3  # Mon, Tue, Wed


@given(days, st.integers(min_value=0, max_value=60))
def test_adding_then_counting_working_days_agree(start, n):
    assert working_days_between(start, add_working_days(start, n)) == n


@given(days, days)
def test_working_days_between_is_antisymmetric(a, b):
    assert working_days_between(a, b) == -working_days_between(b, a)


def test_national_curriculum_year_changes_on_the_first_of_september():
    born = dt.date(2015, 8, 31)  # youngest in the year group
    assert national_curriculum_year(born, dt.date(2026, 8, 31)) == 6
    assert national_curriculum_year(born, dt.date(2026, 9, 1)) == 7
    assert national_curriculum_year(dt.date(2015, 9, 1), dt.date(2026, 9, 1)) == 6


def test_a_month_after_the_thirty_first_of_january_is_the_end_of_february():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2027, 11, 30), 3) == dt.date(2028, 2, 29)


@given(days, st.integers(min_value=0, max_value=240))
def test_add_months_never_goes_backwards(day, months):
    assert add_months(day, months) >= day

"""Working days in England: weekends and English bank holidays are not working days."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (start itself never counts)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    while remaining:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is earlier."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count


def academic_year_start(day: dt.date) -> int:
    """The calendar year in which the academic year containing `day` began (it starts on 1 September)."""
    return day.year if day.month >= 9 else day.year - 1


def academic_year_label(start_year: int) -> str:
    return f"{start_year}/{str(start_year + 1)[-2:]}"


def national_curriculum_year(date_of_birth: dt.date, on: dt.date) -> int:
    """National curriculum year group (0 = Reception, -1 = nursery) for the academic year containing `on`."""
    born_in_academic_year = academic_year_start(date_of_birth)
    return academic_year_start(on) - born_in_academic_year - 5


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's last day (31 January + 1 month = 28/29 February)."""
    import calendar as _cal

    year, month_index = divmod(day.month - 1 + months, 12)
    year += day.year
    last = _cal.monthrange(year, month_index + 1)[1]
    return dt.date(year, month_index + 1, min(day.day, last))

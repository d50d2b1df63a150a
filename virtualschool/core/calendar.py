"""Working days and school days in England.

Working days: weekends and English bank holidays (the `holidays` package) are not working days. School days:
working days inside a term of the authority's term dates, outside its half term and its closure days
(`core.SchoolTerm`, `core.SchoolClosure`, which an administrator edits). A year with no term dates entered is
given estimated terms (autumn from 1 September to 31 December, spring from 1 January to Easter Sunday, summer
from Easter Monday to 31 August), in which every working day counts as a school day.
"""

from __future__ import annotations

import calendar as _month_lengths
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import holidays
from dateutil.easter import easter

from virtualschool.core.models import SchoolClosure, SchoolTerm


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
    year, month_index = divmod(day.month - 1 + months, 12)
    year += day.year
    last = _month_lengths.monthrange(year, month_index + 1)[1]
    return dt.date(year, month_index + 1, min(day.day, last))


@lru_cache(maxsize=64)
def _bank_holiday_names(year: int) -> dict[dt.date, str]:
    return dict(holidays.country_holidays("GB", subdiv="ENG", years=year).items())


TERMS = ("autumn", "spring", "summer")  # core.models.Term values, in the order of the year
DAY_UNITS = ("working", "school", "calendar")  # what a rule's day count can be counted in


@dataclass(frozen=True)
class TermDates:
    """One term of an academic year: configured by the authority, or estimated where none are entered."""

    academic_year: int
    term: str  # autumn, spring or summer
    start: dt.date
    end: dt.date
    half_term_start: dt.date | None = None
    half_term_end: dt.date | None = None
    configured: bool = False

    @property
    def key(self) -> str:
        return f"{self.academic_year}-{self.term}"

    @property
    def label(self) -> str:
        """For example 'Autumn term 2026/27'."""
        return f"{self.term.capitalize()} term {academic_year_label(self.academic_year)}"

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.contains(day)

    def in_half_term(self, day: dt.date) -> bool:
        return bool(self.half_term_start and self.half_term_end and self.half_term_start <= day <= self.half_term_end)


def estimated_terms(year: int) -> list[TermDates]:
    """Terms for an academic year with no term dates entered, covering every day of the year between them."""
    return list(_estimated_terms(year))


@lru_cache(maxsize=256)
def _estimated_terms(year: int) -> tuple[TermDates, ...]:
    easter_sunday = easter(year + 1)
    return (
        TermDates(year, "autumn", dt.date(year, 9, 1), dt.date(year, 12, 31)),
        TermDates(year, "spring", dt.date(year + 1, 1, 1), easter_sunday),
        TermDates(year, "summer", easter_sunday + dt.timedelta(days=1), dt.date(year + 1, 8, 31)),
    )


class SchoolCalendar:
    """The term dates and closures in force, loaded once, with school-day arithmetic (a deadline in school
    days is computed from this, never counted up)."""

    # A search for the next school day gives up after this many days: only term dates with no school day in
    # them for years could get this far, and an answer then would be wrong.
    _SEARCH_LIMIT = 3660

    def __init__(self, terms: Iterable[TermDates] = (), closures: Iterable[tuple[dt.date, dt.date, str]] = ()):
        self._configured: dict[int, dict[str, TermDates]] = {}
        for term in terms:
            self._configured.setdefault(term.academic_year, {})[term.term] = term
        self._closed: dict[dt.date, str] = {}
        for start, end, reason in closures:
            day = start
            while day <= end:
                self._closed[day] = reason
                day += dt.timedelta(days=1)

    def is_configured(self, year: int) -> bool:
        """True when the authority has entered term dates for the academic year starting in `year`."""
        return bool(self._configured.get(year))

    def terms_of_year(self, year: int) -> list[TermDates]:
        """Autumn, spring and summer of the academic year starting in `year` (configured, else estimated)."""
        configured = self._configured.get(year, {})
        return [configured.get(t.term, t) for t in estimated_terms(year)]

    def term(self, year: int, term: str) -> TermDates:
        return self.terms_of_year(year)[TERMS.index(term)]

    def term_for(self, day: dt.date) -> TermDates:
        """The term `day` falls in; a day in the holiday between two terms belongs to the term that follows."""
        year = academic_year_start(day)
        terms = self.terms_of_year(year)
        for term in terms:
            if term.contains(day):
                return term
        for term in terms:
            if term.start > day:
                return term
        return self.terms_of_year(year + 1)[0]

    def next_term(self, term: TermDates) -> TermDates:
        index = TERMS.index(term.term)
        if index < 2:
            return self.terms_of_year(term.academic_year)[index + 1]
        return self.terms_of_year(term.academic_year + 1)[0]

    def previous_term(self, term: TermDates) -> TermDates:
        index = TERMS.index(term.term)
        if index > 0:
            return self.terms_of_year(term.academic_year)[index - 1]
        return self.terms_of_year(term.academic_year - 1)[2]

    def terms_between(self, start: dt.date, end: dt.date) -> list[TermDates]:
        """Every term that overlaps the period from `start` to `end`, in order."""
        found: list[TermDates] = []
        term = self.term_for(start)
        while term.start <= end:
            if term.end >= start:
                found.append(term)
            term = self.next_term(term)
        return found

    def problem(self, day: dt.date) -> str:
        """'' for a school day, otherwise what the day is: 'a Saturday', 'a bank holiday (Christmas Day)' …"""
        if day.weekday() >= 5:
            return f"a {day:%A}"
        if not is_working_day(day):
            return f"a bank holiday ({_bank_holiday_names(day.year).get(day, 'bank holiday')})"
        if day in self._closed:
            return f"a school closure day ({self._closed[day]})"
        year = academic_year_start(day)
        configured = self._configured.get(year)
        if configured:
            for term in configured.values():
                if term.contains(day):
                    return "half term" if term.in_half_term(day) else ""
            # A term the authority has not entered yet is estimated, as `terms_of_year` gives it (only where it
            # does not overlap an entered term), so a partly entered year agrees with `term_for`.
            for term in self.terms_of_year(year):
                if not term.configured and term.contains(day):
                    return ""
            return "outside the term dates (a school holiday)"
        return ""

    def is_school_day(self, day: dt.date) -> bool:
        return not self.problem(day)

    def school_days(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """The school days from `start` to `end`, both included."""
        days = []
        day = start
        while day <= end:
            if self.is_school_day(day):
                days.append(day)
            day += dt.timedelta(days=1)
        return days

    def school_days_between(self, start: dt.date, end: dt.date) -> int:
        """School days after `start` up to and including `end`; negative when `end` is earlier."""
        if end < start:
            return -self.school_days_between(end, start)
        return len(self.school_days(start + dt.timedelta(days=1), end))

    def add_school_days(self, start: dt.date, days: int) -> dt.date:
        """The date `days` school days after `start` (start itself never counts)."""
        if days < 0:
            raise ValueError("days must not be negative")
        current, remaining, searched = start, days, 0
        while remaining:
            current += dt.timedelta(days=1)
            searched += 1
            if searched > self._SEARCH_LIMIT:
                raise ValueError("No school day found within ten years: check the term dates.")
            if self.is_school_day(current):
                remaining -= 1
        return current

    def first_school_day_from(self, day: dt.date) -> dt.date:
        """`day` itself when it is a school day, else the next one."""
        return day if self.is_school_day(day) else self.add_school_days(day, 1)

    def next_school_day(self, day: dt.date) -> dt.date:
        return self.add_school_days(day, 1)

    def previous_school_day(self, day: dt.date) -> dt.date:
        """The latest school day before `day`."""
        current = day
        for _ in range(self._SEARCH_LIMIT):
            current -= dt.timedelta(days=1)
            if self.is_school_day(current):
                return current
        raise ValueError("No school day found within ten years: check the term dates.")

    def latest_school_day(self, on: dt.date) -> dt.date:
        """`on` itself when it is a school day, otherwise the school day before it."""
        return on if self.is_school_day(on) else self.previous_school_day(on)

    def add_days(self, start: dt.date, days: int, unit: str) -> dt.date:
        """`days` after `start`, counted in `unit`: working days, school days or calendar days."""
        if unit == "working":
            return add_working_days(start, days)
        if unit == "school":
            return self.add_school_days(start, days)
        if unit == "calendar":
            return start + dt.timedelta(days=days)
        raise ValueError(f"Unknown unit of days {unit!r}: use one of {', '.join(DAY_UNITS)}.")


def school_calendar() -> SchoolCalendar:
    """The authority's term dates and closure days as they are now (a handful of rows)."""
    terms = [
        TermDates(
            row.academic_year,
            row.term,
            row.start_date,
            row.end_date,
            row.half_term_start,
            row.half_term_end,
            configured=True,
        )
        for row in SchoolTerm.objects.all()
    ]
    closures = SchoolClosure.objects.values_list("start_date", "end_date", "reason")
    return SchoolCalendar(terms, closures)

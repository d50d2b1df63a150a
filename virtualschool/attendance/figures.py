# ruff: noqa: S608  (SQL text is built only from table and column names made here; values are parameters)
"""Attendance figures for a child or a group over any period, as the DfE defines them (docs/attendance.md).

A period is answered from the monthly summary for every month it covers whole, and from the marks themselves
only for the part months at its edges. A month the period covers up to today (or later) counts as whole: no
mark can be dated after today, so the summary already holds exactly the marks of the period in that month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Case, QuerySet, Value, When
from django.utils import timezone

from virtualschool.core.calendar import academic_year_start, add_months, school_calendar

from . import codes
from .models import AttendanceMark, AttendanceMonth, AttendancePolicy, AttendanceYear

COUNT_FIELDS = ("present", "aea", "authorised", "unauthorised", "not_possible")


def policy_get() -> AttendancePolicy:
    policy, _ = AttendancePolicy.objects.get_or_create(pk=1)
    return policy


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class Counts:
    """Sessions by class over a period, and the figures that follow from them."""

    present: int = 0
    aea: int = 0
    authorised: int = 0
    unauthorised: int = 0
    not_possible: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, f) + getattr(other, f) for f in COUNT_FIELDS))

    @property
    def possible(self) -> int:
        """Possible sessions: every session counted as attendance or absence (not 'not a possible session')."""
        return self.present + self.aea + self.authorised + self.unauthorised

    @property
    def attended(self) -> int:
        return self.present + self.aea

    @property
    def absent(self) -> int:
        return self.authorised + self.unauthorised

    @property
    def attendance_percent(self) -> float | None:
        return _pct(self.attended, self.possible)

    @property
    def absence_percent(self) -> float | None:
        """Overall absence rate: sessions missed (authorised and unauthorised) over possible sessions."""
        return _pct(self.absent, self.possible)

    @property
    def authorised_percent(self) -> float | None:
        return _pct(self.authorised, self.possible)

    @property
    def unauthorised_percent(self) -> float | None:
        return _pct(self.unauthorised, self.possible)

    def missing_share(self) -> float:
        """Sessions missed as a share of possible sessions, unrounded (0 with none possible)."""
        return self.absent / self.possible if self.possible else 0.0

    def is_persistent_absence(self, percent: Decimal | float = 10) -> bool:
        """Missing `percent` (10) or more of possible sessions. Compared as integers: no rounding at the line."""
        return bool(self.possible) and self.absent * 100 >= float(percent) * self.possible

    def is_severe_absence(self, percent: Decimal | float = 50) -> bool:
        return bool(self.possible) and self.absent * 100 >= float(percent) * self.possible

    def as_dict(self, policy: AttendancePolicy | None = None) -> dict[str, Any]:
        persistent = policy.persistent_absence_percent if policy else 10
        severe = policy.severe_absence_percent if policy else 50
        return {
            "possible_sessions": self.possible,
            "present": self.present,
            "approved_educational_activity": self.aea,
            "authorised_absence": self.authorised,
            "unauthorised_absence": self.unauthorised,
            "not_possible": self.not_possible,
            "attendance_percent": self.attendance_percent,
            "absence_percent": self.absence_percent,
            "authorised_absence_percent": self.authorised_percent,
            "unauthorised_absence_percent": self.unauthorised_percent,
            "persistent_absence": self.is_persistent_absence(persistent),
            "severe_absence": self.is_severe_absence(severe),
        }


def counts_of_codes(marks: Iterable[str]) -> Counts:
    """Counts of a list of codes (for tests and small in-memory uses)."""
    tally = dict.fromkeys(COUNT_FIELDS, 0)
    names = {
        codes.MarkClass.PRESENT: "present",
        codes.MarkClass.APPROVED_ACTIVITY: "aea",
        codes.MarkClass.AUTHORISED: "authorised",
        codes.MarkClass.UNAUTHORISED: "unauthorised",
        codes.MarkClass.NOT_POSSIBLE: "not_possible",
    }
    for code in marks:
        tally[names[codes.classify(code)]] += 1
    return Counts(**tally)


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    start: dt.date
    end: dt.date

    @property
    def described(self) -> str:
        return f"{self.start.day} {self.start:%B %Y} to {self.end.day} {self.end:%B %Y}"


def year_to_date(today: dt.date) -> Period:
    start = dt.date(academic_year_start(today), 9, 1)
    return Period("year", "Academic year to date", start, today)


def term_to_date(today: dt.date) -> Period:
    term = school_calendar().term_for(today)
    return Period("term", f"{term.label} to date", min(term.start, today), today)


def last_four_weeks(today: dt.date) -> Period:
    return Period("four_weeks", "Last four weeks", today - dt.timedelta(days=27), today)


def named_period(key: str, today: dt.date) -> Period:
    return {"year": year_to_date, "term": term_to_date, "four_weeks": last_four_weeks}.get(key, year_to_date)(today)


@dataclass
class Split:
    """A period as signed parts: whole academic years and whole months from the summaries, and runs of days
    read from the marks. A part with sign -1 is taken away: a period from 4 December reads December whole less
    the marks of 1 to 3 December, and a period covering most of an academic year reads the year less the rest.
    """

    years: list[tuple[int, int]] = field(default_factory=list)  # (academic year's first calendar year, sign)
    months: list[tuple[dt.date, int]] = field(default_factory=list)  # (first day of the month, sign)
    days: list[tuple[dt.date, dt.date, int]] = field(default_factory=list)  # (first, last, sign) read from marks

    @property
    def cost(self) -> int:
        """Rows read per child: one a year or month, about two a school day of marks."""
        return len(self.years) + len(self.months) + sum(2 * ((b - a).days + 1) for a, b, _ in self.days)

    def extend(self, other: Split, sign: int = 1) -> None:
        self.years += [(y, s * sign) for y, s in other.years]
        self.months += [(m, s * sign) for m, s in other.months]
        self.days += [(a, b, s * sign) for a, b, s in other.days]


def _covers(first: dt.date, last: dt.date, start: dt.date, end: dt.date, today: dt.date) -> bool:
    """True when [start, end] holds every mark the period [first, last] can have (none is dated after today)."""
    return start <= first and end >= min(last, today)


def _months_and_days(start: dt.date, end: dt.date, today: dt.date) -> Split:
    """[start, end] (inside one academic year) as whole months and runs of marks, the cheaper way round."""
    split = Split()
    month = start.replace(day=1)
    while month <= end:
        last = add_months(month, 1) - dt.timedelta(days=1)
        first_day, last_day, recorded_to = max(start, month), min(end, last), min(last, today)
        if _covers(month, last, start, end, today):
            split.months.append((month, 1))
        elif first_day > month and last_day >= recorded_to and (first_day - month) < (last_day - first_day):
            split.months.append((month, 1))
            split.days.append((month, first_day - dt.timedelta(days=1), -1))
        elif first_day == month and last_day < recorded_to and (recorded_to - last_day) < (last_day - month):
            split.months.append((month, 1))
            split.days.append((last_day + dt.timedelta(days=1), recorded_to, -1))
        else:
            split.days.append((first_day, last_day, 1))
        month = add_months(month, 1)
    return split


def split_period(start: dt.date, end: dt.date, today: dt.date) -> Split:
    split = Split()
    if end < start:
        return split
    year = academic_year_start(start)
    while dt.date(year, 9, 1) <= end:
        year_first, year_last = dt.date(year, 9, 1), dt.date(year + 1, 8, 31)
        if _covers(year_first, year_last, start, end, today):
            split.years.append((year, 1))
        else:
            first_day, last_day = max(start, year_first), min(end, year_last)
            direct = _months_and_days(first_day, last_day, today)
            rest = Split(years=[(year, 1)])
            if first_day > year_first:
                rest.extend(_months_and_days(year_first, first_day - dt.timedelta(days=1), today), -1)
            recorded_to = min(year_last, today)
            if last_day < recorded_to:
                rest.extend(_months_and_days(last_day + dt.timedelta(days=1), recorded_to, today), -1)
            split.extend(rest if rest.cost < direct.cost else direct)
        year += 1
    return split


def _mark_values(sign: int) -> dict[str, Case]:
    """Each mark as `sign` in the column of its class (0 in the others), to be added up."""
    return {
        f"v_{name}": Case(When(code__in=codes.CODES_IN_CLASS[klass], then=Value(sign)), default=Value(0))
        for name, klass in zip(COUNT_FIELDS, codes.MarkClass, strict=True)
    }


def counts_by_child(
    children: QuerySet[Any] | list[int], start: dt.date, end: dt.date, *, today: dt.date | None = None
) -> dict[int, Counts]:
    """Counts for each child in `children` (a queryset of children, or ids) with any mark in the period.

    One statement: the group's children once (a materialised CTE), joined to the whole academic years and whole
    months in the summaries and to the marks of part months (each added, or taken away), summed by child.
    """
    from virtualschool.children.models import Child

    today = today or timezone.localdate()
    split = split_period(start, end, today)
    group = children if isinstance(children, QuerySet) else Child.objects.filter(pk__in=list(children))
    try:
        kids_sql, kids_params = group.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # nobody in the group
        return {}
    params: list[Any] = list(kids_params)
    pieces: list[str] = []
    for table, key, values in (
        (AttendanceYear._meta.db_table, "year", split.years),
        (AttendanceMonth._meta.db_table, "month", split.months),
    ):
        for sign in (1, -1):
            chosen = [value for value, s in values if s == sign]
            if not chosen:
                continue
            minus = "-" if sign < 0 else ""
            columns = ", ".join(f"{minus}t.{c} AS c{n}" for n, c in enumerate(COUNT_FIELDS))
            pieces.append(
                f"SELECT t.child_id AS child_id, {columns} FROM {table} t JOIN kids ON kids.pk = t.child_id "
                f"WHERE t.{key} IN ({', '.join(['%s'] * len(chosen))})"
            )
            params.extend(chosen)
    for first, last, sign in split.days:
        cases = []
        for n, klass in enumerate(codes.MarkClass):
            listed = codes.CODES_IN_CLASS[klass]
            cases.append(f"CASE WHEN a.code IN ({', '.join(['%s'] * len(listed))}) THEN {sign} ELSE 0 END AS c{n}")
            params.extend(listed)
        marks = AttendanceMark._meta.db_table
        if connection.vendor == "postgresql":
            # Each child's few marks through the primary key's index (child, date, session), never a scan of
            # the whole marks table, whatever the planner estimates.
            pieces.append(
                f"SELECT kids.pk AS child_id, {', '.join(cases)} FROM kids CROSS JOIN LATERAL "
                f"(SELECT code FROM {marks} m WHERE m.child_id = kids.pk AND m.date >= %s AND m.date <= %s OFFSET 0) a"
            )
        else:
            pieces.append(
                f"SELECT a.child_id AS child_id, {', '.join(cases)} FROM {marks} a "
                "JOIN kids ON kids.pk = a.child_id WHERE a.date >= %s AND a.date <= %s"
            )
        params.extend([first, last])
    if not pieces:
        return {}
    sums = ", ".join(f"SUM(c{n})" for n in range(len(COUNT_FIELDS)))
    sql = (
        f"WITH kids (pk) AS MATERIALIZED ({kids_sql}) "
        f"SELECT child_id, {sums} FROM ({' UNION ALL '.join(pieces)}) parts GROUP BY child_id"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A large estimate would compile the statement (JIT): a tenth of a second it never wins back here.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {row[0]: Counts(*row[1:]) for row in rows}


@dataclass(frozen=True)
class GroupFigures:
    children: int  # children with at least one possible session
    counts: Counts
    persistent: int
    severe: int

    @property
    def persistent_percent(self) -> float | None:
        return _pct(self.persistent, self.children)

    @property
    def severe_percent(self) -> float | None:
        return _pct(self.severe, self.children)


def group_figures(by_child: dict[int, Counts], policy: AttendancePolicy | None = None) -> GroupFigures:
    policy = policy or policy_get()
    persistent_share = float(policy.persistent_absence_percent)
    severe_share = float(policy.severe_absence_percent)
    totals = [0, 0, 0, 0, 0]
    persistent = severe = children = 0
    for c in by_child.values():
        totals[0] += c.present
        totals[1] += c.aea
        totals[2] += c.authorised
        totals[3] += c.unauthorised
        totals[4] += c.not_possible
        possible = c.present + c.aea + c.authorised + c.unauthorised
        if possible:
            children += 1
            missed = (c.authorised + c.unauthorised) * 100
            persistent += missed >= persistent_share * possible
            severe += missed >= severe_share * possible
    return GroupFigures(children=children, counts=Counts(*totals), persistent=persistent, severe=severe)


def child_counts(child_id: int, start: dt.date, end: dt.date, *, today: dt.date | None = None) -> Counts:
    return counts_by_child([child_id], start, end, today=today).get(child_id, Counts())


def monthly_counts(child_id: int, start: dt.date, end: dt.date) -> list[tuple[dt.date, Counts]]:
    """A child's counts for each month with marks from `start`'s month to `end`'s, in order."""
    rows = AttendanceMonth.objects.filter(
        child_id=child_id, month__range=(start.replace(day=1), end.replace(day=1))
    ).order_by("month")
    return [(row.month, Counts(*(getattr(row, f) for f in COUNT_FIELDS))) for row in rows]


def marks_between(child_id: int, start: dt.date, end: dt.date) -> dict[tuple[dt.date, str], str]:
    """A child's marks from `start` to `end` by (date, session)."""
    rows = AttendanceMark.objects.filter(child_id=child_id, date__range=(start, end)).values_list(
        "date", "session", "code"
    )
    return {(day, session): code for day, session, code in rows}

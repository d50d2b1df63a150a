"""The suspension and reduced-timetable rules as plain calculation over rows and the school calendar.

Nothing here reads the database: callers pass the rows, the policy and a ``SchoolCalendar`` (core), so every
rule is tested on its own. Sources for each rule and number are in docs/suspensions-and-exclusions.md.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from virtualschool.core.calendar import SchoolCalendar, academic_year_label, academic_year_start, add_months

from .codes import LengthUnit

HALF = Decimal("0.5")
ONE = Decimal("1")


# ---------------------------------------------------------------------------------------------------------
# Dates of a suspension
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SuspensionDates:
    first_day: dt.date  # the first school day on or after the start date
    end_date: dt.date  # the last school day the suspension touches
    school_days: Decimal  # its length in school days (a session is half a day)
    full_time_from: dt.date | None  # the sixth school day, when the suspension reaches it


def length_in_school_days(unit: str, length: int) -> Decimal:
    if length < 1:
        raise ValueError("A suspension lasts at least one session.")
    if unit == LengthUnit.DAYS:
        return Decimal(length)
    if unit == LengthUnit.SESSIONS:
        return Decimal(length) / 2
    raise ValueError(f"Unknown unit {unit!r}: use days or sessions.")


def suspension_dates(
    calendar: SchoolCalendar, *, start: dt.date, unit: str, length: int, full_time_day: int = 6
) -> SuspensionDates:
    """The end of a suspension of `length` days or sessions from `start`, counted in school days (half terms,
    holidays, bank holidays and closure days are skipped), and the school day from which full-time education is
    due (the sixth, by default) when the suspension lasts that long."""
    days = length_in_school_days(unit, length)
    first = calendar.first_school_day_from(start)
    touched = math.ceil(days)
    end = calendar.add_school_days(first, touched - 1)
    full_time = calendar.add_school_days(first, full_time_day - 1) if days > full_time_day - 1 else None
    return SuspensionDates(first_day=first, end_date=end, school_days=days, full_time_from=full_time)


def permanent_exclusion_full_time_from(calendar: SchoolCalendar, start: dt.date, full_time_day: int = 6) -> dt.date:
    """For a permanent exclusion the local authority arranges full-time education from the sixth school day."""
    return calendar.add_school_days(calendar.first_school_day_from(start), full_time_day - 1)


def day_weights(calendar: SchoolCalendar, *, start: dt.date, school_days: Decimal) -> list[tuple[dt.date, Decimal]]:
    """Each school day of a suspension with how much of it is suspended (1, or ½ for a last half day)."""
    weights: list[tuple[dt.date, Decimal]] = []
    remaining = school_days
    day = calendar.first_school_day_from(start)
    while remaining > 0:
        portion = ONE if remaining >= ONE else remaining
        weights.append((day, portion))
        remaining -= portion
        if remaining > 0:
            day = calendar.next_school_day(day)
    return weights


# ---------------------------------------------------------------------------------------------------------
# Told on the day, and the paperwork within 48 hours
# ---------------------------------------------------------------------------------------------------------

ON_TIME, LATE, NOT_TOLD = "on_time", "late", "not_told"
RECEIVED, RECEIVED_LATE, AWAITED, MISSING = "received", "received_late", "awaited", "missing"


def told_status(told_on: dt.date | None, decided_on: dt.date) -> str:
    """'on_time' when told on the day of the decision (or earlier), 'late' after it, 'not_told' if not yet."""
    if told_on is None:
        return NOT_TOLD
    return ON_TIME if told_on <= decided_on else LATE


def paperwork_due(decided_on: dt.date, hours: int) -> dt.date:
    """The last day the paperwork is in time: `hours` after the day of the decision (48 hours: two days on)."""
    return decided_on + dt.timedelta(days=math.ceil(hours / 24))


def paperwork_status(received_on: dt.date | None, decided_on: dt.date, hours: int, today: dt.date) -> str:
    due = paperwork_due(decided_on, hours)
    if received_on is not None:
        return RECEIVED if received_on <= due else RECEIVED_LATE
    return MISSING if today > due else AWAITED


# ---------------------------------------------------------------------------------------------------------
# Days in each term and year, and the governors' thresholds
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodTotal:
    key: str  # "2026-autumn" or "2026" for the year
    label: str
    days: Decimal
    flags: tuple[str, ...] = ()


PARENTS_MAY_ASK = "parents_may_ask"
MUST_CONSIDER = "must_consider"
OVER_YEAR_LIMIT = "over_year_limit"
FLAG_TEXT = {
    PARENTS_MAY_ASK: "More than {if_asked} school days in a term: the governing board must consider reinstatement "
    "if the parents (or the local authority as corporate parent) ask",
    MUST_CONSIDER: "More than {must} school days in a term: the governing board must consider reinstatement",
    OVER_YEAR_LIMIT: "More than {year} school days in the school year: above the legal limit for suspensions",
}


def term_of(calendar: SchoolCalendar, day: dt.date) -> Any:
    """calendar.term_for(day), remembered on the calendar object (a calendar is loaded once per request)."""
    memo: dict[dt.date, Any] | None = getattr(calendar, "_term_memo", None)
    if memo is None:
        memo = {}
        calendar._term_memo = memo  # type: ignore[attr-defined]
    term = memo.get(day)
    if term is None:
        term = memo[day] = calendar.term_for(day)
    return term


def _days_of(suspension: Any, calendar: SchoolCalendar) -> list[tuple[dt.date, Decimal]]:
    """The suspension's school days and weights, remembered on the calendar (term and year totals both ask)."""
    if suspension.school_days is None:
        return []
    key = (suspension.start_date, Decimal(suspension.school_days))
    memo: dict[tuple[dt.date, Decimal], list[tuple[dt.date, Decimal]]] | None = getattr(calendar, "_days_memo", None)
    if memo is None:
        memo = {}
        calendar._days_memo = memo  # type: ignore[attr-defined]
    found = memo.get(key)
    if found is None:
        found = memo[key] = day_weights(calendar, start=key[0], school_days=key[1])
    return found


def term_totals(
    suspensions: Iterable[Any], calendar: SchoolCalendar, *, if_asked: Decimal, must: Decimal
) -> list[PeriodTotal]:
    """Suspension school days in each term a child's suspensions touch (each day counted in its own term), with
    the thresholds each term crosses. Permanent exclusions have no length and are flagged on their own."""
    days: dict[str, Decimal] = defaultdict(Decimal)
    labels: dict[str, str] = {}
    order: dict[str, dt.date] = {}
    for suspension in suspensions:
        if getattr(suspension, "is_permanent", False):
            continue
        for day, weight in _days_of(suspension, calendar):
            term = term_of(calendar, day)
            days[term.key] += weight
            labels[term.key] = term.label
            order[term.key] = term.start
    totals = []
    for key in sorted(days, key=lambda k: order[k]):
        flags: list[str] = []
        if days[key] > must:
            flags.append(MUST_CONSIDER)
        elif days[key] > if_asked:
            flags.append(PARENTS_MAY_ASK)
        totals.append(PeriodTotal(key, labels[key], days[key], tuple(flags)))
    return totals


def year_totals(suspensions: Iterable[Any], calendar: SchoolCalendar, *, maximum: Decimal) -> list[PeriodTotal]:
    """Suspension school days in each school year (1 September to 31 August), flagged above the legal limit."""
    days: dict[int, Decimal] = defaultdict(Decimal)
    for suspension in suspensions:
        if getattr(suspension, "is_permanent", False):
            continue
        for day, weight in _days_of(suspension, calendar):
            days[academic_year_start(day)] += weight
    return [
        PeriodTotal(
            str(year),
            f"School year {academic_year_label(year)}",
            days[year],
            (OVER_YEAR_LIMIT,) if days[year] > maximum else (),
        )
        for year in sorted(days)
    ]


def flag_sentence(flag: str, policy: Any) -> str:
    return FLAG_TEXT[flag].format(
        if_asked=_n(policy.term_days_if_parents_ask),
        must=_n(policy.term_days_must_consider),
        year=_n(policy.year_days_maximum),
    )


def _n(value: Decimal | int) -> str:
    number = Decimal(value)
    return str(number.quantize(ONE)) if number == number.to_integral() else str(number.normalize())


def days_text(value: Decimal | int | None) -> str:
    """'3 school days', '1 school day', '2.5 school days'."""
    if value is None:
        return ""
    text = _n(value)
    return f"{text} school day{'' if text == '1' else 's'}"


# ---------------------------------------------------------------------------------------------------------
# A pattern of suspensions
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    kind: str  # "term" or "rolling"
    suspension_ids: tuple[int, ...]
    description: str

    @property
    def latest_id(self) -> int:
        return self.suspension_ids[-1]


def find_pattern(
    suspensions: Sequence[Any],
    calendar: SchoolCalendar,
    *,
    in_term: int,
    in_rolling: int,
    rolling_months: int,
) -> Pattern | None:
    """The latest pattern a child's suspensions make: `in_term` or more in one term, or `in_rolling` or more
    within `rolling_months` months ending on the latest. Permanent exclusions are not counted (they propose an
    emergency review on their own)."""
    ordered = sorted((s for s in suspensions if not getattr(s, "is_permanent", False)), key=lambda s: s.start_date)
    if not ordered:
        return None
    latest = ordered[-1]
    term = term_of(calendar, latest.start_date)
    same_term = [s for s in ordered if term_of(calendar, s.start_date).key == term.key]
    if len(same_term) >= in_term:
        return Pattern(
            "term",
            tuple(s.pk for s in same_term),
            f"{len(same_term)} suspensions in the {term.term} term {academic_year_label(term.academic_year)}",
        )
    window_start = add_months(latest.start_date, -rolling_months)
    rolling = [s for s in ordered if s.start_date > window_start]
    if len(rolling) >= in_rolling:
        return Pattern(
            "rolling",
            tuple(s.pk for s in rolling),
            f"{len(rolling)} suspensions in the {rolling_months} months to {latest.start_date.day} "
            f"{latest.start_date:%B %Y}",
        )
    return None


# ---------------------------------------------------------------------------------------------------------
# The permanent-exclusion gate
# ---------------------------------------------------------------------------------------------------------

MEETING_PEOPLE = (
    ("meeting_social_worker", "the social worker"),
    ("meeting_carer", "the carer"),
    ("meeting_reviewing_officer", "the reviewing officer"),
    ("meeting_vs_lead", "the Virtual School Lead"),
    ("meeting_school", "the school"),
)


def meeting_missing(values: Any) -> list[str]:
    """Who the multi-agency meeting still lacks (and its date), in the seeds' order; empty when it was held
    with everyone. `values` is a Suspension or a mapping of its fields."""

    def get(name: str) -> Any:
        return values.get(name) if isinstance(values, dict) else getattr(values, name, None)

    missing = [label for name, label in MEETING_PEOPLE if not (get(name) or "").strip()]
    if get("meeting_on") is None:
        missing.insert(0, "the date of the meeting")
    return missing


def join_words(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


# ---------------------------------------------------------------------------------------------------------
# Reduced timetables
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimetableState:
    live: bool
    overdue: bool
    reasons: tuple[str, ...] = field(default=())
    next_review: dt.date | None = None


def timetable_state(timetable: Any, reviews: Iterable[Any], today: dt.date) -> TimetableState:
    """Live while started and not ended; overdue when live past its agreed end date or past a review date
    that was not held."""
    live = timetable.is_live(today)
    reasons: list[str] = []
    pending = sorted((r.due_on for r in reviews if r.held_on is None), key=lambda d: d)
    if live:
        if timetable.end_date < today:
            reasons.append(f"Past its agreed end date of {timetable.end_date.day} {timetable.end_date:%B %Y}")
        late = [d for d in pending if d < today]
        if late:
            reasons.append(f"Review due on {late[0].day} {late[0]:%B %Y} not held")
    return TimetableState(live, bool(reasons), tuple(reasons), pending[0] if pending else None)


def missing_agreements(timetable: Any) -> list[str]:
    from .models import AGREEMENT_PARTIES

    return [label for key, label in AGREEMENT_PARTIES if not getattr(timetable, f"agreed_{key}")]


def full_time_hours(nc_year: int, *, school_age: Decimal, post16: Decimal) -> Decimal | None:
    """Full-time hours a week for a national curriculum year; None below compulsory school age (year 1)."""
    if nc_year < 1:
        return None
    return post16 if nc_year >= 12 else school_age

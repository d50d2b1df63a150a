"""The registry of event sources: where the duties engine learns when each clock starts and what meets it.

An event source is a function registered under an event kind (a short name such as ``entered_care``). Given a
set of children it yields ``(child_id, date, reference)`` for every event of that kind in their records, for
example each date a child was placed at a new school. A `DutyRule` names one kind that starts its clock and one
that meets it; the engine asks the sources for both. A rule whose kinds no source provides is listed as "not
yet measured" rather than silently passing.

Another app adds its events in its ``AppConfig.ready``::

    from virtualschool.duties.events import register_event_source

    def pep_meetings(child_ids, context):
        rows = PepMeeting.objects.filter(child_id__in=child_ids, held_on__isnull=False)
        for child_id, held_on, pk in rows.values_list("child_id", "held_on", "pk"):
            yield child_id, held_on, f"pep-meeting:{pk}"

    register_event_source("pep_meeting_held", pep_meetings, label="PEP meeting held", app="peps")

``child_ids`` is a list of child ids (the engine works through the roll in chunks of a few thousand);
``context`` is an `EventContext` with today's date, the service policy, the school calendar and what the engine
already loaded about each child (`ChildFacts`), so a source need not read the roll again. A source must read
only its own tables, in a fixed number of queries per call (never one per child), and yield dates, not
datetimes; it may leave out events before ``context.events_from`` (nothing that old is kept). The kinds the
PEP, attendance and suspension apps are expected to provide are listed in `EXPECTED_KINDS` and docs/duties.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from virtualschool.core.calendar import SchoolCalendar, add_months

Event = tuple[int, dt.date, str]
EventSourceFn = Callable[[Sequence[int], "EventContext"], Iterable[Event]]


@dataclass(frozen=True)
class PlacementFacts:
    start: dt.date
    end: dt.date | None
    school_id: int | None
    la_code: str
    setting_type: str
    hours_per_week: Decimal | None
    designated_teacher_id: int | None
    pk: int

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)


@dataclass
class ChildFacts:
    """What the engine reads about a child once, for every source and rule."""

    pk: int
    cohort: str
    date_of_birth: dt.date
    period_of_care_start: dt.date | None
    closed_on: dt.date | None
    care_status_received_on: dt.date | None
    added_to_roll_on: dt.date | None
    closure_notified_on: dt.date | None
    removed_from_roll_on: dt.date | None
    allocated_lead_id: int | None
    social_worker_id: int | None
    reviewing_officer_id: int | None
    placements: list[PlacementFacts] = field(default_factory=list)  # oldest first

    def placement_on(self, day: dt.date) -> PlacementFacts | None:
        """The education placement on `day` (or, failing that, the latest that started by then)."""
        placements = self.placements
        if len(placements) == 1:
            only = placements[0]
            if only.setting_type == "none" or only.start > day:
                return None
            return only
        found = None
        for placement in placements:
            if placement.setting_type == "none":
                continue
            if placement.covers(day):
                return placement
            if placement.start <= day:
                found = placement
        return found


@dataclass
class EventContext:
    today: dt.date
    calendar: SchoolCalendar
    policy: Any  # core.ServicePolicy
    history_start: dt.date  # clocks due before this are not kept
    children: dict[int, ChildFacts]
    # A source may leave out events before this date: no clock it could start or meet is kept (a year before
    # the history kept, so any duration up to a year is safe).
    events_from: dt.date = field(init=False)
    _shared: dict[tuple[str, tuple[int, ...]], Any] = field(init=False, default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.events_from = add_months(self.history_start, -12)

    def shared(self, key: str, child_ids: Sequence[int], load: Callable[[], Any]) -> Any:
        """What `load()` returns, loaded once for these children and this computation: sources of several kinds
        that read the same rows (a PEP's dates, a suspension's) share one query instead of one each."""
        token = (key, tuple(child_ids))
        if token not in self._shared:
            self._shared[token] = load()
        return self._shared[token]


@dataclass(frozen=True)
class EventSource:
    kind: str
    fn: EventSourceFn
    label: str
    app: str
    runs_after_leaving: bool  # its clocks still run after the child leaves care (the roll removal duty)


_SOURCES: dict[str, EventSource] = {}

# Event kinds other apps are expected to register, so the docs and the "not yet measured" list can name them.
EXPECTED_KINDS: dict[str, tuple[str, str]] = {
    "pep_initiated": ("peps", "PEP initiated (the PEP record opened for the child)"),
    "pep_meeting_scheduled": ("peps", "PEP meeting date set"),
    "pep_meeting_held": ("peps", "PEP meeting held"),
    "pep_meeting_held_in_person": ("peps", "PEP meeting held in person"),
    "pep_sections_completed": ("peps", "Designated teacher, social worker and young person's sections completed"),
    "pep_submitted_for_qa": ("peps", "PEP document complete and submitted for quality assurance"),
    "pep_qa_completed": ("peps", "PEP quality assured, feedback sent"),
    "pep_shared_with_reviewing_officer": ("peps", "PEP made available to the reviewing officer"),
    "pep_review_held": ("peps", "Interim or emergency PEP review held"),
    "designated_teacher_informed": ("peps", "Designated teacher told of the child's arrival, with care details"),
    "absence_recorded": ("attendance", "An absence recorded"),
    "absence_followed_up": ("attendance", "First-day call made for an absence"),
    "attendance_below_threshold": ("attendance", "Attendance fell below the PEP review threshold"),
    "reduced_timetable_review_set": ("attendance", "Reduced timetable given an end date and a review date"),
    "suspension_started": ("suspensions", "First day of a suspension"),
    "suspension_told_social_worker": ("suspensions", "Virtual School and social worker told of a suspension"),
    "suspension_told_reviewing_officer": ("suspensions", "Reviewing officer told of a suspension"),
    "suspension_paperwork_received": ("suspensions", "Suspension paperwork received"),
    "suspension_provision_arranged": ("suspensions", "Full-time education arranged during a suspension"),
    "exclusion_risk_raised": ("suspensions", "At risk of permanent exclusion, or a pattern of suspensions"),
    "ppplus_application_received": ("funding", "PP+ application received by the panel"),
    "ppplus_application_decided": ("funding", "PP+ application decided"),
    "ppplus_decision_published": ("funding", "PP+ decision available to the lead and designated teacher"),
}


def ids_in(child_ids: Sequence[int]) -> Any:
    """The right-hand side of a ``child_id__in=`` filter over a chunk of children, for a source's query.

    On PostgreSQL it is one array parameter (``IN (SELECT unnest(%s::bigint[]))``) rather than a few thousand
    placeholders: Django prepares and psycopg splits every placeholder of every query, which cost more than the
    queries themselves; elsewhere it is the list itself."""
    from django.db import connection
    from django.db.models.expressions import RawSQL

    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", ("{" + ",".join(map(str, map(int, child_ids))) + "}",))
    return child_ids


def register_event_source(
    kind: str, fn: EventSourceFn, *, label: str = "", app: str = "", runs_after_leaving: bool = False
) -> None:
    """Register `fn` as the source of events of `kind` (replacing any earlier source of that kind)."""
    if not kind or not kind.replace("_", "").isalnum() or kind != kind.lower():
        raise ValueError(f"An event kind is lower case letters, digits and underscores, not {kind!r}.")
    _SOURCES[kind] = EventSource(kind, fn, label or kind.replace("_", " ").capitalize(), app, runs_after_leaving)


def unregister_event_source(kind: str) -> None:
    """Forget the source of `kind` (tests that measure only some apps' duties, inside `sources_restored`)."""
    _SOURCES.pop(kind, None)


def event_source(kind: str) -> EventSource | None:
    return _SOURCES.get(kind)


def event_sources() -> dict[str, EventSource]:
    return dict(_SOURCES)


def provides(kind: str) -> bool:
    return kind in _SOURCES


def kind_label(kind: str) -> str:
    if kind in _SOURCES:
        return _SOURCES[kind].label
    if kind in EXPECTED_KINDS:
        return EXPECTED_KINDS[kind][1]
    return kind.replace("_", " ").capitalize()


@contextlib.contextmanager
def sources_restored() -> Iterator[None]:
    """Restore the registry on exit (for tests that register sources)."""
    saved = dict(_SOURCES)
    try:
        yield
    finally:
        _SOURCES.clear()
        _SOURCES.update(saved)


# ---------------------------------------------------------------------------------------------------------
# The sources the roll, care episodes, placements and SDQs on main can answer
# ---------------------------------------------------------------------------------------------------------


def _looked_after(facts: ChildFacts) -> bool:
    return facts.cohort == "cla"


def _child_dates(attr: str, *, looked_after_only: bool = False) -> EventSourceFn:
    def source(child_ids: Sequence[int], context: EventContext) -> Iterator[Event]:
        for child_id in child_ids:
            facts = context.children.get(child_id)
            if facts is None or (looked_after_only and not _looked_after(facts)):
                continue
            day = getattr(facts, attr)
            if day is not None:
                yield child_id, day, f"child:{child_id}:{attr}"

    return source


def entered_care(child_ids: Sequence[int], context: EventContext) -> Iterator[Event]:
    """The start of each period of care: the child's current period, and earlier ones in the SSDA903 episodes
    (an episode whose reason for new episode is S, 'started to be looked after')."""
    from virtualschool.children.models import CareEpisode

    seen: set[tuple[int, dt.date]] = set()
    for child_id in child_ids:
        facts = context.children.get(child_id)
        if facts and _looked_after(facts) and facts.period_of_care_start:
            seen.add((child_id, facts.period_of_care_start))
            yield child_id, facts.period_of_care_start, f"child:{child_id}:period_of_care_start"
    rows = CareEpisode.objects.filter(child_id__in=ids_in(child_ids), reason_new_episode="S").values_list(
        "child_id", "start_date", "pk"
    )
    for child_id, start, pk in rows:
        facts = context.children.get(child_id)
        if facts and _looked_after(facts) and (child_id, start) not in seen:
            seen.add((child_id, start))
            yield child_id, start, f"care-episode:{pk}"


def education_placement_started(child_ids: Sequence[int], context: EventContext) -> Iterator[Event]:
    """Every start at a school or setting (not a 'no education provision' record)."""
    for child_id in child_ids:
        facts = context.children.get(child_id)
        for placement in facts.placements if facts else []:
            if placement.setting_type != "none":
                yield child_id, placement.start, f"placement:{placement.pk}"


def changed_school(child_ids: Sequence[int], context: EventContext) -> Iterator[Event]:
    """A start at a new school or setting after an earlier one (a change of school, not the first placement)."""
    for child_id in child_ids:
        facts = context.children.get(child_id)
        placements = [p for p in (facts.placements if facts else []) if p.setting_type != "none"]
        for earlier, later in itertools.pairwise(placements):
            if later.school_id is None or later.school_id != earlier.school_id:
                yield child_id, later.start, f"placement:{later.pk}"


def without_education_placement(child_ids: Sequence[int], context: EventContext) -> Iterator[Event]:
    """The first day of each spell with no education placement: before the first placement (from joining the
    roll, or entering care), between two placements, and after the last one ended. The `school_age` condition
    on a rule keeps only the spells of school-age children."""
    for child_id in child_ids:
        facts = context.children.get(child_id)
        if facts is None or not _looked_after(facts):
            continue
        placements = [p for p in facts.placements if p.setting_type != "none"]
        joined = facts.added_to_roll_on or facts.period_of_care_start
        if not placements:
            if joined:
                yield child_id, joined, f"child:{child_id}:no-placement"
            continue
        if joined and placements[0].start > joined:
            yield child_id, joined, f"child:{child_id}:no-placement"
        covered_to = placements[0].end
        for placement in placements[1:]:
            if covered_to is not None and placement.start > covered_to + dt.timedelta(days=1):
                yield child_id, covered_to + dt.timedelta(days=1), f"placement:{placement.pk}:gap"
            covered_to = None if covered_to is None or placement.end is None else max(covered_to, placement.end)
        if covered_to is not None and covered_to < context.today:
            yield child_id, covered_to + dt.timedelta(days=1), f"child:{child_id}:placement-ended"


def part_time_hours(child_ids: Sequence[int], context: EventContext) -> Iterator[Event]:
    """A placement whose hours a week are below full time for the child's year (25 school age, 16 post-16)."""
    from virtualschool.core.calendar import national_curriculum_year

    school_age_hours = Decimal(context.policy.full_time_hours_school_age)
    post16_hours = Decimal(context.policy.full_time_hours_post16)
    for child_id in child_ids:
        facts = context.children.get(child_id)
        for placement in facts.placements if facts else []:
            if placement.hours_per_week is None or placement.setting_type == "none":
                continue
            nc_year = national_curriculum_year(facts.date_of_birth, placement.start)  # type: ignore[union-attr]
            if nc_year < 1:
                continue
            full_time = post16_hours if nc_year >= 12 else school_age_hours
            if placement.hours_per_week < full_time:
                yield child_id, placement.start, f"placement:{placement.pk}"


def sdq_carer_above_threshold(child_ids: Sequence[int], context: EventContext) -> Iterator[Event]:
    """A carer's questionnaire recorded here whose total is above the policy threshold (an SSDA903 total is
    dated 31 March, not the day it was completed, so it starts no clock: see children/selectors.py)."""
    from virtualschool.children.models import SdqScore

    rows = SdqScore.objects.filter(
        child_id__in=ids_in(child_ids),
        respondent=SdqScore.Respondent.CARER,
        emotional_score__isnull=False,
        total_score__gt=context.policy.sdq_carer_threshold,
        recorded_on__gte=context.events_from,
    ).values_list("child_id", "recorded_on", "pk")
    for child_id, recorded_on, pk in rows:
        yield child_id, recorded_on, f"sdq:{pk}"


def school_sdq_completed(child_ids: Sequence[int], context: EventContext) -> Iterator[Event]:
    from virtualschool.children.models import SdqScore

    rows = SdqScore.objects.filter(
        child_id__in=ids_in(child_ids), respondent=SdqScore.Respondent.TEACHER, recorded_on__gte=context.events_from
    ).values_list("child_id", "recorded_on", "pk")
    for child_id, recorded_on, pk in rows:
        yield child_id, recorded_on, f"sdq:{pk}"


def care_review_schedule(start: dt.date, until: dt.date) -> list[dt.date]:
    """Care reviews of a period of care that began on `start`: 28 days, 3 months, then every 6 months."""
    reviews = [start + dt.timedelta(days=28)]
    months = 3
    while True:
        reviews.append(add_months(start, months))
        if reviews[-1] > until:
            break
        months += 6
    return [day for day in reviews if day <= until]


def care_review_due(child_ids: Sequence[int], context: EventContext) -> Iterator[Event]:
    """The care reviews of the child's current period of care, to a year ahead (ended when the child leaves)."""
    horizon = add_months(context.today, 12)
    for child_id in child_ids:
        facts = context.children.get(child_id)
        if facts is None or not _looked_after(facts) or facts.period_of_care_start is None:
            continue
        until = min(horizon, facts.closed_on) if facts.closed_on else horizon
        for number, day in enumerate(care_review_schedule(facts.period_of_care_start, until), start=1):
            if day >= context.history_start:
                yield child_id, day, f"care-review:{number}"


def _terms_from(context: EventContext, first: dt.date) -> list[Any]:
    """Every term from the one containing `first` to the current one (worked out once per computation)."""
    calendar = context.calendar
    current = calendar.term_for(context.today)
    term = calendar.term_for(first)
    found = []
    while term.start <= current.start:
        found.append(term)
        term = calendar.next_term(term)
    return found


def term_started(child_ids: Sequence[int], context: EventContext) -> Iterator[Event]:
    """The first day of each term the child was looked after, to the current term (for termly duties)."""
    terms = _terms_from(context, context.history_start)
    for child_id in child_ids:
        facts = context.children.get(child_id)
        if facts is None or not _looked_after(facts) or facts.period_of_care_start is None:
            continue
        began = facts.period_of_care_start
        for term in terms:
            if term.end < began:
                continue
            if facts.closed_on is not None and term.start > facts.closed_on:
                break
            yield child_id, max(term.start, began), f"term:{term.key}"


def academic_year_started(child_ids: Sequence[int], context: EventContext) -> Iterator[Event]:
    """The first day of each academic year's autumn term the child was looked after (or the day they entered
    care, in their first year), to the current year (for yearly duties)."""
    autumns = [term for term in _terms_from(context, context.history_start) if term.term == "autumn"]
    first_year = context.calendar.term_for(context.history_start).academic_year
    if not autumns or autumns[0].academic_year != first_year:
        autumns.insert(0, context.calendar.term(first_year, "autumn"))
    for child_id in child_ids:
        facts = context.children.get(child_id)
        if facts is None or not _looked_after(facts) or facts.period_of_care_start is None:
            continue
        began = facts.period_of_care_start
        for index, autumn in enumerate(autumns):
            following = autumns[index + 1].start if index + 1 < len(autumns) else dt.date.max
            if following <= began:
                continue
            if facts.closed_on is not None and autumn.start > facts.closed_on:
                break
            yield child_id, max(autumn.start, began), f"academic-year:{autumn.academic_year}"


def register_roll_sources() -> None:
    """The sources main can answer (called from DutiesConfig.ready)."""
    register_event_source(
        "care_status_received", _child_dates("care_status_received_on"), label="Care status received", app="children"
    )
    register_event_source("added_to_roll", _child_dates("added_to_roll_on"), label="Added to the roll", app="children")
    register_event_source(
        "closure_notified",
        _child_dates("closure_notified_on"),
        label="Closure received from social care",
        app="children",
        runs_after_leaving=True,
    )
    register_event_source(
        "removed_from_roll",
        _child_dates("removed_from_roll_on"),
        label="Removed from the roll",
        app="children",
        runs_after_leaving=True,
    )
    register_event_source("entered_care", entered_care, label="Entered care (period of care began)", app="children")
    register_event_source(
        "left_care",
        _child_dates("closed_on", looked_after_only=True),
        label="Left care (closure date)",
        app="children",
        runs_after_leaving=True,
    )
    register_event_source(
        "care_review_due", care_review_due, label="Care review (28 days, 3 months, then 6-monthly)", app="children"
    )
    register_event_source("term_started", term_started, label="Term began while looked after", app="duties")
    register_event_source(
        "academic_year_started", academic_year_started, label="Academic year began while looked after", app="duties"
    )
    register_event_source(
        "education_placement_started", education_placement_started, label="Education placement began", app="placements"
    )
    register_event_source("changed_school", changed_school, label="Placed at a new school", app="placements")
    register_event_source(
        "without_education_placement",
        without_education_placement,
        label="Without an education placement",
        app="placements",
    )
    register_event_source(
        "part_time_hours", part_time_hours, label="Education placement below full-time hours", app="placements"
    )
    register_event_source(
        "sdq_carer_above_threshold",
        sdq_carer_above_threshold,
        label="Carer's SDQ total above the threshold",
        app="children",
    )
    register_event_source("school_sdq_completed", school_sdq_completed, label="School SDQ completed", app="children")

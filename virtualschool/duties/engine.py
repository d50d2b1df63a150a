"""The duties engine: every rule applied to every child, from the records themselves.

For each active rule whose start and met-by event kinds both have a source (`duties/events.py`), each start
event of a child opens a clock: its due date is computed from the start date, the rule's duration and unit
(working days, school days, calendar days, weeks, months, or to the end of a term) with the authority's
calendar; the clock is met by the first met-by event on or after the start and before the rule's next start
for that child (a new clock supersedes an old one, which stays as it was: met late, or overdue). A rule due
*before* its start event (a PEP before a care review) is met by an event since the previous start.

States, on `today`: met on time (met on or before the due date), met late, overdue (not met, due date
passed), due (not met, due within the settings' due-soon days, which includes due today), upcoming.

A clock whose child has left care is dropped when it was not met and fell due after they left (nothing is
owed any more), unless its start event runs after leaving (removing a child from the roll).
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import gc
import itertools
import operator
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from virtualschool.core.calendar import SchoolCalendar, add_months, add_working_days, is_working_day, school_calendar
from virtualschool.core.selectors import policy_get

from . import events
from .models import DutyInstance, DutyRule, DutySettings, OwnerRole, Recurrence, State, Unit

CHUNK = 2000  # children per pass: bounds memory and the size of each IN (...) list


class Computed(NamedTuple):
    """One clock as computed (a named tuple: the engine makes hundreds of thousands of them)."""

    child_id: int
    rule_id: int
    started_on: dt.date
    due_on: dt.date
    met_on: dt.date | None
    state: str
    owner_id: int | None
    reference: str
    met_reference: str
    school_id: int | None
    in_area: bool | None

    @property
    def key(self) -> tuple[int, int, dt.date]:
        return (self.child_id, self.rule_id, self.started_on)

    def values(self) -> tuple[Any, ...]:
        return (
            self.due_on,
            self.met_on,
            self.state,
            self.owner_id,
            self.reference,
            self.met_reference,
            self.school_id,
            self.in_area,
        )


VALUE_FIELDS = ("due_on", "met_on", "state", "owner_id", "reference", "met_reference", "school_id", "in_area")


@dataclass
class RuleStatus:
    rule: DutyRule
    measured: bool
    missing: list[str] = field(default_factory=list)  # event kinds no source provides

    @property
    def reason(self) -> str:
        if self.measured:
            return ""
        if not self.rule.active:
            return "Switched off in configuration."
        labels = [f"{events.kind_label(kind)} ({kind})" for kind in self.missing]
        expected = sorted({events.EXPECTED_KINDS[k][0] for k in self.missing if k in events.EXPECTED_KINDS})
        text = "Not yet measured: no records say " + " or ".join(labels)
        if expected:
            text += f" (expected from the {', '.join(expected)} feature{'s' if len(expected) > 1 else ''})"
        return text + "."


def rule_status(rule: DutyRule) -> RuleStatus:
    missing = [kind for kind in (rule.start_event, rule.met_by_event) if kind and not events.provides(kind)]
    return RuleStatus(rule, measured=rule.active and not missing, missing=missing)


def rule_statuses(rules: Iterable[DutyRule] | None = None) -> list[RuleStatus]:
    return [rule_status(rule) for rule in (rules if rules is not None else DutyRule.objects.all())]


def measured_rules() -> list[DutyRule]:
    return [status.rule for status in rule_statuses(DutyRule.objects.filter(active=True)) if status.measured]


def settings_get() -> DutySettings:
    found, _ = DutySettings.objects.get_or_create(pk=1)
    return found


# ---------------------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------------------


def _subtract_working_days(day: dt.date, days: int) -> dt.date:
    current, remaining = day, days
    while remaining:
        current -= dt.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def _subtract_school_days(calendar: SchoolCalendar, day: dt.date, days: int) -> dt.date:
    current = day
    for _ in range(days):
        current = calendar.previous_school_day(current)
    return current


class DayIndex:
    """Working days and school days between two dates as sorted lists, so that adding or taking away n of them is
    a binary search rather than a walk through the calendar (the same answers as core.calendar, which it is
    built from; dates outside the range fall back to core.calendar)."""

    def __init__(self, calendar: SchoolCalendar, first: dt.date, last: dt.date) -> None:
        self.calendar = calendar
        self.first, self.last = first, last
        self.working: list[dt.date] = []
        self.school: list[dt.date] = []
        day = first
        while day <= last:
            if is_working_day(day):
                self.working.append(day)
                if calendar.is_school_day(day):
                    self.school.append(day)
            day += dt.timedelta(days=1)

    def _days(self, unit: str) -> list[dt.date]:
        return self.working if unit == Unit.WORKING_DAYS else self.school

    def add(self, start: dt.date, n: int, unit: str) -> dt.date:
        days = self._days(unit)
        if n == 0:
            return start
        index = bisect.bisect_right(days, start) + n - 1
        if start >= self.first and index < len(days):
            return days[index]
        if unit == Unit.WORKING_DAYS:
            return add_working_days(start, n)
        return self.calendar.add_school_days(start, n)

    def subtract(self, start: dt.date, n: int, unit: str) -> dt.date:
        days = self._days(unit)
        if n == 0:
            return start
        index = bisect.bisect_left(days, start) - n
        if start <= self.last and index >= 0:
            return days[index]
        if unit == Unit.WORKING_DAYS:
            return _subtract_working_days(start, n)
        return _subtract_school_days(self.calendar, start, n)


def due_date(rule: DutyRule, start: dt.date, calendar: SchoolCalendar, days: DayIndex | None = None) -> dt.date:
    """When a clock of `rule` that started on `start` falls due."""
    n, unit = rule.duration, rule.unit
    if days is not None and unit in (Unit.WORKING_DAYS, Unit.SCHOOL_DAYS):
        return days.subtract(start, n, unit) if rule.before_start else days.add(start, n, unit)
    if rule.before_start:
        if unit == Unit.WORKING_DAYS:
            return _subtract_working_days(start, n)
        if unit == Unit.SCHOOL_DAYS:
            return _subtract_school_days(calendar, start, n)
        if unit == Unit.CALENDAR_DAYS:
            return start - dt.timedelta(days=n)
        if unit == Unit.WEEKS:
            return start - dt.timedelta(weeks=n)
        if unit == Unit.MONTHS:
            return add_months(start, -n)
        raise ValueError(f"A duty due before its start cannot be counted in {unit}.")
    if unit == Unit.WORKING_DAYS:
        return add_working_days(start, n)
    if unit == Unit.SCHOOL_DAYS:
        return calendar.add_school_days(start, n)
    if unit == Unit.CALENDAR_DAYS:
        return start + dt.timedelta(days=n)
    if unit == Unit.WEEKS:
        return start + dt.timedelta(weeks=n)
    if unit == Unit.MONTHS:
        return add_months(start, n)
    if unit == Unit.TERMS:
        term = calendar.term_for(start)
        for _ in range(max(n, 1) - 1):
            term = calendar.next_term(term)
        return term.end
    raise ValueError(f"Unknown unit {unit!r}.")


def state_of(*, due_on: dt.date, met_on: dt.date | None, today: dt.date, due_soon_days: int) -> str:
    if met_on is not None:
        return State.MET_ON_TIME if met_on <= due_on else State.MET_LATE
    if today > due_on:
        return State.OVERDUE
    if (due_on - today).days <= due_soon_days:
        return State.DUE
    return State.UPCOMING


# ---------------------------------------------------------------------------------------------------------
# Conditions: each a test of the child on the clock's start date
# ---------------------------------------------------------------------------------------------------------


def _nc_year(facts: events.ChildFacts, on: dt.date) -> int:
    from virtualschool.core.calendar import national_curriculum_year

    return national_curriculum_year(facts.date_of_birth, on)


def _age(facts: events.ChildFacts, on: dt.date) -> int:
    born = facts.date_of_birth
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def condition_holds(name: str, facts: events.ChildFacts, on: dt.date, la_code: str) -> bool:
    if name == "looked_after":
        return facts.cohort == "cla"
    if name == "school_age":
        return 1 <= _nc_year(facts, on) <= 11
    if name == "post16":
        return _nc_year(facts, on) >= 12
    if name == "age_4_to_16":
        return 4 <= _age(facts, on) <= 16
    if name in {"in_area", "out_of_area"}:
        placement = facts.placement_on(on)
        if placement is None or not placement.la_code:
            return False
        return (placement.la_code == la_code) == (name == "in_area")
    raise ValueError(f"Unknown condition {name!r}.")


# ---------------------------------------------------------------------------------------------------------
# Loading and computing
# ---------------------------------------------------------------------------------------------------------


def load_facts(child_ids: Sequence[int]) -> dict[int, events.ChildFacts]:
    """Everything the engine and the roll's sources need about these children, in two queries."""
    from virtualschool.children.models import Child
    from virtualschool.placements.models import EducationPlacement

    facts: dict[int, events.ChildFacts] = {}
    rows = Child.objects.filter(pk__in=events.ids_in(child_ids)).values_list(
        "pk",
        "cohort",
        "date_of_birth",
        "period_of_care_start",
        "closed_on",
        "care_status_received_on",
        "added_to_roll_on",
        "closure_notified_on",
        "removed_from_roll_on",
        "allocated_lead_id",
        "social_worker_id",
        "reviewing_officer_id",
    )
    for row in rows:
        facts[row[0]] = events.ChildFacts(*row)
    placements = (
        EducationPlacement.objects.filter(child_id__in=events.ids_in(child_ids))
        .order_by("child_id", "start_date", "pk")
        .values_list(
            "child_id",
            "start_date",
            "end_date",
            "school_id",
            "school__la_code",
            "setting_type",
            "hours_per_week",
            "designated_teacher_id",
            "pk",
        )
    )
    for child_id, start, end, school_id, la_code, setting, hours, dt_id, pk in placements:
        if child_id in facts:
            facts[child_id].placements.append(
                events.PlacementFacts(start, end, school_id, la_code or "", setting, hours, dt_id, pk)
            )
    return facts


def _head_id() -> int | None:
    from virtualschool.accounts.models import Role

    return (
        get_user_model()
        .objects.filter(role=Role.VIRTUAL_SCHOOL_HEAD, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )


def _owner(role: str, facts: events.ChildFacts, on: dt.date, head_id: int | None) -> int | None:
    if role == OwnerRole.LEAD:
        return facts.allocated_lead_id
    if role == OwnerRole.SOCIAL_WORKER:
        return facts.social_worker_id
    if role == OwnerRole.REVIEWING_OFFICER:
        return facts.reviewing_officer_id
    if role == OwnerRole.DESIGNATED_TEACHER:
        placement = facts.placement_on(on)
        return placement.designated_teacher_id if placement else None
    if role == OwnerRole.HEAD:
        return head_id
    return None


def _events_by_child(kind: str, child_ids: Sequence[int], context: events.EventContext) -> dict[int, list]:
    """A source's events grouped by child: each child's `(child_id, date, reference)` rows in date order, one per
    date (the first reference). Sorting and grouping are done by the C built-ins, not row by row."""
    source = events.event_source(kind)
    if source is None:
        return {}
    rows = list(source.fn(child_ids, context))
    rows.sort(key=_child_and_day)
    result: dict[int, list] = {}
    for child_id, group in itertools.groupby(rows, key=_child):
        found = list(group)
        if len(found) > 1 and len({row[1] for row in found}) < len(found):
            kept = [found[0]]
            for row in found[1:]:
                if row[1] != kept[-1][1]:
                    kept.append(row)
            found = kept
        result[child_id] = found
    return result


_child = operator.itemgetter(0)
_child_and_day = operator.itemgetter(0, 1)


@dataclass
class Engine:
    """One computation: the rules, calendar and settings loaded once, children worked through in chunks."""

    today: dt.date
    rules: list[DutyRule]
    calendar: SchoolCalendar
    policy: Any
    settings: DutySettings
    head_id: int | None
    history_start: dt.date = field(init=False)  # clocks due before this are not kept

    @classmethod
    def load(cls, today: dt.date | None = None, rules: list[DutyRule] | None = None) -> Engine:
        return cls(
            today=today or timezone.localdate(),
            rules=rules if rules is not None else measured_rules(),
            calendar=school_calendar(),
            policy=policy_get(),
            settings=settings_get(),
            head_id=_head_id(),
        )

    def __post_init__(self) -> None:
        self.history_start = add_months(self.today, -12 * self.settings.history_years)
        self._due: dict[tuple[int, dt.date], dt.date] = {}
        # Working and school days from well before the history kept to two years ahead, for the due dates.
        self._days = DayIndex(self.calendar, add_months(self.history_start, -24), add_months(self.today, 24))

    def due(self, rule: DutyRule, start: dt.date) -> dt.date:
        """`due_date`, remembered for the computation: many children share a rule and a start date."""
        key = (rule.id, start)
        found = self._due.get(key)
        if found is None:
            found = self._due[key] = due_date(rule, start, self.calendar, self._days)
        return found

    def context(self, facts: dict[int, events.ChildFacts]) -> events.EventContext:
        return events.EventContext(self.today, self.calendar, self.policy, self.history_start, facts)

    def compute(self, child_ids: Sequence[int]) -> list[Computed]:
        """Every clock of these children (one chunk), in no particular order."""
        facts = load_facts(child_ids)
        ids = list(facts)
        context = self.context(facts)
        cache: dict[str, dict[int, list]] = {}

        def kind_events(kind: str) -> dict[int, list]:
            if kind not in cache:
                cache[kind] = _events_by_child(kind, ids, context)
            return cache[kind]

        found: list[Computed] = []
        for rule in self.rules:
            source = events.event_source(rule.start_event)
            runs_after_leaving = bool(source and source.runs_after_leaving)
            starts_by_child = kind_events(rule.start_event)
            met_by_child = kind_events(rule.met_by_event)
            for child_id, starts in starts_by_child.items():
                child = facts.get(child_id)
                if child is None:
                    continue
                self._clocks(rule, child, starts, met_by_child.get(child_id, []), runs_after_leaving, found)
        return found

    def _clocks(
        self,
        rule: DutyRule,
        child: events.ChildFacts,
        starts: list[tuple[int, dt.date, str]],
        met: list[tuple[int, dt.date, str]],
        runs_after_leaving: bool,
        out: list[Computed],
    ) -> None:
        """Append the clocks of one rule for one child to `out` (the engine's innermost loop: kept lean)."""
        met_days = [row[1] for row in met]
        met_count = len(met_days)
        la_code = self.policy.la_code
        history_start = self.history_start
        today = self.today
        due_soon_days = self.settings.due_soon_days
        closed_on = child.closed_on
        before_start = rule.before_start
        repeating = rule.recurrence == Recurrence.REPEAT
        by_teacher = rule.owner_role == OwnerRole.DESIGNATED_TEACHER
        owner_id = None if by_teacher else _owner(rule.owner_role, child, today, self.head_id)
        last = len(starts) - 1
        due_cache = self._due
        rule_id = rule.id
        for index, (_, start, reference) in enumerate(starts):
            if not runs_after_leaving and closed_on is not None and start > closed_on:
                continue
            if rule.conditions and not all(condition_holds(name, child, start, la_code) for name in rule.conditions):
                continue
            next_start = starts[index + 1][1] if index < last else dt.date.max
            # (clock start, window for the met-by event from, window to), one or a repeating series
            if repeating:
                series: list[tuple[dt.date, dt.date, dt.date]] = []
                clock = start
                while clock < next_start and clock <= today:
                    if closed_on is not None and clock > closed_on:
                        break
                    following = self.due(rule, clock)
                    series.append((clock, clock, min(following, next_start) if following > clock else next_start))
                    if following <= clock:
                        break
                    clock = following
            elif before_start:
                series = [(start, starts[index - 1][1] if index else dt.date.min, next_start)]
            else:
                series = [(start, start, next_start)]
            for clock, window_from, window_to in series:
                due_on = due_cache.get((rule_id, clock)) or self.due(rule, clock)
                if due_on < history_start:
                    continue
                met_on: dt.date | None = None
                met_reference = ""
                if met_count:
                    position = bisect.bisect_left(met_days, window_from)
                    if position < met_count and met_days[position] < window_to:
                        _, met_on, met_reference = met[position]
                if met_on is not None:
                    state = State.MET_ON_TIME if met_on <= due_on else State.MET_LATE
                elif closed_on is not None and not runs_after_leaving and due_on > closed_on:
                    continue  # nothing is owed once the child has left
                elif today > due_on:
                    state = State.OVERDUE
                elif (due_on - today).days <= due_soon_days:
                    state = State.DUE
                else:
                    state = State.UPCOMING
                where = child.placement_on(due_on if before_start else clock)
                if by_teacher:
                    owner_id = where.designated_teacher_id if where is not None else None
                out.append(
                    Computed(
                        child.pk,
                        rule_id,
                        clock,
                        due_on,
                        met_on,
                        state,
                        owner_id,
                        reference if clock == start else f"{reference}:repeat:{clock.isoformat()}",
                        met_reference,
                        where.school_id if where is not None else None,
                        (where.la_code == la_code) if where is not None and where.la_code else None,
                    )
                )


# ---------------------------------------------------------------------------------------------------------
# Storing
# ---------------------------------------------------------------------------------------------------------


@dataclass
class RefreshResult:
    children: int = 0
    computed: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    notified: int = 0
    transitions: list[tuple[int, str]] = field(default_factory=list)  # (instance id, new state) due/overdue

    def add(self, other: RefreshResult) -> None:
        self.children += other.children
        self.computed += other.computed
        self.created += other.created
        self.updated += other.updated
        self.deleted += other.deleted
        self.notified += other.notified
        self.transitions.extend(other.transitions)

    def summary(self) -> str:
        return (
            f"{self.children} children: {self.computed} duties computed, {self.created} new, {self.updated} changed, "
            f"{self.deleted} removed, {self.notified} notifications"
        )


NOTIFY_STATES = frozenset({State.DUE, State.OVERDUE})


def _store(engine: Engine, child_ids: Sequence[int], computed: list[Computed]) -> RefreshResult:
    result = RefreshResult(children=len(child_ids), computed=len(computed))
    existing = {
        (row[1], row[2], row[3]): row
        for row in DutyInstance.objects.filter(child_id__in=events.ids_in(child_ids)).values_list(
            "pk", "child_id", "rule_id", "started_on", *VALUE_FIELDS
        )
    }
    create: list[DutyInstance] = []
    update: list[DutyInstance] = []
    for item in computed:
        row = existing.pop(item.key, None)
        if len(item.reference) > 100 or len(item.met_reference) > 100:
            item = item._replace(reference=item.reference[:100], met_reference=item.met_reference[:100])
        if row is None:
            create.append(
                DutyInstance(
                    child_id=item.child_id,
                    rule_id=item.rule_id,
                    started_on=item.started_on,
                    computed_on=engine.today,
                    **dict(zip(VALUE_FIELDS, item.values(), strict=True)),
                )
            )
            continue
        if tuple(row[4:]) != item.values():
            instance = DutyInstance(
                pk=row[0], computed_on=engine.today, **dict(zip(VALUE_FIELDS, item.values(), strict=True))
            )
            update.append(instance)
            if item.state in NOTIFY_STATES and row[6] != item.state:
                result.transitions.append((row[0], item.state))
    stale = [row[0] for row in existing.values()]
    if stale:
        for start in range(0, len(stale), 1000):
            DutyInstance.objects.filter(pk__in=stale[start : start + 1000]).delete()
    if create:
        made = DutyInstance.objects.bulk_create(create, batch_size=2000)
        first_seen_from = engine.today - dt.timedelta(days=engine.settings.notify_first_seen_days)
        for instance in made:
            if instance.state in NOTIFY_STATES and instance.due_on >= first_seen_from and instance.pk:
                result.transitions.append((instance.pk, instance.state))
    if update:
        DutyInstance.objects.bulk_update(update, [*VALUE_FIELDS, "computed_on"], batch_size=500)
    result.created, result.updated, result.deleted = len(create), len(update), len(stale)
    return result


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while a computation makes hundreds of thousands of tuples (none in a
    cycle): otherwise it rescans them all again and again, which doubles the time. Restored afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def compute_all(child_ids: Sequence[int] | None = None, *, today: dt.date | None = None) -> list[Computed]:
    """Every duty of these children (all children when None), computed and not stored (for the benchmark)."""
    engine = Engine.load(today)
    found: list[Computed] = []
    with _collector_paused():
        for chunk in _chunks(child_ids):
            found.extend(engine.compute(chunk))
    return found


def _chunks(child_ids: Sequence[int] | None) -> Iterable[list[int]]:
    from virtualschool.children.models import Child

    ids = list(child_ids) if child_ids is not None else list(Child.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def refresh(
    child_ids: Sequence[int] | None = None, *, today: dt.date | None = None, notify: bool = True
) -> RefreshResult:
    """Recompute and store the duties of these children (every child when None), then tell owners of duties
    that have just become due soon or overdue. Each chunk is one transaction: a failure leaves it as it was."""
    from .notifications import notify_transitions

    engine = Engine.load(today)
    total = RefreshResult()
    for chunk in _chunks(child_ids):
        with transaction.atomic():
            with _collector_paused():
                computed = engine.compute(chunk)
            chunk_result = _store(engine, chunk, computed)
            if notify and chunk_result.transitions:
                chunk_result.notified = notify_transitions(chunk_result.transitions)
        total.add(chunk_result)
    return total

"""Every read of duties, scoped exactly as the children selectors scope children."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from virtualschool.accounts.models import WHOLE_ROLL_ROLES
from virtualschool.children.models import Child
from virtualschool.children.selectors import child_scope_q
from virtualschool.core.calendar import academic_year_start

from .models import DECIDED_STATES, DutyInstance, DutyRule, State


def duties_visible_to(user: Any) -> QuerySet[DutyInstance]:
    """Duty instances of the children `user` may see."""
    scope = child_scope_q(user)
    qs = DutyInstance.objects.all()
    if scope is None:
        return qs
    return qs.filter(child__in=Child.objects.filter(scope).values("pk"))


def duties_for_child(*, user: Any, child: Child) -> QuerySet[DutyInstance]:
    """A child's duties, soonest due first (empty when `user` may not see the child)."""
    return (
        duties_visible_to(user)
        .filter(child=child)
        .select_related("rule", "owner", "school")
        .order_by("-due_on", "rule__order", "pk")
    )


def caseload_duties(*, user: Any, mine_only: bool = False) -> QuerySet[DutyInstance]:
    """The duties that are `user`'s work: for a Virtual School member, those of their own allocated children (as
    on 'My caseload'); for everyone else, those of the children they may see (their pupils, their allocated
    children). `mine_only` keeps the duties `user` owns."""
    if getattr(user, "is_authenticated", False) and user.role in WHOLE_ROLL_ROLES:
        qs = DutyInstance.objects.filter(child__allocated_lead=user)
    else:
        qs = duties_visible_to(user)
    return qs.filter(owner=user) if mine_only else qs


@dataclass(frozen=True, slots=True)
class WorkItem:
    """A line of My work: a duty with what the list shows of its child, rule and owner."""

    id: int
    child_id: int
    child_name: str
    rule: DutyRule
    owner_id: int | None
    owner_name: str
    started_on: dt.date
    due_on: dt.date
    state: str


def _work_list(user: Any, state: str, mine_only: bool) -> list[WorkItem]:
    """One state's duties across the caseload, soonest due first: one query for the duties with their children's
    names; the rules (a few dozen) and the owners' names are looked up once, not joined row by row."""
    rows = list(
        caseload_duties(user=user, mine_only=mine_only)
        .filter(state=state)
        .order_by("due_on", "pk")
        .values_list(
            "pk",
            "child_id",
            "child__first_name",
            "child__preferred_name",
            "child__last_name",
            "rule_id",
            "owner_id",
            "started_on",
            "due_on",
        )
    )
    rules = {rule.pk: rule for rule in DutyRule.objects.all()}
    owner_ids = {row[6] for row in rows if row[6]}
    owners = (
        {pk: full or username for pk, full, username in
         get_user_model().objects.filter(pk__in=owner_ids).values_list("pk", "full_name", "username")}
        if owner_ids else {}
    )  # fmt: skip
    return [
        WorkItem(pk, child_id, f"{preferred or first} {last}", rules[rule_id], owner_id,
                 owners.get(owner_id, "") if owner_id else "", started_on, due_on, state)
        for pk, child_id, first, preferred, last, rule_id, owner_id, started_on, due_on in rows
    ]  # fmt: skip


def overdue_for(*, user: Any, mine_only: bool = False) -> list[WorkItem]:
    """Overdue duties across `user`'s caseload, longest overdue first."""
    return _work_list(user, State.OVERDUE, mine_only)


def due_soon_for(*, user: Any, mine_only: bool = False) -> list[WorkItem]:
    """Duties due within the due-soon days (this week) across `user`'s caseload, soonest first."""
    return _work_list(user, State.DUE, mine_only)


# ---------------------------------------------------------------------------------------------------------
# Compliance: for each duty, the share met on time
# ---------------------------------------------------------------------------------------------------------

GROUPS = {"lead": "child__allocated_lead_id", "school": "school_id", "area": "in_area"}
OUTCOMES = {
    "decided": DECIDED_STATES,
    "on_time": frozenset({State.MET_ON_TIME}),
    "late": frozenset({State.MET_LATE}),
    "overdue": frozenset({State.OVERDUE}),
}


@dataclass
class Figure:
    decided: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0

    @property
    def share(self) -> float | None:
        return None if not self.decided else round(100 * self.on_time / self.decided, 1)


@dataclass
class RuleCompliance:
    rule: DutyRule
    total: Figure
    groups: dict[Any, Figure] = field(default_factory=dict)


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """From 1 September of the current academic year to today."""
    return dt.date(academic_year_start(today), 9, 1), today


def _decided(user: Any, start: dt.date, end: dt.date) -> QuerySet[DutyInstance]:
    """Duties decided in the period: those that fell due in it (met on time, met late or overdue), and those met
    on time in it ahead of a due date after it (so meeting a duty early counts at once)."""
    fell_due = Q(due_on__range=(start, end), state__in=DECIDED_STATES)
    met_early = Q(state=State.MET_ON_TIME, met_on__range=(start, end), due_on__gt=end)
    return duties_visible_to(user).filter(fell_due | met_early)


def compliance(*, user: Any, start: dt.date, end: dt.date, by: str = "") -> list[RuleCompliance]:
    """For each rule with duties due in the period, the counts and share met on time (and by `by`: lead, school
    or area). One aggregate query; the figures are counts of the stored instances, the list behind each is
    `compliance_list` with the same arguments."""
    if by and by not in GROUPS:
        raise ValueError(f"Group by one of {', '.join(GROUPS)}, not {by!r}.")
    keys = ["rule_id", *([GROUPS[by]] if by else [])]
    rows = (
        _decided(user, start, end)
        .order_by()
        .values(*keys)
        .annotate(
            decided=Count("pk"),
            on_time=Count("pk", filter=Q(state=State.MET_ON_TIME)),
            late=Count("pk", filter=Q(state=State.MET_LATE)),
            overdue=Count("pk", filter=Q(state=State.OVERDUE)),
        )
    )
    rules = {rule.pk: rule for rule in DutyRule.objects.all()}
    found: dict[int, RuleCompliance] = {}
    for row in rows:
        rule = rules[row["rule_id"]]
        entry = found.setdefault(rule.pk, RuleCompliance(rule, Figure()))
        figure = Figure(row["decided"], row["on_time"], row["late"], row["overdue"])
        for name in ("decided", "on_time", "late", "overdue"):
            setattr(entry.total, name, getattr(entry.total, name) + getattr(figure, name))
        if by:
            entry.groups[row[GROUPS[by]]] = figure
    return sorted(found.values(), key=lambda entry: (entry.rule.order, entry.rule.slug))


def compliance_list(
    *,
    user: Any,
    rule: DutyRule,
    start: dt.date,
    end: dt.date,
    by: str = "",
    value: Any = None,
    outcome: str = "decided",
) -> QuerySet[DutyInstance]:
    """The duties behind one compliance figure."""
    if outcome not in OUTCOMES:
        raise ValueError(f"Outcome is one of {', '.join(OUTCOMES)}, not {outcome!r}.")
    qs = _decided(user, start, end).filter(rule=rule, state__in=OUTCOMES[outcome])
    if by:
        if by not in GROUPS:
            raise ValueError(f"Group by one of {', '.join(GROUPS)}, not {by!r}.")
        qs = qs.filter(**({f"{GROUPS[by]}__isnull": True} if value is None else {GROUPS[by]: value}))
    return qs.select_related("child", "child__allocated_lead", "owner", "school", "rule").order_by("due_on", "pk")

"""Every read of duties, scoped exactly as the children selectors scope children."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from virtualschool.accounts.models import WHOLE_ROLL_ROLES
from virtualschool.children.models import Child
from virtualschool.children.selectors import child_scope_q, children_visible_to
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


def caseload_children(user: Any) -> QuerySet[Child]:
    """The children whose duties are `user`'s work: a Virtual School member's own allocation (as on 'My
    caseload'); for everyone else, the children they may see (their pupils, their allocated children)."""
    if getattr(user, "is_authenticated", False) and user.role in WHOLE_ROLL_ROLES:
        return Child.objects.filter(allocated_lead=user)
    return children_visible_to(user)


def caseload_duties(*, user: Any, mine_only: bool = False) -> QuerySet[DutyInstance]:
    if getattr(user, "is_authenticated", False) and user.role in WHOLE_ROLL_ROLES:
        qs = DutyInstance.objects.filter(child__allocated_lead=user)
    else:
        qs = duties_visible_to(user)
    if mine_only:
        qs = qs.filter(owner=user)
    return qs.select_related("rule", "owner", "child")


LIST_FIELDS = ("id", "child_id", "rule_id", "owner_id", "started_on", "due_on", "met_on", "state", "reference",
               "child__first_name", "child__last_name", "child__preferred_name")  # fmt: skip


def _work_list(user: Any, state: str, mine_only: bool) -> list[DutyInstance]:
    """One state's duties across the caseload, soonest due first, with child, rule and owner attached: one query
    for the duties and their children; the rules (a few dozen) and owners are looked up once, not joined per row."""
    if getattr(user, "is_authenticated", False) and user.role in WHOLE_ROLL_ROLES:
        qs = DutyInstance.objects.filter(child__allocated_lead=user)
    else:
        qs = duties_visible_to(user)
    if mine_only:
        qs = qs.filter(owner=user)
    rows = list(qs.filter(state=state).select_related("child").only(*LIST_FIELDS).order_by("due_on", "pk"))
    rules = {rule.pk: rule for rule in DutyRule.objects.all()}
    owner_ids = {row.owner_id for row in rows if row.owner_id}
    owners = {person.pk: person for person in get_user_model().objects.filter(pk__in=owner_ids)} if owner_ids else {}
    for row in rows:
        row.rule = rules[row.rule_id]
        row.owner = owners.get(row.owner_id) if row.owner_id else None
    return rows


def overdue_for(*, user: Any, mine_only: bool = False) -> list[DutyInstance]:
    """Overdue duties across `user`'s caseload, longest overdue first."""
    return _work_list(user, State.OVERDUE, mine_only)


def due_soon_for(*, user: Any, mine_only: bool = False) -> list[DutyInstance]:
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
    """Duties that fell due in the period and are decided: met (on time or late) or overdue."""
    return duties_visible_to(user).filter(due_on__range=(start, end), state__in=DECIDED_STATES)


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

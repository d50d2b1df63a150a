"""Every read of Pupil Premium Plus records, scoped to the user.

- The Head, service manager and data specialist see every application, the budget and the ledger.
- A Virtual School Lead sees applications for the children allocated to them and those they made.
- A designated teacher sees applications for their school's children (the roll's scope) and those they made.
- A panel member sees the applications on the panels they sit on, and nothing else of the roll.
- A lead or designated teacher sees a decision from its `visible_on` day; the panel and the Head at once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from virtualschool.accounts.models import Role
from virtualschool.children.models import Child
from virtualschool.children.selectors import children_visible_to
from virtualschool.core import extensions
from virtualschool.core.calendar import school_calendar

from . import hooks
from .models import (
    Application,
    Decision,
    Fund,
    FundedTarget,
    GrantYear,
    InterventionType,
    LedgerEntry,
    Panel,
    PupilPremiumPolicy,
    TopSlicePurpose,
    Vote,
)

K = LedgerEntry.Kind
BUDGET_ROLES = frozenset({Role.VIRTUAL_SCHOOL_HEAD, Role.SERVICE_MANAGER, Role.DATA_SPECIALIST})


def pp_policy_get() -> PupilPremiumPolicy:
    policy, _ = PupilPremiumPolicy.objects.get_or_create(pk=1)
    return policy


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def sees_all_applications(user: Any) -> bool:
    return _active(user) and user.role in BUDGET_ROLES


# --- Grant years and the budget -------------------------------------------------------------------------------


def current_grant_year() -> GrantYear | None:
    return GrantYear.objects.filter(is_current=True).first() or GrantYear.objects.order_by("-starts_on").first()


def grant_years() -> QuerySet[GrantYear]:
    return GrantYear.objects.order_by("-starts_on")


@dataclass(frozen=True)
class Balance:
    """A fund's position, all in pence: remaining = total − committed − spent exactly."""

    fund: str
    total: int
    committed: int
    spent: int

    @property
    def remaining(self) -> int:
        return self.total - self.committed - self.spent

    @property
    def fund_label(self) -> str:
        return Fund(self.fund).label


def _sum(kind: str | list[str]) -> Coalesce:
    kinds = [kind] if isinstance(kind, str) else kind
    return Coalesce(Sum("amount_pence", filter=Q(kind__in=kinds)), Value(0), output_field=IntegerField())


def _balance_aggregates() -> dict[str, Any]:
    return {
        "income": _sum(K.INCOME),
        "reduction": _sum(K.REDUCTION),
        "commit": _sum(K.COMMIT),
        "release": _sum(K.RELEASE),
        "pay": _sum(K.PAY),
        "spend": _sum(K.SPEND),
    }


def _balance_from(fund: str, row: dict[str, Any]) -> Balance:
    return Balance(
        fund=fund,
        total=int(row["income"]) - int(row["reduction"]),
        committed=int(row["commit"]) - int(row["release"]) - int(row["pay"]),
        spent=int(row["pay"]) + int(row["spend"]),
    )


def balance(grant_year: GrantYear, fund: str = Fund.PP_PLUS) -> Balance:
    """The fund's position from its ledger (one aggregate query). Services call this with the year row locked."""
    row = LedgerEntry.objects.filter(grant_year=grant_year, fund=fund).aggregate(**_balance_aggregates())
    return _balance_from(fund, row)


def balances(grant_year: GrantYear) -> dict[str, Balance]:
    """Every fund's position in one query."""
    rows: dict[str, dict[str, Any]] = {
        r["fund"]: dict(r)
        for r in LedgerEntry.objects.filter(grant_year=grant_year)
        .values("fund")
        .order_by("fund")
        .annotate(**_balance_aggregates())
    }
    empty = dict.fromkeys(_balance_aggregates(), 0)
    return {fund: _balance_from(fund, rows.get(fund, empty)) for fund in Fund.values}


@dataclass
class BreakdownRow:
    key: Any
    label: str
    committed: int
    spent: int

    @property
    def total(self) -> int:
        return self.committed + self.spent


def _signed_committed() -> Sum:
    return Sum(
        Case(
            When(kind=K.COMMIT, then="amount_pence"),
            When(kind__in=[K.RELEASE, K.PAY], then=-1 * F("amount_pence")),
            default=0,
            output_field=IntegerField(),
        )
    )


def breakdown(grant_year: GrantYear, by: str, fund: str = Fund.PP_PLUS) -> list[BreakdownRow]:
    """Committed and spent money by child, school, intervention type or purpose (one grouped query)."""
    column = {
        "child": "child_id",
        "school": "school_id",
        "intervention_type": "intervention_type",
        "purpose": "purpose_id",
    }
    if by not in column:
        raise ValueError(f"Break the budget down by one of {', '.join(column)}")
    rows = (
        LedgerEntry.objects.filter(grant_year=grant_year, fund=fund)
        .exclude(kind__in=[K.INCOME, K.REDUCTION])
        .values(column[by])
        .order_by(column[by])
        .annotate(committed=_signed_committed(), spent=_sum([K.PAY, K.SPEND]))
    )
    keys = [r[column[by]] for r in rows]
    labels: dict[Any, str] = {}
    if by == "child":
        labels = {c.pk: c.display_name for c in Child.objects.filter(pk__in=[k for k in keys if k])}
    elif by == "school":
        from virtualschool.schools.models import School

        labels = dict(School.objects.filter(pk__in=[k for k in keys if k]).values_list("pk", "name"))
    elif by == "purpose":
        labels = dict(TopSlicePurpose.objects.filter(pk__in=[k for k in keys if k]).values_list("pk", "purpose"))
    else:
        labels = dict(InterventionType.choices)
    none_label = {"child": "Not for one child", "school": "No school", "purpose": "No central purpose"}.get(
        by, "Not an intervention"
    )
    found = [
        BreakdownRow(
            key=r[column[by]],
            label=labels.get(r[column[by]], none_label) if r[column[by]] else none_label,
            committed=int(r["committed"] or 0),
            spent=int(r["spent"] or 0),
        )
        for r in rows
    ]
    return sorted(found, key=lambda row: (-row.total, row.label))


def ledger_entries(grant_year: GrantYear, fund: str | None = None) -> QuerySet[LedgerEntry]:
    qs = LedgerEntry.objects.filter(grant_year=grant_year).select_related(
        "child", "school", "purpose", "application", "recorded_by"
    )
    if fund:
        qs = qs.filter(fund=fund)
    return qs.order_by("-occurred_on", "-pk")


def outstanding_commitment(application: Application) -> int:
    row = LedgerEntry.objects.filter(application=application).aggregate(
        commit=_sum(K.COMMIT), release=_sum(K.RELEASE), pay=_sum(K.PAY)
    )
    return int(row["commit"]) - int(row["release"]) - int(row["pay"])


def paid_for(application: Application) -> int:
    return int(LedgerEntry.objects.filter(application=application).aggregate(pay=_sum(K.PAY))["pay"])


# --- Applications -----------------------------------------------------------------------------------------------


def applications_visible_to(user: Any) -> QuerySet[Application]:
    """Applications `user` may see (see the module docstring)."""
    if not _active(user):
        return Application.objects.none()
    if sees_all_applications(user):
        return Application.objects.all()
    scope = Q(applicant=user) | Q(panel__members=user)
    if user.role == Role.VIRTUAL_SCHOOL_LEAD:
        scope |= Q(children__allocated_lead=user)
    elif user.role == Role.DESIGNATED_TEACHER:
        scope |= Q(children__in=children_visible_to(user))
    return Application.objects.filter(pk__in=Application.objects.filter(scope).values("pk"))


def application_list(user: Any, *, status: str = "", grant_year: GrantYear | None = None) -> QuerySet[Application]:
    qs = applications_visible_to(user).select_related("applicant", "school", "panel", "grant_year")
    if status:
        qs = qs.filter(status=status)
    if grant_year is not None:
        qs = qs.filter(grant_year=grant_year)
    return qs.prefetch_related("children").order_by("-submitted_on", "-pk")


def application_get(user: Any, pk: int) -> Application:
    """One application `user` may see; Application.DoesNotExist otherwise (callers answer 404)."""
    return (
        applications_visible_to(user)
        .select_related("applicant", "school", "panel", "grant_year")
        .prefetch_related("children", "targets", "targets__child", "panel__members")
        .get(pk=pk)
    )


def decision_is_visible(user: Any, decision: Decision, today: dt.date) -> bool:
    """The panel and the budget team see a decision at once; everyone else from its `visible_on` day."""
    if sees_all_applications(user):
        return True
    if decision.panel.members.filter(pk=user.pk).exists():
        return True
    return decision.visible_on <= today


def decisions_for(user: Any, application: Application, today: dt.date) -> list[Decision]:
    found = application.decisions.select_related("panel").prefetch_related("decided_by").order_by("-decided_at")
    return [d for d in found if decision_is_visible(user, d, today)]


def visible_status(user: Any, application: Application, today: dt.date) -> str:
    """The status `user` may see: a decision not yet published to them still reads 'waiting for the panel'."""
    if application.status in {Application.Status.SUBMITTED, Application.Status.WITHDRAWN}:
        return application.get_status_display()
    latest = application.decisions.select_related("panel").order_by("-decided_at").first()
    if latest is not None and not decision_is_visible(user, latest, today):
        return Application.Status.SUBMITTED.label
    return application.get_status_display()


def decisions_visible_to(user: Any, today: dt.date) -> QuerySet[Decision]:
    """Decisions on applications `user` may see, newest first, hiding those not yet published to them."""
    qs = Decision.objects.filter(application__in=applications_visible_to(user)).select_related("application", "panel")
    if not sees_all_applications(user):
        qs = qs.filter(Q(visible_on__lte=today) | Q(panel__members=user)).distinct()
    return qs.prefetch_related("decided_by").order_by("-decided_at")


def votes_for(application: Application, panel: Panel | None = None) -> QuerySet[Vote]:
    qs = application.votes.select_related("member", "panel")
    if panel is not None:
        qs = qs.filter(panel=panel)
    return qs.order_by("cast_at", "pk")


def connected_reasons(member: Any, application: Application) -> list[str]:
    """Why `member` is connected to a child on the application (and so cannot vote); empty when unconnected.

    Connected: the child's Virtual School Lead, the designated teacher of the child's school (a member of its
    staff, or the teacher named on the current placement), whoever made the application, and anyone who
    declared a conflict for the child.
    """
    from virtualschool.placements.models import EducationPlacement

    from .models import ConflictDeclaration

    reasons: list[str] = []
    if application.applicant_id == member.pk:
        reasons.append("made this application")
    children = list(application.children.all())
    for child in children:
        if child.allocated_lead_id == member.pk:
            reasons.append(f"is {child.display_name}'s Virtual School Lead")
    placements = EducationPlacement.objects.filter(child__in=children, end_date__isnull=True).filter(
        Q(designated_teacher=member) | Q(school__staff__user=member)
    )
    for placement in placements.select_related("child").distinct():
        reasons.append(f"is the designated teacher at {placement.child.display_name}'s school")
    for conflict in ConflictDeclaration.objects.filter(member=member, child__in=children).select_related("child"):
        reasons.append(f"declared a conflict for {conflict.child.display_name}: {conflict.reason}")
    return reasons


# --- Panels -------------------------------------------------------------------------------------------------------


def panels_visible_to(user: Any) -> QuerySet[Panel]:
    if not _active(user):
        return Panel.objects.none()
    if user.role in {Role.VIRTUAL_SCHOOL_HEAD, Role.SERVICE_MANAGER}:
        return Panel.objects.all()
    return Panel.objects.filter(members=user)


def panel_get(user: Any, pk: int) -> Panel:
    return panels_visible_to(user).prefetch_related("members").get(pk=pk)


def applications_waiting() -> QuerySet[Application]:
    return Application.objects.filter(status=Application.Status.SUBMITTED, panel__isnull=True)


@dataclass
class PastFunding:
    application: Application
    decision: Decision | None
    targets: list[FundedTarget]
    paid_pence: int

    @property
    def achieved(self) -> int:
        return sum(1 for t in self.targets if t.outcome == FundedTarget.Outcome.ACHIEVED)

    @property
    def reviewed(self) -> int:
        return sum(1 for t in self.targets if t.outcome)


@dataclass
class PackItem:
    application: Application
    children: list[Child]
    targets: list[FundedTarget]
    history: list[PastFunding] = field(default_factory=list)
    votes: list[Vote] = field(default_factory=list)


def _prefetched(instance: Any, name: str) -> list[Any]:
    """A `to_attr` prefetch's list (typed as a plain list)."""
    found: list[Any] = getattr(instance, name)
    return found


def panel_pack(panel: Panel) -> list[PackItem]:
    """The week's applications with each child's targets and their past funding and its outcomes.

    A fixed number of queries whatever the size of the pack: applications with children and targets, then
    every earlier application for those children with its targets, decisions and payments. Prefetches land in
    lists (``to_attr``) so that reading them builds no querysets.
    """
    apps = list(
        panel.applications.select_related("applicant", "school")
        .prefetch_related(
            Prefetch("children", queryset=Child.objects.select_related("allocated_lead"), to_attr="pack_children"),
            Prefetch("targets", queryset=FundedTarget.objects.select_related("child"), to_attr="pack_targets"),
            Prefetch("votes", queryset=Vote.objects.filter(panel=panel).select_related("member"), to_attr="pack_votes"),
        )
        .order_by("submitted_on", "pk")
    )
    child_ids = {c.pk for a in apps for c in _prefetched(a, "pack_children")}
    past = list(
        Application.objects.filter(children__in=child_ids)
        .exclude(panel=panel)
        .exclude(status=Application.Status.SUBMITTED)
        .distinct()
        .prefetch_related(
            Prefetch("children", queryset=Child.objects.only("pk"), to_attr="pack_children"),
            Prefetch("targets", queryset=FundedTarget.objects.order_by("deadline", "pk"), to_attr="pack_targets"),
            Prefetch("decisions", queryset=Decision.objects.order_by("-decided_at"), to_attr="pack_decisions"),
        )
        .order_by("-submitted_on")
    )
    paid = dict(
        LedgerEntry.objects.filter(application__in=[p.pk for p in past], kind=K.PAY)
        .values("application")
        .order_by("application")
        .annotate(total=Sum("amount_pence"))
        .values_list("application", "total")
    )
    by_child: dict[int, list[PastFunding]] = defaultdict(list)
    for p in past:
        decisions = _prefetched(p, "pack_decisions")
        entry = PastFunding(
            p, decisions[0] if decisions else None, _prefetched(p, "pack_targets"), int(paid.get(p.pk, 0))
        )
        for child in _prefetched(p, "pack_children"):
            by_child[child.pk].append(entry)
    items = []
    for a in apps:
        children = _prefetched(a, "pack_children")
        seen: set[int] = set()
        history = []
        for child in children:
            for entry in by_child.get(child.pk, []):
                if entry.application.pk not in seen:
                    seen.add(entry.application.pk)
                    history.append(entry)
        items.append(PackItem(a, children, _prefetched(a, "pack_targets"), history, _prefetched(a, "pack_votes")))
    return items


# --- Impact -------------------------------------------------------------------------------------------------------

_PERCENT = re.compile(r"(-?\d+(?:\.\d+)?)\s*%")


def attendance_percent(child: Child, start: dt.date, end: dt.date) -> Decimal | None:
    """Attendance over a period from the attendance app's record summary, or None when it has none."""
    for summary in extensions.child_records(child, start, end, keys=["attendance"]):
        lines = sorted(summary.lines, key=lambda line: "attend" not in line.label.lower())
        for line in lines:
            match = _PERCENT.search(line.value)
            if match:
                return Decimal(match.group(1))
    return None


def attendance_change(child: Child, start: dt.date, end: dt.date) -> Decimal | None:
    """Attendance during an intervention minus attendance over as long a period just before it."""
    length = max((end - start).days, 1)
    before = attendance_percent(child, start - dt.timedelta(days=length), start - dt.timedelta(days=1))
    during = attendance_percent(child, start, end)
    if before is None or during is None:
        return None
    return during - before


def attainment_change(child: Child, start: dt.date, end: dt.date, calendar: Any = None) -> Decimal | None:
    """The change in the share of the child's subjects on track for their aspirational PEP targets, from the last
    PEP before the intervention started to the last PEP by the time it ended (percentage points), or None."""
    before = hooks.attainment_on_track(child, start, calendar)
    after = hooks.attainment_on_track(child, end, calendar)
    if not before or not after or not before[1] or not after[1]:
        return None
    share = lambda found: Decimal(found[0] * 100) / Decimal(found[1])  # noqa: E731
    return (share(after) - share(before)).quantize(Decimal("0.1"))


def attendance_available() -> bool:
    return extensions.has_child_records("attendance")


@dataclass
class ImpactRow:
    key: str
    label: str
    applications: int = 0
    children: set[int] = field(default_factory=set)
    approved_pence: int = 0
    targets: int = 0
    reviewed: int = 0
    achieved: int = 0
    partly: int = 0
    attendance_changes: list[Decimal] = field(default_factory=list)
    attainment_changes: list[Decimal] = field(default_factory=list)

    @property
    def achieved_share(self) -> str:
        if not self.reviewed:
            return "No targets reviewed yet"
        return f"{self.achieved * 100 // self.reviewed}% ({self.achieved} of {self.reviewed})"

    @property
    def attendance_change(self) -> str:
        if not self.attendance_changes:
            return "Not available"
        mean = sum(self.attendance_changes, Decimal(0)) / len(self.attendance_changes)
        count = len(self.attendance_changes)
        return f"{mean:+.1f} percentage points ({count} {'child' if count == 1 else 'children'})"

    @property
    def attainment_change(self) -> str:
        if not self.attainment_changes:
            return "Not available"
        mean = sum(self.attainment_changes, Decimal(0)) / len(self.attainment_changes)
        count = len(self.attainment_changes)
        return f"{mean:+.1f} percentage points on track ({count} {'child' if count == 1 else 'children'})"


def impact(grant_year: GrantYear, by: str) -> list[ImpactRow]:
    """For approved applications: the share of reviewed targets achieved and the change in attendance, grouped
    by intervention type or provider."""
    if by not in {"intervention_type", "provider"}:
        raise ValueError("Group impact by intervention_type or provider")
    approved = (
        Application.objects.filter(grant_year=grant_year, status=Application.Status.APPROVED)
        .prefetch_related("children", "targets")
        .order_by("pk")
    )
    labels = dict(InterventionType.choices)
    rows: dict[str, ImpactRow] = {}
    with_attendance = attendance_available()
    calendar = school_calendar()  # once, for every child's attainment
    for app in approved:
        key = app.intervention_type if by == "intervention_type" else app.provider.strip()
        label = labels.get(key, key) if by == "intervention_type" else key
        row = rows.setdefault(key.lower(), ImpactRow(key=key, label=label))
        row.applications += 1
        row.approved_pence += app.approved_amount_pence or 0
        for target in app.targets.all():
            row.targets += 1
            if target.outcome:
                row.reviewed += 1
                row.achieved += target.outcome == FundedTarget.Outcome.ACHIEVED
                row.partly += target.outcome == FundedTarget.Outcome.PARTLY
        for child in app.children.all():
            if child.pk in row.children:
                continue
            row.children.add(child.pk)
            if with_attendance:
                change = attendance_change(child, app.starts_on, app.ends_on)
                if change is not None:
                    row.attendance_changes.append(change)
            change = attainment_change(child, app.starts_on, app.ends_on, calendar)
            if change is not None:
                row.attainment_changes.append(change)
    return sorted(rows.values(), key=lambda r: r.label.lower())


def targets_for_child(user: Any, child: Child) -> QuerySet[FundedTarget]:
    return FundedTarget.objects.filter(child=child, application__in=applications_visible_to(user)).select_related(
        "application"
    )


def applications_for_child(user: Any, child: Child) -> QuerySet[Application]:
    return application_list(user).filter(children=child)


def annotate_counts(qs: QuerySet[Application]) -> QuerySet[Application]:
    return qs.annotate(target_count=Count("targets", distinct=True))

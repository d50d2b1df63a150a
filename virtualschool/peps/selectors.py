"""Every read of PEPs, scoped to the children the user may see (children.selectors.child_scope_q)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from virtualschool.children.models import Child, Cohort
from virtualschool.children.selectors import children_visible_to
from virtualschool.core.calendar import TERMS, SchoolCalendar, school_calendar
from virtualschool.core.selectors import policy_get as service_policy_get

from .models import (
    CareReview,
    Delegation,
    Pep,
    PepEvent,
    PepProposal,
    PepStatus,
    PepType,
    PepVersion,
    PriorAttainment,
    ProposalStatus,
    QaCriterionRating,
    QaGrade,
    QaRating,
    QaReview,
    QaRound,
    Target,
)
from .services import policy_get
from .timing import DueItem, due_items

TERM_ORDER = Case(*(When(term=t, then=Value(i)) for i, t in enumerate(TERMS)), output_field=IntegerField())


def peps_visible_to(user: Any) -> QuerySet[Pep]:
    return Pep.objects.filter(child__in=children_visible_to(user).values("pk"))


def peps_for_child(*, user: Any, child: Child) -> QuerySet[Pep]:
    """A child's PEPs, newest term first."""
    return (
        peps_visible_to(user)
        .filter(child=child)
        .select_related("school")
        .annotate(term_order=TERM_ORDER)
        .order_by("-academic_year", "-term_order", "-created_at")
    )


def pep_get(*, user: Any, pk: int) -> Pep:
    """One PEP with everything its page shows, in a fixed number of queries; Pep.DoesNotExist out of scope."""
    return (
        peps_visible_to(user)
        .select_related("child", "school", "chair", "approved_by", "modified_by")
        .prefetch_related(
            "sections__completed_by",
            "attainment",
            "targets",
            "actions",
            Prefetch("qa_reviews", queryset=QaReview.objects.select_related("reviewer").prefetch_related("ratings")),
            Prefetch("events", queryset=PepEvent.objects.order_by("-occurred_at", "-id")),
            Prefetch("versions", queryset=PepVersion.objects.order_by("-number").defer("document")),
        )
        .get(pk=pk)
    )


def _earlier_peps(pep: Pep) -> QuerySet[Pep]:
    order = (pep.academic_year, TERMS.index(pep.term))
    return (
        Pep.objects.filter(child_id=pep.child_id)
        .exclude(pk=pep.pk)
        .annotate(term_order=TERM_ORDER)
        .filter(
            Q(academic_year__lt=order[0])
            | Q(academic_year=order[0], term_order__lt=order[1])
            | Q(academic_year=order[0], term_order=order[1], created_at__lt=pep.created_at)
        )
        .order_by("-academic_year", "-term_order", "-created_at")
    )


def previous_pep(pep: Pep) -> Pep | None:
    """The PEP before this one for the same child (by term, then by when it was made)."""
    return _earlier_peps(pep).first()


def targets_to_review(pep: Pep) -> list[Target]:
    """The previous PEP's targets, reviewed at this one (one query, however long the history)."""
    previous = _earlier_peps(pep).values("pk")[:1]
    return list(Target.objects.filter(pep_id=Subquery(previous)).order_by("deadline", "pk"))


def prior_attainment_for(child: Child) -> list[PriorAttainment]:
    return list(PriorAttainment.objects.filter(child=child))


def care_review_dates_for(child: Child) -> list[dt.date]:
    return list(CareReview.objects.filter(child=child).values_list("review_date", flat=True))


def pep_version_get(*, user: Any, pep: Pep, number: int) -> PepVersion:
    return PepVersion.objects.filter(pep__in=peps_visible_to(user)).get(pep=pep, number=number)


def proposals_for_child(*, user: Any, child: Child) -> QuerySet[PepProposal]:
    return PepProposal.objects.filter(child__in=children_visible_to(user).filter(pk=child.pk)).select_related("pep")


def open_proposals(*, user: Any) -> QuerySet[PepProposal]:
    scope = Q(child__in=children_visible_to(user).values("pk"))
    if user.role == "lead":
        scope &= Q(child__allocated_lead=user)
    return PepProposal.objects.filter(scope, status=ProposalStatus.OPEN).select_related("child").order_by("raised_on")


def delegations_of(user: Any) -> QuerySet[Delegation]:
    return (
        Delegation.objects.filter(Q(delegator=user) | Q(delegate=user), revoked_on__isnull=True)
        .select_related("school", "delegator", "delegate")
        .prefetch_related("children")
    )


# ---------------------------------------------------------------------------------------------------------
# What is due
# ---------------------------------------------------------------------------------------------------------


@dataclass
class ChildDue:
    child: Child
    items: list[DueItem]

    def open_items(self, today: dt.date, within_days: int) -> list[DueItem]:
        horizon = today + dt.timedelta(days=within_days)
        return [i for i in self.items if i.done_on is None and i.due_on <= horizon]


def due_for_children(
    children: list[Child], *, today: dt.date | None = None, calendar: SchoolCalendar | None = None
) -> list[ChildDue]:
    """Each child's PEP duties, with a fixed number of queries for any number of children."""
    from virtualschool.placements.models import EducationPlacement

    today = today or timezone.localdate()
    calendar = calendar or school_calendar()
    policy = policy_get()
    home = service_policy_get().la_code
    ids = [c.pk for c in children]
    peps: dict[int, list[Pep]] = defaultdict(list)
    for pep in Pep.objects.filter(child_id__in=ids).only(
        "id",
        "child_id",
        "academic_year",
        "term",
        "pep_type",
        "status",
        "started_on",
        "meeting_held_on",
        "meeting_mode",
        "next_meeting_date",
        "submitted_on",
        "created_at",
    ):
        peps[pep.child_id].append(pep)
    placements: dict[int, list[Any]] = defaultdict(list)
    for placement in (
        EducationPlacement.objects.filter(child_id__in=ids)
        .select_related("school")
        .only("id", "child_id", "school_id", "school__la_code", "start_date", "end_date")
    ):
        placements[placement.child_id].append(placement)
    reviews: dict[int, list[dt.date]] = defaultdict(list)
    for child_id, day in CareReview.objects.filter(child_id__in=ids).values_list("child_id", "review_date"):
        reviews[child_id].append(day)
    return [
        ChildDue(
            child,
            due_items(
                child=child,
                peps=peps[child.pk],
                placements=placements[child.pk],
                care_reviews=reviews[child.pk],
                policy=policy,
                calendar=calendar,
                today=today,
                home_la_code=home,
            ),
        )
        for child in children
    ]


def due_list(*, user: Any, today: dt.date | None = None, lead: Any = None) -> list[tuple[Child, DueItem]]:
    """The user's 'due and overdue' list: a lead's caseload (or `lead`'s), everyone else's visible children."""
    today = today or timezone.localdate()
    children = children_visible_to(user).filter(closed_on__isnull=True, cohort=Cohort.LOOKED_AFTER)
    if lead is not None:
        children = children.filter(allocated_lead=lead)
    elif user.role == "lead":
        children = children.filter(allocated_lead=user)
    policy = policy_get()
    rows = []
    for entry in due_for_children(list(children.order_by("last_name", "first_name")), today=today):
        for item in entry.open_items(today, policy.due_soon_days):
            rows.append((entry.child, item))
    rows.sort(key=lambda row: (row[1].due_on, row[0].last_name))
    return rows


# ---------------------------------------------------------------------------------------------------------
# QA dashboard
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Tally:
    due: int = 0
    held_on_time: int = 0
    submitted_in_time: int = 0
    graded: int = 0
    good: int = 0

    def pct(self, part: int, whole: int) -> str:
        return f"{100 * part / whole:.0f} %" if whole else "–"

    @property
    def held_pct(self) -> str:
        return self.pct(self.held_on_time, self.due)

    @property
    def submitted_pct(self) -> str:
        return self.pct(self.submitted_in_time, self.held_on_time or self.due)

    @property
    def good_pct(self) -> str:
        return self.pct(self.good, self.graded)


@dataclass
class QaDashboard:
    term_label: str
    total: Tally
    by_lead: list[tuple[str, Tally]] = field(default_factory=list)
    by_school: list[tuple[str, Tally]] = field(default_factory=list)
    by_key_stage: list[tuple[str, Tally]] = field(default_factory=list)
    failed_criteria: list[tuple[str, int, int]] = field(default_factory=list)  # label, not met, partly met
    rounds: list[QaRound] = field(default_factory=list)


def qa_dashboard(*, user: Any, academic_year: int, term: str, calendar: SchoolCalendar | None = None) -> QaDashboard:
    """PEPs due this term, held on time, submitted within the policy's days, graded good; by lead, school and key
    stage; and the QA criteria most often failed. A handful of queries, whatever the size of the roll."""
    from django.contrib.auth import get_user_model

    from .models import KeyStage, QaCriterion
    from .sections import key_stage_for_year

    calendar = calendar or school_calendar()
    term_dates = calendar.term(academic_year, term)
    policy = policy_get()
    children = (
        children_visible_to(user)
        .filter(cohort=Cohort.LOOKED_AFTER, period_of_care_start__lte=term_dates.end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=term_dates.start))
    )
    child_rows = list(children.values_list("pk", "allocated_lead_id", "date_of_birth"))
    child_ids = {row[0] for row in child_rows}
    peps: dict[int, Any] = {}
    for row in (
        Pep.objects.filter(academic_year=academic_year, term=term, pep_type__in=[PepType.INITIAL, PepType.TERMLY])
        .filter(child__in=children.values("pk"))
        .values("id", "child_id", "school_id", "school__name", "key_stage", "meeting_held_on", "submitted_on", "status")
    ):
        peps[row["child_id"]] = row
    grades: dict[int, str] = {}
    for pep_id, pep_grade in (
        QaReview.objects.filter(pep_id__in=[p["id"] for p in peps.values()], completed_on__isnull=False)
        .order_by("completed_on", "id")
        .values_list("pep_id", "grade")
    ):
        grades[pep_id] = pep_grade
    leads = dict(
        get_user_model().objects.filter(pk__in={r[1] for r in child_rows if r[1]}).values_list("pk", "full_name")
    )
    ks_labels = dict(KeyStage.choices)
    total = Tally()
    by_lead: dict[str, Tally] = defaultdict(Tally)
    by_school: dict[str, Tally] = defaultdict(Tally)
    by_ks: dict[str, Tally] = defaultdict(Tally)
    from virtualschool.core.calendar import national_curriculum_year

    for child_id, lead_id, dob in child_rows:
        pep = peps.get(child_id)
        ks = (pep and pep["key_stage"]) or key_stage_for_year(national_curriculum_year(dob, term_dates.start))
        groups = [
            total,
            by_lead[leads.get(lead_id, "Not allocated")],
            by_school[(pep and pep["school__name"]) or "No school recorded"],
            by_ks[ks_labels.get(ks, ks)],
        ]
        held = bool(pep and pep["meeting_held_on"] and pep["meeting_held_on"] <= term_dates.end)
        submitted = bool(
            held
            and pep
            and pep["submitted_on"]
            and (pep["submitted_on"] - pep["meeting_held_on"]).days <= policy.qa_ready_days
        )
        grade = grades.get(pep["id"]) if pep else None
        for tally in groups:
            tally.due += 1
            tally.held_on_time += held
            tally.submitted_in_time += submitted
            if grade:
                tally.graded += 1
                tally.good += grade == QaGrade.GOOD
    counts: Counter[tuple[str, str]] = Counter(
        QaCriterionRating.objects.filter(
            review__pep__academic_year=academic_year, review__pep__term=term, review__pep__child_id__in=child_ids
        )
        .exclude(rating=QaRating.MET)
        .values_list("criterion", "rating")
    )
    failed = sorted(
        (
            (QaCriterion(c).label, counts[(c, QaRating.NOT_MET)], counts[(c, QaRating.PARTLY)])
            for c in QaCriterion.values
        ),
        key=lambda row: (-row[1], -row[2], row[0]),
    )
    return QaDashboard(
        term_label=term_dates.label,
        total=total,
        by_lead=sorted(by_lead.items()),
        by_school=sorted(by_school.items()),
        by_key_stage=sorted(
            by_ks.items(), key=lambda kv: list(ks_labels.values()).index(kv[0]) if kv[0] in ks_labels.values() else 99
        ),
        failed_criteria=failed,
        rounds=list(QaRound.objects.filter(academic_year=academic_year, term=term)),
    )


def qa_assignments(*, user: Any) -> QuerySet[QaReview]:
    """QA of PEPs assigned to the user in a round and not yet completed."""
    return (
        QaReview.objects.filter(reviewer=user, completed_on__isnull=True, pep__in=peps_visible_to(user))
        .select_related("pep__child", "qa_round")
        .order_by("pep__child__last_name")
    )


def status_counts(peps: list[Pep]) -> dict[str, int]:
    return dict(Counter(p.status for p in peps))


__all__ = ["PepStatus"]

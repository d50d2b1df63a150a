"""/pupil-premium: the budget summary, applications (list, create, get), votes and decisions.

Scoped like the pages: an application the token's user may not see answers 404, and a lead or designated
teacher sees a decision only from the day it is shared with them. Money is integer pence (`*_pence`).

No `from __future__ import annotations` here: Ninja reads the annotations to build the schemas.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from virtualschool.api.auth import ApiRequest
from virtualschool.api.errors import InvalidInput, NotFound, field_errors
from virtualschool.api.schemas import ErrorOut
from virtualschool.children.selectors import children_visible_to

from . import selectors, services
from .models import Application, Decision, Fund, GrantYear, InterventionType, Outcome

router = Router(tags=["Pupil Premium Plus"])

WRITE_ERRORS: dict[int | str, Any] = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class BalanceOut(Schema):
    fund: str = Field(description="pp_plus or eypp")
    total_pence: int
    committed_pence: int
    spent_pence: int
    remaining_pence: int = Field(description="total − committed − spent, from the ledger")


class BreakdownOut(Schema):
    key: str | None
    label: str
    committed_pence: int
    spent_pence: int


class BudgetOut(Schema):
    grant_year: str
    basis: str
    starts_on: dt.date
    ends_on: dt.date
    census_date: dt.date
    allocation_model: str
    rate_per_child_pence: int
    eligible_children: int
    eypp_rate_per_child_pence: int
    eypp_eligible_children: int
    top_slice_pence: int = Field(description="Retained centrally by the Virtual School Head (PP+)")
    funds: list[BalanceOut]
    by_intervention_type: list[BreakdownOut]


class TargetIn(Schema):
    child_id: int | None = Field(None, description="Which child; may be left out when the application has one")
    text: str = Field(description="The SMART target from the child's PEP")
    measure: str
    deadline: dt.date
    owner: str
    pep_target_id: int | None = Field(None, description="The PEP app's target id, once it provides one")


class ApplicationIn(Schema):
    child_ids: list[int] = Field(description="One child, or a group")
    fund: Fund = Fund.PP_PLUS
    intervention_type: InterventionType
    provider: str
    description: str
    amount_pence: int = Field(description="Integer pence")
    starts_on: dt.date
    ends_on: dt.date
    targets: list[TargetIn] = Field(description="At least one: an application without a target is refused")


class TargetOut(Schema):
    id: int
    child_id: int
    text: str
    measure: str
    deadline: dt.date
    owner: str
    pep_target_id: int | None
    outcome: str = Field(description="achieved, partly, not_achieved, or empty until reviewed")


class DecisionOut(Schema):
    id: int
    application_id: int
    panel_meets_on: dt.date
    outcome: str
    amount_pence: int | None
    reasons: str
    decided_at: dt.datetime
    visible_on: dt.date
    decided_by: list[str]


class ApplicationOut(Schema):
    id: int
    grant_year: str
    status: str = Field(description="As the caller may see it: a decision not yet shared reads 'submitted'")
    fund: str
    child_ids: list[int]
    school_id: int | None
    applicant: str
    intervention_type: str
    provider: str
    description: str
    amount_pence: int
    approved_amount_pence: int | None
    starts_on: dt.date
    ends_on: dt.date
    submitted_on: dt.date
    panel_meets_on: dt.date | None
    targets: list[TargetOut]
    decisions: list[DecisionOut]


class VoteIn(Schema):
    outcome: Outcome
    amount_pence: int | None = Field(None, description="For approve_amount only")
    reason: str = ""


class VoteOut(Schema):
    vote_id: int
    decision: DecisionOut | None = Field(description="The decision, when this vote made two agreeing members")


def _decision_out(d: Decision) -> dict[str, Any]:
    return {
        "id": d.pk,
        "application_id": d.application_id,
        "panel_meets_on": d.panel.meets_on,
        "outcome": d.outcome,
        "amount_pence": d.amount_pence,
        "reasons": d.reasons,
        "decided_at": d.decided_at,
        "visible_on": d.visible_on,
        "decided_by": [str(m) for m in d.decided_by.all()],
    }


def _status_key(user: Any, app: Application, today: dt.date) -> str:
    label = selectors.visible_status(user, app, today)
    return {s.label: s.value for s in Application.Status}.get(label, app.status)


def _application_out(user: Any, app: Application) -> dict[str, Any]:
    today = timezone.localdate()
    visible = selectors.decisions_for(user, app, today)
    return {
        "id": app.pk,
        "grant_year": app.grant_year.label,
        "status": _status_key(user, app, today),
        "fund": app.fund,
        "child_ids": [c.pk for c in app.children.all()],
        "school_id": app.school_id,
        "applicant": str(app.applicant),
        "intervention_type": app.intervention_type,
        "provider": app.provider,
        "description": app.description,
        "amount_pence": app.amount_pence,
        "approved_amount_pence": app.approved_amount_pence if visible or app.status != "approved" else None,
        "starts_on": app.starts_on,
        "ends_on": app.ends_on,
        "submitted_on": app.submitted_on,
        "panel_meets_on": app.panel.meets_on if app.panel else None,
        "targets": [
            {
                "id": t.pk,
                "child_id": t.child_id,
                "text": t.text,
                "measure": t.measure,
                "deadline": t.deadline,
                "owner": t.owner,
                "pep_target_id": t.pep_target_id,
                "outcome": t.outcome,
            }
            for t in app.targets.all()
        ],
        "decisions": [_decision_out(d) for d in visible],
    }


def _application(request: ApiRequest, pk: int) -> Application:
    try:
        return selectors.application_get(request.auth, pk)
    except Application.DoesNotExist as exc:
        raise NotFound("application") from exc


@router.get("/budget", response={200: BudgetOut, 403: ErrorOut, 404: ErrorOut}, summary="Budget summary")
def budget(
    request: ApiRequest, year: str = Query("", description="A grant year such as 2025-26; blank for the current")
) -> Any:
    """The grant year's totals, commitments, spend and remaining balance for each fund, summed from the ledger."""
    if not request.auth.has_perm("pupilpremium.view_budget"):
        raise PermissionDenied("Only the Virtual School Head, service manager and data specialist see the budget.")
    found = GrantYear.objects.filter(label=year).first() if year else selectors.current_grant_year()
    if found is None:
        raise NotFound("grant year")
    return {
        "grant_year": found.label,
        "basis": found.basis,
        "starts_on": found.starts_on,
        "ends_on": found.ends_on,
        "census_date": found.census_date,
        "allocation_model": found.allocation_model,
        "rate_per_child_pence": found.rate_per_child_pence,
        "eligible_children": found.eligible_children,
        "eypp_rate_per_child_pence": found.eypp_rate_per_child_pence,
        "eypp_eligible_children": found.eypp_eligible_children,
        "top_slice_pence": services.top_slice_total(found),
        "funds": [
            {
                "fund": b.fund,
                "total_pence": b.total,
                "committed_pence": b.committed,
                "spent_pence": b.spent,
                "remaining_pence": b.remaining,
            }
            for b in selectors.balances(found).values()
        ],
        "by_intervention_type": [
            {"key": r.key, "label": r.label, "committed_pence": r.committed, "spent_pence": r.spent}
            for r in selectors.breakdown(found, "intervention_type")
        ],
    }


class AuditedApplicationPagination(LimitOffsetPagination):
    def paginate_queryset(self, queryset: Any, pagination: Any, request: Any, **params: Any) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        items = list(page[self.items_attribute])
        services.record_views(actor=request.auth, applications=items, page="api")
        page[self.items_attribute] = [_application_out(request.auth, a) for a in items]
        return page


@router.get("/applications", response=list[ApplicationOut], summary="Applications")
@paginate(AuditedApplicationPagination)
def list_applications(
    request: ApiRequest, status: str = Query("", description="submitted, deferred, approved, declined or withdrawn")
) -> Any:
    """The applications the caller may see, newest first."""
    if status and status not in Application.Status.values:
        raise InvalidInput({"status": [f"Use one of: {', '.join(Application.Status.values)}."]})
    return selectors.application_list(request.auth, status=status).prefetch_related("targets")


@router.post("/applications", response={201: ApplicationOut, **WRITE_ERRORS}, summary="Apply for funding")
def create_application(request: ApiRequest, payload: ApplicationIn) -> Any:
    """A lead or designated teacher applies for a child (or a group); refused without a target."""
    year = selectors.current_grant_year()
    if year is None:
        raise InvalidInput({"grant_year": ["There is no grant year yet."]})
    visible = {c.pk: c for c in children_visible_to(request.auth).filter(pk__in=payload.child_ids)}
    missing = [pk for pk in payload.child_ids if pk not in visible]
    if missing:
        raise NotFound("child")
    children = [visible[pk] for pk in payload.child_ids]
    targets = [
        {
            "child": t.child_id,
            "text": t.text,
            "measure": t.measure,
            "deadline": t.deadline,
            "owner": t.owner,
            "pep_target_id": t.pep_target_id,
        }
        for t in payload.targets
    ]
    try:
        app = services.application_submit(
            actor=request.auth,
            grant_year=year,
            children=children,
            fund=payload.fund,
            intervention_type=payload.intervention_type,
            provider=payload.provider,
            description=payload.description,
            amount_pence=payload.amount_pence,
            starts_on=payload.starts_on,
            ends_on=payload.ends_on,
            targets=targets,
        )
    except ValidationError as exc:
        raise InvalidInput(field_errors(exc)) from exc
    return Status(201, _application_out(request.auth, selectors.application_get(request.auth, app.pk)))


@router.get("/applications/{id}", response={200: ApplicationOut, 404: ErrorOut}, summary="One application")
def get_application(request: ApiRequest, id: int) -> Any:
    app = _application(request, id)
    services.record_views(actor=request.auth, applications=[app], page="api")
    return _application_out(request.auth, app)


@router.post("/applications/{id}/votes", response={201: VoteOut, **WRITE_ERRORS}, summary="Vote on an application")
def vote(request: ApiRequest, id: int, payload: VoteIn) -> Any:
    """A panel member's vote; answers with the decision when this vote makes two agreeing unconnected members."""
    app = _application(request, id)
    try:
        cast, decision = services.vote_cast(
            actor=request.auth,
            application=app,
            outcome=payload.outcome,
            amount_pence=payload.amount_pence,
            reason=payload.reason,
        )
    except ValidationError as exc:
        raise InvalidInput(field_errors(exc)) from exc
    return Status(201, {"vote_id": cast.pk, "decision": _decision_out(decision) if decision else None})


@router.get("/decisions", response=list[DecisionOut], summary="Panel decisions")
@paginate(LimitOffsetPagination)
def list_decisions(request: ApiRequest) -> Any:
    """Decisions on applications the caller may see, newest first; a lead or designated teacher sees each from
    the day after the panel."""
    return [_decision_out(d) for d in selectors.decisions_visible_to(request.auth, timezone.localdate())]

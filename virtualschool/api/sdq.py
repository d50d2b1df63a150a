"""/children/{id}/sdq: a child's Strengths and Difficulties Questionnaires, scored as the pages score them.

Scoped like the rest of the API: a child the token's user may not see answers 404. Every SDQ a response shows
is recorded in the child's audit history.

No `from __future__ import annotations` here: Ninja reads the annotations to build the schemas.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from virtualschool.children import sdq, services
from virtualschool.children.models import Child, SdqScore
from virtualschool.children.selectors import child_get, school_sdq_due, sdq_scores_for_child

from .auth import ApiRequest
from .errors import InvalidInput, NotFound
from .reads import AuditedChildPagination, record_list_view
from .schemas import ErrorOut, request_policy

router = Router(tags=["SDQ"])

WRITE_ERRORS: dict[int | str, Any] = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
# Service field names as the API names them.
ALIASES = {
    "recorded_on": "completed_on",
    "completed_by_name": "completed_by",
    **{s.field: f"scales.{s.key}" for s in sdq.SCALES},
    **dict.fromkeys(sdq.ITEM_FIELDS, "items"),
}


class SdqScalesIn(Schema):
    emotional: int = Field(description="Emotional symptoms, 0–10")
    conduct: int = Field(description="Conduct problems, 0–10")
    hyperactivity: int = Field(description="Hyperactivity and inattention, 0–10")
    peer: int = Field(description="Peer relationship problems, 0–10")
    prosocial: int = Field(description="Prosocial behaviour, 0–10")


class SdqIn(Schema):
    """One questionnaire: give `items` (the 25 answers) or `scales` (the five scale scores), not both."""

    respondent: SdqScore.Respondent = Field(description="carer (parent form), teacher, or self (self-report, 11–17)")
    completed_on: dt.date = Field(description="The date the questionnaire was completed")
    completed_by: str = Field("", max_length=200, description="Name and role of who completed it")
    items: list[int | None] | None = Field(
        None,
        description=(
            "The 25 answers as ticked, item 1 first: 0 (first column), 1 or 2 (last column), null for a blank. "
            "Do not reverse items 7, 11, 14, 21 and 25: they are reverse-scored here."
        ),
    )
    scales: SdqScalesIn | None = Field(None, description="The five scale scores, when the items are not to hand")


class BandOut(Schema):
    key: str
    label: str


class MeasureOut(Schema):
    score: int
    band: BandOut = Field(description="Four-band categorisation for the respondent")
    three_band: BandOut = Field(description="The original normal / borderline / abnormal categories")


class SdqScalesOut(Schema):
    emotional: MeasureOut
    conduct: MeasureOut
    hyperactivity: MeasureOut
    peer: MeasureOut
    prosocial: MeasureOut


class SdqOut(Schema):
    id: int
    child_id: int
    respondent: SdqScore.Respondent
    completed_on: dt.date
    completed_by: str
    entered_as: str = Field(description="items, scales, or total (a total alone, from the SSDA903 return)")
    source: str = Field(description="Where a total alone came from, e.g. SSDA903 OC2")
    reason_not_recorded: str = Field(description="SSDA903 SDQ_REASON when the return gave no score")
    items: list[int | None] | None = Field(description="The 25 answers as ticked, when entered item by item")
    scales: SdqScalesOut | None
    total_difficulties: MeasureOut | None = Field(description="The sum of the four difficulty scales, 0–40")


class SchoolSdqDueOut(Schema):
    carer_sdq_id: int
    carer_completed_on: dt.date
    carer_total: int
    threshold: int = Field(description="The policy's carer threshold; a total above it asks for a school SDQ")
    due_on: dt.date
    school_completed_on: dt.date | None = Field(description="The teacher's SDQ on or after the carer's, if any")
    status: str = Field(description="due, overdue, completed or completed_late")


class SdqDueResponse(Schema):
    school_sdq: SchoolSdqDueOut | None = Field(description="Null when the latest carer SDQ asks for none")


def _measure(result: sdq.MeasureResult) -> dict[str, Any]:
    return {
        "score": result.score,
        "band": {"key": result.band.key, "label": result.band.label},
        "three_band": {"key": result.three_band.key, "label": result.three_band.label},
    }


def sdq_out(record: SdqScore) -> dict[str, Any]:
    """An SDQ as the API shows it, with every scale and the total banded for its respondent."""
    scales = record.scale_scores
    scales_out: dict[str, Any] | None = None
    total: dict[str, Any] | None = None
    if scales is not None:
        measures = sdq.results(record.respondent, scales, record.total_score)
        scales_out = {m.key: _measure(m) for m in measures if m.key != sdq.TOTAL}
        total = _measure(measures[-1])
    elif record.total_score is not None:
        total = _measure(sdq.total_result(record.respondent, record.total_score))
    return {
        "id": record.pk,
        "child_id": record.child_id,
        "respondent": record.respondent,
        "completed_on": record.recorded_on,
        "completed_by": record.completed_by_name,
        "entered_as": record.entered_as,
        "source": record.source,
        "reason_not_recorded": record.reason_not_recorded,
        "items": record.item_scores if record.entered_as == "items" else None,
        "scales": scales_out,
        "total_difficulties": total,
    }


def _child(request: ApiRequest, pk: int) -> Child:
    try:
        return child_get(user=request.auth, pk=pk)
    except Child.DoesNotExist:
        raise NotFound("child") from None


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, messages in exc.message_dict.items():
        errors.setdefault(ALIASES.get(name, name), []).extend(messages)
    return errors


class AuditedSdqPagination(AuditedChildPagination):
    """limit/offset pagination recording a VIEW of each SDQ returned (on its child's history), then scoring it."""

    child_of = "child_id"

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page[self.items_attribute] = [sdq_out(record) for record in page[self.items_attribute]]
        return page


@router.get("/{id}/sdq", response=list[SdqOut], summary="A child's SDQ history")
@paginate(AuditedSdqPagination)
def list_sdq(request: ApiRequest, id: int) -> Any:
    """Every SDQ of the child, newest first: questionnaires recorded here and totals from the SSDA903 return."""
    child = _child(request, id)
    return sdq_scores_for_child(user=request.auth, child=child)


@router.get("/{id}/sdq/school-due", response={200: SdqDueResponse, 404: ErrorOut}, summary="School SDQ due")
def school_sdq(request: ApiRequest, id: int) -> Any:
    """The school SDQ the child's latest carer SDQ asks for (a total above the policy threshold), if any."""
    child = _child(request, id)
    history = list(sdq_scores_for_child(user=request.auth, child=child))
    policy = request_policy({"request": request})
    due = school_sdq_due(history, threshold=policy.sdq_carer_threshold, months=policy.sdq_school_due_months)
    record_list_view(request.auth, [r for r in history if due is not None and r.pk == due.carer_sdq_id],
                     child_of="child_id")  # fmt: skip
    if due is None:
        return {"school_sdq": None}
    return {
        "school_sdq": {
            "carer_sdq_id": due.carer_sdq_id,
            "carer_completed_on": due.carer_completed_on,
            "carer_total": due.carer_total,
            "threshold": due.threshold,
            "due_on": due.due_on,
            "school_completed_on": due.school_completed_on,
            "status": due.status(timezone.localdate()),
        }
    }


@router.post("/{id}/sdq", response={201: SdqOut, **WRITE_ERRORS}, summary="Record an SDQ")
def record_sdq(request: ApiRequest, id: int, payload: SdqIn) -> Any:
    """Score and record an SDQ from its item scores (or scale scores); answers with the scales, total and bands."""
    child = _child(request, id)
    try:
        record = services.sdq_record(
            actor=request.auth,
            child=child,
            respondent=payload.respondent,
            completed_on=payload.completed_on,
            completed_by_name=payload.completed_by,
            items=payload.items,
            scales=payload.scales.dict() if payload.scales is not None else None,
        )
    except ValidationError as exc:
        raise InvalidInput(_errors(exc)) from exc
    return Status(201, sdq_out(record))

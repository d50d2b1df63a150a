"""/api/v1/peps: Personal Education Plans through the API, scoped and checked exactly as the pages are.

A PEP of a child the token's user may not see answers 404. Every write names the `version` it started from and
a stale one answers 409 with what changed (nothing is saved). No `from __future__ import annotations`: Ninja
reads the annotations to build the schemas.
"""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from virtualschool.api.auth import ApiRequest
from virtualschool.api.errors import InvalidInput, NotFound
from virtualschool.api.reads import VIA_API, AuditedChildPagination
from virtualschool.api.schemas import ErrorOut
from virtualschool.children.models import Child
from virtualschool.children.selectors import child_get
from virtualschool.core import audit

from . import services
from .models import Pep, PepStatus, PepType, SectionKind
from .selectors import pep_get, peps_visible_to, prior_attainment_for, targets_to_review

router = Router(tags=["PEPs"])


class SectionOut(Schema):
    kind: SectionKind
    completed: bool
    completed_on: dt.date | None
    completed_by: str
    answers: dict[str, str]
    version: int


class AttainmentOut(Schema):
    id: int
    subject: str
    current: str
    target: str
    on_track: bool | None
    comment: str
    version: int


class TargetOut(Schema):
    id: int
    description: str
    measure: str
    baseline: str
    target_value: str
    deadline: dt.date | None
    owner: str
    ppplus_pence: int | None = Field(description="PP+ funding behind the target, in pence")
    funding_note: str
    outcome: str = Field(description="achieved, partly or not_achieved once reviewed at a later PEP")
    outcome_note: str
    version: int


class ActionOut(Schema):
    id: int
    description: str
    owner: str
    due_on: dt.date
    done_on: dt.date | None
    version: int


class QaRatingOut(Schema):
    criterion: str
    rating: str


class QaOut(Schema):
    grade: str
    feedback: str
    completed_on: dt.date | None
    reviewer: str
    ratings: list[QaRatingOut]


class MeetingOut(Schema):
    date: dt.date | None
    time: str
    venue: str
    mode: str
    chair: str
    invitees: list[str]
    attendees: list[str]
    notes: str
    held_on: dt.date | None
    next_meeting_date: dt.date | None


class PepOut(Schema):
    id: int
    child_id: int
    academic_year: int
    term: str
    pep_type: PepType
    status: PepStatus
    rag: str
    plan_version: int
    version: int = Field(description="Send this back with a change of the PEP row (meeting, transitions)")
    school_id: int | None
    key_stage: str
    started_on: dt.date | None
    submitted_on: dt.date | None
    approved_on: dt.date | None


class PepDetailOut(PepOut):
    reason: str
    returned_reason: str
    meeting: MeetingOut
    sections: list[SectionOut]
    attainment: list[AttainmentOut]
    prior_attainment: list[dict[str, str]]
    targets: list[TargetOut]
    targets_reviewed: list[TargetOut] = Field(description="The previous PEP's targets, reviewed at this one")
    actions: list[ActionOut]
    records: list[dict[str, Any]] = Field(description="Attendance, suspensions and timetables (kept at submission)")
    sdq: dict[str, Any] = Field(description="The latest SDQ total and band")
    qa: list[QaOut]


class PepIn(Schema):
    child_id: int
    academic_year: int = Field(description="The calendar year the academic year starts in, e.g. 2026 for 2026/27")
    term: Literal["autumn", "spring", "summer"]
    pep_type: PepType = PepType.TERMLY
    reason: str = Field("", description="Why an interim or emergency PEP is needed (required for those)")


class SectionIn(Schema):
    answers: dict[str, str] = Field(description="Answers by question name (see the section's answers)")
    completed: bool = False
    completed_by_name: str = ""
    version: int = Field(description="The section version you started from")


class TargetIn(Schema):
    description: str
    measure: str = ""
    baseline: str = ""
    target_value: str = ""
    deadline: dt.date | None = None
    owner: str = ""
    ppplus_pence: int | None = None
    funding_note: str = ""
    version: int | None = Field(None, description="Required when changing a target: the version you started from")


class TransitionIn(Schema):
    action: Literal["start", "submit", "approve", "return", "new_version"]
    rag: Literal["", "red", "amber", "green"] = ""
    reason: str = ""
    version: int | None = None


class ChangeOut(Schema):
    field: str
    label: str
    theirs: str
    yours: str


class StaleOut(Schema):
    detail: str
    current_version: int
    changes: list[ChangeOut]


WRITE = {403: ErrorOut, 404: ErrorOut, 409: StaleOut, 422: ErrorOut}


def _pep(request: ApiRequest, pk: int) -> Pep:
    try:
        return pep_get(user=request.auth, pk=pk)
    except Pep.DoesNotExist:
        raise NotFound("PEP") from None


def _invalid(exc: ValidationError) -> InvalidInput:
    if hasattr(exc, "error_dict"):
        return InvalidInput({("detail" if k == "__all__" else k): v for k, v in exc.message_dict.items()})
    return InvalidInput({"detail": exc.messages})


def _stale(exc: services.StaleEdit) -> Status:
    return Status(
        409,
        {
            "detail": str(exc),
            "current_version": exc.current_version,
            "changes": [c.__dict__ for c in exc.changes],
        },
    )


def _summary(pep: Pep) -> dict[str, Any]:
    return {
        "id": pep.pk,
        "child_id": pep.child_id,
        "academic_year": pep.academic_year,
        "term": pep.term,
        "pep_type": pep.pep_type,
        "status": pep.status,
        "rag": pep.rag,
        "plan_version": pep.plan_version,
        "version": pep.version,
        "school_id": pep.school_id,
        "key_stage": pep.key_stage,
        "started_on": pep.started_on,
        "submitted_on": pep.submitted_on,
        "approved_on": pep.approved_on,
    }


def _target(t: Any) -> dict[str, Any]:
    return {
        name: getattr(t, name)
        for name in (
            "id", "description", "measure", "baseline", "target_value", "deadline", "owner", "ppplus_pence",
            "funding_note", "outcome", "outcome_note", "version",
        )
    }  # fmt: skip


def detail_out(pep: Pep) -> dict[str, Any]:
    from .document import SNAPSHOT_STATUSES

    submitted = pep.status in SNAPSHOT_STATUSES
    return {
        **_summary(pep),
        "reason": pep.reason,
        "returned_reason": pep.returned_reason,
        "meeting": {
            "date": pep.meeting_date,
            "time": pep.meeting_time.strftime("%H:%M") if pep.meeting_time else "",
            "venue": pep.meeting_venue,
            "mode": pep.meeting_mode,
            "chair": str(pep.chair) if pep.chair else "",
            "invitees": [line for line in pep.invitees.splitlines() if line.strip()],
            "attendees": [line for line in pep.attendees.splitlines() if line.strip()],
            "notes": pep.meeting_notes,
            "held_on": pep.meeting_held_on,
            "next_meeting_date": pep.next_meeting_date,
        },
        "sections": [
            {
                "kind": s.kind,
                "completed": s.completed,
                "completed_on": s.completed_on,
                "completed_by": s.completed_by_name or (str(s.completed_by) if s.completed_by else ""),
                "answers": s.answers or {},
                "version": s.version,
            }
            for s in pep.sections.all()
        ],
        "attainment": [
            {
                "id": a.pk,
                "subject": a.subject,
                "current": a.current,
                "target": a.target,
                "on_track": a.on_track,
                "comment": a.comment,
                "version": a.version,
            }
            for a in pep.attainment.all()
        ],
        "prior_attainment": [
            {"key_stage": p.key_stage, "subject": p.subject, "result": p.result}
            for p in prior_attainment_for(pep.child)
        ],
        "targets": [_target(t) for t in pep.targets.all()],
        "targets_reviewed": [_target(t) for t in targets_to_review(pep)],
        "actions": [
            {
                "id": a.pk,
                "description": a.description,
                "owner": a.owner,
                "due_on": a.due_on,
                "done_on": a.done_on,
                "version": a.version,
            }
            for a in pep.actions.all()
        ],
        "records": pep.records_snapshot if submitted else services.records_for(pep),
        "sdq": pep.sdq_snapshot if submitted else services.latest_sdq(pep.child),
        "qa": [
            {
                "grade": r.grade,
                "feedback": r.feedback,
                "completed_on": r.completed_on,
                "reviewer": str(r.reviewer),
                "ratings": [{"criterion": x.criterion, "rating": x.rating} for x in r.ratings.all()],
            }
            for r in pep.qa_reviews.all()
            if r.completed_on
        ],
    }


class AuditedPepPagination(AuditedChildPagination):
    child_of = "child_id"

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page[self.items_attribute] = [_summary(p) for p in page[self.items_attribute]]
        return page


@router.get("", response=list[PepOut], summary="PEPs you may see")
@paginate(AuditedPepPagination)
def list_peps(
    request: ApiRequest,
    child_id: int | None = None,
    status: PepStatus | None = None,
    academic_year: int | None = None,
    term: Literal["autumn", "spring", "summer"] | None = None,
) -> Any:
    """PEPs of the children the token's user may see, newest first; filter by child, status and term."""
    found = peps_visible_to(request.auth).order_by("-academic_year", "child_id", "-id")
    if child_id is not None:
        found = found.filter(child_id=child_id)
    if status is not None:
        found = found.filter(status=status)
    if academic_year is not None:
        found = found.filter(academic_year=academic_year)
    if term is not None:
        found = found.filter(term=term)
    return found


@router.get("/{id}", response={200: PepDetailOut, 404: ErrorOut}, summary="A PEP, whole")
def get_pep(request: ApiRequest, id: int) -> Any:
    """The PEP with its sections, attainment, targets (and the last PEP's, reviewed), actions, records and QA."""
    pep = _pep(request, id)
    audit.record_view(request.auth, pep, child_id=pep.child_id, context=VIA_API)
    return detail_out(pep)


@router.post("", response={201: PepDetailOut, **WRITE}, summary="Create a PEP")
def create_pep(request: ApiRequest, payload: PepIn) -> Any:
    try:
        child = child_get(user=request.auth, pk=payload.child_id)
    except Child.DoesNotExist:
        raise NotFound("child") from None
    try:
        pep = services.pep_create(
            actor=request.auth,
            child=child,
            academic_year=payload.academic_year,
            term=payload.term,
            pep_type=payload.pep_type,
            reason=payload.reason,
        )
    except ValidationError as exc:
        raise _invalid(exc) from exc
    return Status(201, detail_out(pep_get(user=request.auth, pk=pep.pk)))


@router.patch("/{id}/sections/{kind}", response={200: SectionOut, **WRITE}, summary="Save a section")
def update_section(request: ApiRequest, id: int, kind: SectionKind, payload: SectionIn) -> Any:
    """Save an author's answers. `version` is the section's version you started from: a stale one answers 409."""
    pep = _pep(request, id)
    section = next(s for s in pep.sections.all() if s.kind == kind)
    try:
        saved = services.section_save(
            actor=request.auth,
            section=section,
            answers=payload.answers,
            expected_version=payload.version,
            completed=payload.completed,
            completed_by_name=payload.completed_by_name,
        )
    except services.StaleEdit as exc:
        return _stale(exc)
    except ValidationError as exc:
        raise _invalid(exc) from exc
    return {
        "kind": saved.kind,
        "completed": saved.completed,
        "completed_on": saved.completed_on,
        "completed_by": saved.completed_by_name or (str(saved.completed_by) if saved.completed_by else ""),
        "answers": saved.answers,
        "version": saved.version,
    }


@router.post("/{id}/targets", response={201: TargetOut, **WRITE}, summary="Add a SMART target")
def add_target(request: ApiRequest, id: int, payload: TargetIn) -> Any:
    """A target that is not SMART answers 422, naming what is missing (measure, date, owner …)."""
    pep = _pep(request, id)
    try:
        target = services.target_save(actor=request.auth, pep=pep, data=payload.dict(exclude={"version"}))
    except ValidationError as exc:
        raise _invalid(exc) from exc
    return Status(201, _target(target))


@router.patch("/{id}/targets/{target_id}", response={200: TargetOut, **WRITE}, summary="Change a target")
def change_target(request: ApiRequest, id: int, target_id: int, payload: TargetIn) -> Any:
    pep = _pep(request, id)
    target = next((t for t in pep.targets.all() if t.pk == target_id), None)
    if target is None:
        raise NotFound("target")
    try:
        saved = services.target_save(
            actor=request.auth, pep=pep, data=payload.dict(exclude={"version"}), target=target,
            expected_version=payload.version,
        )  # fmt: skip
    except services.StaleEdit as exc:
        return _stale(exc)
    except ValidationError as exc:
        raise _invalid(exc) from exc
    return _target(saved)


@router.post("/{id}/transitions", response={200: PepDetailOut, **WRITE}, summary="Move a PEP on")
def transition(request: ApiRequest, id: int, payload: TransitionIn) -> Any:
    """start; submit (for quality assurance); approve (with rag amber or green: red is refused) or return (with a
    reason); new_version (reopen an approved PEP with a reason, keeping the approved version)."""
    pep = _pep(request, id)
    actor = request.auth
    try:
        if payload.action == "start":
            services.pep_start(actor=actor, pep=pep)
        elif payload.action == "submit":
            services.pep_submit(actor=actor, pep=pep, expected_version=payload.version)
        elif payload.action == "approve":
            services.pep_approve(actor=actor, pep=pep, rag=payload.rag, expected_version=payload.version)
        elif payload.action == "return":
            services.pep_return(
                actor=actor, pep=pep, reason=payload.reason, rag=payload.rag, expected_version=payload.version
            )
        else:
            services.pep_amend(actor=actor, pep=pep, reason=payload.reason)
    except services.StaleEdit as exc:
        return _stale(exc)
    except ValidationError as exc:
        raise _invalid(exc) from exc
    return detail_out(pep_get(user=actor, pk=pep.pk))

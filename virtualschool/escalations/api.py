"""/escalations and /ladders: raise a concern, read an escalation with its levels and due dates, list the ladders.

Scoped like the pages: an escalation the token's user may not see, or a child they do not work with, answers 404.
Reading an escalation is recorded in the child's audit history.

No `from __future__ import annotations` here: Ninja reads the annotations to build the schemas.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Field, Router, Schema, Status

from virtualschool.api.auth import ApiRequest
from virtualschool.api.errors import InvalidInput, NotFound, field_errors
from virtualschool.api.reads import VIA_API
from virtualschool.api.schemas import ErrorOut
from virtualschool.children.models import Child
from virtualschool.children.selectors import child_get
from virtualschool.core import audit

from . import services
from .models import Escalation, FailingParty, Ladder, LadderLevel, TimeUnit
from .selectors import escalation_get, ladders_list, levels_for

router = Router(tags=["Escalations"])

ALIASES = {"arose_on": "arose_on", "ladder": "ladder", "start_level": "start_level"}


class LevelOut(Schema):
    number: int = Field(description="0 for an informal stage, then 1, 2, 3 ...")
    name: str
    responsible: str
    copied: str
    time_amount: int | None = Field(description="Time allowed; null for no time limit")
    time_unit: TimeUnit
    safeguarding_time_amount: int | None = Field(description="Time allowed for a safeguarding matter; null: the same")
    safeguarding_time_unit: TimeUnit
    actions: list[str] = Field(description="What must be done at this level")
    responses: list[str] = Field(description="Responses the holder may record (Dorset's internal route)")
    ask_child_views: bool
    consider_reviewing_officer: bool
    repeats: bool = Field(description="When its time runs out the level starts again (fortnightly reminders)")


class LadderOut(Schema):
    slug: str
    name: str
    source: str
    failing_party: FailingParty
    summary: str
    may_skip: bool
    skip_by: str
    safeguarding_all_steps: bool
    safeguarding_note: str
    levels: list[LevelOut]


class EscalationIn(Schema):
    child_id: int
    ladder: str = Field(description="The ladder's slug, for example dorset-dispute-resolution")
    arose_on: dt.date = Field(description="The date the concern arose")
    safeguarding: bool = Field(description="A safeguarding matter: the ladder's faster timescales apply")
    summary: str = Field(description="What is not happening")
    failing_party: FailingParty | None = Field(None, description="Defaults to the ladder's failing party")
    party_name: str = Field("", max_length=200, description="The school, service or person, by name")
    evidence: str = ""
    start_level: int | None = Field(None, description="Start above the first level (where the ladder allows it)")
    reason: str = Field("", description="Why it starts above the first level, or has a different timescale")


class LevelDueOut(Schema):
    number: int
    name: str
    responsible: str
    state: str = Field(description="passed, skipped, current or ahead")
    entered_on: dt.date | None
    due_on: dt.date | None
    projected: bool = Field(description="True for a level ahead: its dates if each level before runs its full time")


class ContactOut(Schema):
    level: int
    person: str
    role: str
    method: str
    contacted_on: dt.date
    asked: str
    response: str


class ChildViewOut(Schema):
    level: int
    recorded_on: dt.date
    views: str
    not_obtained_reason: str


class EscalationOut(Schema):
    id: int
    child_id: int
    ladder: str
    failing_party: FailingParty
    party_name: str
    summary: str
    evidence: str
    arose_on: dt.date
    safeguarding: bool
    status: str
    raised_on: dt.date
    raised_by: str
    holder: str
    level: int | None
    due_on: dt.date | None
    resolved_on: dt.date | None
    outcome: str
    levels: list[LevelDueOut]
    contacts: list[ContactOut]
    child_views: list[ChildViewOut]


def level_out(level: LadderLevel) -> dict[str, Any]:
    return {
        "number": level.number,
        "name": level.name,
        "responsible": level.responsible,
        "copied": level.copied,
        "time_amount": level.time_amount,
        "time_unit": level.time_unit,
        "safeguarding_time_amount": level.safeguarding_time_amount,
        "safeguarding_time_unit": level.safeguarding_time_unit,
        "actions": level.action_lines,
        "responses": list(level.responses or []),
        "ask_child_views": level.ask_child_views,
        "consider_reviewing_officer": level.consider_reviewing_officer,
        "repeats": level.repeats,
    }


def ladder_out(ladder: Ladder) -> dict[str, Any]:
    return {
        "slug": ladder.slug,
        "name": ladder.name,
        "source": ladder.source,
        "failing_party": ladder.failing_party,
        "summary": ladder.summary,
        "may_skip": ladder.may_skip,
        "skip_by": ladder.skip_by,
        "safeguarding_all_steps": ladder.safeguarding_all_steps,
        "safeguarding_note": ladder.safeguarding_note,
        "levels": [level_out(level) for level in ladder.levels.all()],
    }


def escalation_out(escalation: Escalation) -> dict[str, Any]:
    step = escalation.current_step
    return {
        "id": escalation.pk,
        "child_id": escalation.child_id,
        "ladder": escalation.ladder.slug,
        "failing_party": escalation.failing_party,
        "party_name": escalation.party_name,
        "summary": escalation.summary,
        "evidence": escalation.evidence,
        "arose_on": escalation.arose_on,
        "safeguarding": escalation.safeguarding,
        "status": escalation.status,
        "raised_on": escalation.raised_on,
        "raised_by": str(escalation.raised_by),
        "holder": str(escalation.holder),
        "level": step.level.number if step else None,
        "due_on": escalation.due_on,
        "resolved_on": escalation.resolved_on,
        "outcome": escalation.outcome,
        "levels": [
            {
                "number": row.level.number,
                "name": row.level.name,
                "responsible": row.level.responsible,
                "state": row.state,
                "entered_on": row.entered_on,
                "due_on": row.due_on,
                "projected": row.projected,
            }
            for row in levels_for(escalation)
        ],
        "contacts": [
            {
                "level": c.step.level.number,
                "person": c.person,
                "role": c.role,
                "method": c.method,
                "contacted_on": c.contacted_on,
                "asked": c.asked,
                "response": c.response,
            }
            for c in escalation.contacts.all()
        ],
        "child_views": [
            {
                "level": v.step.level.number,
                "recorded_on": v.recorded_on,
                "views": v.views,
                "not_obtained_reason": v.not_obtained_reason,
            }
            for v in escalation.child_views.all()
        ],
    }


@router.get("/ladders", response=list[LadderOut], summary="Escalation ladders")
def list_ladders(request: ApiRequest) -> Any:
    """Every active ladder with its levels: who is responsible, who is copied, the time allowed and what to do."""
    return [ladder_out(ladder) for ladder in ladders_list()]


@router.get("/escalations/{id}", response={200: EscalationOut, 404: ErrorOut}, summary="One escalation")
def get_escalation(request: ApiRequest, id: int) -> Any:
    """An escalation with every level of its ladder and its due date (projected for levels ahead), its contacts and
    the child's views."""
    try:
        escalation = escalation_get(user=request.auth, pk=id)
    except Escalation.DoesNotExist:
        raise NotFound("escalation") from None
    audit.record_view(request.auth, escalation, child_id=escalation.child_id, context=VIA_API)
    return escalation_out(escalation)


@router.post(
    "/escalations/",
    response={201: EscalationOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Raise a concern",
)
def raise_escalation(request: ApiRequest, payload: EscalationIn) -> Any:
    """Raise a concern for a child on a ladder; it starts at the ladder's first level with its due date."""
    try:
        child = child_get(user=request.auth, pk=payload.child_id)
    except Child.DoesNotExist:
        raise NotFound("child") from None
    ladder = Ladder.objects.filter(slug=payload.ladder).first()
    if ladder is None:
        known = ", ".join(Ladder.objects.filter(active=True).values_list("slug", flat=True))
        raise InvalidInput({"ladder": [f"No ladder {payload.ladder!r}: use one of {known}"]})
    try:
        escalation = services.escalation_raise(
            actor=request.auth,
            child=child,
            ladder=ladder,
            summary=payload.summary,
            arose_on=payload.arose_on,
            safeguarding=payload.safeguarding,
            failing_party=payload.failing_party or "",
            party_name=payload.party_name,
            evidence=payload.evidence,
            start_level=payload.start_level,
            reason=payload.reason,
        )
    except ValidationError as exc:
        raise InvalidInput(field_errors(exc, ALIASES)) from exc
    return Status(201, escalation_out(escalation_get(user=request.auth, pk=escalation.pk)))

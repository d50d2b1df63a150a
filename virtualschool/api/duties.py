"""/children/{id}/duties and /duties/rules: each child's statutory duties as the engine computed them.

Scoped like the rest of the API: a child the token's user may not see answers 404. The child is recorded as
viewed in their audit history.

No `from __future__ import annotations` here: Ninja reads the annotations to build the schemas.
"""

import datetime as dt
from typing import Any

from ninja import Field, Router, Schema

from virtualschool.children.models import Child
from virtualschool.children.selectors import child_get
from virtualschool.core import audit
from virtualschool.duties.engine import rule_statuses
from virtualschool.duties.models import DutyRule
from virtualschool.duties.selectors import duties_for_child

from .auth import ApiRequest
from .errors import NotFound
from .reads import VIA_API
from .schemas import ErrorOut

router = Router(tags=["Duties"])


class OwnerOut(Schema):
    id: int
    name: str
    role: str = Field(description="The rule's owner role: lead, social_worker, designated_teacher, ...")


class DutyOut(Schema):
    rule: str = Field(description="The rule's slug")
    name: str
    started_on: dt.date = Field(description="The date of the event that started the clock")
    due_on: dt.date
    met_on: dt.date | None
    state: str = Field(description="upcoming, due (due soon), met_on_time, met_late or overdue")
    owner: OwnerOut | None = Field(description="The person who owns the duty; null when nobody is allocated")
    owner_role: str
    reference: str = Field(description="The record that started the clock, e.g. placement:12")


class RuleOut(Schema):
    slug: str
    name: str
    source: str
    start_event: str
    duration: int
    unit: str = Field(description="working, school, calendar (days), weeks, months or terms")
    before_start: bool = Field(description="Due this long before the start event rather than after it")
    owner_role: str
    met_by_event: str
    recurrence: str
    conditions: list[str]
    active: bool
    measured: bool = Field(description="False when no source yet provides the rule's start or met-by events")
    not_measured_reason: str


@router.get("/children/{id}/duties", response={200: list[DutyOut], 404: ErrorOut}, summary="A child's duties")
def child_duties(request: ApiRequest, id: int) -> Any:
    """Every duty clock of the child, latest due first, with its due date, met date, state and owner."""
    try:
        child = child_get(user=request.auth, pk=id)
    except Child.DoesNotExist:
        raise NotFound("child") from None
    duties = list(duties_for_child(user=request.auth, child=child))
    audit.record_view(request.auth, child, child_id=child.pk, context={**VIA_API, "duties": len(duties)})
    return [
        {
            "rule": duty.rule.slug,
            "name": duty.rule.name,
            "started_on": duty.started_on,
            "due_on": duty.due_on,
            "met_on": duty.met_on,
            "state": duty.state,
            "owner": (
                {"id": duty.owner.pk, "name": duty.owner.full_name or duty.owner.username, "role": duty.rule.owner_role}
                if duty.owner
                else None
            ),
            "owner_role": duty.rule.owner_role,
            "reference": duty.reference,
        }
        for duty in duties
    ]


@router.get("/duties/rules", response=list[RuleOut], summary="The duty rules")
def list_rules(request: ApiRequest) -> Any:
    """Every statutory duty rule, with its configured timescale and whether it is measured yet."""
    return [
        {
            "slug": s.rule.slug,
            "name": s.rule.name,
            "source": s.rule.source,
            "start_event": s.rule.start_event,
            "duration": s.rule.duration,
            "unit": s.rule.unit,
            "before_start": s.rule.before_start,
            "owner_role": s.rule.owner_role,
            "met_by_event": s.rule.met_by_event,
            "recurrence": s.rule.recurrence,
            "conditions": list(s.rule.conditions),
            "active": s.rule.active,
            "measured": s.measured,
            "not_measured_reason": s.reason,
        }
        for s in rule_statuses(DutyRule.objects.all())
    ]

"""/api/v1/suspensions and /api/v1/reduced-timetables, scoped like the pages: a child the token's user may not
see answers 404, and every record a response shows is recorded in the child's audit history.

No `from __future__ import annotations` here: Ninja reads the annotations to build the schemas.
"""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from virtualschool.api.auth import ApiRequest
from virtualschool.api.errors import InvalidInput, NotFound, field_errors
from virtualschool.api.reads import VIA_API, AuditedChildPagination
from virtualschool.api.schemas import ErrorOut
from virtualschool.children.models import Child
from virtualschool.children.selectors import child_get
from virtualschool.core import audit
from virtualschool.core.calendar import school_calendar
from virtualschool.core.permissions import require
from virtualschool.schools.models import School

from . import assess, services
from .codes import REASONS
from .models import ReducedTimetable, Suspension
from .selectors import (
    suspension_facts,
    suspension_get,
    suspension_policy,
    suspensions_visible_to,
    timetable_get,
    timetables_visible_to,
)

suspensions_router = Router(tags=["suspensions"])
timetables_router = Router(tags=["reduced timetables"])

WRITE_ERRORS: dict[int | str, Any] = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
ALIASES = {"school": "school_urn"}


# --- Suspensions ---------------------------------------------------------------------------------------------


class SuspensionIn(Schema):
    child_id: int
    school_urn: int = Field(description="The URN of the school that suspended or excluded the child")
    category: Literal["SUSP", "PERM"] = Field("SUSP", description="Census category: SUSP or PERM")
    decided_on: dt.date | None = Field(None, description="The headteacher's decision; defaults to start_date")
    start_date: dt.date = Field(description="The first day of the suspension")
    length_unit: Literal["days", "sessions", ""] = Field("", description="days or sessions; not for PERM")
    length: int | None = Field(None, description="School days or sessions (half days); not for PERM")
    reasons: list[str] = Field(description=f"Census reason codes, one to three: {', '.join(REASONS)}")
    details: str = ""
    vs_told_on: dt.date | None = None
    social_worker_told_on: dt.date | None = None
    reviewing_officer_told_on: dt.date | None = None
    paperwork_received_on: dt.date | None = None
    provision_day1: str = ""
    provision_day6: str = ""
    provision_day6_arranged_on: dt.date | None = None
    is_final: bool = Field(False, description="PERM only: refused without the multi-agency meeting")
    meeting_on: dt.date | None = None
    meeting_social_worker: str = ""
    meeting_carer: str = ""
    meeting_reviewing_officer: str = ""
    meeting_vs_lead: str = ""
    meeting_school: str = ""
    meeting_alternatives: str = ""


class SuspensionOut(Schema):
    id: int
    child_id: int
    school_urn: int
    school_name: str
    category: str
    decided_on: dt.date
    start_date: dt.date
    length_unit: str
    length: int | None
    end_date: dt.date | None = Field(description="The last school day, from the term dates")
    school_days: Decimal | None = Field(description="Length in school days (a session is half)")
    full_time_from: dt.date | None = Field(description="The sixth school day, when the suspension reaches it")
    reasons: list[str]
    details: str
    vs_told_on: dt.date | None
    social_worker_told_on: dt.date | None
    reviewing_officer_told_on: dt.date | None
    paperwork_received_on: dt.date | None
    paperwork_due: dt.date
    vs_told: str = Field(description="on_time, late or not_told (on the day of the decision is expected)")
    social_worker_told: str
    reviewing_officer_told: str
    paperwork: str = Field(description="received, received_late, awaited or missing")
    day6: str = Field(description="'' (not needed), arranged, upcoming, due or overdue")
    provision_day1: str
    provision_day6: str
    provision_day6_arranged_on: dt.date | None
    reintegration_meeting_on: dt.date | None
    reintegration_attendees: str
    is_final: bool
    missing_for_final: list[str] = Field(description="PERM: who the multi-agency meeting still lacks")
    governors_by: dt.date | None = Field(description="PERM: the governing board considers it by this date")
    not_invited: list[str] = Field(description="Who was not invited to a return meeting that was held")
    governors_meeting_on: dt.date | None
    governors_outcome: str
    review_requested_on: dt.date | None
    review_on: dt.date | None
    review_outcome: str


class SuspensionFilters(Schema):
    child_id: int | None = None
    school_urn: int | None = None
    category: Literal["SUSP", "PERM"] | None = None
    start_from: dt.date | None = Field(None, description="Suspensions starting on or after this date")
    start_to: dt.date | None = Field(None, description="Suspensions starting on or before this date")


def suspension_out(s: Suspension, facts: Any) -> dict[str, Any]:
    return {
        **{
            name: getattr(s, name)
            for name in (
                "id",
                "child_id",
                "category",
                "decided_on",
                "start_date",
                "length_unit",
                "length",
                "end_date",
                "school_days",
                "full_time_from",
                "reasons",
                "details",
                "vs_told_on",
                "social_worker_told_on",
                "reviewing_officer_told_on",
                "paperwork_received_on",
                "provision_day1",
                "provision_day6",
                "provision_day6_arranged_on",
                "reintegration_meeting_on",
                "reintegration_attendees",
                "is_final",
                "governors_meeting_on",
                "governors_outcome",
                "review_requested_on",
                "review_on",
                "review_outcome",
            )
        },
        "school_urn": s.school.urn,
        "school_name": s.school.name,
        "paperwork_due": facts.paperwork_due,
        "vs_told": facts.vs_told,
        "social_worker_told": facts.social_worker_told,
        "reviewing_officer_told": facts.reviewing_officer_told,
        "paperwork": facts.paperwork,
        "day6": facts.day6_status,
        "missing_for_final": list(facts.missing_for_final),
        "governors_by": facts.governors_by,
        "not_invited": list(facts.not_invited),
    }


def _facts(suspensions: list[Suspension]) -> list[dict[str, Any]]:
    today, policy, calendar = timezone.localdate(), suspension_policy(), school_calendar()
    return [suspension_out(s, suspension_facts(s, today=today, policy=policy, calendar=calendar)) for s in suspensions]


class AuditedSuspensionPagination(AuditedChildPagination):
    child_of = "child_id"

    def paginate_queryset(self, queryset: Any, pagination: Any, request: Any, **params: Any) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page[self.items_attribute] = _facts(page[self.items_attribute])
        return page


def _child(request: ApiRequest, pk: int) -> Child:
    try:
        return child_get(user=request.auth, pk=pk)
    except Child.DoesNotExist:
        raise NotFound("child") from None


def _school(urn: int | None) -> School | None:
    if urn is None:
        return None
    try:
        return School.objects.get(urn=urn)
    except School.DoesNotExist:
        raise InvalidInput({"school_urn": [f"No school with URN {urn} is in the register. Check the URN."]}) from None


@suspensions_router.get("", response=list[SuspensionOut], summary="List suspensions")
@paginate(AuditedSuspensionPagination)
def list_suspensions(request: ApiRequest, filters: Query[SuspensionFilters]) -> Any:
    """Suspensions and permanent exclusions of the children the user may see, newest first, each with what is
    late or missing (told on the day, the 48-hour paperwork, the sixth day)."""
    qs = suspensions_visible_to(request.auth).select_related("school")
    if filters.child_id is not None:
        qs = qs.filter(child_id=filters.child_id)
    if filters.school_urn is not None:
        qs = qs.filter(school__urn=filters.school_urn)
    if filters.category is not None:
        qs = qs.filter(category=filters.category)
    if filters.start_from is not None:
        qs = qs.filter(start_date__gte=filters.start_from)
    if filters.start_to is not None:
        qs = qs.filter(start_date__lte=filters.start_to)
    return qs.order_by("-start_date", "-pk")


@suspensions_router.get("/{id}", response={200: SuspensionOut, 404: ErrorOut}, summary="A suspension")
def get_suspension(request: ApiRequest, id: int) -> Any:
    try:
        suspension = suspension_get(user=request.auth, pk=id)
    except Suspension.DoesNotExist:
        raise NotFound("suspension") from None
    audit.record_view(request.auth, suspension, child_id=suspension.child_id, context=VIA_API)
    return _facts([suspension])[0]


@suspensions_router.post("", response={201: SuspensionOut, **WRITE_ERRORS}, summary="Record a suspension")
def create_suspension(request: ApiRequest, payload: SuspensionIn) -> Any:
    """Record a suspension or permanent exclusion; the end date and sixth day come from the term dates, and the
    social worker, lead and reviewing officer are told at once."""
    values = payload.dict()
    child = _child(request, values.pop("child_id"))
    require(request.auth, "suspensions.add_suspension", child)
    values["school"] = _school(values.pop("school_urn"))
    if values["category"] == "PERM":
        values.pop("length_unit")
        values.pop("length")
    try:
        suspension = services.suspension_create(actor=request.auth, child=child, **values)
    except ValidationError as exc:
        raise InvalidInput(field_errors(exc, ALIASES)) from exc
    return Status(201, _facts([suspension_get(user=request.auth, pk=suspension.pk)])[0])


# --- Reduced timetables --------------------------------------------------------------------------------------


class AgreementsIn(Schema):
    social_care: str = Field("", description="Name of who agreed for social care; empty if not agreed")
    virtual_school: str = ""
    school: str = ""
    carer: str = ""


class TimetableIn(Schema):
    child_id: int
    school_urn: int | None = None
    hours_per_week: Decimal = Field(description="Fewer than full-time (25 school age, 16 post-16)")
    start_date: dt.date
    end_date: dt.date = Field(description="Required: a reduced timetable is only for a fixed term")
    review_dates: list[dt.date] = Field(description="At least one, between the start and end dates")
    reason: str = ""
    pep_reference: str = Field("", max_length=200, description="The PEP it is recorded in")
    pep_id: int | None = Field(None, description="The PEP's id, once the PEP app records it")
    agreements: AgreementsIn | None = Field(None, description="Who agreed it, by party")


class ReviewOut(Schema):
    due_on: dt.date
    held_on: dt.date | None
    notes: str


class TimetableOut(Schema):
    id: int
    child_id: int
    school_urn: int | None
    hours_per_week: Decimal
    start_date: dt.date
    end_date: dt.date
    ended_on: dt.date | None
    reason: str
    pep_reference: str
    pep_id: int | None
    agreements: dict[str, str] = Field(description="Who agreed, by party; a party missing did not agree")
    not_agreed_by: list[str]
    reviews: list[ReviewOut]
    live: bool
    overdue: bool
    overdue_reasons: list[str]


class TimetableFilters(Schema):
    child_id: int | None = None
    live: bool | None = Field(None, description="Only timetables in place today (true) or not (false)")
    overdue: bool | None = None


def timetable_out(t: ReducedTimetable, today: dt.date) -> dict[str, Any]:
    reviews = list(t.reviews.all())
    state = assess.timetable_state(t, reviews, today)
    return {
        "id": t.pk,
        "child_id": t.child_id,
        "school_urn": t.school.urn if t.school else None,
        "hours_per_week": t.hours_per_week,
        "start_date": t.start_date,
        "end_date": t.end_date,
        "ended_on": t.ended_on,
        "reason": t.reason,
        "pep_reference": t.pep_reference,
        "pep_id": t.pep_id,
        "agreements": {
            key: getattr(t, f"agreed_{key}_by")
            for key in ("social_care", "virtual_school", "school", "carer")
            if getattr(t, f"agreed_{key}")
        },
        "not_agreed_by": assess.missing_agreements(t),
        "reviews": [{"due_on": r.due_on, "held_on": r.held_on, "notes": r.notes} for r in reviews],
        "live": state.live,
        "overdue": state.overdue,
        "overdue_reasons": list(state.reasons),
    }


class AuditedTimetablePagination(AuditedChildPagination):
    child_of = "child_id"

    def paginate_queryset(self, queryset: Any, pagination: Any, request: Any, **params: Any) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        today = timezone.localdate()
        page[self.items_attribute] = [timetable_out(t, today) for t in page[self.items_attribute]]
        return page


@timetables_router.get("", response=list[TimetableOut], summary="List reduced timetables")
@paginate(AuditedTimetablePagination)
def list_timetables(request: ApiRequest, filters: Query[TimetableFilters]) -> Any:
    """Reduced timetables of the children the user may see, newest first, each with whether it is overdue."""
    qs = timetables_visible_to(request.auth).select_related("school")
    if filters.child_id is not None:
        qs = qs.filter(child_id=filters.child_id)
    today = timezone.localdate()
    if filters.live is not None or filters.overdue is not None:
        chosen = []
        for t in qs:
            state = assess.timetable_state(t, t.reviews.all(), today)
            if filters.live is not None and state.live != filters.live:
                continue
            if filters.overdue is not None and state.overdue != filters.overdue:
                continue
            chosen.append(t.pk)
        qs = qs.filter(pk__in=chosen)
    return qs.order_by("-start_date", "-pk")


@timetables_router.get("/{id}", response={200: TimetableOut, 404: ErrorOut}, summary="A reduced timetable")
def get_timetable(request: ApiRequest, id: int) -> Any:
    try:
        timetable = timetable_get(user=request.auth, pk=id)
    except ReducedTimetable.DoesNotExist:
        raise NotFound("reduced timetable") from None
    audit.record_view(request.auth, timetable, child_id=timetable.child_id, context=VIA_API)
    return timetable_out(timetable, timezone.localdate())


@timetables_router.post("", response={201: TimetableOut, **WRITE_ERRORS}, summary="Record a reduced timetable")
def create_timetable(request: ApiRequest, payload: TimetableIn) -> Any:
    values = payload.dict()
    child = _child(request, values.pop("child_id"))
    require(request.auth, "suspensions.add_reducedtimetable", child)
    values["school"] = _school(values.pop("school_urn"))
    values["agreements"] = {k: v for k, v in (values["agreements"] or {}).items() if (v or "").strip()}
    try:
        timetable = services.timetable_create(actor=request.auth, child=child, **values)
    except ValidationError as exc:
        raise InvalidInput(field_errors(exc, ALIASES)) from exc
    return Status(201, timetable_out(timetable_get(user=request.auth, pk=timetable.pk), timezone.localdate()))

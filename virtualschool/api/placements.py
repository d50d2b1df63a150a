"""/placements: where each child learns, scoped to the children the token's user may see."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import PatchDict, Query, Router, Status
from ninja.pagination import paginate

from virtualschool.children.models import Child
from virtualschool.children.selectors import child_get
from virtualschool.core import audit
from virtualschool.core.permissions import require
from virtualschool.placements import services
from virtualschool.placements.models import EducationPlacement
from virtualschool.placements.selectors import current_placement_q, placement_get, placements_visible_to
from virtualschool.schools.models import School
from virtualschool.schools.selectors import schools_visible_to

from .auth import ApiRequest
from .errors import InvalidInput, NotFound, clear_nulls, field_errors
from .people import PERSON_ALIASES, resolve_people
from .reads import VIA_API, AuditedPlacementPagination
from .schemas import ErrorOut, PlacementFields, PlacementFilters, PlacementIn, PlacementOut

router = Router(tags=["placements"])

ALIASES = {"school": "school_urn", **PERSON_ALIASES}
WRITE_ERRORS: dict[int | str, Any] = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _values(request: ApiRequest, payload: dict[str, Any]) -> dict[str, Any]:
    values = resolve_people(request.auth, dict(payload))
    if "school_urn" in values:
        urn = values.pop("school_urn")
        values["school"] = None if urn is None else _school_by_urn(request, urn)
    if "ofsted_rating_at_start" in values and values["ofsted_rating_at_start"] is None:
        del values["ofsted_rating_at_start"]  # the service takes the school's judgement from the register
    if values.get("hours_per_week") is not None:
        values["hours_per_week"] = Decimal(str(values["hours_per_week"]))
    clear_nulls(EducationPlacement, values, ALIASES)
    return values


def _school_by_urn(request: ApiRequest, urn: int) -> School:
    try:
        return schools_visible_to(request.auth).get(urn=urn)
    except School.DoesNotExist:
        raise InvalidInput(
            {"school_urn": [f"No school with URN {urn} is in the register. Check the URN, or add the school first."]}
        ) from None


def _placement(request: ApiRequest, pk: int) -> EducationPlacement:
    try:
        return placement_get(user=request.auth, pk=pk)
    except EducationPlacement.DoesNotExist:
        raise NotFound("placement") from None


@router.get("", response=list[PlacementOut], summary="List placements")
@paginate(AuditedPlacementPagination)
def list_placements(request: ApiRequest, filters: Query[PlacementFilters]) -> Any:
    """Placements of the children the user may see, newest first."""
    qs = placements_visible_to(request.auth).select_related("child", "school")
    if filters.child_id is not None:
        qs = qs.filter(child_id=filters.child_id)
    if filters.school_urn is not None:
        qs = qs.filter(school__urn=filters.school_urn)
    if filters.current is not None:
        current = current_placement_q(timezone.localdate())
        qs = qs.filter(current) if filters.current else qs.exclude(current)
    return qs.order_by("-start_date", "-pk")


@router.get("/{id}", response={200: PlacementOut, 404: ErrorOut}, summary="A placement")
def get_placement(request: ApiRequest, id: int) -> Any:
    """One placement; the read is recorded in the child's audit history."""
    placement = _placement(request, id)
    audit.record_view(request.auth, placement, child_id=placement.child_id, context=VIA_API)
    return placement


@router.post("", response={201: PlacementOut, **WRITE_ERRORS}, summary="Start a placement")
def create_placement(request: ApiRequest, payload: PlacementIn) -> Any:
    """A new placement; a current placement that began earlier ends the day before this one starts."""
    values = payload.dict(exclude_unset=True)
    try:
        child = child_get(user=request.auth, pk=values.pop("child_id"))
    except Child.DoesNotExist:
        raise NotFound("child") from None
    # Permission before validation: someone who may not add placements learns nothing from error messages.
    require(request.auth, "placements.add_educationplacement", child)
    values = _values(request, values)
    try:
        placement = services.placement_create(actor=request.auth, child=child, **values)
    except ValidationError as exc:
        raise InvalidInput(field_errors(exc, ALIASES)) from exc
    return Status(201, placement_get(user=request.auth, pk=placement.pk))


@router.patch("/{id}", response={200: PlacementOut, **WRITE_ERRORS}, summary="Change a placement")
def update_placement(request: ApiRequest, id: int, payload: PatchDict[PlacementFields]) -> Any:
    placement = _placement(request, id)
    require(request.auth, "placements.change_educationplacement", placement.child)
    values = _values(request, payload)
    try:
        placement = services.placement_update(actor=request.auth, placement=placement, **values)
    except ValidationError as exc:
        raise InvalidInput(field_errors(exc, ALIASES)) from exc
    return placement_get(user=request.auth, pk=placement.pk)

"""/children: the roll, scoped to what the token's user may see. Every read is audited."""

from typing import Any

from django.core.exceptions import ValidationError
from ninja import PatchDict, Query, Router, Status
from ninja.pagination import paginate

from virtualschool.children import services
from virtualschool.children.models import Child
from virtualschool.children.services import normalise_upn
from virtualschool.core import audit
from virtualschool.core.permissions import require
from virtualschool.placements.selectors import RollFilters, roll_search
from virtualschool.schools.selectors import schools_visible_to

from .auth import ApiRequest
from .errors import InvalidInput, NotFound, clear_nulls, field_errors
from .people import PERSON_ALIASES, resolve_people
from .reads import VIA_API, AuditedChildPagination
from .schemas import ChildFields, ChildFilters, ChildOut, ChildSummaryOut, ErrorOut, request_policy

router = Router(tags=["children"])

WRITE_ERRORS: dict[int | str, Any] = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _values(request: ApiRequest, payload: dict[str, Any]) -> dict[str, Any]:
    values = resolve_people(request.auth, dict(payload))
    clear_nulls(Child, values, PERSON_ALIASES)
    return values


def _roll(request: ApiRequest, filters: RollFilters) -> Any:
    return roll_search(user=request.auth, filters=filters, home_la_code=request_policy({"request": request}).la_code)


def _child(request: ApiRequest, pk: int) -> Child:
    """The child with its current placement and legal status attached, or 404 when out of scope."""
    try:
        return _roll(request, RollFilters(status="all")).select_related("reviewing_officer").get(pk=pk)
    except Child.DoesNotExist:
        raise NotFound("child") from None


def _with_detail(request: ApiRequest, child: Child) -> Child:
    return _child(request, child.pk)


@router.get("", response=list[ChildSummaryOut], summary="List or find children")
@paginate(AuditedChildPagination)
def list_children(request: ApiRequest, filters: Query[ChildFilters]) -> Any:
    """Children the user may see. `?upn=` or `?reference=` finds one child (open or closed)."""
    finding = bool(filters.upn or filters.reference)
    school_id: int | None = None
    if filters.school_urn is not None:
        school_id = schools_visible_to(request.auth).filter(urn=filters.school_urn).values_list("pk", flat=True).first()
    roll_filters = RollFilters(
        query=filters.q,
        lead_id=filters.lead_id,
        school_id=school_id,
        year_group=filters.year_group,
        legal_status=filters.legal_status,
        in_area=filters.in_area,
        send=filters.send,
        cohort=filters.cohort or "",
        status=filters.status or ("all" if finding else "open"),
    )
    qs = _roll(request, roll_filters)
    if filters.school_urn is not None and school_id is None:
        return qs.none()  # no such school, so nobody is at it
    if filters.upn:
        qs = qs.filter(upn=normalise_upn(filters.upn))
    if filters.reference:
        qs = qs.filter(social_care_reference__iexact=filters.reference.strip())
    return qs.order_by("last_name", "first_name", "pk")


@router.get("/{id}", response={200: ChildOut, 404: ErrorOut}, summary="A child's record")
def get_child(request: ApiRequest, id: int) -> Any:
    """The child's record with its current placement; the read is recorded in the child's audit history."""
    child = _child(request, id)
    audit.record_view(request.auth, child, child_id=child.pk, context=VIA_API)
    return child


@router.post("", response={201: ChildOut, **WRITE_ERRORS}, summary="Add a child to the roll")
def create_child(request: ApiRequest, payload: ChildFields) -> Any:
    require(request.auth, "children.add_child")  # before any lookup can answer 422
    values = _values(request, payload.dict())
    try:
        child = services.child_create(actor=request.auth, **values)
    except ValidationError as exc:
        raise InvalidInput(field_errors(exc, PERSON_ALIASES)) from exc
    return Status(201, _with_detail(request, child))


@router.patch("/{id}", response={200: ChildOut, **WRITE_ERRORS}, summary="Change a child's record")
def update_child(request: ApiRequest, id: int, payload: PatchDict[ChildFields]) -> Any:
    child = _child(request, id)
    require(request.auth, "children.change_child", child)
    values = _values(request, payload)
    try:
        child = services.child_update(actor=request.auth, child=child, **values)
    except ValidationError as exc:
        raise InvalidInput(field_errors(exc, PERSON_ALIASES)) from exc
    return _with_detail(request, child)

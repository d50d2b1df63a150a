"""/schools: the register of establishments."""

from typing import Any

from django.core.exceptions import ValidationError
from ninja import PatchDict, Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from virtualschool.schools import services
from virtualschool.schools.models import School
from virtualschool.schools.selectors import school_get, school_search, schools_visible_to

from .auth import ApiRequest
from .errors import InvalidInput, NotFound, clear_nulls, field_errors
from .schemas import ErrorOut, SchoolFilters, SchoolIn, SchoolOut, request_policy

router = Router(tags=["schools"])

# API field names that differ from the model's.
ALIASES = {"type_name": "type"}
WRITE_ERRORS: dict[int | str, Any] = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _values(payload: dict[str, Any]) -> dict[str, Any]:
    values = dict(payload)
    if "type" in values:
        values["type_name"] = values.pop("type")
    clear_nulls(School, values, ALIASES)
    return values


def _school(request: ApiRequest, pk: int) -> School:
    try:
        return school_get(user=request.auth, pk=pk)
    except School.DoesNotExist:
        raise NotFound("school") from None


@router.get("", response=list[SchoolOut], summary="List schools")
@paginate(LimitOffsetPagination)
def list_schools(request: ApiRequest, filters: Query[SchoolFilters]) -> Any:
    """Schools in the register, by name, URN, DfE number, postcode, LA code, area or phase."""
    qs = school_search(
        user=request.auth,
        query=filters.q,
        la_code=filters.la_code,
        in_area=filters.in_area,
        home_la_code=request_policy({"request": request}).la_code,
        phase=filters.phase,
    )
    return qs.order_by("name", "pk")


@router.get("/urn/{urn}", response={200: SchoolOut, 404: ErrorOut}, summary="Find a school by URN")
def get_school_by_urn(request: ApiRequest, urn: int) -> Any:
    try:
        return schools_visible_to(request.auth).get(urn=urn)
    except School.DoesNotExist:
        raise NotFound("school") from None


@router.get("/{id}", response={200: SchoolOut, 404: ErrorOut}, summary="A school")
def get_school(request: ApiRequest, id: int) -> Any:
    return _school(request, id)


@router.post("", response={201: SchoolOut, **WRITE_ERRORS}, summary="Add a school")
def create_school(request: ApiRequest, payload: SchoolIn) -> Any:
    try:
        school = services.school_create(actor=request.auth, **_values(payload.dict()))
    except ValidationError as exc:
        raise InvalidInput(field_errors(exc, ALIASES)) from exc
    return Status(201, school)


@router.patch("/{id}", response={200: SchoolOut, **WRITE_ERRORS}, summary="Change a school")
def update_school(request: ApiRequest, id: int, payload: PatchDict[SchoolIn]) -> Any:
    school = _school(request, id)
    try:
        return services.school_update(actor=request.auth, school=school, **_values(payload))
    except ValidationError as exc:
        raise InvalidInput(field_errors(exc, ALIASES)) from exc

"""Request and response bodies. Dates are ISO 8601 (YYYY-MM-DD); codes are the values stored on the roll.

No `from __future__ import annotations` here: PatchDict builds subclasses in another module, where string
annotations such as "dt.date" could not be resolved.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Schema

from virtualschool.children.models import ClosureReason, Cohort, Gender, PermanenceOrder, SenStatus
from virtualschool.core.models import ServicePolicy
from virtualschool.core.selectors import policy_get
from virtualschool.placements.models import AdmissionRoute, ChangeReason, SettingType
from virtualschool.schools.models import OfstedRating


def request_policy(context: Any) -> ServicePolicy:
    """The service policy, read once per request."""
    request: HttpRequest | None = (context or {}).get("request")
    if request is None:
        return policy_get()
    cached = getattr(request, "_service_policy", None)
    if cached is None:
        cached = policy_get()
        request._service_policy = cached  # type: ignore[attr-defined]
    return cached


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong and what to do about it")
    errors: dict[str, list[str]] | None = Field(None, description="Messages by field name")


# --- Schools -------------------------------------------------------------------------------------------------


class SchoolOut(Schema):
    id: int
    urn: int = Field(description="Unique reference number (GIAS)")
    dfe_number: str = Field(description="LA code and establishment number, e.g. 8354001; empty when unknown")
    name: str
    la_code: str
    establishment_number: str
    type: str = Field(alias="type_name", description="Type of establishment")
    phase: str
    status: str
    postcode: str
    la_name: str
    ofsted_rating: OfstedRating
    ofsted_last_inspected: dt.date | None
    in_area: bool = Field(description="At a school in the home authority's area (by LA code)")

    @staticmethod
    def resolve_in_area(obj: Any, context: Any) -> bool:
        return obj.is_in_area(request_policy(context).la_code)


class SchoolIn(Schema):
    urn: int = Field(ge=100000, le=999999, description="Six-digit unique reference number")
    name: str = Field(min_length=1, max_length=255)
    la_code: str = Field("", max_length=3)
    establishment_number: str = Field("", max_length=4)
    type: str = Field("", max_length=120, description="Type of establishment")
    phase: str = Field("", max_length=60)
    status: str = Field("", max_length=60)
    postcode: str = Field("", max_length=10)
    la_name: str = Field("", max_length=120)
    ofsted_rating: OfstedRating = OfstedRating.NOT_INSPECTED
    ofsted_last_inspected: dt.date | None = None


class SchoolFilters(Schema):
    q: str = Field("", description="Name, URN, DfE number or postcode")
    la_code: str = ""
    in_area: bool | None = Field(None, description="true: in the home authority's area; false: out of it")
    phase: str = Field("", description="Phase of education, e.g. Primary")


# --- People --------------------------------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    name: str = Field(alias="full_name")
    email: str


# --- Placements ----------------------------------------------------------------------------------------------


class PlacementOut(Schema):
    id: int
    child_id: int
    setting_type: SettingType
    school_urn: int | None = Field(None, alias="school.urn")
    school_name: str | None = Field(None, alias="school.name")
    provider_name: str
    setting_name: str
    start_date: dt.date
    end_date: dt.date | None
    is_current: bool
    reason_for_change: str
    reason_detail: str
    hours_per_week: float | None
    below_full_time: bool = Field(description="Fewer hours than full-time for the child's age (policy figures)")
    designated_teacher_id: int | None
    ofsted_rating_at_start: str = Field(description="Ofsted judgement when placed")
    rationale_below_good: str
    exceptional_reason_inadequate: str
    application_date: dt.date | None
    on_roll_date: dt.date | None
    admission_route: str
    admission_days: int | None = Field(description="Days from application to being on roll")

    @staticmethod
    def resolve_is_current(obj: Any) -> bool:
        return obj.is_current(timezone.localdate())

    @staticmethod
    def resolve_hours_per_week(obj: Any) -> float | None:
        return float(obj.hours_per_week) if obj.hours_per_week is not None else None

    @staticmethod
    def resolve_below_full_time(obj: Any, context: Any) -> bool:
        policy = request_policy(context)
        return obj.is_part_time(
            nc_year=obj.child.nc_year(timezone.localdate()),
            school_age_hours=policy.full_time_hours_school_age,
            post16_hours=policy.full_time_hours_post16,
        )


class PlacementFields(Schema):
    """What a placement records. The school is given by URN; a setting with no URN names its provider."""

    setting_type: SettingType = SettingType.SCHOOL
    school_urn: int | None = Field(None, description="URN of a school in the register; empty for a setting with no URN")
    provider_name: str = Field("", max_length=200, description="For a setting with no URN")
    start_date: dt.date
    end_date: dt.date | None = None
    reason_for_change: ChangeReason | None = None
    reason_detail: str = ""
    hours_per_week: float | None = Field(None, ge=0, le=60)
    designated_teacher_id: int | None = None
    ofsted_rating_at_start: OfstedRating | None = Field(
        None, description="Judgement when placed; taken from the register when left out"
    )
    rationale_below_good: str = Field("", description="Required when the school requires improvement or is inadequate")
    exceptional_reason_inadequate: str = Field("", description="Required when the school is judged inadequate")
    application_date: dt.date | None = None
    on_roll_date: dt.date | None = None
    admission_route: AdmissionRoute | None = None


class PlacementIn(PlacementFields):
    child_id: int


class PlacementFilters(Schema):
    child_id: int | None = None
    school_urn: int | None = None
    current: bool | None = Field(None, description="true: placements current today; false: past or future ones")


# --- Children ------------------------------------------------------------------------------------------------


class ChildSummaryOut(Schema):
    id: int
    social_care_reference: str
    upn: str
    upn_needs_correction: bool
    first_name: str
    last_name: str
    preferred_name: str
    date_of_birth: dt.date
    nc_year: int = Field(description="National curriculum year this academic year (0 = Reception)")
    cohort: Cohort
    legal_status: str | None = Field(None, alias="current_legal_status")
    sen_status: SenStatus
    closed_on: dt.date | None
    allocated_lead: PersonOut | None
    social_worker: PersonOut | None
    current_school_urn: int | None = Field(description="URN of the school of the current placement, if any")

    @staticmethod
    def resolve_nc_year(obj: Any) -> int:
        return obj.nc_year(timezone.localdate())

    @staticmethod
    def resolve_current_school_urn(obj: Any) -> int | None:
        current = getattr(obj, "current_placements", None) or []
        if current and current[0].school is not None:
            return current[0].school.urn
        return None


class ChildOut(ChildSummaryOut):
    middle_names: str
    gender: Gender
    ethnicity: str
    english_additional_language: bool | None
    sen_primary_need: str
    ehcp_review_date: dt.date | None
    uasc: bool
    uasc_ceased_on: dt.date | None
    neet: bool
    date_first_entered_care: dt.date | None
    period_of_care_start: dt.date | None = Field(description="Date the current period of care began")
    in_care_12_months_or_more: bool
    age_into_care: int | None
    days_in_care: int | None
    reviewing_officer: PersonOut | None
    supervising_social_worker_name: str
    supervising_social_worker_phone: str
    supervising_social_worker_email: str
    carer_name: str
    carer_relationship: str
    carer_phone: str
    carer_email: str
    carer_address: str
    care_status_received_on: dt.date | None
    added_to_roll_on: dt.date | None
    closure_notified_on: dt.date | None
    removed_from_roll_on: dt.date | None
    closure_reason: str
    permanence_order: str
    parental_responsibility_holder: str
    consent_given_on: dt.date | None
    home_authority_name: str
    home_virtual_school_contact: str
    home_virtual_school_email: str
    home_virtual_school_phone: str
    current_placement: PlacementOut | None

    @staticmethod
    def resolve_in_care_12_months_or_more(obj: Any, context: Any) -> bool:
        return obj.in_care_for_months(request_policy(context).in_care_long_term_months, timezone.localdate())

    @staticmethod
    def resolve_age_into_care(obj: Any) -> int | None:
        return obj.age_into_care()

    @staticmethod
    def resolve_days_in_care(obj: Any) -> int | None:
        return obj.days_in_care(timezone.localdate())

    @staticmethod
    def resolve_current_placement(obj: Any) -> Any:
        current = getattr(obj, "current_placements", None) or []
        return current[0] if current else None


class ChildFields(Schema):
    """The child-level record a person may set (derived fields such as period of care are not here)."""

    social_care_reference: str = Field(min_length=1, max_length=20, description="The child's id in social care")
    first_name: str = Field(min_length=1, max_length=100)
    middle_names: str = Field("", max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    preferred_name: str = Field("", max_length=100, description="Used name or alias")
    gender: Gender = Gender.UNKNOWN
    date_of_birth: dt.date
    cohort: Cohort = Cohort.LOOKED_AFTER
    upn: str = Field("", max_length=13, description="Unique pupil number; UN1–UN5 mean unknown")
    ethnicity: str = ""
    english_additional_language: bool | None = None
    sen_status: SenStatus = SenStatus.NONE
    sen_primary_need: str = ""
    ehcp_review_date: dt.date | None = None
    uasc: bool = False
    uasc_ceased_on: dt.date | None = None
    neet: bool = False
    date_first_entered_care: dt.date | None = None
    allocated_lead_id: int | None = Field(None, description="User id of the Virtual School Lead")
    social_worker_id: int | None = Field(None, description="User id of the social worker or personal adviser")
    reviewing_officer_id: int | None = Field(None, description="User id of the independent reviewing officer")
    supervising_social_worker_name: str = ""
    supervising_social_worker_phone: str = ""
    supervising_social_worker_email: str = ""
    carer_name: str = ""
    carer_relationship: str = ""
    carer_phone: str = ""
    carer_email: str = ""
    carer_address: str = ""
    care_status_received_on: dt.date | None = None
    added_to_roll_on: dt.date | None = None
    closure_notified_on: dt.date | None = None
    closed_on: dt.date | None = None
    removed_from_roll_on: dt.date | None = None
    closure_reason: ClosureReason | None = None
    permanence_order: PermanenceOrder | None = None
    parental_responsibility_holder: str = ""
    consent_given_on: dt.date | None = None
    home_authority_name: str = ""
    home_virtual_school_contact: str = ""
    home_virtual_school_email: str = ""
    home_virtual_school_phone: str = ""


class ChildFilters(Schema):
    upn: str = Field("", description="Find a child by unique pupil number")
    reference: str = Field("", description="Find a child by social care reference")
    q: str = Field("", description="Name, UPN or social care reference")
    lead_id: int | None = Field(None, description="User id of the allocated Virtual School Lead")
    school_urn: int | None = Field(None, description="URN of the school of the current placement")
    year_group: int | None = Field(None, ge=-1, le=14, description="National curriculum year (0 = Reception)")
    legal_status: str = Field("", description="Current legal status code, e.g. C2")
    in_area: bool | None = Field(None, description="Current school in (true) or out of (false) the area")
    send: str = Field("", pattern="^(|any|N|K|E)$", description="'any', or an SEN status: N, K or E")
    cohort: Cohort | None = None
    status: str | None = Field(
        None,
        pattern="^(open|closed|all)$",
        description="open, closed or all; 'open' unless upn or reference is given, when it is 'all'",
    )

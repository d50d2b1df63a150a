"""Writes to education placements: permission, validation, save and audit in one transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from virtualschool.children.models import Child
from virtualschool.core import audit
from virtualschool.core.permissions import require
from virtualschool.schools.models import OfstedRating

from .models import SETTINGS_WITHOUT_URN, EducationPlacement, SettingType

EDITABLE_FIELDS = frozenset(
    {
        "setting_type",
        "school",
        "provider_name",
        "start_date",
        "end_date",
        "reason_for_change",
        "reason_detail",
        "hours_per_week",
        "designated_teacher",
        "ofsted_rating_at_start",
        "rationale_below_good",
        "exceptional_reason_inadequate",
        "application_date",
        "on_roll_date",
        "admission_route",
    }
)


def validate_placement(placement: EducationPlacement) -> None:
    """The rules a placement must meet before it is saved; messages say what to fix."""
    errors: dict[str, str] = {}
    if placement.setting_type in SETTINGS_WITHOUT_URN:
        if placement.school_id:
            errors["school"] = "Leave the school empty for a setting with no URN, and enter the provider's name."
        if placement.setting_type != SettingType.NONE and not placement.provider_name:
            errors["provider_name"] = "Enter the name of the provider."
    elif not placement.school_id:
        errors["school"] = "Select the school or setting from the register (search by name or URN)."
    rating = placement.ofsted_rating_at_start
    if rating == OfstedRating.REQUIRES_IMPROVEMENT and not placement.rationale_below_good.strip():
        errors["rationale_below_good"] = "Enter why this school was chosen although it requires improvement."
    if rating == OfstedRating.INADEQUATE and not placement.exceptional_reason_inadequate.strip():
        errors["exceptional_reason_inadequate"] = (
            "Enter the exceptional, evidence-based reason for choosing a school judged inadequate."
        )
    if placement.hours_per_week is not None and not (0 <= placement.hours_per_week <= 60):
        errors["hours_per_week"] = "Hours a week must be between 0 and 60."
    if placement.end_date and placement.end_date < placement.start_date:
        errors["end_date"] = "The end date must be on or after the start date."
    if placement.application_date and placement.on_roll_date and placement.on_roll_date < placement.application_date:
        errors["on_roll_date"] = "The date on roll must be on or after the application date."
    overlapping = EducationPlacement.objects.filter(child_id=placement.child_id).exclude(pk=placement.pk)
    if placement.end_date:
        overlapping = overlapping.filter(start_date__lt=placement.end_date)
    overlapping = overlapping.filter(end_date__isnull=False, end_date__gt=placement.start_date)
    if overlapping.exists():
        errors["start_date"] = "This overlaps an earlier placement; change that placement's end date first."
    if errors:
        raise ValidationError(errors)


def _set(placement: EducationPlacement, values: dict[str, Any]) -> None:
    unknown = set(values) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be set here."))
    for name, value in values.items():
        setattr(placement, name, value)
    if placement.school is not None and not placement.ofsted_rating_at_start and "ofsted_rating_at_start" not in values:
        # The judgement at the time of placing is kept, so later inspections do not rewrite history.
        placement.ofsted_rating_at_start = placement.school.ofsted_rating


@transaction.atomic
def placement_create(*, actor: Any, child: Child, **values: Any) -> EducationPlacement:
    """Start a new placement; a current placement that began earlier ends the day before."""
    require(actor, "placements.add_educationplacement", child)
    placement = EducationPlacement(child=child)
    _set(placement, values)
    current = (
        EducationPlacement.objects.select_for_update()
        .filter(child=child, end_date__isnull=True)
        .exclude(pk=placement.pk)
        .first()
    )
    if current is not None and placement.end_date is None:
        if current.start_date >= placement.start_date:
            raise ValidationError(
                {
                    "start_date": f"The current placement began on {current.start_date:%-d %B %Y}; "
                    "a new placement must start after it."
                }
            )
        before = audit.snapshot(current)
        current.end_date = placement.start_date - dt.timedelta(days=1)
        if not current.reason_for_change and placement.reason_for_change:
            current.reason_for_change = placement.reason_for_change
        current.modified_by = actor
        current.save()
        audit.record_update(actor, current, before, child_id=child.pk)
    validate_placement(placement)
    placement.full_clean()
    placement.created_by = placement.modified_by = actor
    placement.save()
    audit.record_create(actor, placement, child_id=child.pk)
    return placement


@transaction.atomic
def placement_update(*, actor: Any, placement: EducationPlacement, **values: Any) -> EducationPlacement:
    """Correct or complete a placement."""
    require(actor, "placements.change_educationplacement", placement.child)
    placement = EducationPlacement.objects.select_for_update(of=("self",)).select_related("school").get(pk=placement.pk)
    before = audit.snapshot(placement)
    _set(placement, values)
    validate_placement(placement)
    placement.full_clean()
    placement.modified_by = actor
    placement.save()
    audit.record_update(actor, placement, before, child_id=placement.child_id)
    return placement


@transaction.atomic
def placement_end(
    *, actor: Any, placement: EducationPlacement, end_date: dt.date, reason: str, detail: str = ""
) -> EducationPlacement:
    """End a placement with the reason for the change."""
    if not reason:
        raise ValidationError({"reason_for_change": "Select why the placement ended."})
    return placement_update(
        actor=actor, placement=placement, end_date=end_date, reason_for_change=reason, reason_detail=detail
    )

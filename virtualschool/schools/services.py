"""Writes to the school register and to who works at each school."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from virtualschool.core import audit
from virtualschool.core.models import AuditEvent
from virtualschool.core.permissions import require, require_unless_system

from .models import School, SchoolStaff

EDITABLE_FIELDS = frozenset(
    {
        "urn",
        "la_code",
        "establishment_number",
        "name",
        "type_name",
        "phase",
        "status",
        "postcode",
        "la_name",
        "ofsted_rating",
        "ofsted_last_inspected",
    }
)


def _set(school: School, values: dict[str, Any]) -> None:
    unknown = set(values) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be set here."))
    for name, value in values.items():
        setattr(school, name, value)


@transaction.atomic
def school_create(*, actor: Any, **values: Any) -> School:
    """Add an establishment to the register."""
    require(actor, "schools.add_school")
    school = School()
    _set(school, values)
    school.full_clean()
    school.created_by = school.modified_by = actor
    school.save()
    audit.record_create(actor, school)
    return school


@transaction.atomic
def school_update(*, actor: Any, school: School, **values: Any) -> School:
    """Correct an establishment's details."""
    require(actor, "schools.change_school", school)
    school = School.objects.select_for_update().get(pk=school.pk)
    before = audit.snapshot(school)
    _set(school, values)
    school.full_clean()
    school.modified_by = actor
    school.save()
    audit.record_update(actor, school, before)
    return school


@transaction.atomic
def school_staff_add(*, actor: Any, user: Any, school: School, is_designated_teacher: bool = True) -> SchoolStaff:
    """Give a member of a school's staff access to that school's looked-after children."""
    require_unless_system(actor, "schools.add_schoolstaff")
    membership, created = SchoolStaff.objects.get_or_create(
        user=user, school=school, defaults={"is_designated_teacher": is_designated_teacher, "created_by": actor}
    )
    if created:
        audit.record_create(actor, membership)
    return membership


@transaction.atomic
def school_staff_remove(*, actor: Any, membership: SchoolStaff) -> None:
    """Take a person off a school's staff: they stop seeing its children."""
    require_unless_system(actor, "schools.add_schoolstaff")
    audit.record_delete(actor, membership)
    membership.delete()


@transaction.atomic
def school_register_export_record(*, actor: Any, filters: Mapping[str, Any], row_count: int) -> AuditEvent:
    """Record an export of the school register (public data: any active, signed-in member of staff)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", False):
        raise PermissionDenied("Sign in to export the school register.")
    return audit.record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        object_type="schools.school",
        object_repr=f"School register (CSV, {row_count} schools)",
        context={"list": "school register", "filters": dict(filters), "rows": row_count},
    )

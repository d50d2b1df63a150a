"""Writes to core configuration."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from . import audit
from .models import SchoolClosure, SchoolTerm, ServicePolicy
from .permissions import require
from .selectors import policy_get


@transaction.atomic
def policy_update(*, actor: Any, **values: Any) -> ServicePolicy:
    """Change the service policy (administrators and the Virtual School Head)."""
    require(actor, "core.change_servicepolicy")
    policy = policy_get()
    before = audit.snapshot(policy)
    for name, value in values.items():
        setattr(policy, name, value)
    policy.full_clean()
    policy.save()
    audit.record_update(actor, policy, before)
    return policy


# Term dates and closure days: the authority's school calendar (core.calendar.SchoolCalendar reads them).
_TERM_FIELDS = ("academic_year", "term", "start_date", "end_date", "half_term_start", "half_term_end")
_CLOSURE_FIELDS = ("start_date", "end_date", "reason")


def _save_calendar_row(actor: Any, instance: SchoolTerm | SchoolClosure, values: dict[str, Any]) -> None:
    creating = instance.pk is None
    before = None if creating else audit.snapshot(instance)
    for name, value in values.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    if before is None:
        audit.record_create(actor, instance)
    else:
        audit.record_update(actor, instance, before)


@transaction.atomic
def school_term_save(*, actor: Any, school_term: SchoolTerm | None = None, **values: Any) -> SchoolTerm:
    """Enter or correct one term's dates (administrators and the Virtual School Head)."""
    require(actor, "core.change_schoolterm")
    unknown = set(values) - set(_TERM_FIELDS)
    if unknown:
        raise ValueError(f"Not a field of a term: {', '.join(sorted(unknown))}")
    school_term = school_term or SchoolTerm()
    _save_calendar_row(actor, school_term, values)
    return school_term


@transaction.atomic
def school_term_delete(*, actor: Any, school_term: SchoolTerm) -> None:
    require(actor, "core.change_schoolterm")
    audit.record_delete(actor, school_term)
    school_term.delete()


@transaction.atomic
def school_closure_save(*, actor: Any, closure: SchoolClosure | None = None, **values: Any) -> SchoolClosure:
    """Enter or correct days when schools are closed in term (administrators and the Virtual School Head)."""
    require(actor, "core.change_schoolterm")
    unknown = set(values) - set(_CLOSURE_FIELDS)
    if unknown:
        raise ValueError(f"Not a field of a closure: {', '.join(sorted(unknown))}")
    closure = closure or SchoolClosure()
    _save_calendar_row(actor, closure, values)
    return closure


@transaction.atomic
def school_closure_delete(*, actor: Any, closure: SchoolClosure) -> None:
    require(actor, "core.change_schoolterm")
    audit.record_delete(actor, closure)
    closure.delete()

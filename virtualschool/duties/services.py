"""Writes to the duties' configuration: permission checked and audited in one transaction.

Duty instances are never written here: the engine computes them from the records (duties/engine.py).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from virtualschool.core import audit
from virtualschool.core.permissions import require

from .engine import settings_get
from .models import DutyRule, DutySettings

RULE_FIELDS = frozenset(
    {
        "slug",
        "name",
        "description",
        "source",
        "start_event",
        "duration",
        "unit",
        "before_start",
        "owner_role",
        "met_by_event",
        "recurrence",
        "conditions",
        "active",
        "order",
    }
)


def duty_rule_save(*, actor: Any, rule: DutyRule | None = None, **values: Any) -> DutyRule:
    """Add a rule (rule=None) or change one. Unknown fields and invalid values raise before anything is saved."""
    require(actor, "duties.change_dutyrule")
    unknown = sorted(set(values) - RULE_FIELDS)
    if unknown:
        raise ValueError(f"Unknown duty rule field {', '.join(unknown)}.")
    with transaction.atomic():
        creating = rule is None
        instance = rule or DutyRule()
        before = None if creating else audit.snapshot(instance)
        for name, value in values.items():
            setattr(instance, name, value)
        instance.full_clean()
        instance.save()
        if before is None:
            audit.record_create(actor, instance)
        else:
            audit.record_update(actor, instance, before)
    return instance


def duty_settings_update(*, actor: Any, **values: Any) -> DutySettings:
    require(actor, "duties.change_dutysettings")
    with transaction.atomic():
        found = settings_get()
        before = audit.snapshot(found)
        for name, value in values.items():
            setattr(found, name, value)
        found.full_clean()
        found.save()
        audit.record_update(actor, found, before)
    return found

"""Writes to core configuration."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from . import audit
from .models import ServicePolicy
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

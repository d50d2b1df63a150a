"""Reads of core configuration and of the audit trail."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import AuditEvent, ServicePolicy


def policy_get() -> ServicePolicy:
    """The service policy row (made with the source policies' defaults if missing)."""
    policy, _ = ServicePolicy.objects.get_or_create(pk=1)
    return policy


def audit_events_for_child(*, child_id: int) -> QuerySet[AuditEvent]:
    """Every audit event about one child, newest first. Callers check the user may see the history."""
    return AuditEvent.objects.filter(child_id=child_id).select_related("actor").order_by("-occurred_at", "-id")

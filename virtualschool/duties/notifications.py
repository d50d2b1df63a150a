"""Tell a duty's owner when it becomes due soon or overdue (once per duty and state: `notify` is idempotent)."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse

from virtualschool.core.notifications import notify

from .models import DutyInstance, State


def notification_key(instance: DutyInstance) -> str:
    """Stable for the clock (rule, child, start) and the state, so a recomputed row is never told twice."""
    return f"duty:{instance.rule.slug}:{instance.child_id}:{instance.started_on.isoformat()}:{instance.state}"


def notify_instance(instance: DutyInstance) -> bool:
    if instance.state not in (State.DUE, State.OVERDUE) or instance.owner is None:
        return False
    child = instance.child
    due = f"{instance.due_on.day} {instance.due_on:%B %Y}"
    if instance.state == State.OVERDUE:
        kind, subject = "overdue", f"Overdue: {instance.rule.name} for {child.display_name} (due {due})"
    else:
        kind, subject = "due_soon", f"Due soon: {instance.rule.name} for {child.display_name} (due {due})"
    body = (
        f"{instance.rule.name} for {child.display_name} was due on {due}. "
        f"The clock started on {instance.started_on.day} {instance.started_on:%B %Y}; "
        f"the timescale is {instance.rule.timescale}."
        if instance.state == State.OVERDUE
        else f"{instance.rule.name} for {child.display_name} is due on {due} ({instance.rule.timescale})."
    )
    made = notify(
        instance.owner,
        kind=kind,
        key=notification_key(instance),
        subject=subject,
        body=body,
        url=reverse("duties:child", args=[child.pk]),
        child=child,
    )
    return made is not None


def notify_transitions(transitions: Sequence[tuple[int, str]]) -> int:
    """Notify the owners of duty instances that have just moved to due soon or overdue; how many were told."""
    ids = [pk for pk, _ in transitions]
    sent = 0
    for start in range(0, len(ids), 500):
        rows = DutyInstance.objects.filter(pk__in=ids[start : start + 500], owner__isnull=False).select_related(
            "rule", "child", "owner"
        )
        for instance in rows:
            sent += notify_instance(instance)
    return sent

"""Record audit events. Called by services inside their own transaction, never by views directly."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from django.utils import timezone

from .models import AuditEvent

Snapshot = dict[str, Any]


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> Snapshot:
    """The audited fields of a row, as JSON-ready values (foreign keys by id)."""
    result: Snapshot = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in {"created_at", "modified_at", "created_by", "modified_by"}:
            continue
        value = getattr(instance, field.attname)
        if isinstance(field, models.DecimalField) and value is not None:
            # 25, Decimal("25") and Decimal("25.0") are one value: compare them as one.
            value = format(field.to_python(value).normalize(), "f")
        result[field.name] = _jsonable(value)
    return result


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as {field: [before, after]}."""
    keys = set(before) | set(after)
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    return getattr(actor, "username", None) or str(actor)


def build_event(
    *,
    actor: Any,
    action: str,
    object_type: str,
    object_id: Any = "",
    object_repr: str = "",
    child_id: int | None = None,
    changes: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    occurred_at: dt.datetime | None = None,
) -> AuditEvent:
    """An unsaved event, for callers that write many at once with bulk_create."""
    real_actor = actor if getattr(actor, "pk", None) else None
    return AuditEvent(
        occurred_at=occurred_at or timezone.now(),
        actor=real_actor,
        actor_label=actor_label(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        object_repr=(object_repr or "")[:255],
        child_id=child_id,
        changes=dict(changes or {}),
        context=dict(context or {}),
    )


def record(**kwargs: Any) -> AuditEvent:
    """Write one audit event now (inside the caller's transaction)."""
    event = build_event(**kwargs)
    event.save(force_insert=True)
    return event


def record_many(events: Iterable[AuditEvent]) -> int:
    """Write events built with build_event in as few statements as possible (inside the caller's transaction)."""
    batch = list(events)
    if batch:
        AuditEvent.objects.bulk_create(batch, batch_size=1000)
    return len(batch)


def record_views(
    actor: Any,
    rows: Iterable[models.Model],
    *,
    child_of: str | None = None,
    action: str = AuditEvent.Action.VIEW,
    context: Mapping[str, Any] | None = None,
) -> int:
    """One VIEW (or EXPORT) event per row shown; `child_of` names the attribute with the child's id (None: a child)."""
    return record_many(
        build_event(
            actor=actor,
            action=action,
            object_type=object_type_of(row),
            object_id=row.pk,
            object_repr=str(row),
            child_id=getattr(row, child_of) if child_of else row.pk,
            context=context,
        )
        for row in rows
    )


def object_type_of(instance: models.Model) -> str:
    return instance._meta.label_lower


def record_create(actor: Any, instance: models.Model, *, child_id: int | None = None, **extra: Any) -> AuditEvent:
    after = snapshot(instance)
    return record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        object_type=object_type_of(instance),
        object_id=instance.pk,
        object_repr=str(instance),
        child_id=child_id,
        changes={k: [None, v] for k, v in after.items() if v not in (None, "")},
        **extra,
    )


def record_update(
    actor: Any, instance: models.Model, before: Snapshot, *, child_id: int | None = None, **extra: Any
) -> AuditEvent | None:
    """Record what changed; nothing is written when nothing changed."""
    changes = diff(before, snapshot(instance))
    if not changes:
        return None
    return record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        object_type=object_type_of(instance),
        object_id=instance.pk,
        object_repr=str(instance),
        child_id=child_id,
        changes=changes,
        **extra,
    )


def record_delete(actor: Any, instance: models.Model, *, child_id: int | None = None, **extra: Any) -> AuditEvent:
    before = snapshot(instance)
    return record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        object_type=object_type_of(instance),
        object_id=instance.pk,
        object_repr=str(instance),
        child_id=child_id,
        changes={k: [v, None] for k, v in before.items() if v not in (None, "")},
        **extra,
    )


def record_view(actor: Any, instance: models.Model, *, child_id: int | None = None, **extra: Any) -> AuditEvent:
    return record(
        actor=actor,
        action=AuditEvent.Action.VIEW,
        object_type=object_type_of(instance),
        object_id=instance.pk,
        object_repr=str(instance),
        child_id=child_id,
        **extra,
    )

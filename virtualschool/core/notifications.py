"""Tell a person about something: the one way every app creates a notification.

``notify`` is idempotent on (recipient, key): calling it again for the same event changes nothing and returns
None, so a worker that runs twice or restarts mid-batch never tells anyone twice. E-mail delivery and daily
digests are the worker's (``virtualschool.escalations.delivery``, docs/escalation.md); this module only records
what each person should be told.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import Notification


def notify(
    recipient: Any,
    *,
    kind: str,
    key: str,
    subject: str,
    body: str = "",
    url: str = "",
    child: Any = None,
    email: bool = True,
) -> Notification | None:
    """Record a notification for `recipient` about the event `key`; None if they were already told of it.

    Nobody is notified when `recipient` is None or inactive (an unallocated social worker, a closed account).
    """
    if recipient is None or not getattr(recipient, "is_active", False):
        return None
    if kind not in Notification.Kind.values:
        raise ValueError(f"Unknown notification kind {kind!r}: use one of {', '.join(Notification.Kind.values)}.")
    if Notification.objects.filter(recipient=recipient, key=key).exists():
        return None
    try:
        with transaction.atomic():  # a savepoint: a race with another worker loses quietly
            return Notification.objects.create(
                recipient=recipient,
                kind=kind,
                key=key[:200],
                subject=subject[:200],
                body=body,
                url=url[:500],
                child_id=getattr(child, "pk", child),
                email_wanted=email,
            )
    except IntegrityError:
        return None


def notify_many(recipients: Iterable[Any], **kwargs: Any) -> list[Notification]:
    """`notify` each distinct recipient; the notifications actually created."""
    seen: set[int] = set()
    made = []
    for recipient in recipients:
        if recipient is None or recipient.pk in seen:
            continue
        seen.add(recipient.pk)
        note = notify(recipient, **kwargs)
        if note is not None:
            made.append(note)
    return made


def notifications_for(user: Any) -> QuerySet[Notification]:
    """The user's own notifications, newest first (nobody reads another person's)."""
    return Notification.objects.filter(recipient=user)


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when `ids` is None); how many changed."""
    found = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        found = found.filter(pk__in=list(ids))
    return found.update(read_at=timezone.now())

"""Recompute a child's duties after a write to the records their clocks read (after the transaction commits).

The children touched in one transaction are gathered and one `refresh_duties` task is enqueued for them when
it commits; a large write (an SSDA903 import) enqueues one refresh of the whole roll instead. Bulk writes fire
no signals: the daily `refresh_duties` catches those.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db import transaction

LARGE_WRITE = 500  # children in one transaction above which the whole roll is refreshed instead

_pending = threading.local()


def _flush() -> None:
    from .tasks import refresh_duties

    ids: set[int] = getattr(_pending, "ids", set())
    _pending.ids = set()
    if not ids:
        return
    refresh_duties.enqueue(child_ids=None if len(ids) > LARGE_WRITE else sorted(ids))


def child_touched(child_id: int | None) -> None:
    """Refresh this child's duties once the current transaction commits (at once outside a transaction)."""
    if not child_id:
        return
    connection = transaction.get_connection()
    waiting = any(entry[1] is _flush for entry in connection.run_on_commit)
    if waiting:
        _pending.ids.add(child_id)
        return
    # A set left by a transaction that rolled back is dropped: its writes were undone with it.
    _pending.ids = {child_id}
    transaction.on_commit(_flush)


def on_child_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    child_touched(instance.pk)


def on_child_record_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    child_touched(getattr(instance, "child_id", None))


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    from virtualschool.children.models import CareEpisode, Child, SdqScore
    from virtualschool.placements.models import EducationPlacement

    post_save.connect(on_child_saved, sender=Child, dispatch_uid="duties-child")
    for model in (CareEpisode, SdqScore, EducationPlacement):
        post_save.connect(on_child_record_saved, sender=model, dispatch_uid=f"duties-{model.__name__}-save")
        post_delete.connect(on_child_record_saved, sender=model, dispatch_uid=f"duties-{model.__name__}-delete")

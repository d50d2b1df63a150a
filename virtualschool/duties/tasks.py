"""Background work: recompute duties (daily for the whole roll, and for the children a write has touched)."""

from __future__ import annotations

from django.tasks import task

from . import engine


@task
def refresh_duties(child_ids: list[int] | None = None) -> str:
    """Recompute and store every duty of these children (all when None), notifying owners of new due/overdue."""
    return engine.refresh(child_ids).summary()

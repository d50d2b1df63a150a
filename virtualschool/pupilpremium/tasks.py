"""Background work for PP+: sharing the panel's decisions the day after (enqueue daily from the scheduler)."""

from __future__ import annotations

from django.tasks import task

from .services import decisions_publish


@task
def publish_decisions() -> int:
    """Notify leads and designated teachers of every decision whose day has come; how many were shared."""
    return decisions_publish()

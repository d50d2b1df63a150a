"""Background work, run by `manage.py db_worker` (django-tasks-db): e-mail delivery, digests, escalation clocks."""

from __future__ import annotations

import datetime as dt

from django.tasks import task

from . import delivery
from .services import check_escalation_clocks


@task
def deliver_notifications() -> dict[str, int]:
    """E-mail every notification due now (safe to run on several workers at once)."""
    outcome = delivery.deliver_pending()
    return {"sent": outcome.sent, "failed": outcome.failed, "lost_claims": outcome.lost_claims}


@task
def send_daily_digests(day: str | None = None) -> dict[str, int]:
    """Each person's daily digest for `day` (ISO date; today when empty)."""
    return delivery.send_digests(dt.date.fromisoformat(day) if day else None)


@task
def check_escalations() -> dict[str, int]:
    """Tell holders of levels due soon and propose moving up those whose time has run out."""
    return check_escalation_clocks()

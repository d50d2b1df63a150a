"""A summary of a child's escalations over a period, for other features (the PEP) to pull in (core.extensions)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.urls import reverse

from virtualschool.core.extensions import RecordLine, RecordSummary

from .models import Escalation


def _date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def escalation_records(child: Any, start: dt.date, end: dt.date) -> RecordSummary | None:
    """Concerns open at any time from `start` to `end`: raised by `end` and not resolved before `start`."""
    if getattr(child, "pk", None) is None:  # not a saved child: nothing to summarise
        return None
    rows = list(
        Escalation.objects.filter(child=child, raised_on__lte=end)
        .filter(Q(resolved_on__isnull=True) | Q(resolved_on__gte=start))
        .select_related("ladder", "current_step__level")
        .order_by("raised_on", "pk")
    )
    if not rows:
        return None
    lines = []
    concerns = []
    for escalation in rows:
        level = escalation.current_step.level if escalation.current_step else None
        where = f"{level.label.lower()}: {level.name}" if level else "no level"
        if escalation.is_open:
            state = f"open at {where}" + (f", due {_date(escalation.due_on)}" if escalation.due_on else "")
        else:
            state = f"resolved {_date(escalation.resolved_on)}" if escalation.resolved_on else "resolved"
        lines.append(
            RecordLine(
                f"{escalation.get_failing_party_display()} (raised {_date(escalation.raised_on)})",
                f"{escalation.summary[:200]} ({state})",
            )
        )
        if escalation.is_open and escalation.due_on and escalation.due_on < end:
            concerns.append(f"An escalation about {escalation.get_failing_party_display().lower()} is overdue.")
    return RecordSummary(
        key="escalations",
        title="Escalations",
        start=start,
        end=end,
        lines=tuple(lines),
        concerns=tuple(concerns),
        url=reverse("escalations:child", args=[child.pk]),
    )

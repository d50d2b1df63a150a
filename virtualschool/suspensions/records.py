"""Record providers for other features (the PEP's behaviour and exclusions section): core.extensions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from virtualschool.core.calendar import school_calendar
from virtualschool.core.extensions import RecordLine, RecordSummary
from virtualschool.core.templatetags.govuk import govuk_date

from . import assess
from .codes import reasons_text
from .models import ExclusionRisk, ReducedTimetable, Suspension
from .selectors import child_summary, suspension_policy


def suspensions_summary(child: Any, start: dt.date, end: dt.date) -> RecordSummary | None:
    """Suspensions and permanent exclusions starting in the period, with the days they cost and any thresholds
    crossed; risks of permanent exclusion open in the period."""
    if not isinstance(getattr(child, "pk", None), int):
        return None  # not a saved child: nothing recorded
    rows = list(
        Suspension.objects.filter(child=child, start_date__gte=start, start_date__lte=end)
        .select_related("school")
        .order_by("start_date", "pk")
    )
    risks = [
        r
        for r in ExclusionRisk.objects.filter(child=child, raised_on__lte=end)
        if r.closed_on is None or r.closed_on >= start
    ]
    if not rows and not risks:
        return None
    policy = suspension_policy()
    summary = child_summary(child, rows, policy=policy, calendar=school_calendar())
    lines = [
        RecordLine(
            govuk_date(s.start_date),
            f"{'Permanent exclusion' if s.is_permanent else 'Suspension of ' + s.length_text} from "
            f"{s.school.name}: {reasons_text(s.reasons)}",
        )
        for s in rows
    ]
    total = sum((t.days for t in summary.terms), start=assess.Decimal(0))
    if total:
        lines.append(RecordLine("Suspension days in the period", assess.days_text(total)))
    lines += [RecordLine(f"Risk of permanent exclusion raised {govuk_date(r.raised_on)}", r.school_said) for r in risks]
    concerns = [f"{label}: {sentence}." for label, sentence in summary.flag_sentences(policy)]
    if summary.pattern:
        concerns.append(f"A pattern of suspensions: {summary.pattern.description}.")
    return RecordSummary(
        key="suspensions",
        title="Suspensions and exclusions",
        start=start,
        end=end,
        lines=tuple(lines),
        concerns=tuple(concerns),
        url=reverse("suspensions:child", args=[child.pk]),
    )


def timetables_summary(child: Any, start: dt.date, end: dt.date) -> RecordSummary | None:
    """Reduced timetables in place at any time in the period, and whether they are overdue at its end."""
    if not isinstance(getattr(child, "pk", None), int):
        return None
    rows = [
        t
        for t in ReducedTimetable.objects.filter(child=child, start_date__lte=end).prefetch_related("reviews")
        if (t.ended_on or dt.date.max) > start
    ]
    if not rows:
        return None
    lines, concerns = [], []
    for t in rows:
        state = assess.timetable_state(t, t.reviews.all(), end)
        lines.append(
            RecordLine(
                f"From {govuk_date(t.start_date)}",
                f"{assess._n(t.hours_per_week)} hours a week until {govuk_date(t.end_date)}"
                + (f" (PEP {t.pep_reference})" if t.pep_reference else ""),
            )
        )
        concerns += [f"{reason}." for reason in state.reasons]
        missing = assess.missing_agreements(t)
        if missing:
            concerns.append(f"Not agreed by {assess.join_words(missing)}.")
    return RecordSummary(
        key="reduced-timetables",
        title="Reduced timetables",
        start=start,
        end=end,
        lines=tuple(lines),
        concerns=tuple(concerns),
        url=reverse("suspensions:child", args=[child.pk]),
    )

"""Suspensions' events for the duties engine (virtualschool.duties.events).

A person told of a suspension before its first day (on the day of the headteacher's decision, say) was told in
time: their event is dated the first day, so that it meets the clock the first day starts. Permanent exclusions
count as suspensions here: every duty on a suspension applies to them too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .models import ExclusionRisk, ReducedTimetable, Suspension

Source = Callable[[Sequence[int], Any], Iterator[tuple[int, Any, str]]]


def _suspensions(child_ids: Sequence[int], context: Any, *fields: str) -> Any:
    return Suspension.objects.filter(child_id__in=child_ids, start_date__gte=context.events_from).values_list(
        "child_id", "start_date", "pk", *fields
    )


def started(child_ids: Sequence[int], context: Any) -> Iterator[tuple[int, Any, str]]:
    for child_id, start, pk in _suspensions(child_ids, context):
        yield child_id, start, f"suspension:{pk}"


def _told(field: str) -> Source:
    def source(child_ids: Sequence[int], context: Any) -> Iterator[tuple[int, Any, str]]:
        for child_id, start, pk, day in _suspensions(child_ids, context, field):
            if day is not None:
                yield child_id, max(day, start), f"suspension:{pk}"

    return source


def risk_raised(child_ids: Sequence[int], context: Any) -> Iterator[tuple[int, Any, str]]:
    rows = ExclusionRisk.objects.filter(child_id__in=child_ids, raised_on__gte=context.events_from).values_list(
        "child_id", "raised_on", "pk"
    )
    for child_id, day, pk in rows:
        yield child_id, day, f"exclusion-risk:{pk}"


def timetable_review_set(child_ids: Sequence[int], context: Any) -> Iterator[tuple[int, Any, str]]:
    """A reduced timetable with its end date (always required) and at least one review date, from its first day."""
    rows = (
        ReducedTimetable.objects.filter(
            child_id__in=child_ids, start_date__gte=context.events_from, reviews__isnull=False
        )
        .values_list("child_id", "start_date", "pk")
        .distinct()
    )
    for child_id, day, pk in rows:
        yield child_id, day, f"reduced-timetable:{pk}"


def register() -> None:
    from virtualschool.duties.events import register_event_source

    register_event_source("suspension_started", started, label="First day of a suspension", app="suspensions")
    register_event_source(
        "suspension_told_social_worker",
        _told("social_worker_told_on"),
        label="Social worker told of a suspension",
        app="suspensions",
    )
    register_event_source(
        "suspension_told_reviewing_officer",
        _told("reviewing_officer_told_on"),
        label="Reviewing officer told of a suspension",
        app="suspensions",
    )
    register_event_source(
        "suspension_paperwork_received",
        _told("paperwork_received_on"),
        label="Suspension paperwork received",
        app="suspensions",
    )
    register_event_source(
        "suspension_provision_arranged",
        _told("provision_day6_arranged_on"),
        label="Full-time education arranged during a suspension",
        app="suspensions",
    )
    register_event_source(
        "reduced_timetable_review_set",
        timetable_review_set,
        label="Reduced timetable given an end date and a review date",
        app="suspensions",
    )
    register_event_source(
        "exclusion_risk_raised", risk_raised, label="At risk of permanent exclusion", app="suspensions"
    )

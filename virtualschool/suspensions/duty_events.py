"""Suspensions' events for the duties engine (virtualschool.duties.events).

A person told of a suspension before its first day (on the day of the headteacher's decision, say) was told in
time: their event is dated the first day, so that it meets the clock the first day starts. Permanent exclusions
count as suspensions here: every duty on a suspension applies to them too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from virtualschool.duties.events import ids_in

from .models import ExclusionRisk, ReducedTimetable, Suspension

Source = Callable[[Sequence[int], Any], Iterator[tuple[int, Any, str]]]


# A suspension's dates the sources read, in one query a chunk shared by every kind.
COLUMNS = (
    "child_id",
    "start_date",
    "pk",
    "social_worker_told_on",
    "reviewing_officer_told_on",
    "paperwork_received_on",
    "provision_day6_arranged_on",
)


def _suspensions(child_ids: Sequence[int], context: Any) -> list[tuple[Any, ...]]:
    def load() -> list[tuple[Any, ...]]:
        return list(
            Suspension.objects.filter(child_id__in=ids_in(child_ids), start_date__gte=context.events_from).values_list(
                *COLUMNS
            )
        )

    shared = getattr(context, "shared", None)
    return shared("suspensions", child_ids, load) if shared is not None else load()


def started(child_ids: Sequence[int], context: Any) -> Iterator[tuple[int, Any, str]]:
    for child_id, start, pk, *_ in _suspensions(child_ids, context):
        yield child_id, start, f"suspension:{pk}"


def _told(field: str) -> Source:
    index = COLUMNS.index(field)

    def source(child_ids: Sequence[int], context: Any) -> Iterator[tuple[int, Any, str]]:
        for row in _suspensions(child_ids, context):
            day = row[index]
            if day is not None:
                child_id, start, pk = row[:3]
                yield child_id, max(day, start), f"suspension:{pk}"

    return source


def risk_raised(child_ids: Sequence[int], context: Any) -> Iterator[tuple[int, Any, str]]:
    rows = ExclusionRisk.objects.filter(child_id__in=ids_in(child_ids), raised_on__gte=context.events_from).values_list(
        "child_id", "raised_on", "pk"
    )
    for child_id, day, pk in rows:
        yield child_id, day, f"exclusion-risk:{pk}"


def timetable_review_set(child_ids: Sequence[int], context: Any) -> Iterator[tuple[int, Any, str]]:
    """A reduced timetable with its end date (always required) and at least one review date, from its first day."""
    rows = (
        ReducedTimetable.objects.filter(
            child_id__in=ids_in(child_ids), start_date__gte=context.events_from, reviews__isnull=False
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

"""Pupil Premium Plus events for the duties engine (virtualschool.duties.events): an application received, the
panel's decision (deferring with questions is a decision: the panel considered it), and the decision shared with
the lead and designated teacher. A group application's events belong to each of its children."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.utils import timezone

from virtualschool.duties.events import ids_in

from .models import Application, Decision

Children = Application.children.through


def _children_of(application_ids: set[int], child_ids: Sequence[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    rows = Children.objects.filter(application_id__in=application_ids, child_id__in=ids_in(child_ids))
    for application_id, child_id in rows.values_list("application_id", "child_id"):
        found.setdefault(application_id, []).append(child_id)
    return found


def received(child_ids: Sequence[int], context: Any) -> Iterator[tuple[int, Any, str]]:
    rows = Children.objects.filter(
        child_id__in=ids_in(child_ids), application__submitted_on__gte=context.events_from
    ).values_list("child_id", "application__submitted_on", "application_id")
    for child_id, day, pk in rows:
        yield child_id, day, f"pp-application:{pk}"


def _decisions(field: str) -> Any:
    def source(child_ids: Sequence[int], context: Any) -> Iterator[tuple[int, Any, str]]:
        rows = list(
            Decision.objects.filter(application__children__in=ids_in(child_ids), **{f"{field}__isnull": False})
            .values_list("application_id", field, "pk")
            .distinct()
        )
        children = _children_of({row[0] for row in rows}, child_ids)
        for application_id, moment, pk in rows:
            day = timezone.localdate(moment)
            if day < context.events_from:
                continue
            for child_id in children.get(application_id, []):
                yield child_id, day, f"pp-decision:{pk}"

    return source


def register() -> None:
    from virtualschool.duties.events import register_event_source

    register_event_source("ppplus_application_received", received, label="PP+ application received", app="pupilpremium")
    register_event_source(
        "ppplus_application_decided", _decisions("decided_at"), label="PP+ application decided", app="pupilpremium"
    )
    register_event_source(
        "ppplus_decision_published",
        _decisions("published_at"),
        label="PP+ decision shared with the lead and designated teacher",
        app="pupilpremium",
    )

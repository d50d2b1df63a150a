"""The PEP's events for the duties engine (virtualschool.duties.events): when a PEP was opened, its meeting
planned and held, its sections completed, submitted and quality assured. Each source reads the PEP tables in one
query for a chunk of children and yields (child_id, date, reference)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.db.models import Count, Max

from .models import MeetingMode, Pep, PepProposal, PepSection, PepType, QaReview, SectionKind

# The sections the seeds ask to be completed before the meeting (the carer's is welcome but not required).
SECTIONS_BEFORE_MEETING = (SectionKind.DESIGNATED_TEACHER, SectionKind.SOCIAL_WORKER, SectionKind.CHILD_VOICE)


def _pep_dates(field: str, **filters: Any) -> Callable[[Sequence[int], Any], Iterator[tuple[int, Any, str]]]:
    def source(child_ids: Sequence[int], context: Any) -> Iterator[tuple[int, Any, str]]:
        rows = Pep.objects.filter(
            child_id__in=child_ids, **{f"{field}__isnull": False, f"{field}__gte": context.events_from}, **filters
        ).values_list("child_id", field, "pk")
        for child_id, day, pk in rows:
            yield child_id, day, f"pep:{pk}"

    return source


def sections_completed(child_ids: Sequence[int], context: Any) -> Iterator[tuple[int, Any, str]]:
    """The day the last of the required sections was completed, for each PEP whose required sections all are."""
    rows = (
        PepSection.objects.filter(
            pep__child_id__in=child_ids,
            kind__in=SECTIONS_BEFORE_MEETING,
            completed=True,
            completed_on__isnull=False,
            completed_on__gte=context.events_from,
        )
        .values("pep_id", "pep__child_id")
        .annotate(done=Count("kind", distinct=True), last=Max("completed_on"))
        .filter(done=len(SECTIONS_BEFORE_MEETING))
    )
    for row in rows:
        yield row["pep__child_id"], row["last"], f"pep:{row['pep_id']}"


def qa_completed(child_ids: Sequence[int], context: Any) -> Iterator[tuple[int, Any, str]]:
    rows = QaReview.objects.filter(
        pep__child_id__in=child_ids, completed_on__isnull=False, completed_on__gte=context.events_from
    ).values_list("pep__child_id", "completed_on", "pk")
    for child_id, day, pk in rows:
        yield child_id, day, f"pep-qa:{pk}"


def attendance_below_threshold(child_ids: Sequence[int], context: Any) -> Iterator[tuple[int, Any, str]]:
    """The day attendance fell below the PEP review threshold: the attendance app proposes a review then (once a
    term, core.signals.pep_review_proposed), and the proposal keeps the day."""
    rows = PepProposal.objects.filter(
        child_id__in=child_ids, trigger="attendance-below-threshold", raised_on__gte=context.events_from
    ).values_list("child_id", "raised_on", "pk")
    for child_id, day, pk in rows:
        yield child_id, day, f"pep-proposal:{pk}"


def register() -> None:
    from virtualschool.duties.events import register_event_source

    register_event_source("pep_initiated", _pep_dates("started_on"), label="PEP initiated", app="peps")
    register_event_source("pep_meeting_scheduled", _pep_dates("meeting_date"), label="PEP meeting date set", app="peps")
    register_event_source("pep_meeting_held", _pep_dates("meeting_held_on"), label="PEP meeting held", app="peps")
    register_event_source(
        "pep_meeting_held_in_person",
        _pep_dates("meeting_held_on", meeting_mode=MeetingMode.IN_PERSON),
        label="PEP meeting held in person",
        app="peps",
    )
    register_event_source("pep_sections_completed", sections_completed, label="PEP sections completed", app="peps")
    register_event_source(
        "pep_submitted_for_qa", _pep_dates("submitted_on"), label="PEP submitted for quality assurance", app="peps"
    )
    # The reviewing officer can read a PEP from the day it is complete: submission is when it is shared.
    register_event_source(
        "pep_shared_with_reviewing_officer",
        _pep_dates("submitted_on"),
        label="PEP complete and available to the reviewing officer",
        app="peps",
    )
    register_event_source("pep_qa_completed", qa_completed, label="PEP quality assured", app="peps")
    register_event_source(
        "attendance_below_threshold",
        attendance_below_threshold,
        label="Attendance fell below the PEP review threshold",
        app="attendance",
    )
    register_event_source(
        "pep_review_held",
        _pep_dates("meeting_held_on", pep_type__in=[PepType.INTERIM, PepType.EMERGENCY]),
        label="Interim or emergency PEP review held",
        app="peps",
    )

"""The PEP's events for the duties engine (virtualschool.duties.events): when a PEP was opened, its meeting
planned and held, its sections completed, submitted and quality assured. Each source reads the PEP tables in one
query for a chunk of children and yields (child_id, date, reference)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Any

from django.db.models import Q

from virtualschool.duties.events import ids_in

from .models import MeetingMode, Pep, PepProposal, PepSection, PepType, QaReview, SectionKind

# The sections the seeds ask to be completed before the meeting (the carer's is welcome but not required).
SECTIONS_BEFORE_MEETING = (SectionKind.DESIGNATED_TEACHER, SectionKind.SOCIAL_WORKER, SectionKind.CHILD_VOICE)


# A PEP's dates the sources read, in one query a chunk shared by every kind (the order is the model's, as a
# query of one kind's would give).
PEP_COLUMNS = (
    "child_id",
    "pk",
    "pep_type",
    "meeting_mode",
    "started_on",
    "meeting_date",
    "meeting_held_on",
    "submitted_on",
)
DATE_FIELDS = PEP_COLUMNS[4:]


def _peps(child_ids: Sequence[int], context: Any) -> list[tuple[Any, ...]]:
    def load() -> list[tuple[Any, ...]]:
        since = context.events_from
        recent = Q()
        for name in DATE_FIELDS:
            recent |= Q(**{f"{name}__gte": since})
        return list(Pep.objects.filter(recent, child_id__in=ids_in(child_ids)).values_list(*PEP_COLUMNS))

    shared = getattr(context, "shared", None)
    return shared("peps", child_ids, load) if shared is not None else load()


def _pep_dates(
    field: str, *, meeting_mode: str | None = None, pep_types: Collection[str] | None = None
) -> Callable[[Sequence[int], Any], Iterator[tuple[int, Any, str]]]:
    """Each PEP's `field` (one of DATE_FIELDS) since `events_from`, of PEPs with that mode or type if given."""
    index = PEP_COLUMNS.index(field)

    def source(child_ids: Sequence[int], context: Any) -> Iterator[tuple[int, Any, str]]:
        since = context.events_from
        for row in _peps(child_ids, context):
            day = row[index]
            if day is None or day < since:
                continue
            if meeting_mode is not None and row[3] != meeting_mode:
                continue
            if pep_types is not None and row[2] not in pep_types:
                continue
            yield row[0], day, f"pep:{row[1]}"

    return source


def sections_completed(child_ids: Sequence[int], context: Any) -> Iterator[tuple[int, Any, str]]:
    """The day the last of the required sections was completed, for each PEP whose required sections all are
    (in PEP order). The sections are read as plain rows and counted here: grouping them in the database sorted
    every completed section of the chunk, on disk, for each chunk."""
    rows = (
        PepSection.objects.filter(
            pep__child_id__in=ids_in(child_ids),
            kind__in=SECTIONS_BEFORE_MEETING,
            completed=True,
            completed_on__isnull=False,
            completed_on__gte=context.events_from,
        )
        .order_by()
        .values_list("pep_id", "pep__child_id", "kind", "completed_on")
    )
    done: dict[int, tuple[int, set[str], Any]] = {}
    for pep_id, child_id, kind, day in rows:
        found = done.get(pep_id)
        if found is None:
            done[pep_id] = (child_id, {kind}, day)
        else:
            found[1].add(kind)
            if day > found[2]:
                done[pep_id] = (child_id, found[1], day)
    required = len(SECTIONS_BEFORE_MEETING)
    for pep_id in sorted(done):
        child_id, kinds, last = done[pep_id]
        if len(kinds) == required:
            yield child_id, last, f"pep:{pep_id}"


def qa_completed(child_ids: Sequence[int], context: Any) -> Iterator[tuple[int, Any, str]]:
    rows = QaReview.objects.filter(
        pep__child_id__in=ids_in(child_ids), completed_on__isnull=False, completed_on__gte=context.events_from
    ).values_list("pep__child_id", "completed_on", "pk")
    for child_id, day, pk in rows:
        yield child_id, day, f"pep-qa:{pk}"


def attendance_below_threshold(child_ids: Sequence[int], context: Any) -> Iterator[tuple[int, Any, str]]:
    """The day attendance fell below the PEP review threshold: the attendance app proposes a review then (once a
    term, core.signals.pep_review_proposed), and the proposal keeps the day."""
    rows = PepProposal.objects.filter(
        child_id__in=ids_in(child_ids), trigger="attendance-below-threshold", raised_on__gte=context.events_from
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
        _pep_dates("meeting_held_on", pep_types=(PepType.INTERIM, PepType.EMERGENCY)),
        label="Interim or emergency PEP review held",
        app="peps",
    )

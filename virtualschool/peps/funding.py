"""What the Pupil Premium Plus app asks of PEPs: how a child's PEP for a term was graded ("no PEP, no premium").

The PEP's quality assurance grades are good, requires improvement and inadequate. For the termly payment a PEP
graded good is good; one that requires improvement is adequate (it meets the standard and has feedback to act on
before the next review); an inadequate PEP, or a term with no quality-assured PEP, holds the payment.
"""

from __future__ import annotations

from typing import Any

from virtualschool.core.calendar import SchoolCalendar, school_calendar

from .models import Attainment, PepType, QaGrade, QaReview, Target

_FOR_PAYMENT: dict[str, str] = {
    QaGrade.GOOD: "good",
    QaGrade.REQUIRES_IMPROVEMENT: "adequate",
    QaGrade.INADEQUATE: "inadequate",
}


def pep_grade_for_term(child: Any, academic_year: int, term: str) -> str | None:
    """The grade of the latest completed quality assurance of `child`'s initial or termly PEP for the term, in the
    Pupil Premium Plus app's words, or None when that PEP has not been quality assured."""
    review = (
        QaReview.objects.filter(
            pep__child=child,
            pep__academic_year=academic_year,
            pep__term=term,
            pep__pep_type__in=[PepType.INITIAL, PepType.TERMLY],
            completed_on__isnull=False,
        )
        .exclude(grade="")
        .order_by("-completed_on", "-id")
        .values_list("grade", flat=True)
        .first()
    )
    return _FOR_PAYMENT.get(review) if review else None


def pep_target_for_child(child_id: int, pep_target_id: int) -> dict[str, Any] | None:
    """The SMART target `pep_target_id` if it is on one of the child's PEPs, in the words a PP+ application keeps."""
    target = Target.objects.filter(pk=pep_target_id, pep__child_id=child_id).first()
    if target is None:
        return None
    measure = target.measure
    if target.baseline or target.target_value:
        measure = f"{measure} (from {target.baseline or 'the baseline'} to {target.target_value or 'the target'})"
    return {"text": target.description, "measure": measure.strip(), "deadline": target.deadline, "owner": target.owner}


def attainment_on_track(child: Any, before: Any, calendar: SchoolCalendar | None = None) -> tuple[int, int] | None:
    """(subjects on track, subjects assessed) in the child's latest PEP with attainment recorded whose term had
    ended by `before` (or, for the term `before` falls in, whose meeting was held by then). One query; pass the
    calendar when calling this for many children."""
    rows = (
        Attainment.objects.filter(pep__child=child)
        .exclude(pep__pep_type=PepType.EMERGENCY)
        .order_by("-pep__academic_year", "-pep__meeting_held_on", "-pep_id")
        .values_list("pep_id", "pep__academic_year", "pep__term", "pep__meeting_held_on", "on_track")
    )
    by_pep: dict[int, list[Any]] = {}
    for pep_id, year, term, held, on_track in rows:
        by_pep.setdefault(pep_id, [year, term, held, []])[3].append(on_track)
    for year, term, held, judged in by_pep.values():  # newest first, as ordered
        if calendar is None:
            calendar = school_calendar()
        if (held is not None and held <= before) or calendar.term(year, term).end <= before:
            assessed = [value for value in judged if value is not None]
            return (sum(1 for value in assessed if value), len(assessed)) if assessed else None
    return None


def connect() -> None:
    from virtualschool.pupilpremium import hooks

    hooks.pep_grade_for_term = pep_grade_for_term
    hooks.pep_target_for_child = pep_target_for_child
    hooks.attainment_on_track = attainment_on_track


__all__ = ["attainment_on_track", "connect", "pep_grade_for_term", "pep_target_for_child"]

"""What the Pupil Premium Plus app asks of PEPs: how a child's PEP for a term was graded ("no PEP, no premium").

The PEP's quality assurance grades are good, requires improvement and inadequate. For the termly payment a PEP
graded good is good; one that requires improvement is adequate (it meets the standard and has feedback to act on
before the next review); an inadequate PEP, or a term with no quality-assured PEP, holds the payment.
"""

from __future__ import annotations

from typing import Any

from .models import PepType, QaGrade, QaReview

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


def connect() -> None:
    from virtualschool.pupilpremium import hooks

    hooks.pep_grade_for_term = pep_grade_for_term


__all__ = ["connect", "pep_grade_for_term"]

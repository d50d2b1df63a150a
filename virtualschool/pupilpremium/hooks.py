"""Seams the Pupil Premium Plus app asks other apps to fill.

``pep_grade_for_term(child, academic_year, term) -> str | None`` answers "how was this child's PEP for that term
graded?" for the "no PEP, no premium" allocation model. It returns None (no graded PEP) until the PEP app
provides it. The PEP app fills it in its ``AppConfig.ready``::

    from virtualschool.pupilpremium import hooks
    hooks.pep_grade_for_term = my_grade_lookup

and the grade it returns is one of ``GRADES`` (lower case).

``pep_target_for_child(child_id, pep_target_id) -> dict | None`` finds a SMART target on one of the child's PEPs,
so that an application names the PEP target it serves (the golden thread) and takes its wording from the PEP.
The PEP app fills both (virtualschool/peps/funding.py).

Callers always look a function up on this module at call time (``hooks.pep_grade_for_term(...)``), never
``from hooks import pep_grade_for_term``, so that a later assignment (or a test's ``monkeypatch.setattr``)
takes effect.
"""

from __future__ import annotations

from typing import Any

# PEP quality grades from worst to best. A termly payment is released for a grade at or above ADEQUATE.
GRADES = ("inadequate", "requires_improvement", "adequate", "good", "outstanding")
ADEQUATE = "adequate"


def pep_grade_for_term(child: Any, academic_year: int, term: str) -> str | None:
    """The quality grade of `child`'s PEP for `term` ("autumn", "spring", "summer") of the academic year that
    began in `academic_year`; None when there is no graded PEP. Replaced by the PEP app."""
    return None


def pep_target_for_child(child_id: int, pep_target_id: int) -> dict[str, Any] | None:
    """The SMART target `pep_target_id` of one of the child's PEPs, as {"text", "measure", "deadline", "owner"},
    or None when the child has no such target. Replaced by the PEP app; until then no PEP target is known."""
    return None


def attainment_on_track(child: Any, before: Any, calendar: Any = None) -> tuple[int, int] | None:
    """(subjects on track for their aspirational target, subjects assessed) in the child's latest PEP whose term
    ended on or before `before`; None when there is none. Replaced by the PEP app."""
    return None


def grade_is_at_least_adequate(grade: str | None) -> bool:
    if grade is None:
        return False
    grade = grade.strip().lower().replace(" ", "_")
    return grade in GRADES and GRADES.index(grade) >= GRADES.index(ADEQUATE)

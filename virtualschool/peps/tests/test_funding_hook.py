"""No PEP, no premium: the PP+ app asks the PEP app how the term's PEP was graded."""

import datetime as dt

import pytest

from virtualschool.peps.models import Pep, PepType, QaGrade, QaReview
from virtualschool.pupilpremium import hooks

pytestmark = pytest.mark.django_db


def test_the_pep_app_answers_the_pupil_premium_hook():
    from virtualschool.peps.funding import pep_grade_for_term

    assert hooks.pep_grade_for_term is pep_grade_for_term


@pytest.mark.parametrize(
    ("grade", "answer", "released"),
    [(QaGrade.GOOD, "good", True), (QaGrade.REQUIRES_IMPROVEMENT, "adequate", True),
     (QaGrade.INADEQUATE, "inadequate", False)],
)  # fmt: skip
def test_the_latest_completed_quality_assurance_of_the_terms_pep_decides(world, grade, answer, released):
    pep = Pep.objects.create(child=world.child_a, academic_year=2026, term="autumn", pep_type=PepType.TERMLY)
    assert hooks.pep_grade_for_term(world.child_a, 2026, "autumn") is None  # not yet quality assured
    QaReview.objects.create(pep=pep, reviewer=world.lead, grade=QaGrade.INADEQUATE, completed_on=dt.date(2026, 10, 1))
    QaReview.objects.create(pep=pep, reviewer=world.head, grade=grade, completed_on=dt.date(2026, 11, 1))
    QaReview.objects.create(pep=pep, reviewer=world.head, grade=QaGrade.GOOD)  # started, not completed
    assert hooks.pep_grade_for_term(world.child_a, 2026, "autumn") == answer
    assert hooks.grade_is_at_least_adequate(hooks.pep_grade_for_term(world.child_a, 2026, "autumn")) is released
    assert hooks.pep_grade_for_term(world.child_a, 2026, "spring") is None
    assert hooks.pep_grade_for_term(world.child_b, 2026, "autumn") is None


def test_an_emergency_pep_does_not_stand_for_the_terms_pep(world):
    pep = Pep.objects.create(child=world.child_a, academic_year=2026, term="autumn", pep_type=PepType.EMERGENCY)
    QaReview.objects.create(pep=pep, reviewer=world.lead, grade=QaGrade.GOOD, completed_on=dt.date(2026, 11, 1))
    assert hooks.pep_grade_for_term(world.child_a, 2026, "autumn") is None


def test_attainment_on_track_is_read_from_the_latest_pep_by_that_day(world):
    from virtualschool.peps.models import Attainment

    summer = Pep.objects.create(
        child=world.child_a, academic_year=2025, term="summer", meeting_held_on=dt.date(2026, 6, 10)
    )
    for subject, on_track in (("English", False), ("Maths", True), ("Science", None)):
        Attainment.objects.create(pep=summer, subject=subject, current="WTS", target="EXS", on_track=on_track)
    autumn = Pep.objects.create(
        child=world.child_a, academic_year=2026, term="autumn", meeting_held_on=dt.date(2026, 11, 12)
    )
    for subject in ("English", "Maths"):
        Attainment.objects.create(pep=autumn, subject=subject, current="EXS", target="EXS", on_track=True)
    assert hooks.attainment_on_track(world.child_a, dt.date(2026, 5, 1)) is None
    assert hooks.attainment_on_track(world.child_a, dt.date(2026, 9, 1)) == (1, 2)  # Science not judged
    assert hooks.attainment_on_track(world.child_a, dt.date(2026, 11, 30)) == (2, 2)
    from virtualschool.pupilpremium.selectors import attainment_change

    assert str(attainment_change(world.child_a, dt.date(2026, 9, 1), dt.date(2026, 11, 30))) == "50.0"
    assert attainment_change(world.child_b, dt.date(2026, 9, 1), dt.date(2026, 11, 30)) is None

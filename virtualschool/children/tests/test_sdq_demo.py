"""The demo's SDQ histories: recorded through the service, deterministic, and showing the school SDQ rule."""

from __future__ import annotations

import datetime as dt

import pytest

from virtualschool.accounts.models import User
from virtualschool.children.models import SdqScore
from virtualschool.children.selectors import sdq_due_for_children
from virtualschool.core.models import AuditEvent
from virtualschool.demo.builder import load_demo

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)


def history() -> list[tuple]:
    return list(
        SdqScore.objects.order_by("child__social_care_reference", "recorded_on", "respondent").values_list(
            "child__social_care_reference",
            "recorded_on",
            "respondent",
            "total_score",
            *(f"item_{n}" for n in range(1, 26)),
        )
    )


def test_the_demo_records_carer_and_teacher_sdqs_with_a_school_sdq_due_at_dt1s_school():
    load_demo(size="small", seed=3, today=TODAY)

    respondents = set(SdqScore.objects.values_list("respondent", flat=True))
    dues = {d.status(TODAY): d for d in sdq_due_for_children(user=User.objects.get(username="head"))}
    seen_by_dt1 = sdq_due_for_children(user=User.objects.get(username="dt1"))

    assert {"carer", "teacher"} <= respondents
    assert {"due", "overdue", "completed"} <= set(dues)
    assert dues["due"].carer_total > 14 and dues["due"].due_on == dt.date(2026, 12, 13)
    assert any(d.status(TODAY) == "due" for d in seen_by_dt1)
    creators = set(
        AuditEvent.objects.filter(object_type="children.sdqscore", action="create").values_list(
            "actor__role", flat=True
        )
    )
    assert creators >= {"sw", "dt"}
    assert AuditEvent.objects.filter(object_type="children.sdqscore").count() == SdqScore.objects.count()


def test_the_demo_sdqs_are_the_same_for_the_same_seed():
    load_demo(size="small", seed=3, today=TODAY)
    first = history()
    SdqScore.objects.all().delete()
    from virtualschool.children.sdq_demo import write_sdq_demo

    write_sdq_demo(users={u.username: u for u in User.objects.all()}, today=TODAY, seed=3)

    assert history() == first

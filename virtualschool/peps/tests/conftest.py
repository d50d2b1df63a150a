"""Helpers for the PEP tests: term dates in the table, and a PEP taken to any point of its life."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from virtualschool.core.models import SchoolTerm
from virtualschool.peps import services
from virtualschool.peps.models import PepSection, SectionKind

TODAY = dt.date(2026, 11, 16)


@pytest.fixture
def terms(db: Any) -> list[SchoolTerm]:
    """The authority's term dates for 2025/26 and 2026/27."""
    rows = [
        (2025, "autumn", dt.date(2025, 9, 3), dt.date(2025, 12, 19), dt.date(2025, 10, 27), dt.date(2025, 10, 31)),
        (2025, "spring", dt.date(2026, 1, 5), dt.date(2026, 3, 27), dt.date(2026, 2, 16), dt.date(2026, 2, 20)),
        (2025, "summer", dt.date(2026, 4, 13), dt.date(2026, 7, 22), dt.date(2026, 5, 25), dt.date(2026, 5, 29)),
        (2026, "autumn", dt.date(2026, 9, 2), dt.date(2026, 12, 18), dt.date(2026, 10, 26), dt.date(2026, 10, 30)),
        (2026, "spring", dt.date(2027, 1, 5), dt.date(2027, 3, 26), dt.date(2027, 2, 15), dt.date(2027, 2, 19)),
        (2026, "summer", dt.date(2027, 4, 12), dt.date(2027, 7, 21), dt.date(2027, 5, 31), dt.date(2027, 6, 4)),
    ]
    return [
        SchoolTerm.objects.create(
            academic_year=y, term=t, start_date=s, end_date=e, half_term_start=hs, half_term_end=he
        )
        for y, t, s, e, hs, he in rows
    ]


def section(pep: Any, kind: str) -> PepSection:
    return PepSection.objects.get(pep=pep, kind=kind)


def smart_target(**overrides: Any) -> dict[str, Any]:
    data = {
        "description": "Read fluently at the level expected for Year 5",
        "measure": "Reading age (Salford test)",
        "baseline": "8 years 2 months",
        "target_value": "9 years 6 months",
        "deadline": dt.date.today() + dt.timedelta(days=90),
        "owner": "Class teacher, Mrs Patel",
        "ppplus_pence": 45000,
        "funding_note": "Twice-weekly reading tuition",
    }
    data.update(overrides)
    return data


def pep_ready_to_submit(world: Any, *, held_on: dt.date | None = None) -> Any:
    """A termly PEP for child_a whose sections, target and meeting are done."""
    today = dt.date.today()
    pep = services.pep_create(
        actor=world.lead, child=world.child_a, academic_year=services.current_academic_year(), term="autumn"
    )
    services.section_save(
        actor=world.dt_a,
        section=section(pep, SectionKind.CHILD_VOICE),
        answers={"views_on_school": "I like art and my teacher", "what_helps": "Sitting near the front"},
        expected_version=1,
        completed=True,
    )
    services.target_save(actor=world.dt_a, pep=pep, data=smart_target())
    services.meeting_record(
        actor=world.lead,
        pep=pep,
        expected_version=pep.__class__.objects.get(pk=pep.pk).version,
        held_on=held_on or today,
        attendees="Ava\nMrs Patel (designated teacher)\nLead",
        notes="Good progress in reading.",
        next_meeting_date=None if False else (held_on or today) + dt.timedelta(days=30),
        mode="in_person",
    )
    return pep.__class__.objects.get(pk=pep.pk)

"""The demo's PP+ story: this grant year, top-slice, termly amounts, two panels, a dozen applications in every
state and one declared conflict, written through the services."""

from __future__ import annotations

import datetime as dt

import pytest

from virtualschool.demo.builder import load_demo
from virtualschool.pupilpremium.models import (
    Application,
    ConflictDeclaration,
    Decision,
    GrantYear,
    Panel,
    TermAllocation,
    TopSlicePurpose,
)
from virtualschool.pupilpremium.selectors import balances

pytestmark = pytest.mark.django_db


def test_the_demo_tells_the_whole_pp_story():
    load_demo(size="small", today=dt.date(2026, 12, 3))
    year = GrantYear.objects.get(is_current=True)
    assert year.label == "2026-27" and year.eligible_children > 0
    assert TopSlicePurpose.objects.filter(grant_year=year).count() == 3
    assert TermAllocation.objects.filter(grant_year=year).count() == 3
    assert Panel.objects.count() == 2
    assert all(p.members.count() == 3 for p in Panel.objects.all())
    assert Application.objects.count() >= 12
    statuses = set(Application.objects.values_list("status", flat=True))
    assert statuses == {"submitted", "deferred", "approved", "declined", "withdrawn"}
    assert Decision.objects.filter(outcome="approve_amount").exists()
    assert ConflictDeclaration.objects.count() == 1
    assert Application.objects.filter(panel__isnull=True, status="submitted").exists()
    for position in balances(year).values():
        assert position.remaining >= 0
        assert position.remaining == position.total - position.committed - position.spent

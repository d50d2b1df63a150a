"""The demo's suspensions part: written through the services, with each case the pages show."""

from __future__ import annotations

import pytest
from django.utils import timezone

from virtualschool.accounts.models import User
from virtualschool.demo.builder import load_demo
from virtualschool.suspensions.models import ExclusionRisk, ReducedTimetable, Suspension
from virtualschool.suspensions.selectors import overview


@pytest.mark.django_db
def test_the_demo_has_each_case_the_overview_follows_up():
    load_demo(size="small")
    suspensions = Suspension.objects.all()
    assert suspensions.filter(category="SUSP").count() == 4
    exclusion = suspensions.get(category="PERM")
    assert exclusion.is_final and exclusion.governors_outcome == "upheld" and exclusion.meeting_carer
    assert ExclusionRisk.objects.filter(closed_on__isnull=True).count() == 1
    assert ReducedTimetable.objects.count() == 2
    head = User.objects.get(role="vsh", is_active=True)
    seen = overview(user=head, today=timezone.localdate())
    assert len(seen.patterns) == 1
    assert seen.late_told and seen.paperwork and seen.day6
    assert len(seen.timetables_overdue) == 1
    assert {s.created_by.username for s in suspensions if s.created_by.role == "dt"} == {"dt1"}

"""The PEP part of the demo: every state, some late, QA graded, targets reviewed, one delegation."""

from __future__ import annotations

import datetime as dt

from virtualschool.demo.builder import load_demo
from virtualschool.peps.models import Delegation, Pep, PepVersion, QaReview, Target
from virtualschool.peps.selectors import due_for_children


def test_the_demo_has_peps_in_every_state_some_overdue(db):
    today = dt.date(2026, 11, 16)
    load_demo(seed=7, size="small", today=today)
    states = set(Pep.objects.values_list("status", flat=True))
    assert {"not_started", "in_progress", "meeting_held", "submitted", "approved"} <= states
    assert PepVersion.objects.exists() and QaReview.objects.filter(completed_on__isnull=False).exists()
    assert Target.objects.exclude(outcome="").exists()
    assert Delegation.objects.filter(delegate__username="dt2-colleague").exists()
    children = list({p.child for p in Pep.objects.select_related("child")})
    overdue = [
        i for entry in due_for_children(children, today=today) for i in entry.items if i.status(today) == "overdue"
    ]
    assert overdue

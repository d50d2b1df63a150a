"""Impact: the share of reviewed targets achieved and the change in attendance, by intervention type and provider."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from virtualschool.core import extensions
from virtualschool.core.extensions import RecordLine, RecordSummary
from virtualschool.pupilpremium import services
from virtualschool.pupilpremium.models import Outcome
from virtualschool.pupilpremium.selectors import impact

from .conftest import submit, target

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(pp, world):
    """Tuition for Ava (two targets: one achieved, one partly) and mentoring for Ben (one target, not achieved)."""
    tuition = submit(
        world.lead,
        pp.year,
        world.child_a,
        targets=[target(world.child_a), target(world.child_a, text="Spell 20 words")],
    )
    mentoring = submit(world.lead, pp.year, world.child_b, intervention_type="mentoring", provider="Next Steps")
    services.panel_take_waiting(actor=world.head, panel=pp.panel)
    for app in (tuition, mentoring):
        services.vote_cast(actor=pp.members[0], application=app, outcome=Outcome.APPROVE)
        services.vote_cast(actor=pp.members[1], application=app, outcome=Outcome.APPROVE)
    first, second = tuition.targets.order_by("pk")
    services.target_review(actor=world.lead, target=first, outcome="achieved")
    services.target_review(actor=world.lead, target=second, outcome="partly")
    services.target_review(actor=world.lead, target=mentoring.targets.get(), outcome="not_achieved")
    return tuition, mentoring


def attendance(child, start, end):
    # 88% before the interventions (which start 1 December 2025), 94% during them.
    value = "88.0%" if end < dt.date(2025, 12, 1) else "94.0%"
    return RecordSummary("attendance", "Attendance", start, end, (RecordLine("Attendance", value),))


def test_share_of_targets_achieved_by_type_and_provider(funded):
    tuition, _ = funded
    rows = {r.key: r for r in impact(tuition.grant_year, "intervention_type")}
    assert rows["tuition"].achieved_share == "50% (1 of 2)"
    assert rows["mentoring"].achieved_share == "0% (0 of 1)"
    assert rows["tuition"].attendance_change == "Not available"
    by_provider = {r.label: r for r in impact(tuition.grant_year, "provider")}
    assert by_provider["Bright Futures Tuition"].approved_pence == 60_000


def test_attendance_change_from_the_attendance_record_summaries(funded, client, world):
    tuition, _ = funded
    with extensions.registered():
        extensions.register_child_records("attendance", attendance)
        rows = {r.key: r for r in impact(tuition.grant_year, "intervention_type")}
        assert rows["tuition"].attendance_changes == [Decimal("6.0")]
        assert rows["tuition"].attendance_change == "+6.0 percentage points (1 child)"
        client.force_login(world.lead)
        html = client.get(reverse("pupilpremium:impact")).content.decode()
        assert "+6.0 percentage points" in html and "50% (1 of 2)" in html

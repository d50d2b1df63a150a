"""A target that is not SMART is challenged as it is written, saying what is missing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from virtualschool.peps import services
from virtualschool.peps.models import Target

from .conftest import smart_target

TODAY = dt.date(2026, 11, 16)


def test_a_smart_target_has_no_problems():
    assert services.smart_problems(smart_target(deadline=TODAY + dt.timedelta(days=60)), today=TODAY) == {}


def test_missing_measure_date_and_owner_are_named():
    problems = services.smart_problems(smart_target(measure="", deadline=None, owner=""), today=TODAY)
    assert problems["measure"].startswith("The target has no measure")
    assert problems["deadline"].startswith("The target has no date")
    assert problems["owner"].startswith("The target has no owner")


def test_funding_needs_a_note_and_dates_must_be_ahead():
    problems = services.smart_problems(smart_target(funding_note="", deadline=TODAY), today=TODAY)
    assert "what the PP+ funding pays for" in problems["funding_note"]
    assert "must be in the future" in problems["deadline"]


@given(st.sampled_from(["measure", "baseline", "target_value", "owner", "description"]))
def test_any_missing_part_is_challenged(name):
    problems = services.smart_problems(
        smart_target(**{name: "   "}, deadline=TODAY + dt.timedelta(days=5)), today=TODAY
    )
    assert name in problems


def test_service_refuses_and_writes_nothing(world):
    pep = services.pep_create(actor=world.lead, child=world.child_a, academic_year=2026, term="autumn")
    with pytest.raises(ValidationError) as exc:
        services.target_save(actor=world.dt_a, pep=pep, data=smart_target(measure="", owner=""))
    assert set(exc.value.message_dict) == {"measure", "owner"}
    assert not Target.objects.exists()


def test_targets_reviewed_at_the_next_pep(world):
    first = services.pep_create(actor=world.lead, child=world.child_a, academic_year=2025, term="summer")
    target = services.target_save(actor=world.dt_a, pep=first, data=smart_target())
    second = services.pep_create(actor=world.lead, child=world.child_a, academic_year=2026, term="autumn")
    from virtualschool.peps.selectors import targets_to_review

    assert targets_to_review(second) == [target]
    with pytest.raises(ValidationError, match="what got in the way"):
        services.target_review(actor=world.dt_a, target=target, reviewing_pep=second, outcome="partly")
    services.target_review(
        actor=world.dt_a, target=target, reviewing_pep=second, outcome="partly", note="Absent in October"
    )
    target.refresh_from_db()
    assert target.outcome == "partly" and target.reviewed_in == second


def test_a_target_not_achieved_proposes_an_emergency_review_once(world):
    from virtualschool.peps.models import PepProposal

    first = services.pep_create(actor=world.lead, child=world.child_a, academic_year=2025, term="summer")
    met = services.target_save(actor=world.dt_a, pep=first, data=smart_target())
    missed = services.target_save(actor=world.dt_a, pep=first, data=smart_target(description="Read 20 minutes daily"))
    second = services.pep_create(actor=world.lead, child=world.child_a, academic_year=2026, term="autumn")
    services.target_review(actor=world.dt_a, target=met, reviewing_pep=second, outcome="achieved")
    assert not PepProposal.objects.exists()
    services.target_review(
        actor=world.dt_a, target=missed, reviewing_pep=second, outcome="not_achieved", note="Not started"
    )
    proposal = PepProposal.objects.get()
    assert (proposal.pep_type, proposal.trigger, proposal.child) == ("emergency", "targets-not-met", world.child_a)
    assert "Read 20 minutes daily" in proposal.reason
    services.target_review(
        actor=world.dt_a, target=missed, reviewing_pep=second, outcome="not_achieved", note="Still not started"
    )
    assert PepProposal.objects.count() == 1


def test_the_first_save_starts_the_pep_and_the_start_is_audited(world):
    from virtualschool.core.models import AuditEvent

    pep = services.pep_create(actor=world.lead, child=world.child_a, academic_year=2026, term="autumn")
    assert pep.status == "not_started"
    services.target_save(actor=world.dt_a, pep=pep, data=smart_target())
    pep.refresh_from_db()
    assert pep.status == "in_progress" and pep.started_on is not None
    started = AuditEvent.objects.filter(object_type="peps.pep", object_id=str(pep.pk), action="update").get()
    assert started.actor == world.dt_a and started.changes["status"] == ["not_started", "in_progress"]

"""Proposals from the signal and from a change of school; quality assurance and the termly round."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from virtualschool.core.models import Notification
from virtualschool.core.signals import pep_review_proposed
from virtualschool.peps import services
from virtualschool.peps.models import PepProposal, PepType, QaReview
from virtualschool.peps.selectors import qa_dashboard
from virtualschool.placements.tests.factories import EducationPlacementFactory
from virtualschool.schools.tests.factories import SchoolFactory

from .conftest import pep_ready_to_submit


def send(world, key="suspension:1"):
    pep_review_proposed.send(
        sender=None,
        child=world.child_a,
        pep_type="emergency",
        trigger="suspension",
        reason="Suspended for 3 days from 2 December 2026.",
        raised_on=dt.date(2026, 12, 2),
        source_key=key,
        actor=None,
    )


def test_one_proposal_per_source_key_and_the_lead_told(world):
    send(world)
    send(world)
    proposal = PepProposal.objects.get()
    assert proposal.trigger == "suspension" and proposal.pep_type == "emergency"
    assert Notification.objects.filter(recipient=world.lead, kind="proposal").count() == 1
    send(world, key="suspension:2")
    assert PepProposal.objects.count() == 2


def test_accept_creates_the_pep_and_dismiss_needs_a_reason(world):
    send(world)
    send(world, key="suspension:2")
    first, second = PepProposal.objects.order_by("source_key")
    pep = services.proposal_accept(actor=world.lead, proposal=first)
    assert pep.pep_type == PepType.EMERGENCY and "Suspended" in pep.reason
    with pytest.raises(ValidationError, match="already been accepted"):
        services.proposal_accept(actor=world.lead, proposal=first)
    with pytest.raises(ValidationError, match="Say why"):
        services.proposal_dismiss(actor=world.lead, proposal=second, reason="")
    services.proposal_dismiss(actor=world.lead, proposal=second, reason="Same incident as the first")
    second.refresh_from_db()
    assert second.status == "dismissed"


def test_change_of_school_proposes_an_interim_pep(world):
    current = world.child_a.education_placements.get()
    current.end_date = dt.date(2026, 11, 1)
    current.save()
    EducationPlacementFactory(
        child=world.child_a, school=world.school_a, start_date=dt.date(2026, 11, 2), end_date=dt.date(2026, 11, 3)
    )
    assert not PepProposal.objects.exists()  # same school: no change
    placement = EducationPlacementFactory(
        child=world.child_a, school=SchoolFactory(name="Cedar Academy"), start_date=dt.date(2026, 11, 4)
    )
    proposal = PepProposal.objects.get()
    assert proposal.source_key == f"placement:{placement.pk}" and proposal.pep_type == "interim"
    assert "Cedar Academy" in proposal.reason


def test_qa_form_feedback_kept_and_dashboard(world):
    pep = services.pep_submit(actor=world.lead, pep=pep_ready_to_submit(world))
    ratings = dict.fromkeys(
        ["child_voice", "smart_targets", "attainment", "ppplus_link", "attendance", "actions"], "met"
    )
    with pytest.raises(ValidationError) as exc:
        services.qa_record(actor=world.head, pep=pep, ratings={**ratings, "attainment": ""}, grade="", feedback="")
    assert {"rating_attainment", "grade", "feedback"} <= set(exc.value.message_dict)
    services.qa_record(
        actor=world.head, pep=pep, ratings={**ratings, "attainment": "not_met"}, grade="ri", feedback="Add test data"
    )
    assert Notification.objects.filter(recipient=world.dt_a, subject__contains="requires improvement").exists()
    board = qa_dashboard(user=world.head, academic_year=pep.academic_year, term=pep.term)
    assert board.total.due == 2 and board.total.held_on_time == 1 and board.total.graded == 1 and board.total.good == 0
    assert board.failed_criteria[0] == ("Attainment data", 1, 0)


def test_termly_round_shares_a_sample_across_the_team(world):
    pep = services.pep_submit(actor=world.lead, pep=pep_ready_to_submit(world))
    qa_round = services.qa_round_create(actor=world.head, academic_year=pep.academic_year, term=pep.term)
    review = QaReview.objects.get(qa_round=qa_round)
    assert review.reviewer == world.head  # not the child's own lead
    with pytest.raises(ValidationError, match="already has a QA round"):
        services.qa_round_create(actor=world.head, academic_year=pep.academic_year, term=pep.term)

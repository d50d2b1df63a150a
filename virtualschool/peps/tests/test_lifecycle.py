"""The PEP's life: created, started, meeting held, submitted, returned or approved, locked and versioned."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from virtualschool.core.models import Notification
from virtualschool.peps import services
from virtualschool.peps.models import Pep, PepStatus, PepVersion, Rag, SectionKind
from virtualschool.peps.selectors import peps_visible_to

from .conftest import pep_ready_to_submit, section, smart_target


def test_created_with_four_sections_and_not_started(world):
    pep = services.pep_create(actor=world.lead, child=world.child_a, academic_year=2026, term="autumn")
    assert pep.status == PepStatus.NOT_STARTED
    assert sorted(pep.sections.values_list("kind", flat=True)) == sorted(SectionKind.values)
    assert pep.school == world.school_a
    assert pep.events.count() == 1


def test_one_termly_pep_a_term(world):
    services.pep_create(actor=world.lead, child=world.child_a, academic_year=2026, term="autumn")
    with pytest.raises(ValidationError) as exc:
        services.pep_create(actor=world.lead, child=world.child_a, academic_year=2026, term="autumn")
    assert "already has a PEP for the autumn term 2026/27" in str(exc.value)
    # an interim PEP may sit beside it, with a reason
    with pytest.raises(ValidationError, match="Say why"):
        services.pep_create(
            actor=world.lead, child=world.child_a, academic_year=2026, term="autumn", pep_type="interim"
        )
    services.pep_create(
        actor=world.lead,
        child=world.child_a,
        academic_year=2026,
        term="autumn",
        pep_type="interim",
        reason="New school",
    )


def test_first_save_starts_it(world):
    pep = services.pep_create(actor=world.lead, child=world.child_a, academic_year=2026, term="autumn")
    services.section_save(
        actor=world.dt_a, section=section(pep, "designated_teacher"), answers={"strengths": "Art"}, expected_version=1
    )
    pep.refresh_from_db()
    assert pep.status == PepStatus.IN_PROGRESS
    assert pep.started_on == dt.date.today()


def test_submit_needs_the_meeting_targets_and_child_voice(world):
    pep = services.pep_create(actor=world.lead, child=world.child_a, academic_year=2026, term="autumn")
    services.pep_start(actor=world.lead, pep=pep)
    with pytest.raises(ValidationError, match="meeting has been held"):
        services.pep_submit(actor=world.lead, pep=pep)


def test_full_life_return_then_approve_and_version(world):
    pep = pep_ready_to_submit(world)
    assert pep.status == PepStatus.MEETING_HELD
    pep = services.pep_submit(actor=world.lead, pep=pep)
    assert pep.status == PepStatus.SUBMITTED
    assert Notification.objects.filter(recipient=world.iro_a, subject__contains="before the care review").exists()
    with pytest.raises(ValidationError, match="put right"):
        services.pep_return(actor=world.head, pep=pep, reason="  ")
    pep = services.pep_return(actor=world.head, pep=pep, reason="Targets need a baseline from the last test", rag="red")
    assert pep.status == PepStatus.RETURNED
    assert Notification.objects.filter(recipient=world.dt_a, kind="decision", subject__contains="returned").exists()
    pep = services.pep_submit(actor=world.lead, pep=pep)
    with pytest.raises(ValidationError, match="red PEP cannot be signed off"):
        services.pep_approve(actor=world.head, pep=pep, rag=Rag.RED)
    pep = services.pep_approve(actor=world.head, pep=pep, rag=Rag.GREEN)
    assert pep.status == PepStatus.APPROVED and pep.rag == Rag.GREEN
    assert Notification.objects.filter(recipient=world.dt_a, subject__contains="approved").exists()
    v1 = PepVersion.objects.get(pep=pep, number=1)
    assert v1.document["targets"][0]["measure"] == "Reading age (Salford test)"

    # locked: nothing changes an approved PEP
    with pytest.raises(ValidationError, match="approved and locked"):
        services.target_save(actor=world.dt_a, pep=pep, data=smart_target(description="Write a paragraph unaided"))
    # a change makes a new version and keeps the old one
    with pytest.raises(ValidationError, match="Say why"):
        services.pep_amend(actor=world.lead, pep=pep, reason="")
    pep = services.pep_amend(actor=world.lead, pep=pep, reason="New reading intervention agreed")
    assert pep.plan_version == 2 and pep.status == PepStatus.IN_PROGRESS
    target = pep.targets.get()
    services.target_save(
        actor=world.dt_a,
        pep=pep,
        target=target,
        expected_version=target.version,
        data=smart_target(measure="Reading age (NGRT)"),
    )
    v1.refresh_from_db()
    assert v1.document["targets"][0]["measure"] == "Reading age (Salford test)"
    assert v1.superseded_on == dt.date.today()
    assert v1.change_reason == "New reading intervention agreed"


def test_only_quality_assurers_approve(world):
    pep = services.pep_submit(actor=world.lead, pep=pep_ready_to_submit(world))
    for user in (world.dt_a, world.sw_a, world.data):
        with pytest.raises(PermissionDenied):
            services.pep_approve(actor=user, pep=pep, rag="green")


def test_submission_snapshots_pulled_records(world):
    from virtualschool.core import extensions
    from virtualschool.core.extensions import RecordLine, RecordSummary

    calls = []

    def attendance(child, start, end):
        calls.append((child.pk, start, end))
        return RecordSummary(
            "attendance", "Attendance", start, end, (RecordLine("Attendance", "91.2 %"),), ("Below 95 %.",)
        )

    with extensions.registered():
        extensions.register_child_records("attendance", attendance)
        pep = services.pep_submit(actor=world.lead, pep=pep_ready_to_submit(world))
    assert pep.records_snapshot[0]["lines"] == [{"label": "Attendance", "value": "91.2 %"}]
    assert calls and calls[0][0] == world.child_a.pk
    # the provider is gone, the submitted PEP still says what it said
    from virtualschool.peps.document import build_document
    from virtualschool.peps.selectors import pep_get

    doc = build_document(pep_get(user=world.lead, pk=pep.pk))
    assert doc["records"][0]["title"] == "Attendance"


def test_social_worker_and_reviewing_officer_always_read(world):
    pep = services.pep_create(actor=world.lead, child=world.child_a, academic_year=2026, term="autumn")
    assert peps_visible_to(world.sw_a).filter(pk=pep.pk).exists()
    assert peps_visible_to(world.iro_a).filter(pk=pep.pk).exists()
    assert not peps_visible_to(world.sw_b).filter(pk=pep.pk).exists()
    assert not peps_visible_to(world.dt_b).filter(pk=pep.pk).exists()
    assert not Pep.objects.none().exists()

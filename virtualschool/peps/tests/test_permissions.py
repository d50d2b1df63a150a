"""Who edits what: each author their own section, of their own pupils' PEPs, never another school's."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from virtualschool.peps import services
from virtualschool.peps.rules import editable_parts
from virtualschool.schools.tests.factories import SchoolStaffFactory

from .conftest import section, smart_target


@pytest.fixture
def pep(world):
    return services.pep_create(actor=world.lead, child=world.child_a, academic_year=2026, term="autumn")


def test_designated_teacher_edits_own_section_of_own_pupils(world, pep):
    services.section_save(
        actor=world.dt_a, section=section(pep, "designated_teacher"), answers={"strengths": "Maths"}, expected_version=1
    )
    with pytest.raises(PermissionDenied):
        services.section_save(
            actor=world.dt_a, section=section(pep, "social_worker"), answers={"care_context": "x"}, expected_version=1
        )


def test_never_another_schools(world, pep):
    with pytest.raises(PermissionDenied):
        services.section_save(
            actor=world.dt_b, section=section(pep, "designated_teacher"), answers={"strengths": "x"}, expected_version=1
        )
    with pytest.raises(PermissionDenied):
        services.target_save(actor=world.dt_b, pep=pep, data=smart_target())
    assert editable_parts(world.dt_b, pep) == set()


def test_social_worker_and_reviewing_officer(world, pep):
    services.section_save(
        actor=world.sw_a, section=section(pep, "social_worker"), answers={"care_context": "Settled"}, expected_version=1
    )
    with pytest.raises(PermissionDenied):
        services.section_save(
            actor=world.sw_a, section=section(pep, "designated_teacher"), answers={"strengths": "x"}, expected_version=1
        )
    assert editable_parts(world.iro_a, pep) == set()
    assert editable_parts(world.sw_b, pep) == set()


def test_only_the_lead_records_attendees_and_notes(world, pep):
    with pytest.raises(PermissionDenied):
        services.meeting_record(
            actor=world.dt_a,
            pep=pep,
            expected_version=pep.version,
            held_on=None,
            attendees="",
            notes="",
            next_meeting_date=None,
        )


def test_delegation_to_a_colleague_limited_to_children_and_parts(world, pep):
    colleague = SchoolStaffFactory(school=world.school_a, is_designated_teacher=False, user__username="colleague").user
    assert editable_parts(colleague, pep) == set()
    outsider = SchoolStaffFactory(school=world.school_b, user__username="outsider").user
    with pytest.raises(ValidationError, match="works at Alderley"):
        services.delegation_create(actor=world.dt_a, school=world.school_a, delegate=outsider, parts=["targets"])
    with pytest.raises(ValidationError, match="Limit the delegation"):
        services.delegation_create(actor=world.dt_a, school=world.school_a, delegate=colleague)
    with pytest.raises(PermissionDenied):
        services.delegation_create(actor=colleague, school=world.school_a, delegate=world.dt_a, parts=["targets"])
    delegation = services.delegation_create(
        actor=world.dt_a,
        school=world.school_a,
        delegate=colleague,
        children=[world.child_a],
        parts=["designated_teacher"],
    )
    assert editable_parts(colleague, pep) == {"designated_teacher"}
    services.section_save(
        actor=colleague, section=section(pep, "designated_teacher"), answers={"strengths": "Music"}, expected_version=1
    )
    with pytest.raises(PermissionDenied):
        services.target_save(actor=colleague, pep=pep, data=smart_target())
    services.delegation_revoke(actor=world.dt_a, delegation=delegation)
    assert editable_parts(colleague, pep) == set()


def test_policy_changed_by_the_head_and_audited(world):
    from virtualschool.core.models import AuditEvent

    with pytest.raises(PermissionDenied):
        services.pep_policy_update(actor=world.lead, qa_ready_days=15)
    services.pep_policy_update(actor=world.head, qa_ready_days=15)
    assert services.policy_get().qa_ready_days == 15
    assert AuditEvent.objects.filter(object_type="peps.peppolicy", action="update").exists()


@pytest.mark.parametrize(
    "role", ["head", "lead", "data", "send", "manager", "dt_a", "dt_b", "sw_a", "sw_b", "iro_a", "panel", "admin"]
)
def test_pep_pages_answer_by_need_to_know(client, world, expected_visible, role):
    from django.urls import reverse

    pep = services.pep_create(actor=world.lead, child=world.child_a, academic_year=2026, term="autumn")
    client.force_login(world.users()[role])
    visible = "child_a" in expected_visible[role]
    for url in (reverse("peps:child", args=[world.child_a.pk]), reverse("peps:detail", args=[pep.pk])):
        assert client.get(url).status_code == (200 if visible else 404), (role, url)
    edit = client.get(reverse("peps:section", args=[pep.pk, "designated_teacher"])).status_code
    assert edit == (200 if role in {"head", "lead", "data", "dt_a"} else 403 if visible else 404), role


def test_policy_admin_page_opens_for_the_administrator(client, world):
    from django.urls import reverse

    world.admin.is_staff = True
    world.admin.save()
    client.force_login(world.admin)
    listing = client.get(reverse("admin:peps_peppolicy_changelist"))
    assert listing.status_code == 302
    page = client.get(listing.url)
    assert (
        page.status_code == 200
        and b"nitial PEP started within" in page.content
        and b'name="qa_ready_days"' in page.content
    )

"""/api/v1/peps: scoped lists, the whole PEP, creation, section saves with the version check, transitions."""

from __future__ import annotations

import pytest

from virtualschool.api.tests.conftest import api_as  # noqa: F401  (the fixture)
from virtualschool.core.models import AuditEvent
from virtualschool.peps import services

from .conftest import pep_ready_to_submit, smart_target

pytestmark = pytest.mark.django_db


def test_list_is_scoped_and_audited(world, api_as):  # noqa: F811
    pep = services.pep_create(actor=world.lead, child=world.child_a, academic_year=2026, term="autumn")
    services.pep_create(actor=world.lead, child=world.child_b, academic_year=2026, term="autumn")
    data = api_as(world.dt_a).get("/peps").json()
    assert [item["id"] for item in data["items"]] == [pep.pk]
    assert AuditEvent.objects.filter(object_type="peps.pep", object_id=str(pep.pk), action="view").exists()
    assert api_as(world.dt_b).get(f"/peps/{pep.pk}").status_code == 404
    assert api_as(world.panel).get("/peps").json()["count"] == 0


def test_get_has_sections_targets_attainment_actions_and_qa(world, api_as):  # noqa: F811
    pep = pep_ready_to_submit(world)
    body = api_as(world.iro_a).get(f"/peps/{pep.pk}").json()
    assert {s["kind"] for s in body["sections"]} == {"designated_teacher", "social_worker", "child_voice", "carer"}
    assert body["targets"][0]["measure"] == "Reading age (Salford test)"
    assert body["meeting"]["held_on"] is not None
    assert body["qa"] == [] and body["attainment"] == [] and body["actions"] == []


def test_create_and_section_version_check(world, api_as):  # noqa: F811
    api = api_as(world.lead)
    created = api.post("/peps", {"child_id": world.child_a.pk, "academic_year": 2026, "term": "spring"})
    assert created.status_code == 201, created.content
    pep_id = created.json()["id"]
    again = api.post("/peps", {"child_id": world.child_a.pk, "academic_year": 2026, "term": "spring"})
    assert again.status_code == 422 and "already has a PEP" in again.json()["errors"]["term"][0]
    sw = api_as(world.sw_a)
    ok = sw.patch(f"/peps/{pep_id}/sections/social_worker", {"answers": {"care_context": "Settled"}, "version": 1})
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = api.patch(f"/peps/{pep_id}/sections/social_worker", {"answers": {"care_context": "Moved"}, "version": 1})
    assert stale.status_code == 409
    assert stale.json()["changes"][0]["theirs"] == "Settled"
    denied = api_as(world.dt_a).patch(f"/peps/{pep_id}/sections/social_worker", {"answers": {}, "version": 2})
    assert denied.status_code == 403


def test_smart_target_challenge_and_transitions(world, api_as):  # noqa: F811
    pep = pep_ready_to_submit(world)
    dt_api = api_as(world.dt_a)
    bad = dt_api.post(f"/peps/{pep.pk}/targets", {"description": "Be better at maths please"})
    assert bad.status_code == 422
    assert {"measure", "deadline", "owner"} <= set(bad.json()["errors"])
    good = smart_target()
    good["deadline"] = good["deadline"].isoformat()
    assert dt_api.post(f"/peps/{pep.pk}/targets", good).status_code == 201
    lead = api_as(world.lead)
    submitted = lead.post(f"/peps/{pep.pk}/transitions", {"action": "submit"})
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    head = api_as(world.head)
    red = head.post(f"/peps/{pep.pk}/transitions", {"action": "approve", "rag": "red"})
    assert red.status_code == 422
    approved = head.post(f"/peps/{pep.pk}/transitions", {"action": "approve", "rag": "amber"})
    assert approved.json()["status"] == "approved" and approved.json()["rag"] == "amber"
    assert dt_api.post(f"/peps/{pep.pk}/transitions", {"action": "approve", "rag": "green"}).status_code in (403, 422)

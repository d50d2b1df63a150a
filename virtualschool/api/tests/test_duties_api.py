"""GET /children/{id}/duties and /duties/rules: the engine's clocks, scoped like every child read."""

import datetime as dt

import pytest

from virtualschool.core.models import AuditEvent
from virtualschool.duties import engine
from virtualschool.duties.models import DutyRule

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rules(db):
    from virtualschool.duties.tests.conftest import reseed

    reseed()


def test_a_childs_duties_with_due_dates_states_and_owner(world, api_as):
    child = world.child_a
    child.care_status_received_on = dt.date(2026, 11, 20)
    child.added_to_roll_on = None
    child.save()
    engine.refresh([child.pk], today=dt.date(2026, 11, 26))

    response = api_as(world.lead).get(f"/children/{child.pk}/duties")

    assert response.status_code == 200, response.content
    rows = {row["rule"]: row for row in response.json()}
    roll = rows["roll-add-after-care-status"]
    assert roll == {
        "rule": "roll-add-after-care-status",
        "name": "Add the child to the roll after care status is received",
        "started_on": "2026-11-20",
        "due_on": "2026-11-25",
        "met_on": None,
        "state": "overdue",
        "owner": {"id": world.lead.pk, "name": world.lead.full_name or "lead", "role": "lead"},
        "owner_role": "lead",
        "reference": f"child:{child.pk}:care_status_received_on",
    }
    assert AuditEvent.objects.filter(child_id=child.pk, action="view", context__via="api").exists()


def test_a_child_out_of_scope_answers_404(world, api_as):
    assert api_as(world.sw_b).get(f"/children/{world.child_a.pk}/duties").status_code == 404
    assert api_as(world.sw_b).get("/children/999999/duties").status_code == 404


def test_rules_list_every_seeded_rule_and_whether_it_is_measured(world, api_as):
    response = api_as(world.dt_a).get("/duties/rules")

    assert response.status_code == 200
    rules = {row["slug"]: row for row in response.json()}
    assert len(rules) == DutyRule.objects.count() >= 26
    sdq = rules["school-sdq-after-carer-score"]
    assert (sdq["duration"], sdq["unit"], sdq["owner_role"], sdq["measured"]) == (1, "months", "designated_teacher",
                                                                                   True)  # fmt: skip
    pep = rules["pep-meeting-after-entering-care"]
    assert (pep["duration"], pep["unit"], pep["measured"]) == (20, "working", True)
    told = rules["designated-teacher-told-of-arrival"]  # nothing records when the teacher was told yet
    assert (told["duration"], told["unit"], told["measured"]) == (1, "calendar", False)
    assert "designated_teacher_informed" in told["not_measured_reason"]


def test_the_api_needs_a_token(client):
    assert client.get("/api/v1/duties/rules").status_code == 401

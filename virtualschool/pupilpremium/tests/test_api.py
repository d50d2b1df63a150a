"""/api/v1/pupil-premium: the same rules as the pages, in integer pence."""

from __future__ import annotations

import pytest

from virtualschool.api.tests.conftest import ApiClient, issue_token
from virtualschool.pupilpremium import services
from virtualschool.pupilpremium.models import Application, Outcome

from .conftest import submit

pytestmark = pytest.mark.django_db


def api(user):
    return ApiClient(issue_token(user))


def body(child, **extra):
    values = {
        "child_ids": [child.pk],
        "intervention_type": "therapeutic",
        "provider": "Play Therapy Partnership",
        "description": "Six sessions of play therapy",
        "amount_pence": 45_000,
        "starts_on": "2025-12-01",
        "ends_on": "2026-02-13",
        "targets": [
            {
                "text": "Stay in class for whole lessons",
                "measure": "Behaviour log",
                "deadline": "2026-02-13",
                "owner": "Designated teacher",
            }
        ],
    }
    values.update(extra)
    return values


def test_budget_summary_in_pence_for_the_budget_team_only(pp, world):
    response = api(world.manager).get("/pupil-premium/budget")
    assert response.status_code == 200
    data = response.json()
    assert data["grant_year"] == "2025-26" and data["rate_per_child_pence"] == 263_000
    pp_plus = next(f for f in data["funds"] if f["fund"] == "pp_plus")
    assert pp_plus == {
        "fund": "pp_plus",
        "total_pence": 526_000,
        "committed_pence": 0,
        "spent_pence": 0,
        "remaining_pence": 526_000,
    }
    assert api(world.lead).get("/pupil-premium/budget").status_code == 403
    assert api(world.head).get("/pupil-premium/budget", year="2019-20").status_code == 404


def test_create_refuses_an_application_without_a_target(pp, world):
    response = api(world.lead).post("/pupil-premium/applications", body(world.child_a, targets=[]))
    assert response.status_code == 422
    assert "at least one SMART target" in response.json()["errors"]["targets"][0]
    assert not Application.objects.exists()


def test_create_and_get_an_application(pp, world):
    client = api(world.dt_a)
    response = client.post("/pupil-premium/applications", body(world.child_a))
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["status"] == "submitted" and created["targets"][0]["child_id"] == world.child_a.pk
    assert client.get(f"/pupil-premium/applications/{created['id']}").json()["amount_pence"] == 45_000
    assert api(world.dt_b).get(f"/pupil-premium/applications/{created['id']}").status_code == 404
    # A child the caller does not work with answers 404, and nothing is written.
    assert api(world.dt_b).post("/pupil-premium/applications", body(world.child_a)).status_code == 404
    assert Application.objects.count() == 1


def test_list_is_scoped(pp, world):
    submit(world.lead, pp.year, world.child_a)
    submit(world.lead, pp.year, world.child_b)
    assert api(world.head).get("/pupil-premium/applications").json()["count"] == 2
    assert api(world.dt_a).get("/pupil-premium/applications").json()["count"] == 1
    assert api(world.panel).get("/pupil-premium/applications").json()["count"] == 0
    assert api(world.sw_a).get("/pupil-premium/applications").json()["count"] == 0
    assert api(world.head).get("/pupil-premium/applications", status="nonsense").status_code == 422


def test_votes_and_decisions(pp, world):
    app = submit(world.lead, pp.year, world.child_a, amount=60_000)
    services.panel_take_waiting(actor=world.head, panel=pp.panel)
    first = api(pp.members[0]).post(f"/pupil-premium/applications/{app.pk}/votes", {"outcome": Outcome.APPROVE})
    assert first.status_code == 201 and first.json()["decision"] is None
    second = api(pp.members[1]).post(
        f"/pupil-premium/applications/{app.pk}/votes",
        {"outcome": "approve_amount", "amount_pence": 50_000, "reason": "Five sessions first"},
    )
    assert second.json()["decision"] is None
    third = api(pp.members[2]).post(
        f"/pupil-premium/applications/{app.pk}/votes",
        {"outcome": "approve_amount", "amount_pence": 50_000, "reason": "Agree: review after five"},
    )
    decision = third.json()["decision"]
    assert decision["outcome"] == "approve_amount" and decision["amount_pence"] == 50_000
    assert api(world.head).get("/pupil-premium/decisions").json()["count"] == 1
    # The lead sees it from the next day only.
    assert api(world.lead).get("/pupil-premium/decisions").json()["count"] == 0
    lead_view = api(world.lead).get(f"/pupil-premium/applications/{app.pk}").json()
    assert lead_view["status"] == "submitted" and lead_view["decisions"] == []
    assert lead_view["approved_amount_pence"] is None
    # A connected member is refused with the reason.
    assert (
        api(world.sw_a).post(f"/pupil-premium/applications/{app.pk}/votes", {"outcome": "approve"}).status_code == 404
    )

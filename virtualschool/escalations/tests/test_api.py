"""POST /escalations/, GET /escalations/{id} and GET /ladders."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import EXPECTED_VISIBLE
from virtualschool.api.tests.conftest import ApiClient, issue_token
from virtualschool.core.models import AuditEvent
from virtualschool.escalations import services
from virtualschool.escalations.models import Escalation, Ladder

from .conftest import MONDAY

pytestmark = pytest.mark.django_db


def _api(user) -> ApiClient:
    return ApiClient(issue_token(user))


def _body(child, **extra):
    return {
        "child_id": child.pk,
        "ladder": "dorset-dispute-resolution",
        "arose_on": "2026-10-30",
        "safeguarding": False,
        "summary": "No school place for six weeks.",
        **extra,
    }


def test_ladders_lists_every_ladder_with_its_levels(world):
    response = _api(world.sw_a).get("/ladders")
    assert response.status_code == 200
    ladders = {item["slug"]: item for item in response.json()}
    assert len(ladders) == 11
    dorset = ladders["dorset-dispute-resolution"]
    assert [lv["number"] for lv in dorset["levels"]] == [0, 1, 2, 3, 4, 5]
    assert dorset["levels"][1]["time_amount"] == 5 and dorset["levels"][1]["time_unit"] == "working"
    assert dorset["may_skip"] is True
    home = ladders["childrens-home-regulation-5"]
    assert [lv["time_amount"] for lv in home["levels"]] == [2, 1, 1, 2, 2, 2, 2]
    assert home["levels"][-1]["repeats"] is True
    assert ladders["dorset-virtual-school-internal"]["levels"][0]["responses"]


def test_raising_returns_the_levels_with_due_dates(world, frozen):
    response = _api(world.iro_a).post("/escalations/", _body(world.child_a, start_level=1, reason="Informal failed"))
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["level"] == 1 and data["due_on"] == "2026-11-09" and data["holder"] == str(world.iro_a)
    levels = {row["number"]: row for row in data["levels"]}
    assert levels[0]["state"] == "skipped"
    assert levels[1]["state"] == "current" and levels[1]["due_on"] == "2026-11-09"
    assert levels[2]["due_on"] == "2026-11-16" and levels[2]["projected"] is True
    assert levels[4]["due_on"] == "2026-11-30"
    assert levels[5]["due_on"] is None  # CAFCASS: no time limit
    assert Escalation.objects.get().ladder.slug == "dorset-dispute-resolution"


def test_reading_an_escalation_shows_contacts_and_views_and_is_audited(world, frozen):
    escalation = services.escalation_raise(
        actor=world.lead,
        child=world.child_a,
        ladder=Ladder.objects.get(slug="gloucestershire-school"),
        summary="x",
        arose_on=MONDAY,
    )
    services.contact_record(
        actor=world.lead,
        escalation=escalation,
        person="Head teacher",
        method="meeting",
        contacted_on=MONDAY,
        response="Agreed a plan",
    )
    services.child_view_record(actor=world.lead, escalation=escalation, recorded_on=MONDAY, views="Wants a tutor")
    response = _api(world.sw_a).get(f"/escalations/{escalation.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["contacts"] == [
        {
            "level": 1,
            "person": "Head teacher",
            "role": "",
            "method": "meeting",
            "contacted_on": "2026-11-02",
            "asked": "",
            "response": "Agreed a plan",
        }
    ]
    assert data["child_views"][0]["views"] == "Wants a tutor"
    assert [row["due_on"] for row in data["levels"]] == ["2026-11-16", "2026-11-30", "2026-12-14", None]
    assert AuditEvent.objects.filter(
        actor=world.sw_a, object_type="escalations.escalation", action="view", context__via="api"
    ).exists()
    assert _api(world.sw_b).get(f"/escalations/{escalation.pk}").status_code == 404
    assert _api(world.sw_a).get("/escalations/99999").status_code == 404


def test_bad_input_says_what_to_fix(world, frozen):
    api = _api(world.lead)
    unknown = api.post("/escalations/", _body(world.child_a, ladder="nope"))
    assert unknown.status_code == 422 and "dorset-dispute-resolution" in unknown.json()["errors"]["ladder"][0]
    future = api.post("/escalations/", _body(world.child_a, arose_on="2027-01-01", summary=""))
    assert future.status_code == 422
    assert set(future.json()["errors"]) == {"arose_on", "summary"}
    school = api.post("/escalations/", _body(world.child_a, ladder="gloucestershire-school", start_level=3, reason="x"))
    assert school.status_code == 422 and "start_level" in school.json()["errors"]
    assert not Escalation.objects.exists()


RAISERS = {"head", "lead", "manager", "send", "dt_a", "dt_b", "sw_a", "sw_b", "iro_a"}


@pytest.mark.parametrize("role", sorted(EXPECTED_VISIBLE))
@pytest.mark.parametrize("child_name", ["child_a", "child_b"])
def test_each_role_raises_only_for_children_it_works_with(world, frozen, role, child_name):
    child = getattr(world, child_name)
    visible = child_name in EXPECTED_VISIBLE[role]
    status = _api(world.users()[role]).post("/escalations/", _body(child)).status_code
    if not visible:
        assert status == 404
    else:
        assert status == (201 if role in RAISERS else 403), (role, child_name, status)
    assert Escalation.objects.count() == (1 if status == 201 else 0)


def test_safeguarding_through_the_api_uses_the_faster_timescale(world, frozen):
    response = _api(world.lead).post(
        "/escalations/", _body(world.child_a, ladder="childrens-home-regulation-5", safeguarding=True)
    )
    assert response.status_code == 201
    assert response.json()["due_on"] == MONDAY.isoformat()
    assert dt.date.fromisoformat(response.json()["levels"][-1]["due_on"]) == MONDAY + dt.timedelta(weeks=2)

"""/api/v1/suspensions and /api/v1/reduced-timetables: scoped lists, create and get, clear errors, audited reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from virtualschool.api.tests.conftest import ApiClient, issue_token
from virtualschool.core.models import AuditEvent, Notification
from virtualschool.suspensions import services
from virtualschool.suspensions.models import ReducedTimetable, Suspension

D = dt.date


@pytest.fixture
def api_as(db: Any):
    return lambda user: ApiClient(issue_token(user))


@pytest.fixture(autouse=True)
def in_november_2025(today_is):
    today_is(D(2025, 11, 20))


def body(world: Any, **values: Any) -> dict[str, Any]:
    return {
        "child_id": world.child_a.pk,
        "school_urn": world.school_a.urn,
        "start_date": "2025-10-23",
        "length_unit": "days",
        "length": 6,
        "reasons": ["DB", "VA"],
        "social_worker_told_on": "2025-10-24",
        **values,
    }


@pytest.mark.django_db
def test_a_designated_teacher_records_a_suspension_and_it_answers_with_its_dates(world, terms, api_as):
    response = api_as(world.dt_a).post("/suspensions", body(world))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["end_date"] == "2025-11-06" and data["full_time_from"] == "2025-11-06"
    assert data["school_days"] == "6.0"
    assert data["social_worker_told"] == "late" and data["vs_told"] == "not_told"
    assert data["paperwork"] == "missing" and data["paperwork_due"] == "2025-10-25"
    assert data["day6"] == "overdue"
    assert data["school_name"] == "Alderley Primary"
    assert Notification.objects.filter(recipient=world.sw_a, key=f"suspension:{data['id']}:recorded").exists()
    got = api_as(world.sw_a).get(f"/suspensions/{data['id']}")
    assert got.status_code == 200 and got.json()["reasons"] == ["DB", "VA"]
    assert AuditEvent.objects.filter(object_id=str(data["id"]), action="view", actor=world.sw_a).exists()


@pytest.mark.django_db
def test_another_schools_teacher_gets_404_and_a_wrong_school_403(world, terms, api_as):
    assert api_as(world.dt_b).post("/suspensions", body(world)).status_code == 404
    wrong = api_as(world.dt_a).post("/suspensions", body(world, school_urn=world.school_b.urn))
    assert wrong.status_code == 403
    assert "own school" in wrong.json()["detail"]
    assert api_as(world.sw_a).post("/suspensions", body(world)).status_code == 403
    assert not Suspension.objects.exists()


@pytest.mark.django_db
def test_errors_name_the_field_to_fix(world, terms, api_as):
    response = api_as(world.lead).post("/suspensions", body(world, reasons=["ZZ"], length=None, school_urn=123))
    assert response.status_code == 422
    assert response.json()["errors"] == {"school_urn": ["No school with URN 123 is in the register. Check the URN."]}
    response = api_as(world.lead).post("/suspensions", body(world, reasons=["ZZ"], length=None))
    assert set(response.json()["errors"]) == {"reasons", "length"}
    final = api_as(world.lead).post(
        "/suspensions", body(world, category="PERM", is_final=True, meeting_on="2025-10-22", meeting_carer="Casey")
    )
    assert final.status_code == 422
    assert (
        "Missing: the social worker, the reviewing officer, the Virtual School Lead and the school."
        in (final.json()["errors"]["is_final"][0])
    )


@pytest.mark.django_db
def test_the_list_is_scoped_filtered_and_audited(world, terms, api_as):
    base = {"length_unit": "days", "length": 1, "reasons": ["DB"]}
    a = services.suspension_create(
        actor=world.lead, child=world.child_a, school=world.school_a, start_date=D(2025, 11, 3), **base
    )
    b = services.suspension_create(
        actor=world.lead, child=world.child_b, school=world.school_b, start_date=D(2025, 11, 10), **base
    )
    lead = api_as(world.lead)
    assert [s["id"] for s in lead.get("/suspensions").json()["items"]] == [b.pk, a.pk]
    assert [s["id"] for s in lead.get("/suspensions", school_urn=world.school_a.urn).json()["items"]] == [a.pk]
    assert [s["id"] for s in lead.get("/suspensions", start_from="2025-11-04").json()["items"]] == [b.pk]
    assert [s["id"] for s in api_as(world.dt_a).get("/suspensions").json()["items"]] == [a.pk]
    assert api_as(world.panel).get("/suspensions").json()["items"] == []
    assert api_as(world.dt_a).get(f"/suspensions/{b.pk}").status_code == 404
    assert AuditEvent.objects.filter(object_type="suspensions.suspension", action="view", actor=world.lead).count() == 4


@pytest.mark.django_db
def test_reduced_timetables_are_created_listed_and_flagged_overdue(world, api_as):
    payload = {
        "child_id": world.child_a.pk,
        "school_urn": world.school_a.urn,
        "hours_per_week": 15,
        "start_date": "2025-09-08",
        "end_date": "2025-12-01",
        "review_dates": ["2025-10-06"],
        "pep_reference": "PEP of 1 September 2025",
        "agreements": {"social_care": "Sam Social", "school": "Dee Teacher"},
    }
    response = api_as(world.dt_a).post("/reduced-timetables", payload)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["agreements"] == {"social_care": "Sam Social", "school": "Dee Teacher"}
    assert data["not_agreed_by"] == ["Virtual School", "Carer"]
    assert data["live"] and data["overdue"]
    assert data["overdue_reasons"] == ["Review due on 6 October 2025 not held"]
    lead = api_as(world.lead)
    assert [t["id"] for t in lead.get("/reduced-timetables", overdue="true").json()["items"]] == [data["id"]]
    assert lead.get("/reduced-timetables", overdue="false").json()["items"] == []
    assert lead.get(f"/reduced-timetables/{data['id']}").json()["pep_reference"] == "PEP of 1 September 2025"
    assert api_as(world.dt_b).get(f"/reduced-timetables/{data['id']}").status_code == 404
    bad = lead.post("/reduced-timetables", {**payload, "hours_per_week": 30, "review_dates": []})
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"hours_per_week", "review_dates"}
    assert ReducedTimetable.objects.count() == 1


SUSPENSION_FIELDS = [
    "school_urn",
    "category",
    "decided_on",
    "start_date",
    "length_unit",
    "length",
    "reasons",
    "vs_told_on",
    "is_final",
    "meeting_on",
    "meeting_carer",
]
json_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.text(max_size=12),
    st.sampled_from(["2025-11-03", "2031-01-01", "SUSP", "PERM", "days", "sessions"]),
    st.lists(st.sampled_from(["DB", "PP", "XX", ""]), max_size=4),
)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.dictionaries(st.sampled_from(SUSPENSION_FIELDS), json_value, max_size=6))
def test_any_suspension_body_answers_with_a_client_error_or_a_suspension(world, api_as, values):
    response = api_as(world.lead).post("/suspensions", {"child_id": world.child_a.pk, **values})
    assert response.status_code in {201, 422}, response.content
    assert "detail" in response.json() or "id" in response.json()

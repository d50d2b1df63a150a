import pytest

from virtualschool.core.models import AuditEvent
from virtualschool.schools.models import School


def urns(response) -> list[int]:
    return [row["urn"] for row in response.json()["items"]]


@pytest.mark.django_db
def test_schools_list_is_paginated_and_says_which_are_in_the_area(world, api_as):
    api = api_as(world.dt_a)

    page = api.get("/schools", limit=1, offset=1)

    assert page.status_code == 200
    assert page.json()["count"] == 2
    assert urns(page) == [900002]  # by name: Alderley, then Birchwood
    assert page.json()["items"][0]["in_area"] is False
    assert urns(api.get("/schools", in_area="true")) == [900001]
    assert urns(api.get("/schools", la_code="888")) == [900002]
    assert urns(api.get("/schools", phase="Primary")) == [900001]
    assert urns(api.get("/schools", q="birchwood")) == [900002]


@pytest.mark.django_db
def test_a_school_is_found_by_urn_with_its_dfe_number(world, api_as):
    response = api_as(world.sw_a).get("/schools/urn/900001")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == world.school_a.pk
    assert body["dfe_number"] == f"999{world.school_a.establishment_number}"
    assert body["ofsted_rating"] == "good"
    assert body["in_area"] is True
    assert api_as(world.sw_a).get("/schools/urn/123456").status_code == 404


@pytest.mark.django_db
def test_a_data_specialist_adds_and_corrects_a_school_with_an_audit_trail(world, api_as):
    api = api_as(world.data)

    created = api.post(
        "/schools",
        {
            "urn": 912345,
            "name": "Cedar Vale Academy",
            "la_code": "999",
            "type": "Academy sponsor led",
            "ofsted_last_inspected": "2024-11-22",
        },
    )
    assert created.status_code == 201, created.content
    school_id = created.json()["id"]
    assert created.json()["type"] == "Academy sponsor led"

    changed = api.patch(f"/schools/{school_id}", {"ofsted_rating": "requires_improvement"})
    assert changed.status_code == 200, changed.content
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_type="schools.school")
    assert event.actor == world.data
    assert event.changes == {"ofsted_rating": ["", "requires_improvement"]}


@pytest.mark.django_db
def test_a_designated_teacher_cannot_add_a_school(world, api_as):
    response = api_as(world.dt_a).post("/schools", {"urn": 912345, "name": "Cedar Vale Academy"})

    assert response.status_code == 403
    assert not School.objects.filter(urn=912345).exists()


@pytest.mark.django_db
def test_a_duplicate_urn_or_a_bad_date_is_refused_naming_the_field(world, api_as):
    api = api_as(world.lead)

    duplicate = api.post("/schools", {"urn": 900001, "name": "Another"})
    bad_date = api.post("/schools", {"urn": 912345, "name": "Another", "ofsted_last_inspected": "22/11/2024"})

    assert duplicate.status_code == 422 and list(duplicate.json()["errors"]) == ["urn"]
    assert bad_date.status_code == 422 and list(bad_date.json()["errors"]) == ["ofsted_last_inspected"]

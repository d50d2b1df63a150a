import datetime as dt

import pytest

from virtualschool.core.models import AuditEvent
from virtualschool.placements.models import EducationPlacement
from virtualschool.schools.models import OfstedRating
from virtualschool.schools.tests.factories import SchoolFactory


def new_placement(child, urn: int, **extra) -> dict:
    return {"child_id": child.pk, "school_urn": urn, "start_date": "2025-04-22", "hours_per_week": 32.5, **extra}


@pytest.mark.django_db
def test_a_lead_starts_a_placement_and_the_previous_one_ends_the_day_before(world, api_as):
    response = api_as(world.lead).post(
        "/placements", new_placement(world.child_a, 900002, reason_for_change="care_move")
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["school_urn"] == 900002
    assert body["start_date"] == "2025-04-22"
    assert body["ofsted_rating_at_start"] == "good"  # taken from the register
    previous = EducationPlacement.objects.get(child=world.child_a, school=world.school_a)
    assert previous.end_date == dt.date(2025, 4, 21)
    created = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, object_id=str(body["id"]))
    assert created.actor == world.lead and created.child_id == world.child_a.pk
    ended = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_id=str(previous.pk))
    assert ended.changes["end_date"] == [None, "2025-04-21"]


@pytest.mark.django_db
def test_the_childs_detail_shows_the_new_school_once_the_placement_starts(world, api_as):
    api = api_as(world.lead)
    api.post("/placements", new_placement(world.child_a, 900002, start_date="2025-01-06"))

    assert api.get(f"/children/{world.child_a.pk}").json()["current_school_urn"] == 900002


@pytest.mark.django_db
def test_a_setting_without_a_urn_names_its_provider(world, api_as):
    response = api_as(world.lead).post(
        "/placements",
        {
            "child_id": world.child_b.pk,
            "setting_type": "tuition",
            "provider_name": "Example Tutors",
            "start_date": "2025-05-01",
        },
    )

    assert response.status_code == 201, response.content
    assert response.json()["school_urn"] is None
    assert response.json()["setting_name"] == "Example Tutors"


@pytest.mark.django_db
def test_a_social_worker_can_see_but_not_add_a_placement_for_their_own_child(world, api_as):
    api = api_as(world.sw_a)

    assert api.get("/placements", child_id=world.child_a.pk).json()["count"] == 1
    response = api.post("/placements", new_placement(world.child_a, 900002))
    assert response.status_code == 403
    assert EducationPlacement.objects.filter(child=world.child_a).count() == 1


@pytest.mark.django_db
def test_a_social_worker_is_told_a_child_not_theirs_is_not_found(world, api_as):
    response = api_as(world.sw_a).post("/placements", new_placement(world.child_b, 900001))

    assert response.status_code == 404
    assert world.child_b.last_name not in response.content.decode()


@pytest.mark.django_db
def test_a_designated_teacher_of_another_school_cannot_find_the_childs_placements(world, api_as):
    placement = world.child_a.education_placements.get()
    api = api_as(world.dt_b)

    assert api.get("/placements", child_id=world.child_a.pk).json() == {"items": [], "count": 0}
    assert api.get(f"/placements/{placement.pk}").status_code == 404
    assert api.patch(f"/placements/{placement.pk}", {"hours_per_week": 10}).status_code == 404
    assert api.get("/placements/999999").json() == api.get(f"/placements/{placement.pk}").json()


@pytest.mark.django_db
def test_an_unknown_school_urn_is_refused_naming_the_field(world, api_as):
    response = api_as(world.lead).post("/placements", new_placement(world.child_a, 111111))

    assert response.status_code == 422
    assert "111111" in response.json()["errors"]["school_urn"][0]
    assert EducationPlacement.objects.filter(child=world.child_a).count() == 1


@pytest.mark.django_db
def test_an_impossible_start_date_is_refused_naming_the_field(world, api_as):
    response = api_as(world.lead).post("/placements", new_placement(world.child_a, 900002, start_date="2025-13-01"))

    assert response.status_code == 422
    assert "start_date" in response.json()["errors"]


@pytest.mark.django_db
def test_an_inadequate_school_needs_an_exceptional_reason_and_nothing_is_half_written(world, api_as):
    SchoolFactory(urn=900003, ofsted_rating=OfstedRating.INADEQUATE)
    api = api_as(world.lead)

    refused = api.post("/placements", new_placement(world.child_a, 900003))
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert "exceptional_reason_inadequate" in errors and "rationale_below_good" not in errors
    # The current placement was not ended by the refused request.
    assert world.child_a.education_placements.get().end_date is None

    accepted = api.post(
        "/placements",
        new_placement(world.child_a, 900003, exceptional_reason_inadequate="The only school with a specialist unit."),
    )
    assert accepted.status_code == 201, accepted.content


@pytest.mark.django_db
def test_a_lead_corrects_a_placement_and_the_change_is_audited(world, api_as):
    placement = world.child_b.education_placements.get()

    response = api_as(world.lead).patch(f"/placements/{placement.pk}", {"hours_per_week": 15})

    assert response.status_code == 200, response.content
    assert response.json()["hours_per_week"] == 15.0
    assert response.json()["below_full_time"] is True
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_id=str(placement.pk))
    assert event.actor == world.lead
    assert event.changes == {"hours_per_week": ["32.5", "15"]}


@pytest.mark.django_db
def test_placement_reads_are_recorded_in_the_childs_history(world, api_as):
    placement = world.child_a.education_placements.get()
    api = api_as(world.dt_a)

    api.get(f"/placements/{placement.pk}")
    api.get("/placements")

    events = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, child_id=world.child_a.pk, actor=world.dt_a)
    assert events.count() == 2


@pytest.mark.django_db
def test_placements_filter_by_school_and_whether_current(world, api_as):
    api = api_as(world.lead)
    api.post("/placements", new_placement(world.child_a, 900002, start_date="2025-01-06"))

    assert api.get("/placements", school_urn=900001).json()["count"] == 1
    assert api.get("/placements", current="true").json()["count"] == 2
    past = api.get("/placements", current="false").json()["items"]
    assert [p["school_urn"] for p in past] == [900001]

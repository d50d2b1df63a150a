import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from virtualschool.children.models import Child
from virtualschool.children.tests.factories import ChildFactory
from virtualschool.core.models import AuditEvent
from virtualschool.placements.tests.factories import EducationPlacementFactory

VALID_UPN = "B801200005001"


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["items"]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", ["head", "lead", "data", "manager", "send", "dt_a", "dt_b", "sw_a", "sw_b", "iro_a", "panel", "admin"]
)
def test_each_role_lists_exactly_the_children_it_may_see(world, expected_visible, api_as, role):
    response = api_as(world.users()[role]).get("/children")

    assert response.status_code == 200
    assert ids(response) == {getattr(world, name).pk for name in expected_visible[role]}
    assert response.json()["count"] == len(expected_visible[role])


@pytest.mark.django_db
def test_designated_teacher_of_another_school_is_told_the_child_is_not_found(world, api_as):
    api = api_as(world.dt_b)
    child = world.child_a

    detail = api.get(f"/children/{child.pk}")
    change = api.patch(f"/children/{child.pk}", {"first_name": "Changed"})
    unknown = api.get("/children/999999")

    for response in (detail, change):
        assert response.status_code == 404
        body = response.content.decode()
        assert child.first_name not in body and child.last_name not in body
        assert child.social_care_reference not in body
        assert response.json() == unknown.json()
    child.refresh_from_db()
    assert child.first_name == "Ava"


@pytest.mark.django_db
def test_upn_and_social_care_reference_find_the_child_for_a_lead(world, api_as):
    world.child_a.upn = VALID_UPN
    world.child_a.save()
    api = api_as(world.lead)

    by_upn = api.get("/children", upn=VALID_UPN.lower())
    by_reference = api.get("/children", reference=world.child_a.social_care_reference)

    assert ids(by_upn) == {world.child_a.pk}
    assert ids(by_reference) == {world.child_a.pk}


@pytest.mark.django_db
def test_upn_and_reference_find_nothing_for_someone_the_child_is_not_allocated_to(world, api_as):
    world.child_a.upn = VALID_UPN
    world.child_a.save()
    api = api_as(world.sw_b)

    assert api.get("/children", upn=VALID_UPN).json() == {"items": [], "count": 0}
    assert api.get("/children", reference=world.child_a.social_care_reference).json() == {"items": [], "count": 0}


@pytest.mark.django_db
def test_a_reference_still_finds_a_child_who_has_left_the_roll(world, api_as):
    Child.objects.filter(pk=world.child_b.pk).update(closed_on=dt.date(2025, 3, 31), closure_reason="returned_home")
    api = api_as(world.lead)

    assert ids(api.get("/children", reference=world.child_b.social_care_reference)) == {world.child_b.pk}
    assert ids(api.get("/children")) == {world.child_a.pk}
    assert ids(api.get("/children", status="closed")) == {world.child_b.pk}


@pytest.mark.django_db
def test_child_detail_shows_the_record_with_the_current_school_urn(world, api_as):
    response = api_as(world.lead).get(f"/children/{world.child_a.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["current_school_urn"] == 900001
    assert body["current_placement"]["school_urn"] == 900001
    assert body["current_placement"]["start_date"] == "2024-09-04"
    assert body["date_of_birth"] == "2016-05-01"
    assert body["social_worker"] == {"id": world.sw_a.pk, "name": world.sw_a.full_name, "email": world.sw_a.email}
    assert body["reviewing_officer"]["id"] == world.iro_a.pk
    assert body["sen_status"] == "E"
    assert isinstance(body["nc_year"], int)
    assert body["upn_needs_correction"] is False


@pytest.mark.django_db
def test_reading_a_child_records_who_looked_in_the_childs_history(world, api_as):
    api_as(world.sw_a).get(f"/children/{world.child_a.pk}")

    event = AuditEvent.objects.get(child_id=world.child_a.pk, action=AuditEvent.Action.VIEW)
    assert event.actor == world.sw_a
    assert event.context == {"via": "api"}


@pytest.mark.django_db
def test_listing_children_records_a_view_of_each_child_returned(world, api_as):
    response = api_as(world.lead).get("/children", limit=1)

    assert response.json()["count"] == 2
    shown = ids(response)
    events = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, actor=world.lead)
    assert {e.child_id for e in events} == shown
    assert all(e.context["via"] == "api" for e in events)


@pytest.mark.django_db
def test_a_child_found_by_nobody_leaves_no_view_events(world, api_as):
    api_as(world.panel).get("/children")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).exists()


@pytest.mark.django_db
def test_the_children_list_takes_the_same_number_of_queries_however_many_children(world, api_as):
    api = api_as(world.lead)
    api.get("/children")  # the token's first use notes the time; later uses in the same minute do not
    with CaptureQueriesContext(connection) as few:
        api.get("/children")
    for _ in range(10):
        EducationPlacementFactory(child=ChildFactory(allocated_lead=world.lead, social_worker=world.sw_a))
    with CaptureQueriesContext(connection) as many:
        assert api.get("/children").json()["count"] == 12

    assert len(many) == len(few)


@pytest.mark.django_db
def test_filters_narrow_the_roll(world, api_as):
    api = api_as(world.lead)

    assert ids(api.get("/children", school_urn=900002)) == {world.child_b.pk}
    assert ids(api.get("/children", school_urn=123456)) == set()
    assert ids(api.get("/children", send="any")) == {world.child_a.pk}
    assert ids(api.get("/children", q="Otherchild")) == {world.child_b.pk}
    assert ids(api.get("/children", in_area="true")) == {world.child_a.pk}
    assert ids(api.get("/children", in_area="false")) == {world.child_b.pk}
    assert ids(api.get("/children", lead_id=world.lead.pk)) == {world.child_a.pk, world.child_b.pk}


@pytest.mark.django_db
def test_a_filter_with_a_bad_value_is_refused_naming_it(world, api_as):
    response = api_as(world.lead).get("/children", status="everything")

    assert response.status_code == 422
    assert "status" in response.json()["errors"]


@pytest.mark.django_db
def test_a_lead_adds_a_child_and_the_audit_trail_names_the_integration_user(world, api_as):
    response = api_as(world.lead).post(
        "/children",
        {
            "social_care_reference": "SC123456",
            "first_name": "Nia",
            "last_name": "Examplechild",
            "date_of_birth": "2015-10-02",
            "upn": "B801200005002",
            "allocated_lead_id": world.lead.pk,
            "social_worker_id": world.sw_a.pk,
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["upn_needs_correction"] is True  # a typo never keeps a child off the roll
    assert body["allocated_lead"]["id"] == world.lead.pk
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, child_id=body["id"])
    assert event.actor == world.lead
    assert event.changes["first_name"] == [None, "Nia"]


@pytest.mark.django_db
def test_changing_a_child_records_each_field_before_and_after(world, api_as):
    response = api_as(world.data).patch(f"/children/{world.child_b.pk}", {"preferred_name": "Benji", "neet": True})

    assert response.status_code == 200, response.content
    assert response.json()["preferred_name"] == "Benji"
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, child_id=world.child_b.pk)
    assert event.actor == world.data
    assert event.changes == {"neet": [False, True], "preferred_name": ["", "Benji"]}


@pytest.mark.django_db
def test_a_social_worker_may_read_but_not_change_their_childs_record(world, api_as):
    response = api_as(world.sw_a).patch(f"/children/{world.child_a.pk}", {"first_name": "Changed"})

    assert response.status_code == 403
    assert "permission" in response.json()["detail"]
    world.child_a.refresh_from_db()
    assert world.child_a.first_name == "Ava"


@pytest.mark.django_db
def test_a_child_with_an_impossible_date_of_birth_is_refused_naming_the_field(world, api_as):
    response = api_as(world.lead).post(
        "/children",
        {"social_care_reference": "SC1", "first_name": "Nia", "last_name": "Example", "date_of_birth": "2015-02-30"},
    )

    assert response.status_code == 422
    assert "date_of_birth" in response.json()["errors"]
    assert not Child.objects.filter(social_care_reference="SC1").exists()


@pytest.mark.django_db
def test_a_duplicate_social_care_reference_is_refused_naming_the_field(world, api_as):
    response = api_as(world.lead).post(
        "/children",
        {
            "social_care_reference": world.child_a.social_care_reference,
            "first_name": "Nia",
            "last_name": "Example",
            "date_of_birth": "2015-02-03",
        },
    )

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["social_care_reference"]


@pytest.mark.django_db
def test_allocating_someone_without_the_right_role_is_refused_naming_the_field(world, api_as):
    response = api_as(world.lead).patch(f"/children/{world.child_a.pk}", {"social_worker_id": world.dt_a.pk})

    assert response.status_code == 422
    assert "social_worker_id" in response.json()["errors"]
    world.child_a.refresh_from_db()
    assert world.child_a.social_worker == world.sw_a


@pytest.mark.django_db
def test_a_previously_looked_after_child_needs_consent_and_the_error_says_so(world, api_as):
    response = api_as(world.lead).patch(f"/children/{world.child_a.pk}", {"cohort": "plac"})

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert "consent_given_on" in errors and "parental_responsibility_holder" in errors

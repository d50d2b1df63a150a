import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from virtualschool.accounts.models import ApiToken

from .conftest import BASE, ApiClient, issue_token

ENDPOINTS = [
    ("get", "/schools"),
    ("get", "/schools/1"),
    ("get", "/schools/urn/900001"),
    ("post", "/schools"),
    ("patch", "/schools/1"),
    ("get", "/children"),
    ("get", "/children/1"),
    ("post", "/children"),
    ("patch", "/children/1"),
    ("get", "/children/1/sdq"),
    ("post", "/children/1/sdq"),
    ("get", "/children/1/sdq/school-due"),
    ("get", "/children/1/duties"),
    ("get", "/duties/rules"),
    ("get", "/children/1/attendance"),
    ("post", "/attendance/"),
    ("get", "/placements"),
    ("get", "/placements/1"),
    ("post", "/placements"),
    ("patch", "/placements/1"),
    ("get", "/ladders"),
    ("get", "/escalations/1"),
    ("post", "/escalations/"),
    ("get", "/suspensions"),
    ("get", "/suspensions/1"),
    ("post", "/suspensions"),
    ("get", "/reduced-timetables"),
    ("get", "/reduced-timetables/1"),
    ("post", "/reduced-timetables"),
    ("get", "/children/1/duties"),
    ("get", "/duties/rules"),
    ("get", "/peps"),
    ("post", "/peps"),
    ("get", "/peps/1"),
    ("patch", "/peps/1/sections/child_voice"),
    ("post", "/peps/1/targets"),
    ("patch", "/peps/1/targets/1"),
    ("post", "/peps/1/transitions"),
    ("get", "/pupil-premium/budget"),
    ("get", "/pupil-premium/applications"),
    ("post", "/pupil-premium/applications"),
    ("get", "/pupil-premium/applications/1"),
    ("post", "/pupil-premium/applications/1/votes"),
    ("get", "/pupil-premium/decisions"),
]


def call(client: ApiClient, method: str, path: str):
    return client.get(path) if method == "get" else getattr(client, method)(path, {})


@pytest.mark.django_db
def test_openapi_document_lists_every_path_and_declares_bearer_tokens():
    response = Client().get(f"{BASE}/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert set(document["paths"]) == {
        "/api/v1/schools",
        "/api/v1/schools/{id}",
        "/api/v1/schools/urn/{urn}",
        "/api/v1/children",
        "/api/v1/children/{id}",
        "/api/v1/children/{id}/sdq",
        "/api/v1/children/{id}/sdq/school-due",
        "/api/v1/children/{id}/duties",
        "/api/v1/duties/rules",
        "/api/v1/children/{id}/attendance",
        "/api/v1/attendance/",
        "/api/v1/placements",
        "/api/v1/placements/{id}",
        "/api/v1/ladders",
        "/api/v1/escalations/{id}",
        "/api/v1/escalations/",
        "/api/v1/suspensions",
        "/api/v1/suspensions/{id}",
        "/api/v1/reduced-timetables",
        "/api/v1/reduced-timetables/{id}",
        "/api/v1/peps",
        "/api/v1/peps/{id}",
        "/api/v1/peps/{id}/sections/{kind}",
        "/api/v1/peps/{id}/targets",
        "/api/v1/peps/{id}/targets/{target_id}",
        "/api/v1/peps/{id}/transitions",
        "/api/v1/pupil-premium/budget",
        "/api/v1/pupil-premium/applications",
        "/api/v1/pupil-premium/applications/{id}",
        "/api/v1/pupil-premium/applications/{id}/votes",
        "/api/v1/pupil-premium/decisions",
    }
    schemes = document["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"} in schemes.values()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation["security"] == [{name: []} for name in schemes], f"{method} {path}"


@pytest.mark.django_db
def test_every_operation_in_the_document_refuses_a_request_without_a_token():
    document = Client().get(f"{BASE}/openapi.json").json()
    documented = {
        (
            method,
            path.removeprefix("/api/v1")
            .replace("{id}", "1")
            .replace("{urn}", "900001")
            .replace("{kind}", "child_voice")
            .replace("{target_id}", "1"),
        )
        for path, operations in document["paths"].items()
        for method in operations
    }
    assert documented == set(ENDPOINTS)


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_a_request_without_a_token_is_refused_with_401_and_says_how_to_authenticate(world, method, path):
    response = call(ApiClient(None), method, path)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "Authorization: Bearer" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_a_made_up_token_is_refused(world):
    response = ApiClient("vsm_not-a-real-token").get("/children")
    assert response.status_code == 401


@pytest.mark.django_db
def test_a_revoked_token_is_refused(world):
    raw = issue_token(world.lead)
    ApiToken.objects.filter(user=world.lead).update(revoked_at=timezone.now() - dt.timedelta(minutes=1))

    assert ApiClient(raw).get("/children").status_code == 401


@pytest.mark.django_db
def test_the_token_of_a_deactivated_user_is_refused(world):
    raw = issue_token(world.lead)
    world.lead.is_active = False
    world.lead.save()

    assert ApiClient(raw).get("/children").status_code == 401


@pytest.mark.django_db
def test_a_signed_in_browser_session_is_not_accepted_in_place_of_a_token(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.lead)

    assert browser.get(f"{BASE}/children").status_code == 401
    response = browser.patch(f"{BASE}/children/{world.child_a.pk}", '{"first_name": "Zed"}', "application/json")
    assert response.status_code == 401
    world.child_a.refresh_from_db()
    assert world.child_a.first_name == "Ava"


@pytest.mark.django_db
def test_the_interactive_docs_page_needs_sign_in_but_the_document_does_not(world):
    assert Client().get(f"{BASE}/docs").status_code == 302
    browser = Client()
    browser.force_login(world.lead)
    assert browser.get(f"{BASE}/docs").status_code == 200

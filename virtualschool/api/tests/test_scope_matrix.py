"""Every role against every child endpoint: out of scope is 404 (never 403), in scope but read-only is 403."""

import pytest

from virtualschool.accounts.models import ROLL_EDITOR_ROLES
from virtualschool.children.models import Child
from virtualschool.placements.models import EducationPlacement

ROLES = ["head", "lead", "data", "manager", "send", "dt_a", "dt_b", "sw_a", "sw_b", "iro_a", "panel", "admin"]
CHILDREN = ["child_a", "child_b"]


def records() -> list[dict]:
    """Every child and placement, without the last-touched stamps an empty PATCH refreshes."""
    rows = [*Child.objects.values().order_by("pk"), *EducationPlacement.objects.values().order_by("pk")]
    return [{k: v for k, v in row.items() if k not in {"modified_at", "modified_by_id"}} for row in rows]


def expected_write_status(world, role: str, visible: bool, allowed: int) -> int:
    if not visible:
        return 404
    return allowed if world.users()[role].role in ROLL_EDITOR_ROLES else 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("child_name", CHILDREN)
def test_each_role_reaches_only_the_children_it_may_see_through_every_endpoint(
    world, expected_visible, api_as, role, child_name
):
    child = getattr(world, child_name)
    placement = child.education_placements.get()
    visible = child_name in expected_visible[role]
    api = api_as(world.users()[role])
    before = records()

    assert api.get(f"/children/{child.pk}").status_code == (200 if visible else 404)
    assert api.get(f"/placements/{placement.pk}").status_code == (200 if visible else 404)
    listed = api.get("/placements", child_id=child.pk).json()["items"]
    assert [p["id"] for p in listed] == ([placement.pk] if visible else [])
    assert api.get(f"/children/{child.pk}/sdq").status_code == (200 if visible else 404)
    assert api.get(f"/children/{child.pk}/sdq/school-due").status_code == (200 if visible else 404)
    assert api.get(f"/children/{child.pk}/attendance").status_code == (200 if visible else 404)
    found = api.get("/children", reference=child.social_care_reference).json()["items"]
    assert [c["id"] for c in found] == ([child.pk] if visible else [])

    # Writes that would change nothing, or that fail validation, show the permission decision alone.
    assert api.patch(f"/children/{child.pk}", {}).status_code == expected_write_status(world, role, visible, 200)
    assert api.patch(f"/placements/{placement.pk}", {}).status_code == expected_write_status(world, role, visible, 200)
    unknown_school = {"child_id": child.pk, "school_urn": 111111, "start_date": "2025-04-22"}
    assert api.post("/placements", unknown_school).status_code == expected_write_status(world, role, visible, 422)

    assert records() == before

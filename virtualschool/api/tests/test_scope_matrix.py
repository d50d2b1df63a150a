"""Every role against every child endpoint: out of scope is 404 (never 403), in scope but read-only is 403."""

import datetime as dt

import pytest

from virtualschool.accounts.models import ROLL_EDITOR_ROLES
from virtualschool.children.models import Child
from virtualschool.placements.models import EducationPlacement
from virtualschool.suspensions.services import suspension_create

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
    suspension = suspension_create(
        actor=world.lead,
        child=child,
        school=placement.school,
        decided_on=dt.date(2025, 11, 3),
        start_date=dt.date(2025, 11, 3),
        length_unit="days",
        length=1,
        reasons=["DB"],
    )
    before = records()

    assert api.get(f"/children/{child.pk}").status_code == (200 if visible else 404)
    assert api.get(f"/placements/{placement.pk}").status_code == (200 if visible else 404)
    listed = api.get("/placements", child_id=child.pk).json()["items"]
    assert [p["id"] for p in listed] == ([placement.pk] if visible else [])
    assert api.get(f"/children/{child.pk}/sdq").status_code == (200 if visible else 404)
    assert api.get(f"/children/{child.pk}/sdq/school-due").status_code == (200 if visible else 404)
    assert api.get(f"/children/{child.pk}/duties").status_code == (200 if visible else 404)
    assert api.get(f"/children/{child.pk}/attendance").status_code == (200 if visible else 404)
    found = api.get("/children", reference=child.social_care_reference).json()["items"]
    assert [c["id"] for c in found] == ([child.pk] if visible else [])
    assert api.get(f"/suspensions/{suspension.pk}").status_code == (200 if visible else 404)
    listed = api.get("/suspensions", child_id=child.pk).json()["items"]
    assert [s["id"] for s in listed] == ([suspension.pk] if visible else [])
    listed = api.get("/reduced-timetables", child_id=child.pk).json()["items"]
    assert listed == []

    # Writes that would change nothing, or that fail validation, show the permission decision alone.
    assert api.patch(f"/children/{child.pk}", {}).status_code == expected_write_status(world, role, visible, 200)
    assert api.patch(f"/placements/{placement.pk}", {}).status_code == expected_write_status(world, role, visible, 200)
    unknown_school = {"child_id": child.pk, "school_urn": 111111, "start_date": "2025-04-22"}
    assert api.post("/placements", unknown_school).status_code == expected_write_status(world, role, visible, 422)

    # A suspension or reduced timetable that fails validation: the Virtual School and the child's designated
    # teacher may record one (422), anyone else who sees the child may not (403).
    records_here = world.users()[role].role in ROLL_EDITOR_ROLES or (role.startswith("dt_") and visible)
    expected = 404 if not visible else (422 if records_here else 403)
    bad = {"child_id": child.pk, "school_urn": placement.school.urn, "start_date": "2025-11-03", "reasons": []}
    assert api.post("/suspensions", bad).status_code == expected
    bad_timetable = {
        "child_id": child.pk,
        "hours_per_week": 0,
        "start_date": "2025-11-03",
        "end_date": "2025-11-02",
        "review_dates": [],
    }
    assert api.post("/reduced-timetables", bad_timetable).status_code == expected

    assert records() == before

"""Every role over every page that touches a child: need-to-know, proved (the API's matrix is
virtualschool/api/tests/test_scope_matrix.py).

The expectation is conftest.EXPECTED_VISIBLE. A child outside a user's scope answers 404 (never 403, which
would confirm the child exists); a child in scope that the user may not change answers 403 on edit pages.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse

from conftest import EXPECTED_VISIBLE
from virtualschool.children.models import SdqScore
from virtualschool.children.services import sdq_record

ROLES = sorted(EXPECTED_VISIBLE)
EDITORS = {"head", "lead", "data"}
CHILDREN = ("child_a", "child_b")


def _child_pages(world: Any, child: Any) -> list[tuple[str, bool]]:
    """(url, is an edit page) for every page about one child."""
    placement = child.education_placements.get()
    return [
        (reverse("children:detail", args=[child.pk]), False),
        (reverse("children:placements", args=[child.pk]), False),
        (reverse("children:care-history", args=[child.pk]), False),
        (reverse("duties:child", args=[child.pk]), False),
        (reverse("attendance:child", args=[child.pk]), False),
        (reverse("children:edit", args=[child.pk]), True),
        (reverse("children:close", args=[child.pk]), True),
        (reverse("placements:create", args=[child.pk]), True),
        (reverse("placements:edit", args=[placement.pk]), True),
        (reverse("placements:end", args=[placement.pk]), True),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("child_name", CHILDREN)
def test_pages_about_a_child_answer_by_need_to_know(client, world, role, child_name):
    user = world.users()[role]
    child = getattr(world, child_name)
    client.force_login(user)
    visible = child_name in EXPECTED_VISIBLE[role]
    for url, is_edit in _child_pages(world, child):
        status = client.get(url).status_code
        if not visible:
            assert status == 404, (role, url, status)
        elif is_edit and role not in EDITORS:
            assert status == 403, (role, url, status)
        else:
            assert status == 200, (role, url, status)
        # A write to an unseen child is also a 404, and changes nothing.
        if not visible and is_edit:
            assert client.post(url, {"first_name": "Changed"}).status_code == 404, (role, url)
    history = client.get(reverse("children:history", args=[child.pk])).status_code
    assert history == (200 if role == "head" else 404), (role, history)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("child_name", CHILDREN)
def test_sdq_pages_answer_by_need_to_know(client, world, role, child_name):
    """Everyone who sees the child sees their SDQs; the Virtual School, the child's social worker and designated
    teacher may record one (ADR 0006); only the Virtual School removes one."""
    user = world.users()[role]
    child = getattr(world, child_name)
    record = sdq_record(
        actor=world.lead,
        child=child,
        respondent="carer",
        completed_on=child.date_of_birth.replace(year=child.date_of_birth.year + 8),
        scales={"emotional": 1, "conduct": 1, "hyperactivity": 1, "peer": 1, "prosocial": 9},
    )
    client.force_login(user)
    visible = child_name in EXPECTED_VISIBLE[role]
    records = role in EDITORS or child.social_worker_id == user.pk or (role.startswith("dt_") and visible)
    pages = [
        (reverse("children:sdq", args=[child.pk]), 200),
        (reverse("children:sdq-detail", args=[child.pk, record.pk]), 200),
        (reverse("children:sdq-record", args=[child.pk]), 200 if records else 403),
        (reverse("children:sdq-delete", args=[child.pk, record.pk]), 200 if role in EDITORS else 403),
    ]
    for url, allowed in pages:
        status = client.get(url).status_code
        assert status == (allowed if visible else 404), (role, url, status)
    if not visible:
        assert (
            client.post(reverse("children:sdq-delete", args=[child.pk, record.pk]), {"reason": "x"}).status_code == 404
        )
        assert SdqScore.objects.filter(pk=record.pk).exists()


def _names_in(html: str, world: Any) -> set[str]:
    return {name for name in CHILDREN if getattr(world, name).social_care_reference in html}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_lists_and_exports_show_only_the_children_a_role_may_see(client, world, role):
    client.force_login(world.users()[role])
    expected = EXPECTED_VISIBLE[role]
    for name in ("children:roll", "children:caseload"):
        response = client.get(reverse(name), {"status": "all"})
        assert response.status_code == 200, (role, name)
        shown = _names_in(response.content.decode(), world)
        if name == "children:roll":
            assert shown == expected, (role, name, shown)
        else:
            assert shown <= expected, (role, name, shown)
    export = client.get(reverse("children:export"), {"status": "all"})
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert _names_in("\n".join(",".join(r) for r in rows[1:]), world) == expected, role
    for school_name, child_name in (("school_a", "child_a"), ("school_b", "child_b")):
        school = getattr(world, school_name)
        page = client.get(reverse("schools:detail", args=[school.pk]))
        assert page.status_code == 200
        assert _names_in(page.content.decode(), world) == ({child_name} & expected), (role, school_name)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("child_name", CHILDREN)
def test_suspension_pages_answer_by_need_to_know(client, world, role, child_name):
    """Everyone who sees the child sees their suspensions and reduced timetables; the Virtual School records them
    for any child, a designated teacher for their own school's pupils (ADR 0009-suspensions-policy)."""
    from virtualschool.suspensions.models import Suspension
    from virtualschool.suspensions.services import suspension_create

    user = world.users()[role]
    child = getattr(world, child_name)
    suspension = suspension_create(
        actor=world.lead,
        child=child,
        school=child.education_placements.get().school,
        start_date=dt.date(2025, 11, 3),
        length_unit="days",
        length=1,
        reasons=["DB"],
    )
    client.force_login(user)
    visible = child_name in EXPECTED_VISIBLE[role]
    records = role in EDITORS or (role.startswith("dt_") and visible)
    pages = [
        (reverse("suspensions:child", args=[child.pk]), 200),
        (reverse("suspensions:detail", args=[suspension.pk]), 200),
        (reverse("suspensions:create", args=[child.pk]), 200 if records else 403),
        (reverse("suspensions:follow-up", args=[suspension.pk]), 200 if records else 403),
        (reverse("suspensions:risk-create", args=[child.pk]), 200 if records else 403),
        (reverse("suspensions:timetable-create", args=[child.pk]), 200 if records else 403),
    ]
    for url, allowed in pages:
        status = client.get(url).status_code
        assert status == (allowed if visible else 404), (role, url, status)
    if not visible:
        assert client.post(reverse("suspensions:follow-up", args=[suspension.pk]), {}).status_code == 404
    assert Suspension.objects.count() == 1

"""Starting, correcting and ending a child's education placement through the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from virtualschool.core.models import AuditEvent
from virtualschool.placements.models import EducationPlacement
from virtualschool.schools.models import OfstedRating
from virtualschool.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def _date(prefix: str, day: dt.date) -> dict[str, str]:
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


def _placement_post(**overrides: str) -> dict[str, str]:
    return {"setting_type": "school", "hours_per_week": "25", **_date("start_date", dt.date(2025, 4, 22)), **overrides}


def test_a_new_placement_found_by_urn_ends_the_current_one(client, world):
    client.force_login(world.lead)
    response = client.post(reverse("placements:create", args=[world.child_a.pk]), _placement_post(school="900002"))
    assert response.status_code == 302
    assert response["Location"] == reverse("children:placements", args=[world.child_a.pk])
    current = EducationPlacement.objects.get(child=world.child_a, end_date__isnull=True)
    assert current.school == world.school_b
    assert EducationPlacement.objects.get(child=world.child_a, school=world.school_a).end_date == dt.date(2025, 4, 21)
    assert AuditEvent.objects.filter(action="create", object_type="placements.educationplacement").exists()


def test_a_school_named_ambiguously_asks_for_the_urn(client, world):
    SchoolFactory(name="Alderley Secondary", urn=900010)
    client.force_login(world.lead)
    response = client.post(reverse("placements:create", args=[world.child_a.pk]), _placement_post(school="Alderley"))
    assert response.status_code == 200
    assert "Enter the URN" in response.context["form"].errors["school"][0]


def test_an_inadequate_school_without_an_exceptional_reason_shows_the_error_on_that_field(client, world):
    SchoolFactory(name="Failing Academy", urn=900020, ofsted_rating=OfstedRating.INADEQUATE)
    client.force_login(world.lead)
    response = client.post(reverse("placements:create", args=[world.child_b.pk]), _placement_post(school="900020"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "exceptional_reason_inadequate" in errors
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'href="#id_exceptional_reason_inadequate"' in page
    # Nothing was half-written: Ben's placement at Birchwood is still current.
    assert EducationPlacement.objects.get(child=world.child_b, end_date__isnull=True).school == world.school_b


def test_editing_a_placement_records_the_change(client, world):
    placement = world.child_a.education_placements.get()
    client.force_login(world.data)
    response = client.get(reverse("placements:edit", args=[placement.pk]))
    assert response.status_code == 200
    assert 'value="900001"' in response.content.decode()
    data = _placement_post(school="900001", hours_per_week="12.5", **_date("start_date", placement.start_date))
    response = client.post(reverse("placements:edit", args=[placement.pk]), data)
    assert response.status_code == 302
    placement.refresh_from_db()
    assert str(placement.hours_per_week) == "12.5"
    update = AuditEvent.objects.get(action="update", object_type="placements.educationplacement")
    assert update.child_id == world.child_a.pk
    assert update.changes["hours_per_week"] == ["32.5", "12.5"]


def test_ending_a_placement_needs_a_reason(client, world):
    placement = world.child_a.education_placements.get()
    client.force_login(world.lead)
    url = reverse("placements:end", args=[placement.pk])
    response = client.post(url, _date("end_date", dt.date(2025, 5, 1)))
    assert "Select why the placement ended" in response.content.decode()
    response = client.post(url, {**_date("end_date", dt.date(2025, 5, 1)), "reason_for_change": "care_move"})
    assert response.status_code == 302
    placement.refresh_from_db()
    assert placement.end_date == dt.date(2025, 5, 1)


def test_out_of_scope_placement_is_not_found_and_a_social_worker_may_not_change_one(client, world):
    placement = world.child_a.education_placements.get()
    client.force_login(world.sw_b)
    assert client.get(reverse("placements:edit", args=[placement.pk])).status_code == 404
    assert client.get(reverse("placements:end", args=[placement.pk])).status_code == 404
    client.force_login(world.sw_a)
    assert client.get(reverse("placements:edit", args=[placement.pk])).status_code == 403

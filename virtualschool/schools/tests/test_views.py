"""The school register pages: search, a school's page with its children, and the CSV export."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from virtualschool.core.models import AuditEvent
from virtualschool.schools.tests.factories import SchoolFactory, SchoolStaffFactory

pytestmark = pytest.mark.django_db


def test_register_search_finds_a_school_by_urn_name_or_postcode(client, world):
    SchoolFactory(name="Cedar Infants", urn=900003, postcode="ZZ9 9AA", phase="Primary")
    client.force_login(world.lead)
    for query in ("900003", "cedar", "ZZ9 9AA"):
        names = [s.name for s in client.get(reverse("schools:list"), {"q": query}).context["schools"]]
        assert names == ["Cedar Infants"], query


def test_register_filters_by_area_and_phase(client, world):
    client.force_login(world.lead)
    in_area = client.get(reverse("schools:list"), {"area": "in"}).context["schools"]
    assert [s.name for s in in_area] == ["Alderley Primary"]
    secondary = client.get(reverse("schools:list"), {"phase": "Secondary"}).context["schools"]
    assert [s.name for s in secondary] == ["Birchwood High"]


def test_school_page_shows_details_designated_teachers_and_children_on_roll(client, world):
    client.force_login(world.lead)
    page = client.get(reverse("schools:detail", args=[world.school_a.pk])).content.decode()
    assert "900001" in page
    assert "In our area" in page
    assert world.dt_a.full_name in page
    assert "Ava Testchild" in page


def test_school_page_shows_a_designated_teacher_of_another_school_none_of_its_children(client, world):
    client.force_login(world.dt_b)
    response = client.get(reverse("schools:detail", args=[world.school_a.pk]))
    assert response.status_code == 200
    assert "Ava Testchild" not in response.content.decode()


def test_unknown_school_is_not_found(client, world):
    client.force_login(world.lead)
    assert client.get(reverse("schools:detail", args=[987654])).status_code == 404


def test_register_export_is_the_filtered_list_and_is_audited(client, world):
    SchoolStaffFactory()
    client.force_login(world.lead)
    response = client.get(reverse("schools:export"), {"area": "out"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "Birchwood High" in {row["Name"] for row in rows}
    assert "Alderley Primary" not in {row["Name"] for row in rows}
    event = AuditEvent.objects.get(action="export", object_type="schools.school")
    assert event.actor == world.lead
    assert event.context["rows"] == len(rows)

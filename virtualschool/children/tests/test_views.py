"""The pages a Virtual School person uses for the roll and a child's record, as that person sees them."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from virtualschool.children.models import Child, Cohort
from virtualschool.children.tests.factories import CareEpisodeFactory, ChildFactory
from virtualschool.core.models import AuditEvent
from virtualschool.placements.tests.factories import EducationPlacementFactory
from virtualschool.schools.models import OfstedRating
from virtualschool.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

# A UPN that passes the check letter, and one with the wrong check letter.
GOOD_UPN = "A123456789012"
BAD_UPN = "Z123456789012"


def _csv(response) -> list[dict[str, str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _date(prefix: str, day: dt.date) -> dict[str, str]:
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


# ---------------------------------------------------------------------------------------------------------
# The roll and caseload
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "children:roll",
        "children:caseload",
        "children:missing-education",
        "children:create",
        "schools:list",
    ],
)
def test_each_list_page_renders_for_a_whole_roll_role(client, world, name):
    client.force_login(world.head)
    response = client.get(reverse(name))
    assert response.status_code == 200


@pytest.mark.parametrize("name", ["detail", "placements", "care-history", "history", "edit", "close"])
def test_each_child_page_renders_for_the_head(client, world, name):
    CareEpisodeFactory(child=world.child_a)
    client.force_login(world.head)
    response = client.get(reverse(f"children:{name}", args=[world.child_a.pk]))
    assert response.status_code == 200
    assert "Ava Testchild" in response.content.decode()


def test_roll_lists_every_open_child_for_a_lead(client, world):
    client.force_login(world.lead)
    page = client.get(reverse("children:roll")).content.decode()
    assert "Ava Testchild" in page
    assert "Ben Otherchild" in page
    assert "Alderley Primary" in page


def test_social_worker_sees_only_their_allocated_child_in_the_roll(client, world):
    client.force_login(world.sw_a)
    page = client.get(reverse("children:roll")).content.decode()
    assert "Ava Testchild" in page
    assert "Ben Otherchild" not in page


def test_roll_search_finds_a_child_by_social_care_reference(client, world):
    client.force_login(world.lead)
    page = client.get(reverse("children:roll"), {"q": world.child_b.social_care_reference}).content.decode()
    assert "Ben Otherchild" in page
    assert "Ava Testchild" not in page


def test_roll_filters_by_school_typed_as_a_urn(client, world):
    client.force_login(world.lead)
    page = client.get(reverse("children:roll"), {"school": "900002"}).content.decode()
    assert "Ben Otherchild" in page
    assert "Ava Testchild" not in page
    assert "Remove this filter" in page


def test_roll_explains_a_school_filter_that_matches_no_school(client, world):
    client.force_login(world.lead)
    response = client.get(reverse("children:roll"), {"school": "Nowhere Academy"})
    page = response.content.decode()
    assert "There is a problem" in page
    assert "No school in the register is called" in page
    assert "Ava Testchild" not in page


def test_roll_filters_by_send_and_out_of_area(client, world):
    client.force_login(world.lead)
    send_page = client.get(reverse("children:roll"), {"send": "any"}).content.decode()
    assert "Ava Testchild" in send_page and "Ben Otherchild" not in send_page
    out_page = client.get(reverse("children:roll"), {"area": "out"}).content.decode()
    assert "Ben Otherchild" in out_page and "Ava Testchild" not in out_page


def test_roll_sorts_by_a_whitelisted_column_and_ignores_anything_else(client, world):
    client.force_login(world.lead)
    by_year = client.get(reverse("children:roll"), {"sort": "year", "order": "desc"}).content.decode()
    # Ben (born 2011) is in a higher year group than Ava (born 2016).
    assert by_year.index("Ben Otherchild") < by_year.index("Ava Testchild")
    junk = client.get(reverse("children:roll"), {"sort": "password; drop table"})
    assert junk.status_code == 200


def test_roll_shows_flags_as_badges(client, world):
    ChildFactory(
        first_name="Cara", last_name="Flagged", upn=BAD_UPN, upn_needs_correction=True, allocated_lead=world.lead
    )
    weak = SchoolFactory(name="Weak School", ofsted_rating=OfstedRating.REQUIRES_IMPROVEMENT)
    part_timer = ChildFactory(first_name="Dan", last_name="Parttime")
    EducationPlacementFactory(child=part_timer, school=weak, hours_per_week=10, rationale_below_good="Near carer")
    client.force_login(world.lead)
    page = client.get(reverse("children:roll")).content.decode()
    assert "UPN to correct" in page
    assert "Missing education" in page  # Cara is school age with no placement
    assert "Part-time" in page
    assert "School below good" in page


def test_a_nursery_child_on_part_time_hours_is_not_flagged_part_time(client, world):
    toddler = ChildFactory(
        first_name="Gus", last_name="Nursery", date_of_birth=dt.date(dt.date.today().year - 3, 1, 15)
    )
    EducationPlacementFactory(child=toddler, school=world.school_a, hours_per_week=15)
    client.force_login(world.lead)
    rows = {row.child.pk: row for row in client.get(reverse("children:roll")).context["rows"]}
    assert rows[toddler.pk].year_label in {"Nursery", "Reception"}
    assert "Part-time" not in [flag.label for flag in rows[toddler.pk].flags]


def test_roll_pages_keep_the_filters_in_their_links(client, world):
    for _ in range(51):
        ChildFactory(sen_status="K")
    client.force_login(world.lead)
    page = client.get(reverse("children:roll"), {"send": "K"}).content.decode()
    assert "send=K&amp;page=2" in page or "page=2&amp;send=K" in page


def test_caseload_shows_only_the_leads_allocated_children(client, world, make_user):
    other_lead = make_user(username="other_lead")
    ChildFactory(first_name="Eve", last_name="Elsewhere", allocated_lead=other_lead)
    client.force_login(world.lead)
    page = client.get(reverse("children:caseload")).content.decode()
    assert "Ava Testchild" in page and "Ben Otherchild" in page
    assert "Eve Elsewhere" not in page


def test_roll_query_count_does_not_grow_with_the_number_of_children(client, world):
    school = SchoolFactory()
    client.force_login(world.head)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("children:roll"))
        assert response.status_code == 200
        return len(queries)

    for n in range(3):
        child = ChildFactory(allocated_lead=world.lead, social_worker=world.sw_a)
        EducationPlacementFactory(child=child, school=school)
        CareEpisodeFactory(child=child, start_date=dt.date(2024, 1, 8 + n))
    five = count_queries()
    for _ in range(25):
        child = ChildFactory(allocated_lead=world.lead)
        EducationPlacementFactory(child=child, school=school)
        CareEpisodeFactory(child=child)
    thirty = count_queries()
    assert Child.objects.count() == 30
    assert thirty == five


# ---------------------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------------------


def test_export_contains_exactly_the_visible_children_and_is_audited(client, world):
    client.force_login(world.sw_a)
    response = client.get(reverse("children:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert [row["Social care reference"] for row in rows] == [world.child_a.social_care_reference]
    assert rows[0]["Date of birth"] == "2016-05-01"
    summary = AuditEvent.objects.get(action="export", child_id__isnull=True)
    assert summary.actor == world.sw_a
    assert summary.object_type == "children.child"
    assert summary.context["rows"] == 1
    assert summary.context["child_ids"] == [world.child_a.pk]
    per_child = AuditEvent.objects.filter(action="export", child_id__isnull=False)
    assert list(per_child.values_list("child_id", flat=True)) == [world.child_a.pk]


def test_export_follows_the_filters_on_the_page(client, world):
    client.force_login(world.head)
    rows = _csv(client.get(reverse("children:export"), {"area": "in"}))
    assert [row["Name"] for row in rows] == ["Ava Testchild"]
    summary = AuditEvent.objects.get(action="export", child_id__isnull=True)
    assert summary.context["filters"] == {"area": "in"}


def test_export_neutralises_spreadsheet_formulae_in_names(client, world):
    ChildFactory(first_name="=HYPERLINK(1)", last_name="Zed", allocated_lead=world.lead)
    client.force_login(world.head)
    rows = _csv(client.get(reverse("children:export")))
    assert any(row["Name"].startswith("'=HYPERLINK") for row in rows)


def test_caseload_export_lists_the_leads_children(client, world, make_user):
    ChildFactory(first_name="Eve", last_name="Elsewhere", allocated_lead=make_user(username="lead2"))
    client.force_login(world.lead)
    rows = _csv(client.get(reverse("children:caseload-export")))
    assert {row["Name"] for row in rows} == {"Ava Testchild", "Ben Otherchild"}


# ---------------------------------------------------------------------------------------------------------
# A child's pages and who may see them
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["detail", "placements", "care-history", "edit", "close"])
def test_designated_teacher_of_another_school_gets_not_found(client, world, name):
    client.force_login(world.dt_b)
    response = client.get(reverse(f"children:{name}", args=[world.child_a.pk]))
    assert response.status_code == 404
    assert "Ava" not in response.content.decode()


def test_designated_teacher_cannot_open_a_placement_of_another_schools_child(client, world):
    placement = world.child_a.education_placements.get()
    client.force_login(world.dt_b)
    assert client.get(reverse("placements:edit", args=[placement.pk])).status_code == 404
    assert client.get(reverse("placements:create", args=[world.child_a.pk])).status_code == 404


def test_designated_teacher_sees_their_own_pupil_but_may_not_change_the_record(client, world):
    client.force_login(world.dt_a)
    assert client.get(reverse("children:detail", args=[world.child_a.pk])).status_code == 200
    assert client.get(reverse("children:edit", args=[world.child_a.pk])).status_code == 403


def test_viewing_a_child_records_who_looked(client, world):
    client.force_login(world.lead)
    client.get(reverse("children:detail", args=[world.child_a.pk]))
    event = AuditEvent.objects.get(action="view")
    assert event.child_id == world.child_a.pk
    assert event.actor == world.lead
    assert event.context["page"] == "record"


def test_child_page_shows_the_record_and_a_late_roll_duty(client, world):
    child = world.child_a
    # Received on a Friday, added the next Friday: 5 working days, above the 3 allowed.
    Child.objects.filter(pk=child.pk).update(
        care_status_received_on=dt.date(2024, 3, 1),
        added_to_roll_on=dt.date(2024, 3, 8),
        carer_name="Pat Carer",
        carer_phone="01234 567890",
    )
    CareEpisodeFactory(child=child, legal_status="C2")
    client.force_login(world.lead)
    page = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert "Full care order" in page
    assert "Pat Carer" in page
    assert "01234 567890" in page
    assert "Alderley Primary" in page
    assert "Education, health and care plan" in page
    assert "Late" in page
    assert "1 May 2016" in page


def test_previously_looked_after_child_shows_advice_only_and_consent(client, world):
    child = ChildFactory(
        cohort=Cohort.PREVIOUSLY_LOOKED_AFTER,
        parental_responsibility_holder="Sam Adopter",
        consent_given_on=dt.date(2025, 2, 3),
    )
    client.force_login(world.head)
    page = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert "Advice only" in page
    assert "Sam Adopter" in page
    assert "3 February 2025" in page


def test_placements_page_warns_of_missing_education_with_days(client, world):
    placement = world.child_a.education_placements.get()
    placement.end_date = dt.date(2025, 1, 10)
    placement.save()
    client.force_login(world.lead)
    page = client.get(reverse("children:placements", args=[world.child_a.pk])).content.decode()
    assert "Missing education for" in page
    assert "Alderley Primary" in page  # the past placement is still listed


def test_placements_page_tags_part_time_hours(client, world):
    placement = world.child_a.education_placements.get()
    placement.hours_per_week = 15
    placement.save()
    client.force_login(world.lead)
    page = client.get(reverse("children:placements", args=[world.child_a.pk])).content.decode()
    assert "Part-time" in page
    assert "below the 25 hours" in page


def test_care_history_lists_episodes_with_legal_status_labels(client, world):
    CareEpisodeFactory(child=world.child_a, legal_status="C1", start_date=dt.date(2024, 1, 8))
    client.force_login(world.lead)
    page = client.get(reverse("children:care-history", args=[world.child_a.pk])).content.decode()
    assert "Interim care order" in page


def test_missing_education_page_lists_school_age_children_without_a_placement(client, world):
    ChildFactory(first_name="Finn", last_name="Noschool", added_to_roll_on=dt.date(2025, 1, 6))
    client.force_login(world.lead)
    page = client.get(reverse("children:missing-education")).content.decode()
    assert "Finn Noschool" in page
    assert "Ava Testchild" not in page


# ---------------------------------------------------------------------------------------------------------
# Audit history
# ---------------------------------------------------------------------------------------------------------


def test_history_page_is_not_found_for_a_lead(client, world):
    client.force_login(world.lead)
    assert client.get(reverse("children:history", args=[world.child_a.pk])).status_code == 404


def test_history_page_shows_the_head_who_changed_what_before_and_after(client, world):
    client.force_login(world.lead)
    client.post(
        reverse("children:edit", args=[world.child_a.pk]),
        _child_post(world.child_a, carer_name="Robin Newcarer"),
    )
    client.force_login(world.head)
    response = client.get(reverse("children:history", args=[world.child_a.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Robin Newcarer" in page
    assert "Carer name" in page
    assert world.lead.full_name in page
    # The head's own visit is part of the history.
    assert AuditEvent.objects.filter(action="view", actor=world.head, child_id=world.child_a.pk).exists()


# ---------------------------------------------------------------------------------------------------------
# Forms that change the roll
# ---------------------------------------------------------------------------------------------------------


def _child_post(child: Child | None = None, **overrides: str) -> dict[str, str]:
    data = {
        "cohort": "cla",
        "first_name": child.first_name if child else "Gale",
        "middle_names": "",
        "last_name": child.last_name if child else "Newchild",
        "preferred_name": "",
        "gender": "U",
        **_date("date_of_birth", child.date_of_birth if child else dt.date(2015, 6, 1)),
        "upn": child.upn if child else GOOD_UPN,
        "social_care_reference": child.social_care_reference if child else "SC999001",
        "sen_status": child.sen_status if child else "N",
        "sen_primary_need": child.sen_primary_need if child else "",
        "ethnicity": "",
        "english_additional_language": "unknown",
        "allocated_lead": str(child.allocated_lead_id) if child and child.allocated_lead_id else "",
        "social_worker": str(child.social_worker_id) if child and child.social_worker_id else "",
        "reviewing_officer": str(child.reviewing_officer_id) if child and child.reviewing_officer_id else "",
    }
    data.update(overrides)
    return data


def test_creating_a_child_through_the_form_adds_them_and_records_it(client, world):
    client.force_login(world.lead)
    response = client.post(reverse("children:create"), _child_post(allocated_lead=str(world.lead.pk)))
    child = Child.objects.get(social_care_reference="SC999001")
    assert response.status_code == 302
    assert response["Location"] == reverse("children:detail", args=[child.pk])
    assert child.date_of_birth == dt.date(2015, 6, 1)
    assert child.allocated_lead == world.lead
    created = AuditEvent.objects.get(action="create", object_type="children.child")
    assert created.child_id == child.pk
    assert created.actor == world.lead


def test_editing_a_child_records_the_change_before_and_after(client, world):
    client.force_login(world.data)
    response = client.post(
        reverse("children:edit", args=[world.child_b.pk]), _child_post(world.child_b, preferred_name="Benny")
    )
    assert response.status_code == 302
    world.child_b.refresh_from_db()
    assert world.child_b.preferred_name == "Benny"
    update = AuditEvent.objects.get(action="update", child_id=world.child_b.pk)
    assert update.changes["preferred_name"] == ["", "Benny"]


def test_an_invalid_upn_saves_the_child_and_shows_the_flag(client, world):
    client.force_login(world.lead)
    response = client.post(reverse("children:create"), _child_post(upn=BAD_UPN), follow=True)
    child = Child.objects.get(social_care_reference="SC999001")
    assert child.upn_needs_correction
    page = response.content.decode()
    assert "needs correction" in page
    assert BAD_UPN in page


def test_a_missing_date_of_birth_is_shown_on_that_field_and_nothing_is_saved(client, world):
    client.force_login(world.lead)
    data = _child_post(date_of_birth_0="", date_of_birth_1="", date_of_birth_2="")
    response = client.post(reverse("children:create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter the child&#x27;s date of birth" in page
    assert not Child.objects.filter(social_care_reference="SC999001").exists()


def test_service_rules_come_back_on_the_form_field(client, world):
    client.force_login(world.lead)
    response = client.post(reverse("children:create"), _child_post(cohort="plac"))
    assert response.status_code == 200
    form = response.context["form"]
    assert "parental_responsibility_holder" in form.errors
    assert not Child.objects.filter(social_care_reference="SC999001").exists()


def test_a_social_worker_may_not_add_a_child(client, world):
    client.force_login(world.sw_a)
    assert client.get(reverse("children:create")).status_code == 403


def test_closing_a_child_takes_them_off_the_roll_but_keeps_the_record(client, world):
    client.force_login(world.lead)
    data = {**_date("closed_on", dt.date(2025, 3, 3)), "closure_reason": "returned_home"}
    response = client.post(reverse("children:close", args=[world.child_b.pk]), data)
    assert response.status_code == 302
    world.child_b.refresh_from_db()
    assert world.child_b.closed_on == dt.date(2025, 3, 3)
    assert world.child_b.removed_from_roll_on == dt.date(2025, 3, 3)
    on_roll = client.get(reverse("children:roll")).context["rows"]
    assert [row.child for row in on_roll] == [world.child_a]
    closed = client.get(reverse("children:roll"), {"status": "closed"}).context["rows"]
    assert [row.child for row in closed] == [world.child_b]


def test_closing_without_a_reason_says_what_to_select(client, world):
    client.force_login(world.lead)
    response = client.post(reverse("children:close", args=[world.child_b.pk]), _date("closed_on", dt.date(2025, 3, 3)))
    assert response.status_code == 200
    assert "Select why the child left the roll" in response.content.decode()

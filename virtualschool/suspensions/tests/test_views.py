"""The pages: a child's Behaviour and exclusion tab, one suspension, the forms (GOV.UK error summaries) and the
overview, each scoped to the children the user may see."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from conftest import EXPECTED_VISIBLE
from virtualschool.core.extensions import child_records
from virtualschool.core.models import AuditEvent
from virtualschool.suspensions import services
from virtualschool.suspensions.models import ReducedTimetable, Suspension

D = dt.date
ROLES = sorted(EXPECTED_VISIBLE)
RECORDERS = {"head", "lead", "data"}


@pytest.fixture(autouse=True)
def in_november_2025(today_is):
    """These pages show this school year: make it 20 November 2025."""
    today_is(D(2025, 11, 20))


def _suspension(world: Any, child: Any = None, school: Any = None, **values: Any) -> Suspension:
    base = {"decided_on": D(2025, 11, 3), "start_date": D(2025, 11, 3), "length_unit": "days", "length": 8}
    base.update(values)
    return services.suspension_create(
        actor=world.lead,
        child=child or world.child_a,
        school=school or world.school_a,
        reasons=["DB", "VA"],
        **base,
    )


def _date(prefix: str, day: dt.date) -> dict[str, str]:
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


def _page_ok(html: str) -> None:
    assert html.count("<h1") == 1
    assert 'class="govuk-error-summary"' not in html


@pytest.mark.django_db
def test_the_child_tab_shows_suspensions_days_flags_risks_and_timetables(client, world, terms):
    s = _suspension(world)
    services.risk_record(
        actor=world.lead,
        child=world.child_a,
        raised_on=D(2025, 11, 3),
        raised_by="Jo Bell, headteacher",
        school_said="Worried about the next incident",
    )
    services.timetable_create(
        actor=world.lead,
        child=world.child_a,
        hours_per_week=Decimal("12.5"),
        start_date=D(2025, 9, 8),
        end_date=D(2025, 12, 1),
        review_dates=[D(2025, 10, 6)],
    )
    client.force_login(world.sw_a)
    response = client.get(reverse("suspensions:child", args=[world.child_a.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    _page_ok(html)
    assert 'aria-current="page"' in html and "Behaviour and exclusion" in html
    assert "3 November 2025" in html and "8 school days" in html
    assert "Autumn term 2025/26: More than 5 school days in a term" in html
    assert "Worried about the next incident" in html
    assert "Overdue" in html and "Not agreed by Social care, Virtual School, School and Carer" not in html
    assert "Not agreed by Social care, Virtual School, School, Carer" in html
    assert "Record a suspension" not in html  # the social worker reads only
    detail = client.get(reverse("suspensions:detail", args=[s.pk])).content.decode()
    assert "12 November 2025" in detail  # the eighth school day (3 to 7 and 10 to 12 November)
    assert "Record what followed" not in detail


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_pages_answer_by_need_to_know(client, world, terms, role):
    s = _suspension(world)
    client.force_login(world.users()[role])
    visible = "child_a" in EXPECTED_VISIBLE[role]
    records = role in RECORDERS or role == "dt_a"
    pages = [
        (reverse("suspensions:child", args=[world.child_a.pk]), 200),
        (reverse("suspensions:detail", args=[s.pk]), 200),
        (reverse("suspensions:create", args=[world.child_a.pk]), 200 if records else 403),
        (reverse("suspensions:follow-up", args=[s.pk]), 200 if records else 403),
        (reverse("suspensions:risk-create", args=[world.child_a.pk]), 200 if records else 403),
        (reverse("suspensions:timetable-create", args=[world.child_a.pk]), 200 if records else 403),
    ]
    for url, allowed in pages:
        status = client.get(url).status_code
        assert status == (allowed if visible else 404), (role, url, status)
    if not visible:
        post = client.post(reverse("suspensions:create", args=[world.child_a.pk]), {"category": "SUSP"})
        assert post.status_code == 404
        assert Suspension.objects.count() == 1
    overview = client.get(reverse("suspensions:overview"))
    assert overview.status_code == 200
    assert (world.child_a.display_name in overview.content.decode()) == visible, role


@pytest.mark.django_db
def test_a_designated_teacher_records_a_suspension_from_the_form(client, world, terms):
    client.force_login(world.dt_a)
    url = reverse("suspensions:create", args=[world.child_a.pk])
    form = client.get(url).content.decode()
    assert "Birchwood High" not in form  # another school's name is never offered
    response = client.post(
        url,
        {
            "school": world.school_a.pk,
            "category": "SUSP",
            **_date("start_date", D(2025, 10, 23)),
            "length_unit": "days",
            "length": "6",
            "reasons": ["DB"],
            **_date("social_worker_told_on", D(2025, 10, 23)),
        },
    )
    s = Suspension.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("suspensions:detail", args=[s.pk])
    assert s.created_by == world.dt_a and s.decided_on == D(2025, 10, 23)
    page = client.get(response["Location"]).content.decode()
    assert "Suspension recorded: 6 school days, ending 6 November 2025." in page
    assert "6 November 2025" in page


@pytest.mark.django_db
def test_form_errors_are_summarised_and_linked_to_the_field(client, world, terms):
    client.force_login(world.lead)
    response = client.post(
        reverse("suspensions:create", args=[world.child_a.pk]),
        {"school": world.school_a.pk, "category": "SUSP", **_date("start_date", D(2025, 10, 23))},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="govuk-error-summary"') == 1
    assert "<title>Error:" in html
    links = dict(re.findall(r'<a href="#([^"]+)">([^<]+)</a>', html))
    assert "Select at least one reason from the census list" in links.values()
    assert "Select whether the length is in school days or sessions" in links.values()
    assert not Suspension.objects.exists()


@pytest.mark.django_db
def test_the_permanent_exclusion_form_refuses_final_without_the_meeting(client, world, terms):
    exclusion = services.suspension_create(
        actor=world.lead,
        child=world.child_a,
        school=world.school_a,
        category="PERM",
        decided_on=D(2025, 11, 3),
        start_date=D(2025, 11, 3),
        reasons=["PA"],
    )
    client.force_login(world.lead)
    url = reverse("suspensions:exclusion", args=[exclusion.pk])
    response = client.post(
        url, {"is_final": "on", "meeting_social_worker": "Sam", **_date("meeting_on", D(2025, 11, 3))}
    )
    html = response.content.decode()
    assert 'class="govuk-error-summary"' in html
    assert "Missing: the carer, the reviewing officer, the Virtual School Lead and the school." in html
    exclusion.refresh_from_db()
    assert not exclusion.is_final
    assert client.get(reverse("suspensions:exclusion", args=[_suspension(world).pk])).status_code == 404


@pytest.mark.django_db
def test_recording_a_reduced_timetable_needs_a_name_for_each_agreement(client, world):
    client.force_login(world.lead)
    url = reverse("suspensions:timetable-create", args=[world.child_a.pk])
    data = {
        "hours_per_week": "15",
        **_date("start_date", D(2025, 9, 8)),
        **_date("end_date", D(2025, 12, 1)),
        **_date("review_1", D(2025, 10, 6)),
        "agreed_social_care": "on",
        "agreed_carer_by": "Casey Carer",
    }
    html = client.post(url, data).content.decode()
    assert "Enter the name of who agreed for social care" in html
    assert "Tick that the carer agreed, or remove the name" in html
    assert not ReducedTimetable.objects.exists()
    data.update({"agreed_social_care_by": "Sam Social", "agreed_carer": "on"})
    assert client.post(url, data).status_code == 302
    t = ReducedTimetable.objects.get()
    assert (t.agreed_social_care_by, t.agreed_carer_by, t.agreed_school) == ("Sam Social", "Casey Carer", False)


@pytest.mark.django_db
def test_the_overview_lists_what_to_follow_up_and_filters_by_school(client, world, terms):
    _suspension(world, vs_told_on=D(2025, 11, 4))
    _suspension(world, child=world.child_b, school=world.school_b, length=1)
    client.force_login(world.lead)
    html = client.get(reverse("suspensions:overview")).content.decode()
    assert "moj-filter-layout" in html
    for testid in ("late-told", "paperwork", "day6", "thresholds", "patterns", "timetables-overdue", "part-time"):
        assert f'data-testid="{testid}"' in html
    filtered = client.get(reverse("suspensions:overview"), {"school": world.school_b.pk}).content.decode()
    assert world.child_b.display_name in filtered and world.child_a.display_name not in filtered
    assert "Selected filters" in filtered
    bad = client.get(reverse("suspensions:overview"), {"school": "999999"}).content.decode()
    assert 'class="govuk-error-summary"' in bad


@pytest.mark.django_db
def test_record_providers_summarise_a_childs_period(world, terms):
    _suspension(world)
    services.timetable_create(
        actor=world.lead,
        child=world.child_a,
        hours_per_week=Decimal("15"),
        start_date=D(2025, 9, 8),
        end_date=D(2025, 12, 1),
        review_dates=[D(2025, 10, 6)],
        agreements={"social_care": "A", "virtual_school": "B", "school": "C", "carer": "D"},
    )
    found = {s.key: s for s in child_records(world.child_a, D(2025, 9, 1), D(2025, 12, 19))}
    suspensions = found["suspensions"]
    assert suspensions.lines[0].label == "3 November 2025"
    assert "Suspension of 8 school days" in suspensions.lines[0].value
    assert suspensions.lines[1].value == "8 school days"
    assert "Autumn term 2025/26: More than 5 school days in a term" in suspensions.concerns[0]
    timetables = found["reduced-timetables"]
    assert timetables.lines[0].value == "15 hours a week until 1 December 2025"
    assert timetables.concerns == (
        "Past its agreed end date of 1 December 2025.",
        "Review due on 6 October 2025 not held.",
    )
    assert child_records(world.child_b, D(2025, 9, 1), D(2025, 12, 19), keys=["suspensions"]) == []


@pytest.mark.django_db
def test_correcting_a_suspension_works_out_its_dates_again(client, world, terms):
    s = _suspension(world, length=2)
    client.force_login(world.lead)
    url = reverse("suspensions:edit", args=[s.pk])
    page = client.get(url).content.decode()
    assert 'value="2"' in page and "Correct the suspension" in page
    response = client.post(
        url,
        {
            "school": world.school_a.pk,
            "category": "SUSP",
            **_date("decided_on", D(2025, 11, 3)),
            **_date("start_date", D(2025, 11, 3)),
            "length_unit": "days",
            "length": "6",
            "reasons": ["DB"],
        },
    )
    assert response.status_code == 302
    s.refresh_from_db()
    assert (s.length, s.end_date, s.full_time_from, s.reasons) == (6, D(2025, 11, 10), D(2025, 11, 10), ["DB"])
    assert AuditEvent.objects.filter(object_id=str(s.pk), action="update").exists()
    client.force_login(world.dt_b)
    assert client.get(url).status_code == 404
    client.force_login(world.sw_a)
    assert client.get(url).status_code == 403


def test_the_follow_up_form_asks_for_the_date_full_time_education_was_arranged():
    from virtualschool.suspensions.forms import FollowUpForm

    form = FollowUpForm(data={"provision_day6": "A place at the pupil referral unit"})
    assert not form.is_valid()
    assert form.errors["provision_day6_arranged_on"] == ["Enter the date the full-time education was arranged"]
    form = FollowUpForm(
        data={
            "provision_day6_arranged_on_0": "14",
            "provision_day6_arranged_on_1": "11",
            "provision_day6_arranged_on_2": "2025",
        }
    )
    assert not form.is_valid()
    assert "provision_day6" in form.errors

"""A designated teacher records a suspension for their pupil in real Chromium, correcting an error on the way,
with axe-core checks on the tab, the form, its error summary, the new suspension and the overview."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from virtualschool.accounts.models import User
from virtualschool.core.calendar import school_calendar
from virtualschool.demo import catalogue
from virtualschool.demo.builder import load_demo
from virtualschool.placements.models import EducationPlacement
from virtualschool.suspensions.models import ReducedTimetable, Suspension
from virtualschool.suspensions.selectors import schools_for_recording

from .test_caseload_journey import CHROMIUM, CHROMIUM_ARGS, _require_prerequisites, serious_accessibility_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def teacher_and_pupil(live_server):
    """The small demo, dt1, and a pupil at dt1's school with no suspension yet."""
    _require_prerequisites()
    load_demo(size="small")
    teacher = User.objects.get(username="dt1")
    today = timezone.localdate()
    placement = (
        EducationPlacement.objects.filter(school__in=schools_for_recording(teacher), end_date__isnull=True)
        .exclude(child__suspensions__isnull=False)
        .select_related("child")
        .order_by("child__social_care_reference")
        .first()
    )
    assert placement is not None
    return teacher, placement.child, school_calendar().latest_school_day(today)


def test_designated_teacher_records_a_suspension(live_server, teacher_and_pupil, monkeypatch):
    teacher, child, day = teacher_and_pupil
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        try:
            page.goto(f"{live_server.url}/suspensions/children/{child.pk}/")
            page.fill("input[name=username]", teacher.username)
            page.fill("input[name=password]", catalogue.DEMO_PASSWORD)
            page.locator("main").get_by_role("button", name=re.compile("sign in", re.IGNORECASE)).click()
            page.wait_for_load_state()
            assert page.get_by_role("heading", name="Behaviour and exclusion").count() == 1
            assert serious_accessibility_violations(page) == []

            page.get_by_role("link", name=re.compile("Record a suspension")).click()
            page.wait_for_load_state()
            assert serious_accessibility_violations(page) == []
            page.fill("#id_start_date_0", str(day.day))
            page.fill("#id_start_date_1", str(day.month))
            page.fill("#id_start_date_2", str(day.year))
            page.get_by_label("School days", exact=True).check()
            page.fill("#id_length", "2")
            page.get_by_role("button", name="Record the suspension").click()
            page.wait_for_load_state()

            summary = page.locator(".govuk-error-summary")
            assert "Select at least one reason from the census list" in summary.inner_text()
            assert serious_accessibility_violations(page) == []
            page.get_by_label("Persistent or general disruptive behaviour (DB)").check()
            page.fill("#id_social_worker_told_on_0", str(day.day))
            page.fill("#id_social_worker_told_on_1", str(day.month))
            page.fill("#id_social_worker_told_on_2", str(day.year))
            page.get_by_role("button", name="Record the suspension").click()
            page.wait_for_load_state()

            main = page.locator("main").inner_text()
            assert "Suspension recorded: 2 school days" in main
            assert "The social worker has been told." in main
            assert serious_accessibility_violations(page) == []

            page.goto(f"{live_server.url}/suspensions/")
            assert page.get_by_role("heading", name="Suspensions and reduced timetables").count() == 1
            assert child.display_name in page.locator("[data-testid=recent]").inner_text()
            assert serious_accessibility_violations(page) == []
        finally:
            browser.close()

    suspension = Suspension.objects.get(child=child)
    assert suspension.created_by == teacher and suspension.reasons == ["DB"] and suspension.length == 2


def test_the_virtual_school_pages_for_exclusions_and_timetables_have_no_serious_accessibility_problems(
    live_server, monkeypatch
):
    _require_prerequisites()
    load_demo(size="small")
    head = User.objects.get(username="head")
    exclusion = Suspension.objects.get(category="PERM")
    timetable_child = ReducedTimetable.objects.select_related("child").first().child
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    pages = [
        f"/suspensions/{exclusion.pk}/",
        f"/suspensions/{exclusion.pk}/exclusion/",
        f"/suspensions/{exclusion.pk}/follow-up/",
        f"/suspensions/children/{exclusion.child_id}/",
        f"/suspensions/children/{timetable_child.pk}/",
        f"/suspensions/children/{timetable_child.pk}/reduced-timetables/new/",
        f"/suspensions/children/{timetable_child.pk}/risk/new/",
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        try:
            page.goto(f"{live_server.url}/suspensions/")
            page.fill("input[name=username]", head.username)
            page.fill("input[name=password]", catalogue.DEMO_PASSWORD)
            page.locator("main").get_by_role("button", name=re.compile("sign in", re.IGNORECASE)).click()
            page.wait_for_load_state()
            assert page.locator("[data-testid=patterns] tbody tr").count() >= 1
            assert serious_accessibility_violations(page) == []
            for path in pages:
                response = page.goto(f"{live_server.url}{path}")
                assert response is not None and response.status == 200, path
                assert serious_accessibility_violations(page) == [], path
            # The timetable form with every error showing.
            page.goto(f"{live_server.url}/suspensions/children/{timetable_child.pk}/reduced-timetables/new/")
            page.get_by_role("button", name="Record the reduced timetable").click()
            page.wait_for_load_state()
            assert "Enter the hours a week" in page.locator(".govuk-error-summary").inner_text()
            assert serious_accessibility_violations(page) == []
        finally:
            browser.close()

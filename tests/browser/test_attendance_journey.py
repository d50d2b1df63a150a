"""The head opens the attendance dashboard and a child's attendance, then uploads a file, in real Chromium,
with axe-core checks on each page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from virtualschool.attendance.models import AttendanceUpload
from virtualschool.children.models import Child
from virtualschool.core.calendar import school_calendar
from virtualschool.demo import catalogue
from virtualschool.demo.builder import load_demo

from .test_caseload_journey import CHROMIUM, CHROMIUM_ARGS, _require_prerequisites, serious_accessibility_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(live_server):
    _require_prerequisites()
    load_demo(size="small")


def test_attendance_dashboard_child_page_and_upload(live_server, demo, monkeypatch, tmp_path):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    child = Child.objects.exclude(upn="").filter(closed_on__isnull=True, upn_needs_correction=False).first()
    day = school_calendar().latest_school_day(timezone.localdate() - dt.timedelta(days=1))
    path = tmp_path / "marks.csv"
    path.write_text(f"upn,date,session,code\n{child.upn},{day.isoformat()},AM,M\n")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        try:
            page.goto(f"{live_server.url}/attendance/")
            page.fill("input[name=username]", "head")
            page.fill("input[name=password]", catalogue.DEMO_PASSWORD)
            page.locator("main").get_by_role("button", name=re.compile("sign in", re.IGNORECASE)).click()
            page.wait_for_load_state()
            assert page.locator("[data-testid=group-figures]").count() == 1
            assert serious_accessibility_violations(page) == []

            page.goto(f"{live_server.url}/attendance/children/{child.pk}/")
            assert page.locator("[data-testid=attendance-calendar]").count() == 1
            assert serious_accessibility_violations(page) == []

            page.goto(f"{live_server.url}/attendance/upload/")
            assert serious_accessibility_violations(page) == []
            page.set_input_files("#id_file", str(path))
            page.get_by_role("button", name="Upload and import").click()
            page.wait_for_url(re.compile(r"/attendance/upload/\d+/"))
            page.get_by_text(re.compile("Imported|Checked")).first.wait_for(timeout=20000)
            assert serious_accessibility_violations(page) == []
        finally:
            browser.close()
    assert AttendanceUpload.objects.get().status == "done"

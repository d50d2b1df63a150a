"""A designated teacher answers the school SDQ a carer's score asked for, in real Chromium, with axe-core checks."""

from __future__ import annotations

import re

import pytest

from virtualschool.accounts.models import User
from virtualschool.children.models import SdqScore
from virtualschool.children.selectors import sdq_due_for_children
from virtualschool.demo import catalogue
from virtualschool.demo.builder import load_demo

from .test_caseload_journey import CHROMIUM, CHROMIUM_ARGS, _require_prerequisites, serious_accessibility_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def teacher_with_sdq_due(live_server):
    """The small demo, and a designated teacher with a pupil whose school SDQ is due."""
    _require_prerequisites()
    load_demo(size="small")
    teacher = User.objects.get(username="dt1")
    due = next(d for d in sdq_due_for_children(user=teacher) if d.is_outstanding)
    return teacher, due


def test_designated_teacher_records_the_school_sdq_that_is_due(live_server, teacher_with_sdq_due, monkeypatch):
    teacher, due = teacher_with_sdq_due
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        try:
            page.goto(f"{live_server.url}/children/{due.child_id}/sdq/")
            page.fill("input[name=username]", teacher.username)
            page.fill("input[name=password]", catalogue.DEMO_PASSWORD)
            page.locator("main").get_by_role("button", name=re.compile("sign in", re.IGNORECASE)).click()
            page.wait_for_load_state()

            assert page.get_by_text(re.compile("A school SDQ is (due|overdue)")).count() == 1
            assert page.locator("svg.app-sdq-chart").count() == 1
            assert serious_accessibility_violations(page) == []

            page.get_by_role("link", name=re.compile("Record an SDQ")).click()
            page.wait_for_load_state()
            page.fill("#id_recorded_on_0", str(due.carer_completed_on.day))
            page.fill("#id_recorded_on_1", str(due.carer_completed_on.month))
            page.fill("#id_recorded_on_2", str(due.carer_completed_on.year))
            for number in range(1, 26):
                page.fill(f"#id_item_{number}", "1")
            page.fill("#id_item_7", "5")
            page.get_by_role("button", name="Save and score the SDQ").click()
            page.wait_for_load_state()

            summary = page.locator(".govuk-error-summary")
            assert "Item 7 must be 0, 1 or 2" in summary.inner_text()
            assert serious_accessibility_violations(page) == []
            summary.get_by_role("link", name="Item 7 must be 0, 1 or 2").click()
            assert page.evaluate("() => document.activeElement.id") == "id_item_7"

            page.fill("#id_item_7", "0")
            page.get_by_role("button", name="Save and score the SDQ").click()
            page.wait_for_load_state()

            # Every item 1 except item 7 ticked 0 (scores 2): conduct 6, the other difficulty scales 5; total 21.
            assert "SDQ recorded: total difficulties 21 (very high)." in page.locator("main").inner_text()
            assert serious_accessibility_violations(page) == []
            page.get_by_role("link", name="All SDQs").click()
            page.wait_for_load_state()
            assert page.locator("[data-testid=school-sdq-done]").count() == 1
        finally:
            browser.close()

    assert SdqScore.objects.filter(child_id=due.child_id, respondent="teacher", created_by=teacher).count() == 1

"""A lead works an overdue escalation in real Chromium, with axe-core checks on each page."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_caseload_journey import (
    CHROMIUM,
    CHROMIUM_ARGS,
    _require_prerequisites,
    serious_accessibility_violations,
)
from virtualschool.demo import catalogue
from virtualschool.demo.builder import load_demo
from virtualschool.escalations.models import Contact, Escalation

pytestmark = pytest.mark.browser


@pytest.fixture
def lead_with_escalations(live_server):
    _require_prerequisites()
    load_demo(size="small")
    overdue = Escalation.objects.get(ladder__slug="gloucestershire-school")
    return overdue.child.allocated_lead


def test_a_lead_records_a_contact_and_moves_an_overdue_escalation_up(live_server, lead_with_escalations, monkeypatch):
    lead = lead_with_escalations
    overdue = Escalation.objects.get(ladder__slug="gloucestershire-school")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        try:
            page.goto(f"{live_server.url}/escalations/?state=overdue")
            page.fill("input[name=username]", lead.username)
            page.fill("input[name=password]", catalogue.DEMO_PASSWORD)
            page.locator("main").get_by_role("button", name=re.compile("sign in", re.IGNORECASE)).click()
            page.wait_for_load_state()
            assert page.locator("[data-testid=escalations] tbody tr").count() == 1
            assert serious_accessibility_violations(page) == []

            page.get_by_role("link", name=re.compile(f"escalation {overdue.pk}")).click()
            page.wait_for_load_state()
            assert page.locator("[data-testid=time-up]").count() == 1
            assert page.locator(".moj-timeline__item").count() >= 3
            assert serious_accessibility_violations(page) == []

            page.get_by_role("link", name="Record a contact").click()
            page.wait_for_load_state()
            page.get_by_role("button", name="Record the contact").click()
            page.wait_for_load_state()
            assert "Enter who was contacted" in page.locator(".govuk-error-summary").inner_text()
            assert serious_accessibility_violations(page) == []
            page.fill("#id_person", "Head teacher")
            page.locator("input[name=method][value=meeting]").check()
            today = overdue.due_on
            page.fill("#id_contacted_on_0", str(today.day))
            page.fill("#id_contacted_on_1", str(today.month))
            page.fill("#id_contacted_on_2", str(today.year))
            page.fill("#id_response", "Support will start next week")
            page.get_by_role("button", name="Record the contact").click()
            page.wait_for_load_state()
            assert "The contact has been recorded." in page.locator("main").inner_text()

            page.get_by_role("link", name="Draft the letter or e-mail for this level").click()
            page.wait_for_load_state()
            assert "Support will start next week" in page.locator("[data-testid=letter]").input_value()
            assert serious_accessibility_violations(page) == []
            page.get_by_role("link", name="Back to the escalation").click()
            page.wait_for_load_state()

            page.get_by_role("link", name="Move up").click()
            page.wait_for_load_state()
            assert serious_accessibility_violations(page) == []
            page.get_by_role("button", name="Move it up").click()
            page.wait_for_load_state()
            assert "The escalation has moved up." in page.locator("main").inner_text()
            assert serious_accessibility_violations(page) == []
        finally:
            browser.close()

    overdue.refresh_from_db()
    assert overdue.current_step.level.number == 2
    assert Contact.objects.filter(escalation=overdue, person="Head teacher").exists()

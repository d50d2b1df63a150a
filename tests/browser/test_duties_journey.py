"""The Virtual School Head opens the compliance view and the duties behind a figure, and a lead opens My work
and a child's Duties tab, in real Chromium, with axe-core checks on each page."""

from __future__ import annotations

import re

import pytest

from virtualschool.accounts.models import User
from virtualschool.demo import catalogue
from virtualschool.demo.builder import load_demo
from virtualschool.duties.models import DutyInstance
from virtualschool.duties.tests.conftest import reseed

from .test_caseload_journey import CHROMIUM, CHROMIUM_ARGS, _require_prerequisites, serious_accessibility_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_with_duties(live_server):
    _require_prerequisites()
    reseed()  # a transactional test empties the seeded rules with the rest of the tables
    load_demo(size="small")
    assert DutyInstance.objects.exists()
    return User.objects.get(username="head")


def _sign_in(page, base: str, path: str, username: str) -> None:
    page.goto(f"{base}{path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", catalogue.DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name=re.compile("sign in", re.IGNORECASE)).click()
    page.wait_for_load_state()


def test_compliance_my_work_and_the_childs_duties(live_server, demo_with_duties, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    lead_duty = DutyInstance.objects.filter(child__allocated_lead__isnull=False).select_related("child").first()
    assert lead_duty is not None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            _sign_in(page, live_server.url, "/duties/compliance/", demo_with_duties.username)
            assert page.get_by_role("heading", name="Compliance with statutory duties").count() == 1
            assert serious_accessibility_violations(page) == []
            page.select_option("#by", "area")
            page.get_by_role("button", name="Show figures").click()
            page.wait_for_load_state()
            assert serious_accessibility_violations(page) == []
            page.locator("table a.govuk-link").first.click()
            page.wait_for_load_state()
            assert page.locator("table").count() == 1
            assert serious_accessibility_violations(page) == []

            page = browser.new_page()
            _sign_in(page, live_server.url, "/duties/", lead_duty.child.allocated_lead.username)
            assert page.get_by_role("heading", name="My work").count() == 1
            assert serious_accessibility_violations(page) == []
            page.goto(f"{live_server.url}/duties/children/{lead_duty.child_id}/")
            assert page.get_by_role("heading", name="Duties").count() == 1
            assert page.get_by_text(lead_duty.rule.name).count() >= 1
            assert serious_accessibility_violations(page) == []
        finally:
            browser.close()

"""PP+ in real Chromium with axe-core: the Head's budget pages, an application refused without a target, and a
panel member's deciding vote."""

from __future__ import annotations

import re

import pytest

from virtualschool.accounts.models import User
from virtualschool.demo import catalogue
from virtualschool.demo.builder import load_demo
from virtualschool.pupilpremium.models import Application, Panel

from .test_caseload_journey import CHROMIUM, CHROMIUM_ARGS, _require_prerequisites, serious_accessibility_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(live_server):
    _require_prerequisites()
    load_demo(size="small")


def _sign_in(page, base, username, path):
    page.goto(f"{base}{path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", catalogue.DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name=re.compile("sign in", re.IGNORECASE)).click()
    page.wait_for_load_state()


def test_pp_pages_pass_axe_and_a_panel_member_decides(live_server, demo, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    panel = Panel.objects.order_by("-meets_on").first()
    waiting = Application.objects.filter(panel=panel, status="submitted", votes__isnull=False).distinct()
    part_voted = next(a for a in waiting if a.votes.count() == 1 and not a.children.get().pp_conflicts.exists())
    lead = User.objects.get(pk=part_voted.children.get().allocated_lead_id)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            _sign_in(page, live_server.url, "head", "/pupil-premium/")
            assert "Where the money stands" in page.locator("main").inner_text()
            for path in (
                "/pupil-premium/",
                "/pupil-premium/ledger/",
                "/pupil-premium/applications/",
                f"/pupil-premium/applications/{part_voted.pk}/",
                "/pupil-premium/panels/",
                f"/pupil-premium/panels/{panel.pk}/",
                f"/pupil-premium/panels/{panel.pk}/pack/",
                "/pupil-premium/impact/",
                "/pupil-premium/exports/",
            ):
                page.goto(f"{live_server.url}{path}")
                page.wait_for_load_state()
                assert serious_accessibility_violations(page) == [], path

            lead_page = browser.new_page()
            _sign_in(lead_page, live_server.url, lead.username, "/pupil-premium/applications/new/")
            lead_page.locator("input[name=children]").first.check()
            lead_page.get_by_label("Tuition").check()
            lead_page.fill("#id_provider", "Bright Futures Tuition")
            lead_page.fill("#id_description", "Ten sessions of reading tuition")
            lead_page.fill("#id_amount", "600")
            for prefix, (day, month, year) in (("starts_on", (5, 1, 2027)), ("ends_on", (26, 3, 2027))):
                lead_page.fill(f"#id_{prefix}_0", str(day))
                lead_page.fill(f"#id_{prefix}_1", str(month))
                lead_page.fill(f"#id_{prefix}_2", str(year))
            lead_page.get_by_role("button", name="Send to the panel").click()
            lead_page.wait_for_load_state()
            assert "at least one SMART target" in lead_page.locator(".govuk-error-summary").inner_text()
            assert serious_accessibility_violations(lead_page) == []

            member = next(m for m in panel.members.all() if not part_voted.votes.filter(member=m).exists())
            member_page = browser.new_page()
            _sign_in(member_page, live_server.url, member.username, f"/pupil-premium/applications/{part_voted.pk}/")
            member_page.get_by_label("Approve", exact=True).check()
            member_page.get_by_role("button", name="Cast your vote").click()
            member_page.wait_for_load_state("networkidle")
            assert "The panel has decided: approve." in member_page.locator("main").inner_text()
            assert serious_accessibility_violations(member_page) == []
        finally:
            for open_page in browser.contexts[0].pages if browser.contexts else []:
                open_page.wait_for_load_state("networkidle")  # no request left holding a database connection
            browser.close()
    part_voted.refresh_from_db()
    assert part_voted.status == "approved"

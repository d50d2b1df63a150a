"""A PEP completed end to end in real Chromium: the lead creates it, the designated teacher does their part, the
lead records the child's views, a SMART target (challenged first) and the meeting, submits it, and the head
approves it. axe-core finds no serious violation on any page on the way."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from virtualschool.accounts.models import User
from virtualschool.children.models import Child
from virtualschool.demo import catalogue
from virtualschool.demo.builder import load_demo
from virtualschool.peps import services
from virtualschool.peps.models import Pep, PepStatus

from .test_caseload_journey import CHROMIUM, CHROMIUM_ARGS, _require_prerequisites, serious_accessibility_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def child_with_teacher(live_server):
    """The small demo, and a child of lead1 at a school whose designated teacher has an account."""
    _require_prerequisites()
    load_demo(size="small")
    lead = User.objects.get(username="lead1")
    for child in Child.objects.filter(allocated_lead=lead, closed_on__isnull=True, cohort="cla").order_by("pk"):
        placement = child.education_placements.filter(end_date__isnull=True, designated_teacher__isnull=False).first()
        if placement is not None and child.period_of_care_start:
            return child, lead, placement.designated_teacher
    pytest.skip("the small demo has no child of lead1 with a designated teacher")  # pragma: no cover


def _sign_in(page: Any, url: str, username: str) -> None:
    page.goto(url)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", catalogue.DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name=re.compile("sign in", re.IGNORECASE)).click()
    page.wait_for_load_state()


def _date(page: Any, name: str, day: dt.date) -> None:
    page.fill(f"#id_{name}_0", str(day.day))
    page.fill(f"#id_{name}_1", str(day.month))
    page.fill(f"#id_{name}_2", str(day.year))


def _no_serious_violations(page: Any) -> None:
    assert serious_accessibility_violations(page) == [], page.url


def test_a_pep_is_completed_end_to_end(live_server, child_with_teacher, monkeypatch):
    child, lead, teacher = child_with_teacher
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    today = dt.date.today()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            # The lead creates an interim PEP from the child's PEPs tab.
            as_lead = browser.new_context().new_page()
            _sign_in(as_lead, f"{live_server.url}/peps/children/{child.pk}/", lead.username)
            _no_serious_violations(as_lead)
            as_lead.get_by_role("link", name=re.compile("Create a PEP")).click()
            as_lead.wait_for_load_state()
            as_lead.get_by_label("Interim (change of education provision)").check()
            as_lead.get_by_role("button", name="Create the PEP").click()
            as_lead.wait_for_load_state()
            assert (
                "Say why this interim or emergency PEP is needed"
                in as_lead.locator(".govuk-error-summary").inner_text()
            )
            _no_serious_violations(as_lead)
            as_lead.fill("#id_reason", "Moved to a new class with a new teacher")
            as_lead.get_by_role("button", name="Create the PEP").click()
            as_lead.wait_for_load_state()
            pep = Pep.objects.filter(child=child, pep_type="interim").latest("pk")
            assert as_lead.locator("[data-testid=pep-status]").inner_text().startswith("Not started")
            _no_serious_violations(as_lead)

            # The designated teacher completes their own part from their task list.
            as_teacher = browser.new_context().new_page()
            _sign_in(as_teacher, f"{live_server.url}/peps/{pep.pk}/your-part/", teacher.username)
            _no_serious_violations(as_teacher)
            as_teacher.get_by_role("link", name="Designated teacher's section").click()
            as_teacher.wait_for_load_state()
            as_teacher.fill("#id_strengths", "Loves art; reads every morning with the mentor")
            as_teacher.fill("#id_engagement_behaviour", "Settled and keen in lessons")
            as_teacher.get_by_label("My part is complete and ready for the meeting").check()
            _no_serious_violations(as_teacher)
            as_teacher.get_by_role("button", name="Save").click()
            as_teacher.wait_for_load_state()
            assert "Completed" in as_teacher.locator("[data-testid=your-part]").inner_text()

            # The lead records the child's views and a target, which is challenged until it is SMART.
            as_lead.goto(f"{live_server.url}/peps/{pep.pk}/sections/child_voice/")
            as_lead.fill("#id_views_on_school", "I like art and my new teacher")
            as_lead.fill("#id_what_helps", "Sitting near the window")
            as_lead.get_by_label("My part is complete and ready for the meeting").check()
            as_lead.get_by_role("button", name="Save").click()
            as_lead.wait_for_load_state()
            as_lead.goto(f"{live_server.url}/peps/{pep.pk}/targets/new/")
            as_lead.fill("#id_description", "Read fluently at the expected standard")
            as_lead.get_by_role("button", name="Save the target").click()
            as_lead.wait_for_load_state()
            summary = as_lead.locator(".govuk-error-summary").inner_text()
            assert "The target has no measure" in summary and "The target has no owner" in summary
            _no_serious_violations(as_lead)
            as_lead.fill("#id_measure", "Reading age")
            as_lead.fill("#id_baseline", "8 years 2 months")
            as_lead.fill("#id_target_value", "9 years")
            _date(as_lead, "deadline", today + dt.timedelta(days=60))
            as_lead.fill("#id_owner", "Class teacher")
            as_lead.get_by_role("button", name="Save the target").click()
            as_lead.wait_for_load_state()
            assert "Target saved." in as_lead.locator("main").inner_text()

            # The meeting, with the next one before the next care review.
            review = services.pep_next_care_review(pep, services.review_after(today))
            next_meeting = min(today + dt.timedelta(days=30), review - dt.timedelta(days=1)) if review else today
            as_lead.goto(f"{live_server.url}/peps/{pep.pk}/meeting/record/")
            _date(as_lead, "meeting_held_on", today)
            as_lead.get_by_label("In person").check()
            as_lead.fill("#id_attendees", "Child\nDesignated teacher\nLead")
            as_lead.fill("#id_meeting_notes", "Agreed the reading target and tuition.")
            _date(as_lead, "next_meeting_date", next_meeting)
            _no_serious_violations(as_lead)
            as_lead.get_by_role("button", name="Record the meeting").click()
            as_lead.wait_for_load_state()
            as_lead.get_by_role("button", name="Submit for quality assurance").click()
            as_lead.wait_for_load_state()
            assert "Submitted for quality assurance" in as_lead.locator("[data-testid=pep-status]").inner_text()

            # The head approves it green.
            as_head = browser.new_context().new_page()
            _sign_in(as_head, f"{live_server.url}/peps/{pep.pk}/decision/", "head")
            as_head.get_by_label("Approve and sign off").check()
            as_head.get_by_label("Green").check()
            _no_serious_violations(as_head)
            as_head.get_by_role("button", name="Save the decision").click()
            as_head.wait_for_load_state()
            assert "rag: green" in as_head.locator("[data-testid=pep-status]").inner_text().lower()
            assert as_head.locator("[data-testid=timeline]").count() == 1
            _no_serious_violations(as_head)
        finally:
            browser.close()

    pep.refresh_from_db()
    assert pep.status == PepStatus.APPROVED and pep.versions.count() == 1

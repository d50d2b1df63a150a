"""A Virtual School Lead signs in, opens their caseload and a child, in real Chromium, with an axe-core check.

Runs against pytest-django's live server (static files served by django.contrib.staticfiles) with the small
synthetic demo loaded. Needs the front-end build (`npm ci && npm run build`, which `make test` runs first) for
the styles and for axe-core in node_modules.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from virtualschool.accounts.models import Role, User
from virtualschool.demo import catalogue
from virtualschool.demo.builder import load_demo

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BLOCKING_IMPACTS = {"serious", "critical"}


def _require_prerequisites() -> None:
    """Skip locally when the front-end build or Chromium is missing; in CI (CI set) that is a failure."""
    missing = ""
    if not AXE.exists():
        missing = f"{AXE.relative_to(ROOT)} is missing: run `npm ci && npm run build` (make test does)."
    elif not CHROMIUM.exists():
        missing = "Chromium is not installed at /usr/bin/chromium (apt-get install chromium)."
    if missing and os.environ.get("CI"):
        pytest.fail(f"The browser test must run in CI: {missing}")
    if missing:
        pytest.skip(missing)


@pytest.fixture
def demo_lead(live_server):
    """The small synthetic demo, and a Virtual School Lead with children on their caseload."""
    _require_prerequisites()
    load_demo(size="small")
    lead = (
        User.objects.filter(role=Role.VIRTUAL_SCHOOL_LEAD, caseload__closed_on__isnull=True)
        .order_by("username")
        .first()
    )
    assert lead is not None
    return lead


@pytest.fixture
def browser_page(demo_lead, monkeypatch):
    """Chromium with one page; failed responses (status 400 or more) are collected on page.failed_responses."""
    # Playwright's sync API runs an event loop in this thread; database access from the same process is then
    # safe, but Django cannot tell, so it is told. The test's own database work happens before the browser
    # starts (demo_lead comes first), so no connection is opened inside Playwright's event loop.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        failed: list[str] = []
        page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.failed_responses = failed  # type: ignore[attr-defined]
        try:
            yield page
        finally:
            browser.close()


def serious_accessibility_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the page; return (and print) violations with serious or critical impact."""
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document)")
    blocking = [v for v in results["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    print(
        f"axe on {page.url}: {len(results['passes'])} rules passed, {len(results['violations'])} violations, "
        f"{len(blocking)} serious or critical"
    )
    for violation in blocking:
        targets = [", ".join(node["target"]) for node in violation["nodes"]][:5]
        print(f"axe {violation['impact']}: {violation['id']} – {violation['help']} on {page.url}: {targets}")
    return blocking


def test_lead_signs_in_opens_caseload_and_a_child_with_no_serious_accessibility_problems(
    live_server, demo_lead, browser_page
):
    lead, page = demo_lead, browser_page

    # Asking for the caseload while signed out leads to the sign-in form, then back to the caseload.
    page.goto(f"{live_server.url}/children/caseload/")
    assert "/sign-in" in page.url
    assert serious_accessibility_violations(page) == []
    page.fill("input[name=username]", lead.username)
    page.fill("input[name=password]", catalogue.DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name=re.compile("sign in", re.IGNORECASE)).click()
    page.wait_for_load_state()

    assert page.url.rstrip("/").endswith("/children/caseload")
    css_loaded = page.evaluate("() => Array.from(document.styleSheets).some(s => s.cssRules.length > 0)")
    assert css_loaded, "The page's stylesheet did not load from the live server."
    child_links = page.locator("main a[href]").evaluate_all(
        "links => links.map(a => a.getAttribute('href')).filter(h => /^\\/children\\/\\d+\\/$/.test(h))"
    )
    assert child_links, "The caseload lists no children."
    assert serious_accessibility_violations(page) == []

    page.click(f"main a[href='{child_links[0]}']")
    page.wait_for_load_state()

    assert re.search(r"/children/\d+/$", page.url)
    assert page.locator("h1").count() == 1
    assert serious_accessibility_violations(page) == []
    assert page.failed_responses == []  # type: ignore[attr-defined]

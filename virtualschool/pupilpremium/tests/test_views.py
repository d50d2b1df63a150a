"""The pages: each answers by need to know, shows money as £1,234.56 and writes only through the services."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from conftest import EXPECTED_VISIBLE
from virtualschool.core.models import AuditEvent
from virtualschool.pupilpremium import services
from virtualschool.pupilpremium.models import Application, Outcome

from .conftest import submit

pytestmark = pytest.mark.django_db
ROLES = sorted(EXPECTED_VISIBLE)
BUDGET_READERS = {"head", "manager", "data"}


@pytest.fixture
def decided(pp, world):
    """One approved application on the panel (decided by panel2 and panel3) and one waiting."""
    app = submit(world.lead, pp.year, world.child_a, amount=60_000)
    services.panel_take_waiting(actor=world.head, panel=pp.panel)
    services.vote_cast(actor=pp.members[1], application=app, outcome=Outcome.APPROVE)
    services.vote_cast(actor=pp.members[2], application=app, outcome=Outcome.APPROVE)
    waiting = submit(world.dt_b, pp.year, world.child_b, amount=25_000, submitted_on=dt.date(2025, 11, 25))
    app.refresh_from_db()
    return app, waiting


@pytest.mark.parametrize("role", ROLES)
def test_budget_pages_are_for_the_budget_meeting_only(client, world, pp, decided, role):
    client.force_login(world.users()[role])
    for name in ("budget", "ledger", "exports"):
        status = client.get(reverse(f"pupilpremium:{name}")).status_code
        assert status == (200 if role in BUDGET_READERS else 403), (role, name, status)
    impact = client.get(reverse("pupilpremium:impact")).status_code
    assert impact == (200 if role in BUDGET_READERS | {"lead"} else 403), (role, impact)


def test_the_budget_page_shows_exact_pounds_and_pence(client, world, pp, decided):
    client.force_login(world.head)
    html = client.get(reverse("pupilpremium:budget")).content.decode()
    assert "£5,260.00" in html  # 2 children × £2,630
    assert "£600.00" in html  # committed
    assert "£4,660.00" in html  # remaining
    html = client.get(reverse("pupilpremium:ledger")).content.decode()
    assert "Approved application" in html


@pytest.mark.parametrize("role", ROLES)
def test_applications_are_seen_by_need_to_know(client, world, pp, decided, role):
    approved, waiting = decided
    user = world.users()[role]
    client.force_login(user)
    sees = {
        "head": {approved, waiting},
        "manager": {approved, waiting},
        "data": {approved, waiting},
        "lead": {approved, waiting},  # both children are on the lead's caseload
        "dt_a": {approved},
        "dt_b": {waiting},
        "panel": set(),  # panel1 sits on the panel but the approved one is theirs to see only via membership
    }
    expected = sees.get(role, set())
    if role == "panel":
        expected = {approved}  # world.panel is a member of the panel that has the approved application
    for app in (approved, waiting):
        status = client.get(reverse("pupilpremium:application", args=[app.pk])).status_code
        assert status == (200 if app in expected else 404), (role, app.pk, status)
    listed = client.get(reverse("pupilpremium:applications")).content.decode()
    for app in (approved, waiting):
        assert (f"Application {app.pk}<" in listed) == (app in expected), (role, app.pk)


def test_the_decision_shows_to_the_lead_from_the_next_day(client, world, pp, decided, time_machine_today):
    approved, _ = decided
    client.force_login(world.lead)
    time_machine_today(approved.decisions.get().decided_at.date())
    html = client.get(reverse("pupilpremium:application", args=[approved.pk])).content.decode()
    assert "No decision yet" in html and "Waiting for the panel" in html
    assert "still committed" not in html  # nothing hints at the decision before it is shared
    time_machine_today(approved.decisions.get().visible_on)
    html = client.get(reverse("pupilpremium:application", args=[approved.pk])).content.decode()
    assert 'data-testid="decision"' in html and "Approved" in html
    assert "Decided by" in html


def test_a_panel_member_votes_from_the_page_and_a_connected_one_cannot(client, world, pp, decided):
    _, waiting = decided
    services.panel_take_waiting(
        actor=world.head,
        panel=services.panel_create(
            actor=world.head, grant_year=pp.year, meets_on=dt.date(2025, 11, 27), members=pp.members
        ),
    )
    services.conflict_declare(actor=pp.members[0], child=world.child_b, reason="Related to the carer")
    client.force_login(pp.members[0])
    url = reverse("pupilpremium:application", args=[waiting.pk])
    assert "You cannot vote on this application" in client.get(url).content.decode()
    response = client.post(reverse("pupilpremium:application-vote", args=[waiting.pk]), {"outcome": "approve"})
    assert response.status_code == 403
    client.force_login(pp.members[1])
    response = client.post(reverse("pupilpremium:application-vote", args=[waiting.pk]), {"outcome": "decline"})
    assert response.status_code == 400 and "Give the reasons for declining" in response.content.decode()
    response = client.post(
        reverse("pupilpremium:application-vote", args=[waiting.pk]), {"outcome": "decline", "reason": "No quote"}
    )
    assert response.status_code == 302
    assert waiting.votes.get().member == pp.members[1]


def test_applying_from_the_form_without_a_target_is_refused(client, world, pp):
    client.force_login(world.lead)
    data = {
        "children": [str(world.child_a.pk)],
        "fund": "pp_plus",
        "intervention_type": "mentoring",
        "provider": "Mentor Co",
        "description": "Weekly mentoring",
        "amount": "1,250.50",
        "starts_on_0": "1",
        "starts_on_1": "12",
        "starts_on_2": "2025",
        "ends_on_0": "31",
        "ends_on_1": "3",
        "ends_on_2": "2026",
    }
    response = client.post(reverse("pupilpremium:application-create"), data)
    assert response.status_code == 200
    assert "at least one SMART target" in response.content.decode()
    assert not Application.objects.exists()
    data.update(
        {
            "target_1_text": "Attend school every day for six weeks",
            "target_1_measure": "Register",
            "target_1_deadline_0": "27",
            "target_1_deadline_1": "2",
            "target_1_deadline_2": "2026",
            "target_1_owner": "Designated teacher",
        }
    )
    response = client.post(reverse("pupilpremium:application-create"), data)
    assert response.status_code == 302
    app = Application.objects.get()
    assert app.amount_pence == 125_050 and app.targets.count() == 1 and app.school == world.school_a


def test_panel_pages_and_the_pack_for_members(client, world, pp, decided):
    client.force_login(world.panel)
    assert client.get(reverse("pupilpremium:panels")).status_code == 200
    html = client.get(reverse("pupilpremium:panel-pack", args=[pp.panel.pk])).content.decode()
    assert "Read a Year 4 text aloud" in html
    response = client.get(reverse("pupilpremium:panel-pack-pdf", args=[pp.panel.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    client.force_login(world.dt_a)
    assert client.get(reverse("pupilpremium:panel-pack", args=[pp.panel.pk])).status_code == 404
    client.force_login(world.sw_a)
    assert client.get(reverse("pupilpremium:panels")).status_code == 403


def test_the_pack_shows_past_funding_and_its_outcome(client, world, pp, decided):
    approved, _ = decided
    services.target_review(actor=world.lead, target=approved.targets.get(), outcome="achieved")
    later = services.panel_create(
        actor=world.head, grant_year=pp.year, meets_on=dt.date(2025, 12, 4), members=pp.members
    )
    submit(world.lead, pp.year, world.child_a, amount=10_000, submitted_on=dt.date(2025, 12, 1))
    services.panel_take_waiting(actor=world.head, panel=later)
    client.force_login(world.head)
    html = client.get(reverse("pupilpremium:panel-pack", args=[later.pk])).content.decode()
    assert "1 of 1 reviewed" in html
    assert f"{approved.pk}: Tuition, Bright Futures Tuition" in html


@pytest.mark.parametrize("what", ["ledger", "summary", "applications", "impact"])
def test_exports_open_in_openpyxl_and_csv_and_are_audited(client, world, pp, decided, what):
    client.force_login(world.data)
    response = client.get(reverse("pupilpremium:export", args=[what, "xlsx"]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) >= 2
    response = client.get(reverse("pupilpremium:export", args=[what, "csv"]))
    text = response.content.decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0] == list(rows[0])
    assert AuditEvent.objects.filter(action="export", object_type="pupilpremium.grantyear").count() == 2


def test_exported_amounts_are_exact(client, world, pp, decided):
    client.force_login(world.head)
    text = client.get(reverse("pupilpremium:export", args=["ledger", "csv"])).content.decode("utf-8-sig")
    amounts = [row[4] for row in csv.reader(io.StringIO(text))][1:]
    assert amounts == ["5260.00", "600.00"]
    book = load_workbook(io.BytesIO(client.get(reverse("pupilpremium:export", args=["ledger", "xlsx"])).content))
    cell = book.active["E3"]
    assert str(cell.value) == "600" and cell.number_format == '"£"#,##0.00'
    client.force_login(world.lead)
    assert client.get(reverse("pupilpremium:export", args=["ledger", "csv"])).status_code == 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("child_name", ["child_a", "child_b"])
def test_the_childs_pp_tab(client, world, pp, decided, role, child_name):
    child = getattr(world, child_name)
    client.force_login(world.users()[role])
    status = client.get(reverse("pupilpremium:child", args=[child.pk])).status_code
    visible = child_name in EXPECTED_VISIBLE[role]
    allowed = role in BUDGET_READERS | {"head", "lead", "dt_a", "dt_b"}
    assert status == (200 if visible and allowed else 404 if not visible else 403), (role, child_name, status)


def test_the_head_sets_up_a_year_from_the_pages(client, world):
    client.force_login(world.head)
    response = client.post(
        reverse("pupilpremium:year-create"),
        {"label": "2024-25", "basis": "academic", "rate": "", "eypp_rate": "", "allocation_model": "bands"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.force_login(world.manager)
    response = client.post(reverse("pupilpremium:year-create"), {"label": "2025-26", "basis": "academic"})
    assert response.status_code == 403


def test_reading_the_ledger_is_on_each_childs_audit_history(client, world, pp, decided):
    client.force_login(world.manager)
    client.get(reverse("pupilpremium:ledger"))
    event = AuditEvent.objects.filter(action="view", object_type="pupilpremium.ledgerentry").get()
    assert event.child_id == world.child_a.pk and event.actor == world.manager

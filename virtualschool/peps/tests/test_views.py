"""The PEP pages: each renders for the people who use it, refuses others, and keeps what was typed on a clash."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from virtualschool.peps import services
from virtualschool.peps.models import PepStatus

from .conftest import pep_ready_to_submit, section, smart_target


@pytest.fixture
def pep(world):
    pep = services.pep_create(actor=world.lead, child=world.child_a, academic_year=2026, term="autumn")
    services.target_save(actor=world.dt_a, pep=pep, data=smart_target())
    services.attainment_save(actor=world.dt_a, pep=pep, subject="Reading", current="Working towards", target="Expected")
    services.action_save(actor=world.dt_a, pep=pep, description="Book tutor", owner="DT", due_on=dt.date(2027, 1, 10))
    return pep


def test_every_page_renders_for_the_lead(client, world, pep):
    client.force_login(world.lead)
    pep.refresh_from_db()
    services.meeting_arrange(
        actor=world.lead,
        pep=pep,
        expected_version=pep.version,
        meeting_date=dt.date(2026, 12, 9),
        meeting_time=dt.time(14, 0),
        venue="Alderley Primary, room 2",
        mode="in_person",
        invitees="Mrs Patel, designated teacher, patel@example.org\nSam Carter, carer, sam@example.org",
    )
    target = pep.targets.get()
    for name, args in [
        ("peps:due", []),
        ("peps:qa", []),
        ("peps:child", [world.child_a.pk]),
        ("peps:create", [world.child_a.pk]),
        ("peps:care-review-new", [world.child_a.pk]),
        ("peps:detail", [pep.pk]),
        ("peps:your-part", [pep.pk]),
        ("peps:section", [pep.pk, "designated_teacher"]),
        ("peps:section", [pep.pk, "child_voice"]),
        ("peps:meeting", [pep.pk]),
        ("peps:meeting-record", [pep.pk]),
        ("peps:attainment-new", [pep.pk]),
        ("peps:prior-attainment-new", [pep.pk]),
        ("peps:target-new", [pep.pk]),
        ("peps:target", [pep.pk, target.pk]),
        ("peps:action-new", [pep.pk]),
        ("peps:summary", [pep.pk]),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, (name, response.status_code)
    ics = client.get(reverse("peps:ics", args=[pep.pk]))
    assert ics["Content-Type"].startswith("text/calendar")
    body = ics.content.decode()
    assert "BEGIN:VEVENT" in body and "DTSTART;TZID=Europe/London:20261209T140000" in body
    assert "mailto:patel@example.org" in body and "Testchild" not in body


def test_pdf_renders(client, world, pep):
    client.force_login(world.lead)
    response = client.get(reverse("peps:pdf", args=[pep.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    summary = client.get(reverse("peps:summary", args=[pep.pk]) + "?format=pdf")
    assert summary.content.startswith(b"%PDF")


def test_other_schools_teacher_gets_404_and_own_gets_their_part(client, world, pep):
    client.force_login(world.dt_b)
    assert client.get(reverse("peps:detail", args=[pep.pk])).status_code == 404
    assert (
        client.post(reverse("peps:section", args=[pep.pk, "designated_teacher"]), {"strengths": "x"}).status_code == 404
    )
    client.force_login(world.dt_a)
    assert client.get(reverse("peps:section", args=[pep.pk, "social_worker"])).status_code == 403
    page = client.get(reverse("peps:your-part", args=[pep.pk]))
    assert page.status_code == 200 and b"Designated teacher" in page.content and b"Social worker" not in page.content


def test_a_stale_save_redisplays_what_was_typed(client, world, pep):
    voice = section(pep, "child_voice")
    services.section_save(
        actor=world.sw_a, section=voice, answers={"views_on_school": "Saved first"}, expected_version=1
    )
    client.force_login(world.dt_a)
    response = client.post(
        reverse("peps:section", args=[pep.pk, "child_voice"]),
        {"views_on_school": "Typed second", "what_helps": "", "aspirations": "", "version": "1"},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this first" in html and "Saved first" in html and "Typed second" in html
    assert 'name="version" value="2"' in html
    voice.refresh_from_db()
    assert voice.answers["views_on_school"] == "Saved first"


def test_smart_challenge_on_the_page(client, world, pep):
    client.force_login(world.dt_a)
    response = client.post(
        reverse("peps:target-new", args=[pep.pk]), {"description": "Improve reading a lot", "version": ""}
    )
    html = response.content.decode()
    assert "There is a problem" in html and "The target has no measure" in html and "The target has no owner" in html
    check = client.get(reverse("peps:target-check", args=[pep.pk]), {"description": "Improve reading a lot"})
    assert b"The target has no date" in check.content


def test_submit_decide_and_version_pages(client, world):
    pep = pep_ready_to_submit(world)
    client.force_login(world.lead)
    client.post(reverse("peps:submit", args=[pep.pk]), {"version": pep.version})
    pep.refresh_from_db()
    assert pep.status == PepStatus.SUBMITTED
    client.force_login(world.head)
    response = client.post(
        reverse("peps:decide", args=[pep.pk]), {"decision": "approve", "rag": "red", "version": pep.version}
    )
    assert b"red PEP cannot be signed off" in response.content
    client.post(reverse("peps:decide", args=[pep.pk]), {"decision": "approve", "rag": "green", "version": pep.version})
    pep.refresh_from_db()
    assert pep.status == PepStatus.APPROVED
    assert client.get(reverse("peps:version", args=[pep.pk, 1])).status_code == 200
    page = client.get(reverse("peps:detail", args=[pep.pk])).content.decode()
    assert "RAG: Green" in page and "moj-timeline" in page


def test_the_pep_page_does_not_grow_with_history(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(pep):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("peps:detail", args=[pep.pk])).status_code == 200
        return len(captured)

    client.force_login(world.lead)
    first = services.pep_create(actor=world.lead, child=world.child_b, academic_year=2026, term="autumn")
    client.get(reverse("peps:detail", args=[first.pk]))  # the first request makes the policy rows
    alone = queries_for(first)
    for year, term in [(2024, "autumn"), (2024, "spring"), (2025, "summer"), (2025, "autumn")]:
        older = services.pep_create(actor=world.lead, child=world.child_b, academic_year=year, term=term)
        services.target_save(actor=world.lead, pep=older, data=smart_target())
    client.get(reverse("peps:detail", args=[first.pk]))
    assert queries_for(first) == alone


def test_proposal_care_review_delegation_and_qa_pages(client, world):
    from virtualschool.peps.models import PepProposal, QaReview
    from virtualschool.schools.tests.factories import SchoolStaffFactory

    services.proposal_receive(
        child=world.child_a, pep_type="emergency", trigger="suspension", reason="Suspended for 2 days.",
        raised_on=dt.date(2026, 11, 30), source_key="suspension:9",
    )  # fmt: skip
    proposal = PepProposal.objects.get()
    client.force_login(world.lead)
    tab = client.get(reverse("peps:child", args=[world.child_a.pk])).content.decode()
    assert "Suspended for 2 days." in tab and "Accept and create the PEP" in tab
    assert "Suspended for 2 days." in client.get(reverse("peps:due")).content.decode()
    response = client.post(reverse("peps:proposal-dismiss", args=[proposal.pk]), {"reason": ""})
    assert b"Say why no interim or emergency PEP is needed" in response.content
    response = client.post(reverse("peps:proposal-accept", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and response.url == reverse("peps:detail", args=[proposal.pep_id])

    response = client.post(
        reverse("peps:care-review-new", args=[world.child_a.pk]),
        {"review_date_0": "10", "review_date_1": "2", "review_date_2": "2027", "note": "Booked"},
    )
    assert response.status_code == 302
    assert "10 February 2027" in client.get(reverse("peps:child", args=[world.child_a.pk])).content.decode()

    colleague = SchoolStaffFactory(school=world.school_a, is_designated_teacher=False, user__username="mentor").user
    client.force_login(world.dt_a)
    response = client.post(
        reverse("peps:delegation-new"), {"delegate": colleague.pk, "children": [world.child_a.pk], "parts": ["targets"]}
    )
    assert response.status_code == 302
    from virtualschool.peps.models import Delegation

    delegation = Delegation.objects.get(delegate=colleague)
    assert delegation.parts == ["targets"] and list(delegation.children.all()) == [world.child_a]
    from django.utils.html import escape

    assert escape(str(colleague)) in client.get(reverse("peps:due")).content.decode()

    pep = services.pep_submit(actor=world.lead, pep=pep_ready_to_submit(world))
    client.force_login(world.head)
    data = {f"rating_{c}": "met" for c in ["child_voice", "smart_targets", "attainment", "ppplus_link", "attendance"]}
    response = client.post(reverse("peps:qa-form", args=[pep.pk]), {**data, "grade": "good", "feedback": "Well done"})
    assert b"Rate" in response.content and b"Actions named" in response.content  # the missing criterion
    response = client.post(
        reverse("peps:qa-form", args=[pep.pk]),
        {**data, "rating_actions": "met", "grade": "good", "feedback": "Well done"},
    )
    assert response.status_code == 302 and QaReview.objects.get(pep=pep).grade == "good"
    board = client.get(reverse("peps:qa")).content.decode()
    assert "Criteria most often failed" in board


def test_the_care_review_summary_fits_on_one_page(world, pep):
    from django.template.loader import render_to_string
    from weasyprint import HTML

    from virtualschool.peps.document import build_document
    from virtualschool.peps.selectors import pep_get

    full = pep_get(user=world.lead, pk=pep.pk)
    html = render_to_string("peps/summary_pdf.html", {"doc": build_document(full), "pep": full, "next_review": None})
    assert len(HTML(string=html).render().pages) == 1
    whole = render_to_string("peps/pdf.html", {"doc": build_document(full)})
    assert len(HTML(string=whole).render().pages) >= 2

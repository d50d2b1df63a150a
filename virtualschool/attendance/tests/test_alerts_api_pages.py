from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from virtualschool.api.tests.conftest import BASE, issue_token
from virtualschool.attendance import alerts
from virtualschool.attendance.models import AttendanceMark, AttendanceUpload
from virtualschool.attendance.records import attendance_record_summary
from virtualschool.attendance.services import import_attendance, propose_pep_reviews, send_attendance_summaries
from virtualschool.attendance.tasks import send_attendance_summaries as summary_task
from virtualschool.children.models import Child
from virtualschool.core.calendar import school_calendar
from virtualschool.core.models import Notification
from virtualschool.core.signals import pep_review_proposed

from .conftest import TODAY, csv_bytes

A, B = "A999000000001", "B999000000002"


def weekdays(start: dt.date, end: dt.date) -> list[dt.date]:
    return school_calendar().school_days(start, end)


def write(lines: list[str], today: dt.date = TODAY) -> None:
    import_attendance(io.BytesIO(csv_bytes("upn,date,am,pm", *lines)), actor=None, system=True, today=today)


def everyone() -> Any:
    return Child.objects.all()


def test_first_day_absences_name_the_child_the_evidence_and_who_calls(att: Any) -> None:
    write([f"{A},2026-11-19,/,\\", f"{A},2026-11-20,N,N", f"{B},2026-11-19,I,I", f"{B},2026-11-20,I,I"])
    found = alerts.first_day_absences(everyone(), TODAY)
    assert [a.child for a in found] == [att.child_a]
    assert "AM N (reason for absence not yet established)" in found[0].evidence
    assert att.lead.full_name in found[0].act and "call the carer and the school today" in found[0].act


def year_of(upn: str, absent_every: int = 0, recent_absent: int = 0) -> list[str]:
    days = weekdays(dt.date(2026, 9, 1), TODAY)
    lines = []
    for n, day in enumerate(days):
        absent = (absent_every and n % absent_every == 0) or (recent_absent and n >= len(days) - 20 and n % 5 < 2)
        lines.append(f"{upn},{day.isoformat()},{'I,I' if absent else '/,\\'}")
    return lines


def test_below_the_threshold_and_falling_are_told_apart(att: Any) -> None:
    write(year_of(A, absent_every=4) + year_of(B, recent_absent=1))
    low, falling = alerts.threshold_alerts(everyone(), TODAY)
    assert [a.child for a in low] == [att.child_a]
    assert "below 85 %" in low[0].evidence and "review the PEP" in low[0].act
    assert [a.child for a in falling] == [att.child_b]
    assert "last four weeks" in falling[0].evidence


def test_a_run_of_n_and_o_marks_may_mean_missing_education(att: Any) -> None:
    days = weekdays(dt.date(2026, 11, 2), TODAY)
    lines = [f"{A},{d.isoformat()},{'N,O' if d >= dt.date(2026, 11, 16) else '/,\\'}" for d in days]
    lines += [f"{B},{d.isoformat()},{'N,N' if d >= dt.date(2026, 11, 18) else '/,\\'}" for d in days]
    write(lines)
    found = alerts.missing_runs(everyone(), TODAY)
    assert [a.child for a in found] == [att.child_a]  # ten sessions; Ben's six are not yet a run
    assert found[0].evidence.startswith("10 consecutive sessions marked N or O since the AM session of 16 November")


def test_attendance_below_the_threshold_proposes_an_emergency_pep_review_with_a_stable_key(att: Any) -> None:
    sent: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        sent.append(kwargs)

    pep_review_proposed.connect(receiver)
    try:
        write(year_of(A, absent_every=4) + year_of(B))
        propose_pep_reviews(None, today=TODAY)
    finally:
        pep_review_proposed.disconnect(receiver)
    assert {s["child"] for s in sent} == {att.child_a}
    term = school_calendar().term_for(TODAY)
    assert {s["source_key"] for s in sent} == {f"attendance-below-threshold:{att.child_a.pk}:{term.key}"}
    assert all(s["pep_type"] == "emergency" and s["trigger"] == "attendance-below-threshold" for s in sent)
    assert "below 85 %" in sent[0]["reason"] and sent[0]["raised_on"] == TODAY


def test_the_end_of_day_summary_tells_each_social_worker_and_lead_once(att: Any) -> None:
    write([f"{A},2026-11-20,I,I", f"{B},2026-11-20,/,N"])
    assert send_attendance_summaries(TODAY) == 3  # sw_a, sw_b and the lead of both
    assert send_attendance_summaries(TODAY) == 0
    summary_task.enqueue("2026-11-20")
    call_command("send_attendance_summaries", "--date", "2026-11-20", stdout=io.StringIO())
    notes = Notification.objects.filter(key="attendance-summary:2026-11-20")
    assert sorted(n.recipient.username for n in notes) == sorted(["sw_a", "sw_b", att.lead.username])
    lead_note = notes.get(recipient=att.lead)
    assert "Ava Testchild: AM I" in lead_note.body and "Ben Otherchild: PM N" in lead_note.body


def test_the_record_summary_gives_the_pep_its_period(att: Any) -> None:
    write(year_of(A, absent_every=4))
    summary = attendance_record_summary(att.child_a, dt.date(2026, 9, 1), TODAY)
    assert summary is not None and summary.key == "attendance"
    lines = {line.label: line.value for line in summary.lines}
    assert lines["Attendance"].endswith("%") and any("below 85 %" in c for c in summary.concerns)
    assert attendance_record_summary(att.child_b, dt.date(2026, 9, 1), TODAY) is None


def test_the_command_prints_one_json_summary(att: Any, tmp_path: Any) -> None:
    path = tmp_path / "marks.csv"
    path.write_bytes(csv_bytes("upn,date,session,code", f"{A},2026-11-16,AM,/", f"{A},2026-11-16,PM,F"))
    out = io.StringIO()
    call_command("import_attendance", str(path), "--user", "data", "--json", stdout=out)
    import json

    data = json.loads(out.getvalue())
    assert (data["created"], data["rejected"], data["rejects"][0]["row"]) == (1, 1, 3)


# --- API -------------------------------------------------------------------------------------------------------


def bearer(user: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(user)}"}


def test_the_api_imports_a_multipart_file_or_a_csv_body(att: Any) -> None:
    client = Client()
    today = dt.date.today()
    day = school_calendar().latest_school_day(today - dt.timedelta(days=1)).isoformat()
    upload = io.BytesIO(csv_bytes("upn,date,session,code", f"{A},{day},AM,/"))
    upload.name = "marks.csv"
    response = client.post(f"{BASE}/attendance/", {"file": upload}, headers=bearer(att.data))
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 1 and response.json()["file"] == "marks.csv"
    body = csv_bytes("upn,date,session,code", f"{A},{day},AM,L", f"{B},{day},AM,/")
    response = client.post(f"{BASE}/attendance/", body, content_type="text/csv", headers=bearer(att.dt_a))
    data = response.json()
    assert (data["updated"], data["rejected"], data["rejects"][0]["row"]) == (1, 1, 3)
    bad = client.post(f"{BASE}/attendance/", b"nonsense\n", content_type="text/csv", headers=bearer(att.data))
    assert bad.status_code == 422 and "must have the columns" in bad.json()["errors"]["file"][0]
    refused = client.post(f"{BASE}/attendance/", body, content_type="text/csv", headers=bearer(att.sw_a))
    assert refused.status_code == 403


def test_the_api_gives_a_childs_figures_for_a_range_and_hides_children_out_of_scope(att: Any) -> None:
    day = school_calendar().latest_school_day(dt.date.today() - dt.timedelta(days=1))
    write([f"{A},{day.isoformat()},/,I"], today=dt.date.today())
    client = Client()
    url = f"{BASE}/children/{att.child_a.pk}/attendance"
    data = client.get(url, {"start": day.isoformat(), "end": day.isoformat()}, headers=bearer(att.sw_a)).json()
    assert data["possible_sessions"] == 2 and data["present"] == 1 and data["authorised_absence"] == 1
    assert data["attendance_percent"] == 50.0 and data["severe_absence"] is True
    assert client.get(url, headers=bearer(att.dt_b)).status_code == 404
    wrong = client.get(url, {"start": "2026-11-20", "end": "2026-11-01"}, headers=bearer(att.sw_a))
    assert wrong.status_code == 422


# --- pages -----------------------------------------------------------------------------------------------------


@pytest.fixture
def marked(att: Any) -> Any:
    today = dt.date.today()
    days = weekdays(dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1), today)
    lines = [f"{A},{d.isoformat()},{'N,N' if n % 3 == 0 else '/,\\'}" for n, d in enumerate(days)]
    write(lines, today=today)
    return att


def test_the_childs_attendance_tab_shows_figures_a_calendar_and_a_chart(client: Any, marked: Any) -> None:
    client.force_login(marked.lead)
    response = client.get(reverse("attendance:child", args=[marked.child_a.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="attendance-figures"' in html and 'data-testid="attendance-calendar"' in html
    assert "<svg" in html and 'role="img"' in html and "Reason for absence not yet established" in html
    assert 'aria-current="page"' in html and ">Attendance<" in html
    bad = client.get(reverse("attendance:child", args=[marked.child_a.pk]), {"start": "x", "end": "2026-01-01"})
    assert "Enter the start date as a real date" in bad.content.decode()
    ranged = client.get(
        reverse("attendance:child", args=[marked.child_a.pk]), {"start": "2025-09-01", "end": "2025-09-30"}
    )
    assert ranged.status_code == 200 and "1 September 2025 to 30 September 2025" in ranged.content.decode()


def test_the_dashboard_filters_and_lists_alerts(client: Any, marked: Any) -> None:
    client.force_login(marked.lead)
    response = client.get(reverse("attendance:dashboard"))
    html = response.content.decode()
    assert response.status_code == 200 and "moj-filter-layout" in html
    assert 'data-testid="below-threshold"' in html and "Ava Testchild" in html
    filtered = client.get(reverse("attendance:dashboard"), {"school": str(marked.school_b.urn), "period": "term"})
    assert filtered.status_code == 200 and "Ava Testchild</a>" not in filtered.content.decode()
    client.force_login(marked.dt_b)
    assert "Ava Testchild" not in client.get(reverse("attendance:dashboard")).content.decode()
    client.force_login(marked.panel)
    assert client.get(reverse("attendance:dashboard")).status_code == 403


def test_the_upload_page_imports_in_the_background_and_shows_the_result(client: Any, att: Any) -> None:
    client.force_login(att.data)
    assert client.get(reverse("attendance:upload")).status_code == 200
    day = school_calendar().latest_school_day(dt.date.today() - dt.timedelta(days=1)).isoformat()
    upload = io.BytesIO(csv_bytes("upn,date,am,pm", f"{A},{day},/,\\", f"Z999999999999,{day},/,\\"))
    upload.name = "week.csv"
    response = client.post(reverse("attendance:upload"), {"file": upload})
    record = AttendanceUpload.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("attendance:upload-status", args=[record.pk])
    assert record.status == "done" and record.summary["created"] == 2 and record.percent == 100
    page = client.get(response["Location"]).content.decode()
    assert "2 new, 0 corrected, 0 unchanged, 2 rejected" in page and "No child on the roll has this UPN." in page
    progress = client.get(reverse("attendance:upload-progress", args=[record.pk])).json()
    assert progress["finished"] and progress["percent"] == 100
    assert AttendanceMark.objects.count() == 2
    client.force_login(att.head)  # another person's upload is not theirs to see
    assert client.get(reverse("attendance:upload-status", args=[record.pk])).status_code == 404


def test_the_upload_page_says_what_is_wrong_with_a_file(client: Any, att: Any) -> None:
    client.force_login(att.data)
    bad = io.BytesIO(b"name,when\nx,y\n")
    bad.name = "wrong.csv"
    response = client.post(reverse("attendance:upload"), {"file": bad}, follow=True)
    assert "The file was not imported" in response.content.decode()
    text = io.BytesIO(b"hello")
    text.name = "notes.txt"
    again = client.post(reverse("attendance:upload"), {"file": text})
    assert "must be a CSV file" in again.content.decode()
    client.force_login(att.sw_a)
    assert client.get(reverse("attendance:upload")).status_code == 403


def test_the_policy_numbers_change_through_the_admin_and_are_audited(client: Any, att: Any) -> None:
    from decimal import Decimal

    from virtualschool.attendance.figures import policy_get
    from virtualschool.core.models import AuditEvent

    att.admin.is_staff = True
    att.admin.save(update_fields=["is_staff"])
    client.force_login(att.admin)
    url = reverse("admin:attendance_attendancepolicy_change", args=[policy_get().pk])
    form = {
        "alert_below_percent": "90",
        "falling_points": "5",
        "persistent_absence_percent": "10",
        "severe_absence_percent": "50",
        "missing_run_sessions": "8",
        "minimum_possible_sessions": "10",
    }
    assert client.post(url, form).status_code == 302
    policy = policy_get()
    assert policy.alert_below_percent == Decimal("90") and policy.missing_run_sessions == 8
    event = AuditEvent.objects.get(object_type="attendance.attendancepolicy")
    assert event.changes["missing_run_sessions"] == [10, 8]


@pytest.mark.django_db
def test_opening_a_childs_attendance_tab_is_in_their_audit_history(client, world):
    from django.urls import reverse

    from virtualschool.core.models import AuditEvent

    client.force_login(world.sw_a)
    assert client.get(reverse("attendance:child", args=[world.child_a.pk])).status_code == 200
    assert AuditEvent.objects.filter(child_id=world.child_a.pk, action="view", context__page="attendance").exists()

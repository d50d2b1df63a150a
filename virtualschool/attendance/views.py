"""Attendance pages: a child's marks and figures, the cohort dashboard with its alerts, and the upload page."""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from virtualschool.children import services as child_services
from virtualschool.children.forms import RollFilterForm
from virtualschool.children.views import child_or_404, child_page_context
from virtualschool.core.calendar import add_months, school_calendar
from virtualschool.core.selectors import policy_get as service_policy_get
from virtualschool.placements.selectors import RollFilters, roll_search

from . import alerts, codes
from .chart import attendance_trend_svg
from .figures import (
    Counts,
    Period,
    counts_by_child,
    group_figures,
    marks_between,
    monthly_counts,
    named_period,
    policy_get,
    year_to_date,
)
from .models import AttendanceUpload, Session

PERIODS = [("year", "Academic year to date"), ("term", "This term to date"), ("four_weeks", "Last four weeks")]
CLASS_TAGS = {
    codes.MarkClass.PRESENT: "govuk-tag--green",
    codes.MarkClass.APPROVED_ACTIVITY: "govuk-tag--turquoise",
    codes.MarkClass.AUTHORISED: "govuk-tag--yellow",
    codes.MarkClass.UNAUTHORISED: "govuk-tag--red",
    codes.MarkClass.NOT_POSSIBLE: "govuk-tag--grey",
}


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def _period_from(request: HttpRequest, today: dt.date) -> tuple[Period, list[str]]:
    """The period asked for: a named one (?period=) or a range (?start=&end=), with errors to show."""
    errors: list[str] = []
    start_text, end_text = request.GET.get("start", ""), request.GET.get("end", "")
    if start_text or end_text:
        start, end = _date(start_text), _date(end_text)
        if start is None:
            errors.append("Enter the start date as a real date, for example 2026-09-01.")
        if end is None:
            errors.append("Enter the end date as a real date, for example 2026-12-18.")
        if start and end and end < start:
            errors.append("The end date must be the same as or after the start date.")
        if not errors and start and end:
            return Period("custom", "Chosen dates", start, end), []
    return named_period(request.GET.get("period", "year"), today), errors


@dataclass
class DayCell:
    day: dt.date | None
    am: str = ""
    pm: str = ""
    school_day: bool = False

    @property
    def am_tag(self) -> str:
        return CLASS_TAGS[codes.CLASS_OF[self.am]] if self.am in codes.CLASS_OF else ""

    @property
    def pm_tag(self) -> str:
        return CLASS_TAGS[codes.CLASS_OF[self.pm]] if self.pm in codes.CLASS_OF else ""

    @property
    def am_meaning(self) -> str:
        return codes.meaning(self.am) if self.am else ""

    @property
    def pm_meaning(self) -> str:
        return codes.meaning(self.pm) if self.pm else ""


def _month_grid(child_id: int, month: dt.date) -> tuple[list[list[DayCell]], list[str]]:
    """Weeks (Monday to Friday) of the month with each day's marks, and the codes used in it."""
    last = add_months(month, 1) - dt.timedelta(days=1)
    marks = marks_between(child_id, month, last)
    calendar = school_calendar()
    weeks: list[list[DayCell]] = []
    used: set[str] = set()
    for week in month_calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month):
        row = []
        for day in week[:5]:
            if day.month != month.month:
                row.append(DayCell(None))
                continue
            am, pm = marks.get((day, Session.AM), ""), marks.get((day, Session.PM), "")
            used.update(code for code in (am, pm) if code)
            row.append(DayCell(day, am, pm, calendar.is_school_day(day)))
        if any(cell.day for cell in row):
            weeks.append(row)
    return weeks, sorted(used)


def _figure_rows(counts: Counts) -> list[tuple[str, str, str]]:
    def pct(value: float | None) -> str:
        return "–" if value is None else f"{value} %"

    return [
        ("Possible sessions", str(counts.possible), ""),
        ("Present", str(counts.present), ""),
        ("Attending an approved educational activity", str(counts.aea), ""),
        ("Attendance", f"{counts.attended}", pct(counts.attendance_percent)),
        ("Authorised absence", str(counts.authorised), pct(counts.authorised_percent)),
        ("Unauthorised absence", str(counts.unauthorised), pct(counts.unauthorised_percent)),
        ("Overall absence", str(counts.absent), pct(counts.absence_percent)),
        ("Not possible sessions (not counted)", str(counts.not_possible), ""),
    ]


@login_required
def child_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """A child's attendance: figures for a period, a month calendar of marks and a trend chart."""
    child = child_or_404(request, pk)
    today = timezone.localdate()
    policy = policy_get()
    period, errors = _period_from(request, today)
    counts = counts_by_child([child.pk], period.start, min(period.end, today), today=today).get(child.pk, Counts())
    month = period.end.replace(day=1) if period.end <= today else today.replace(day=1)
    chosen = request.GET.get("month", "")
    if chosen:
        parsed = _date(f"{chosen}-01")
        if parsed is not None:
            month = parsed
    weeks, used = _month_grid(child.pk, month)
    year = year_to_date(today if period.end >= today else period.end)
    months = monthly_counts(child.pk, year.start, year.end)
    threshold = float(policy.alert_below_percent)
    chart = attendance_trend_svg(
        months,
        threshold=threshold,
        label=f"Chart of {child.display_name}'s attendance by month. The table below the chart gives every figure.",
    )
    base = reverse("attendance:child", args=[child.pk])
    keep = f"&start={period.start.isoformat()}&end={period.end.isoformat()}"
    context = {
        **child_page_context(request, child, "attendance", today),
        "period": period,
        "periods": [(key, label, f"{base}?period={key}") for key, label in PERIODS],
        "errors": errors,
        "counts": counts,
        "figure_rows": _figure_rows(counts),
        "persistent": counts.is_persistent_absence(policy.persistent_absence_percent),
        "severe": counts.is_severe_absence(policy.severe_absence_percent),
        "below": bool(counts.possible) and counts.attended * 100 < threshold * counts.possible,
        "policy": policy,
        "month": month,
        "weeks": weeks,
        "legend": [codes.CODE_BY_VALUE[c] for c in used],
        "previous_month": f"{base}?month={add_months(month, -1):%Y-%m}{keep}",
        "next_month": f"{base}?month={add_months(month, 1):%Y-%m}{keep}" if add_months(month, 1) <= today else "",
        "chart": chart,
        "months": [(m, c) for m, c in months if c.possible],
        "all_codes": codes.CODES,
        "class_tags": CLASS_TAGS,
    }
    child_services.child_record_view(actor=request.user, child=child, page="attendance")
    return render(request, "attendance/child.html", context)


class DashboardFilterForm(RollFilterForm):
    """The roll's filters that the dashboard offers: school, lead, year group, in or out of area."""

    PANEL = [("lead", "select"), ("school", "text"), ("year", "select"), ("area", "radios")]
    period = forms.ChoiceField(choices=PERIODS, required=False)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Cohort attendance for the children the user may see, filtered, with today's alerts."""
    if not request.user.has_perm("attendance.view_dashboard"):
        raise PermissionDenied("You do not have permission to see attendance.")
    today = timezone.localdate()
    policy = policy_get()
    form = DashboardFilterForm(request.GET, user=request.user)
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    filters = RollFilters(
        lead_id=cleaned.get("lead"),
        school_id=form.school_found.pk if form.school_found is not None else None,
        year_group=cleaned.get("year"),
        in_area={"in": True, "out": False}.get(cleaned.get("area") or ""),
        status="open",
    )
    children = roll_search(user=request.user, filters=filters, home_la_code=service_policy_get().la_code, on=today)
    period = named_period(cleaned.get("period") or "year", today)
    by_child = counts_by_child(children, period.start, period.end, today=today)
    group = group_figures(by_child, policy)
    low, falling = alerts.threshold_alerts(children, today, policy)
    rows = sorted(
        ((counts, pk) for pk, counts in by_child.items() if counts.possible),
        key=lambda item: (item[0].missing_share() * -1, item[1]),
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    shown = {c.pk: c for c in children.filter(pk__in=[pk for _, pk in page.object_list])}
    selected = []
    query = request.GET.copy()
    for name, label in (
        ("lead", "Virtual School Lead"),
        ("school", "School"),
        ("year", "Year group"),
        ("area", "Area"),
    ):
        value = request.GET.get(name)
        if value and name in form.fields:
            without = query.copy()
            without.pop(name, None)
            without.pop("page", None)
            text = dict(form.fields[name].choices).get(value, value) if hasattr(form.fields[name], "choices") else value
            if name == "year":
                text = {str(k): v for k, v in form.fields[name].choices}.get(value, value)
            selected.append({"heading": label, "text": text, "href": f"?{without.urlencode()}"})
    context = {
        "form": form,
        "filter_fields": form.panel(),
        "selected_filters": selected,
        "clear_href": reverse("attendance:dashboard"),
        "period": period,
        "periods": PERIODS,
        "group": group,
        "group_rows": _figure_rows(group.counts),
        "first_day": alerts.first_day_absences(children, today),
        "low": low,
        "falling": falling,
        "missing": alerts.missing_runs(children, today, policy),
        "page_obj": page,
        "rows": [
            {
                "child": shown[pk],
                "counts": counts,
                "persistent": counts.is_persistent_absence(policy.persistent_absence_percent),
                "severe": counts.is_severe_absence(policy.severe_absence_percent),
            }
            for counts, pk in page.object_list
            if pk in shown
        ],
        "policy": policy,
        "today": today,
        "can_upload": request.user.has_perm("attendance.import_attendance"),
    }
    return render(request, "attendance/dashboard.html", context)


class UploadForm(forms.Form):
    file = forms.FileField(label="Attendance file (CSV)")
    dry_run = forms.BooleanField(label="Check the file only: import nothing", required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("The selected file must be a CSV file (ending .csv).")
        if upload.size == 0:
            raise forms.ValidationError("The selected file is empty.")
        return upload


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """Upload a file of marks; it is imported by a background task while the next page shows its progress."""
    if not request.user.has_perm("attendance.import_attendance"):
        raise PermissionDenied("You do not have permission to import attendance.")
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        from .tasks import import_upload

        handle = form.cleaned_data["file"]
        stored = default_storage.save(f"attendance-uploads/{uuid.uuid4().hex}.csv", handle)
        record = AttendanceUpload.objects.create(
            uploaded_by=request.user,
            file_name=handle.name[:255],
            stored_name=stored,
            size=handle.size,
            dry_run=form.cleaned_data["dry_run"],
        )
        import_upload.enqueue(record.pk)
        return redirect("attendance:upload-status", pk=record.pk)
    recent = AttendanceUpload.objects.filter(uploaded_by=request.user)[:10]
    return render(request, "attendance/upload.html", {"form": form, "recent": recent})


def _own_upload(request: HttpRequest, pk: int) -> AttendanceUpload:
    return get_object_or_404(AttendanceUpload, pk=pk, uploaded_by=request.user)


@login_required
def upload_status(request: HttpRequest, pk: int) -> HttpResponse:
    record = _own_upload(request, pk)
    return render(request, "attendance/upload_status.html", {"upload": record, "summary": record.summary})


@login_required
def upload_progress(request: HttpRequest, pk: int) -> JsonResponse:
    record = _own_upload(request, pk)
    return JsonResponse(
        {
            "status": record.status,
            "status_label": record.get_status_display(),
            "percent": record.percent,
            "finished": record.status in {AttendanceUpload.Status.DONE, AttendanceUpload.Status.FAILED},
        }
    )

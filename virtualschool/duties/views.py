"""Pages: My work, the compliance view and the list behind each figure, a child's duties, the rules."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from virtualschool.children import services as child_services
from virtualschool.children.views import child_or_404, child_page_context
from virtualschool.core.selectors import policy_get
from virtualschool.schools.models import School

from . import selectors
from .engine import rule_statuses, settings_get
from .models import DutyRule, State


def my_work(request: HttpRequest) -> HttpResponse:
    """What is overdue and what is due this week across the signed-in person's caseload."""
    if not request.user.has_perm("duties.view_duties"):
        raise PermissionDenied("You do not have permission to see duties.")
    mine_only = request.GET.get("mine") == "1"
    overdue = selectors.overdue_for(user=request.user, mine_only=mine_only)
    due_soon = selectors.due_soon_for(user=request.user, mine_only=mine_only)
    return render(
        request,
        "duties/my_work.html",
        {
            "overdue": overdue,
            "due_soon": due_soon,
            "mine_only": mine_only,
            "today": timezone.localdate(),
            "due_soon_days": settings_get().due_soon_days,
            "can_view_compliance": request.user.has_perm("duties.view_compliance"),
        },
    )


def _period(request: HttpRequest, today: dt.date) -> tuple[dt.date, dt.date, str]:
    start, end = selectors.default_period(today)
    error = ""
    try:
        if request.GET.get("from"):
            start = dt.date.fromisoformat(request.GET["from"])
        if request.GET.get("to"):
            end = dt.date.fromisoformat(request.GET["to"])
    except ValueError:
        error = "Enter the period's dates as YYYY-MM-DD, for example 2026-09-01."
        start, end = selectors.default_period(today)
    if start > end:
        error = "The start of the period must be on or before its end."
        start, end = selectors.default_period(today)
    return start, end, error


def _group_labels(by: str, values: set[Any], la_code: str) -> dict[Any, str]:
    if by == "lead":
        people = get_user_model().objects.filter(pk__in=[v for v in values if v is not None])
        labels: dict[Any, str] = {p.pk: p.full_name or p.username for p in people}
        labels[None] = "Not allocated"
        return labels
    if by == "school":
        schools = School.objects.filter(pk__in=[v for v in values if v is not None]).values_list("pk", "name")
        labels = dict[Any, str](schools)
        labels[None] = "No school"
        return labels
    return {True: "In area", False: "Out of area", None: "No school or area not known"}


BY_CHOICES = [
    ("", "No breakdown"),
    ("lead", "Virtual School Lead"),
    ("school", "School"),
    ("area", "In or out of area"),
]


def compliance(request: HttpRequest) -> HttpResponse:
    """For each duty, the share met on time in the period, optionally by lead, school or area."""
    if not request.user.has_perm("duties.view_compliance"):
        raise PermissionDenied("Only the Virtual School Head and those who report for them see compliance.")
    today = timezone.localdate()
    start, end, error = _period(request, today)
    by = request.GET.get("by", "")
    if by not in selectors.GROUPS:
        by = ""
    entries = selectors.compliance(user=request.user, start=start, end=end, by=by)
    values = {value for entry in entries for value in entry.groups}
    labels = _group_labels(by, values, policy_get().la_code) if by else {}
    base = {"from": start.isoformat(), "to": end.isoformat()}
    rows = []
    for entry in entries:
        link = {**base, "rule": entry.rule.slug}
        groups = [
            {
                "label": labels.get(value, str(value)),
                "figure": figure,
                "query": urlencode({**link, "by": by, "value": "" if value is None else str(value).lower()}),
            }
            for value, figure in sorted(entry.groups.items(), key=lambda kv: labels.get(kv[0], str(kv[0])))
        ]
        rows.append({"entry": entry, "query": urlencode(link), "groups": groups})
    not_measured = [status for status in rule_statuses() if not status.measured]
    return render(
        request,
        "duties/compliance.html",
        {
            "rows": rows,
            "start": start,
            "end": end,
            "by": by,
            "by_choices": BY_CHOICES,
            "error": error,
            "not_measured": not_measured,
        },
    )


def _value(by: str, raw: str) -> Any:
    if raw == "":
        return None
    if by == "area":
        if raw not in {"true", "false"}:
            raise Http404("Unknown area.")
        return raw == "true"
    try:
        return int(raw)
    except ValueError:
        raise Http404("Unknown group.") from None


def compliance_list(request: HttpRequest) -> HttpResponse:
    """The duties behind one figure of the compliance view."""
    if not request.user.has_perm("duties.view_compliance"):
        raise PermissionDenied("Only the Virtual School Head and those who report for them see compliance.")
    today = timezone.localdate()
    start, end, error = _period(request, today)
    try:
        rule = DutyRule.objects.get(slug=request.GET.get("rule", ""))
    except DutyRule.DoesNotExist:
        raise Http404("No duty has that name.") from None
    by = request.GET.get("by", "")
    if by not in selectors.GROUPS:
        by = ""
    value = _value(by, request.GET.get("value", "")) if by else None
    outcome = request.GET.get("outcome", "decided")
    if outcome not in selectors.OUTCOMES:
        outcome = "decided"
    duties = list(
        selectors.compliance_list(
            user=request.user, rule=rule, start=start, end=end, by=by, value=value, outcome=outcome
        )[:2000]
    )
    label = ""
    if by:
        label = _group_labels(by, {value}, policy_get().la_code).get(value, str(value))
    query = {"from": start.isoformat(), "to": end.isoformat(), "rule": rule.slug}
    if by:
        query.update({"by": by, "value": request.GET.get("value", "")})
    outcome_links = [
        {"key": key, "label": text, "query": urlencode({**query, "outcome": key}), "current": key == outcome}
        for key, text in (("decided", "All"), ("on_time", "Met on time"), ("late", "Met late"), ("overdue", "Overdue"))
    ]
    return render(
        request,
        "duties/compliance_list.html",
        {
            "rule": rule,
            "duties": duties,
            "start": start,
            "end": end,
            "group_label": label,
            "by_label": dict(BY_CHOICES).get(by, ""),
            "outcome_links": outcome_links,
            "back_query": urlencode({"from": start.isoformat(), "to": end.isoformat(), "by": by}),
            "error": error,
        },
    )


def child_duties(request: HttpRequest, pk: int) -> HttpResponse:
    """A child's duties: each clock, its due date and state, and the duties not yet measured."""
    child = child_or_404(request, pk)
    today = timezone.localdate()
    duties = list(selectors.duties_for_child(user=request.user, child=child))
    open_states = {State.OVERDUE, State.DUE, State.UPCOMING}
    context: dict[str, Any] = child_page_context(request, child, "duties", today)
    context.update(
        {
            "open_duties": [d for d in duties if d.state in open_states],
            "met_duties": [d for d in duties if d.state not in open_states],
            "not_measured": [status for status in rule_statuses() if not status.measured],
        }
    )
    child_services.child_record_view(actor=request.user, child=child, page="duties")
    return render(request, "duties/child_duties.html", context)


def rule_list(request: HttpRequest) -> HttpResponse:
    """Every duty rule: what starts the clock, how long, who owns it, what meets it, and whether it is measured."""
    if not request.user.has_perm("duties.view_duties"):
        raise PermissionDenied("You do not have permission to see duties.")
    return render(request, "duties/rules.html", {"statuses": rule_statuses(DutyRule.objects.all())})

"""Pages about children: the roll and caseload, a child's record, placements, care and audit history.

Every read goes through a selector scoped to the signed-in user (out of scope answers 404) and every
write through a service (which checks permission and records the audit event).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.text import capfirst
from django.views.decorators.http import require_http_methods, require_POST

from virtualschool.accounts.models import WHOLE_ROLL_ROLES
from virtualschool.core import extensions
from virtualschool.core.models import AuditEvent
from virtualschool.core.selectors import audit_events_for_child, policy_get
from virtualschool.placements.models import EducationPlacement
from virtualschool.placements.selectors import (
    ROLL_SORTS,
    RollFilters,
    children_missing_education,
    days_without_education,
    placements_for_child,
    roll_order,
    roll_search,
)
from virtualschool.schools.selectors import designated_teachers_by_school, school_names_by_id

from . import codes
from . import services as child_services
from .exports import csv_lines, csv_response, roll_rows
from .forms import (
    AREA_CHOICES,
    COHORT_CHOICES,
    SEND_FILTER_CHOICES,
    STATUS_CHOICES,
    ChildCloseForm,
    ChildForm,
    RollFilterForm,
    apply_service_errors,
    year_group_label,
)
from .models import Child, Cohort
from .selectors import care_episodes_for_child, child_get, child_record_get, people_names_by_id

ROLL_PAGE_SIZE = 50
HISTORY_PAGE_SIZE = 25

ROLL_COLUMNS = [
    ("name", "Name"),
    ("ref", "Reference"),
    ("year", "Year"),
    ("school", "School or setting"),
    ("legal_status", "Legal status"),
    ("lead", "Virtual School Lead"),
]


# ---------------------------------------------------------------------------------------------------------
# Lists: the roll and the caseload
# ---------------------------------------------------------------------------------------------------------


@dataclass
class RollState:
    """What a roll list request asked for, checked."""

    form: RollFilterForm
    filters: RollFilters
    sort: str
    descending: bool
    caseload: bool


def _querystring(params: QueryDict, **changes: Any) -> str:
    """The query string with `changes` applied (None removes a key); the page number always resets."""
    query = params.copy()
    query.pop("page", None)
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = str(value)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def _roll_state(request: HttpRequest, *, caseload: bool) -> RollState:
    data = request.GET.copy()
    if not data.get("status"):
        data["status"] = "open"
    form = RollFilterForm(data, user=request.user, with_lead=not caseload)
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    # A caseload is the lead's own allocation; people outside the Virtual School see their own children anyway.
    own_caseload = request.user.pk if request.user.role in WHOLE_ROLL_ROLES else None
    lead_id = own_caseload if caseload else cleaned.get("lead")
    filters = RollFilters(
        query=cleaned.get("q") or "",
        lead_id=lead_id,
        school_id=form.school_found.pk if form.school_found is not None else None,
        year_group=cleaned.get("year"),
        legal_status=cleaned.get("legal_status") or "",
        in_area={"in": True, "out": False}.get(cleaned.get("area") or ""),
        send=cleaned.get("send") or "",
        cohort=cleaned.get("cohort") or "",
        status=cleaned.get("status") or "open",
        upn_needs_correction=True if cleaned.get("upn") else None,
    )
    sort = request.GET.get("sort", "name")
    if sort not in ROLL_SORTS:
        sort = "name"
    return RollState(
        form=form, filters=filters, sort=sort, descending=request.GET.get("order") == "desc", caseload=caseload
    )


def _roll_queryset(request: HttpRequest, state: RollState, on: dt.date) -> Any:
    policy = policy_get()
    qs = roll_search(user=request.user, filters=state.filters, home_la_code=policy.la_code, on=on)
    return policy, roll_order(qs, sort=state.sort, descending=state.descending, on=on)


def _selected_filters(request: HttpRequest, state: RollState) -> list[dict[str, Any]]:
    """The filters in use, each with a link that removes it (the MOJ filter's 'selected filters')."""
    form = state.form
    cleaned = getattr(form, "cleaned_data", {})
    chosen: list[tuple[str, str, str]] = []
    if cleaned.get("q"):
        chosen.append(("q", "Search", cleaned["q"]))
    if "lead" in form.fields and cleaned.get("lead"):
        label = dict(form.fields["lead"].choices).get(str(cleaned["lead"]), "")  # type: ignore[attr-defined]
        chosen.append(("lead", "Virtual School Lead", label))
    if form.school_found is not None:
        chosen.append(("school", "School", form.school_found.name))
    if cleaned.get("year") is not None:
        chosen.append(("year", "Year group", year_group_label(cleaned["year"])))
    if cleaned.get("legal_status"):
        chosen.append(("legal_status", "Legal status", codes.LEGAL_STATUS.get(cleaned["legal_status"], "")))
    for key, heading, choices in (
        ("area", "School area", AREA_CHOICES),
        ("send", "SEND", SEND_FILTER_CHOICES),
        ("cohort", "Cohort", COHORT_CHOICES),
    ):
        if cleaned.get(key):
            chosen.append((key, heading, dict(choices).get(cleaned[key], cleaned[key])))
    if cleaned.get("status") and cleaned["status"] != "open":
        chosen.append(("status", "Status", dict(STATUS_CHOICES)[cleaned["status"]]))
    if cleaned.get("upn"):
        chosen.append(("upn", "UPN", "Needs correcting"))
    return [
        {"key": key, "heading": heading, "text": text, "href": _querystring(request.GET, **{key: None})}
        for key, heading, text in chosen
    ]


def _sort_headers(request: HttpRequest, state: RollState) -> list[dict[str, str]]:
    headers = []
    for key, label in ROLL_COLUMNS:
        current = key == state.sort
        descending_next = current and not state.descending
        headers.append(
            {
                "key": key,
                "label": label,
                "aria_sort": ("descending" if state.descending else "ascending") if current else "none",
                "href": _querystring(request.GET, sort=key, order="desc" if descending_next else "asc"),
            }
        )
    return headers


def _roll_list(request: HttpRequest, *, caseload: bool) -> HttpResponse:
    today = timezone.localdate()
    state = _roll_state(request, caseload=caseload)
    policy, qs = _roll_queryset(request, state, today)
    if state.form.errors:
        # Fix the filter first: a list quietly ignoring a filter would mislead.
        qs = qs.none()
    page_obj = Paginator(qs, ROLL_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = roll_rows(
        page_obj.object_list,
        on=today,
        school_age_hours=policy.full_time_hours_school_age,
        post16_hours=policy.full_time_hours_post16,
    )
    export_name = "children:caseload-export" if caseload else "children:export"
    query = request.GET.copy()
    query.pop("page", None)
    sees_whole_roll = request.user.role in WHOLE_ROLL_ROLES
    context = {
        "caseload": caseload,
        "title": ("Your caseload" if sees_whole_roll else "Your children") if caseload else "The roll",
        "form": state.form,
        "filter_fields": state.form.panel(),
        "detail_prefix": reverse("children:roll"),
        "rows": rows,
        "page_obj": page_obj,
        "total": page_obj.paginator.count,
        "headers": _sort_headers(request, state),
        "selected_filters": _selected_filters(request, state),
        "clear_href": request.path,
        "export_href": reverse(export_name) + (f"?{query.urlencode()}" if query else ""),
        "sort": state.sort,
        "order": "desc" if state.descending else "asc",
        "search": request.GET.get("q", ""),
        "can_add": request.user.has_perm("children.add_child"),
    }
    return render(request, "children/roll.html", context)


def roll(request: HttpRequest) -> HttpResponse:
    """The roll: every child the user may see, filtered, sorted and paginated."""
    return _roll_list(request, caseload=False)


def caseload(request: HttpRequest) -> HttpResponse:
    """The signed-in lead's allocated children (for other roles, the children they work with)."""
    return _roll_list(request, caseload=True)


def _export(request: HttpRequest, *, caseload: bool) -> HttpResponse:
    today = timezone.localdate()
    state = _roll_state(request, caseload=caseload)
    if state.form.errors:
        list_url = reverse("children:caseload" if caseload else "children:roll")
        return redirect(list_url + _querystring(request.GET))
    if not request.user.has_perm("children.export_children"):
        raise PermissionDenied("You do not have permission to export this list.")
    policy, qs = _roll_queryset(request, state, today)
    children = list(qs)
    rows = roll_rows(
        children,
        on=today,
        school_age_hours=policy.full_time_hours_school_age,
        post16_hours=policy.full_time_hours_post16,
    )
    list_name = "caseload" if caseload else "roll"
    filters = {key: value for key, value in request.GET.items() if value and key != "page"}
    child_services.children_export_record(actor=request.user, children=children, list_name=list_name, filters=filters)
    return csv_response(csv_lines(rows), filename=f"{list_name}-{today:%Y-%m-%d}.csv")


def roll_export(request: HttpRequest) -> HttpResponse:
    """The roll as filtered, as CSV (audited: one event for the file, one on each child's history)."""
    return _export(request, caseload=False)


def caseload_export(request: HttpRequest) -> HttpResponse:
    """The caseload as filtered, as CSV (audited)."""
    return _export(request, caseload=True)


def missing_education(request: HttpRequest) -> HttpResponse:
    """School-age children on the roll with no education placement, longest first."""
    today = timezone.localdate()
    found = children_missing_education(user=request.user, on=today)
    found.sort(key=lambda pair: (-pair[1], pair[0].last_name, pair[0].first_name))
    rows = [
        {"child": child, "days": days, "year_label": year_group_label(child.nc_year(today))} for child, days in found
    ]
    return render(request, "children/missing_education.html", {"rows": rows, "today": today})


# ---------------------------------------------------------------------------------------------------------
# A child's pages
# ---------------------------------------------------------------------------------------------------------


def _child_or_404(request: HttpRequest, pk: int, *, full: bool = True) -> Child:
    try:
        if full:
            return child_record_get(user=request.user, pk=pk)
        return child_get(user=request.user, pk=pk)
    except Child.DoesNotExist as exc:
        raise Http404("No child was found with that number, or you do not work with them.") from exc


def _child_nav(request: HttpRequest, child: Child, active: str) -> list[dict[str, Any]]:
    """The child's own tabs, then those other apps register (core.extensions.register_child_tab), in order."""
    tabs: list[tuple[int, str, str, str]] = [
        (10, "record", "Record", reverse("children:detail", args=[child.pk])),
        (20, "placements", "Education placements", reverse("children:placements", args=[child.pk])),
        (30, "care", "Care history", reverse("children:care-history", args=[child.pk])),
        (40, "sdq", "SDQ", reverse("children:sdq", args=[child.pk])),
    ]
    if request.user.has_perm("children.view_audit_history"):
        tabs.append((1000, "history", "Audit history", reverse("children:history", args=[child.pk])))
    for tab in extensions.child_tabs():
        if tab.permission and not request.user.has_perm(tab.permission, child):
            continue
        tabs.append((tab.order, tab.key, tab.label, reverse(tab.url_name, args=[child.pk])))
    tabs.sort(key=lambda item: item[0])
    return [{"key": key, "text": text, "href": href, "active": key == active} for _, key, text, href in tabs]


def child_page_context(request: HttpRequest, child: Child, active: str, today: dt.date) -> dict[str, Any]:
    """What the identity bar and sub-navigation of every child page need (for any app's child pages)."""
    nc_year = child.nc_year(today)
    return {
        "child": child,
        "today": today,
        "age": child.age_on(today),
        "nc_year": nc_year,
        "year_label": year_group_label(nc_year),
        "upn_problem": child.upn_problem().rstrip(".") if child.upn_needs_correction else "",
        "nav": _child_nav(request, child, active),
        "can_edit": request.user.has_perm("children.change_child", child),
        "can_close": request.user.has_perm("children.close_child", child),
    }


def child_or_404(request: HttpRequest, pk: int, *, full: bool = True) -> Child:
    """The child `pk` if the user works with them, else 404. It records no view: a child page records its own
    with `children.services.child_record_view(actor=..., child=..., page=...)`."""
    return _child_or_404(request, pk, full=full)


def _months_between(start: dt.date, end: dt.date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def describe_duration(start: dt.date | None, end: dt.date) -> str:
    """'2 years, 3 months' (or days when under a month)."""
    if start is None:
        return ""
    months = _months_between(start, end)
    if months == 0:
        days = max((end - start).days, 0)
        return f"{days} day{'s' if days != 1 else ''}"
    years, months = divmod(months, 12)
    parts = []
    if years:
        parts.append(f"{years} year{'s' if years != 1 else ''}")
    if months:
        parts.append(f"{months} month{'s' if months != 1 else ''}")
    return ", ".join(parts)


def _current_placement(placements: list[EducationPlacement], today: dt.date) -> EducationPlacement | None:
    current = [p for p in placements if p.is_current(today)]
    return current[0] if current else None


def child_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A child's record: who they are, where they learn, who works with them, the roll duty and closure."""
    child = _child_or_404(request, pk)
    today = timezone.localdate()
    policy = policy_get()
    placements = list(placements_for_child(child=child, user=request.user))
    current = _current_placement(placements, today)
    designated = []
    if current is not None and current.designated_teacher is not None:
        designated = [current.designated_teacher]
    elif current is not None and current.school_id:
        designated = designated_teachers_by_school(user=request.user, school_ids=[current.school_id]).get(
            current.school_id, []
        )
    entry_days = child.roll_entry_working_days()
    exit_days = child.roll_exit_working_days()
    care_end = child.closed_on or today
    legal_status = getattr(child, "current_legal_status", "") or ""
    context = {
        **child_page_context(request, child, "record", today),
        "policy": policy,
        "current": current,
        "designated_teachers": designated,
        "legal_status": legal_status,
        "legal_status_label": codes.LEGAL_STATUS.get(legal_status, legal_status),
        "ethnicity_label": codes.ETHNICITY.get(child.ethnicity, child.ethnicity),
        "primary_need_label": codes.SEN_PRIMARY_NEED.get(child.sen_primary_need, child.sen_primary_need),
        "in_care_long_term": child.in_care_for_months(policy.in_care_long_term_months, today),
        "age_into_care": child.age_into_care(),
        "time_in_care": describe_duration(child.period_of_care_start, care_end),
        "is_post16": child.is_post16(today),
        "entry_days": entry_days,
        "entry_late": entry_days is not None and entry_days > policy.roll_duty_working_days,
        "exit_days": exit_days,
        "exit_late": exit_days is not None and exit_days > policy.roll_duty_working_days,
        "is_advice_only": child.cohort != Cohort.LOOKED_AFTER,
    }
    child_services.child_record_view(actor=request.user, child=child, page="record")
    return render(request, "children/detail.html", context)


@dataclass
class PlacementView:
    placement: EducationPlacement
    is_current: bool
    part_time: bool
    full_time_hours: Any
    designated_teachers: list[Any]


def child_placements(request: HttpRequest, pk: int) -> HttpResponse:
    """A child's current and past education placements, with part-time and missing-education warnings."""
    child = _child_or_404(request, pk)
    today = timezone.localdate()
    policy = policy_get()
    placements = list(placements_for_child(child=child, user=request.user))
    school_ids = [p.school_id for p in placements if p.school_id and p.designated_teacher_id is None]
    teachers = designated_teachers_by_school(user=request.user, school_ids=school_ids) if school_ids else {}
    views = []
    for placement in placements:
        on = today if placement.is_current(today) else placement.start_date
        nc_year = child.nc_year(on)
        hours = {"school_age_hours": policy.full_time_hours_school_age, "post16_hours": policy.full_time_hours_post16}
        views.append(
            PlacementView(
                placement=placement,
                is_current=placement.is_current(today),
                part_time=placement.is_part_time(nc_year=nc_year, **hours),
                full_time_hours=placement.full_time_hours(nc_year=nc_year, **hours),
                designated_teachers=(
                    [placement.designated_teacher]
                    if placement.designated_teacher is not None
                    else teachers.get(placement.school_id or 0, [])
                ),
            )
        )
    current = [v for v in views if v.is_current]
    upcoming = [v for v in views if not v.is_current and v.placement.start_date > today]
    past = [v for v in views if not v.is_current and v.placement.start_date <= today]
    in_education = any(v.placement.setting_type != "none" for v in current)
    missing_days = None
    if child.is_open and child.is_school_age(today) and not in_education:
        missing_days = days_without_education(child, placements, today)
    context = {
        **child_page_context(request, child, "placements", today),
        "current": current,
        "upcoming": upcoming,
        "past": past,
        "missing_days": missing_days,
        "can_add_placement": request.user.has_perm("placements.add_educationplacement", child),
        "can_change_placement": request.user.has_perm("placements.change_educationplacement", child),
    }
    child_services.child_record_view(actor=request.user, child=child, page="placements")
    return render(request, "children/placements.html", context)


def child_care_history(request: HttpRequest, pk: int) -> HttpResponse:
    """A child's care episodes (SSDA903), newest first."""
    child = _child_or_404(request, pk)
    today = timezone.localdate()
    episodes = [
        {"episode": episode, "legal_status_label": codes.LEGAL_STATUS.get(episode.legal_status, "")}
        for episode in care_episodes_for_child(user=request.user, child=child)
    ]
    context = {
        **child_page_context(request, child, "care", today),
        "episodes": episodes,
        "time_in_care": describe_duration(child.period_of_care_start, child.closed_on or today),
    }
    child_services.child_record_view(actor=request.user, child=child, page="care history")
    return render(request, "children/care_history.html", context)


# How each kind of audited record is named on a child's history.
OBJECT_LABELS = {
    "children.child": "Child's record",
    "children.careepisode": "Care episode",
    "children.sdqscore": "SDQ",
    "placements.educationplacement": "Education placement",
}
# Row ids say nothing to a reader: the heading already names the record.
HIDDEN_CHANGE_FIELDS = {"id", "child"}
USER_FIELDS = {"allocated_lead", "social_worker", "reviewing_officer", "consent_recorded_by", "designated_teacher"}


def _display_value(field: Any, value: Any, names: dict[str, dict[int, str]]) -> str:
    if value is None or value == "":
        return "(blank)"
    if field is None:
        return str(value)
    if field.name in USER_FIELDS:
        return names["people"].get(value, f"person #{value}")
    if field.name == "school":
        return names["schools"].get(value, f"school #{value}")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    internal = field.get_internal_type()
    if internal == "BooleanField":
        return "Yes" if value else "No"
    if internal == "DateField":
        try:
            return date_format(dt.date.fromisoformat(value), "j F Y")
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def _model_field(object_type: str, name: str) -> Any:
    try:
        model = apps.get_model(object_type)
        return model._meta.get_field(name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return None


def _history_entries(events: list[AuditEvent]) -> list[dict[str, Any]]:
    """Audit events as people read them: who, what, when, and each change before and after."""
    people_ids: set[int] = set()
    school_ids: set[int] = set()
    for event in events:
        for name, pair in (event.changes or {}).items():
            ids = {v for v in pair if isinstance(v, int)}
            if name in USER_FIELDS:
                people_ids |= ids
            elif name == "school":
                school_ids |= ids
    names = {
        "people": people_names_by_id(ids=people_ids) if people_ids else {},
        "schools": school_names_by_id(ids=school_ids) if school_ids else {},
    }
    entries = []
    for event in events:
        changes = []
        for name, pair in (event.changes or {}).items():
            if name in HIDDEN_CHANGE_FIELDS:
                continue
            field = _model_field(event.object_type, name)
            before, after = [*list(pair), None, None][:2]
            label = capfirst(str(field.verbose_name)) if field is not None else name.replace("_", " ").capitalize()
            changes.append(
                {
                    "field": label,
                    "before": _display_value(field, before, names),
                    "after": _display_value(field, after, names),
                }
            )
        actor = event.actor
        context = event.context or {}
        detail = ""
        if event.action == AuditEvent.Action.VIEW and context.get("page"):
            detail = f"Page: {context['page']}"
        elif event.action == AuditEvent.Action.EXPORT and context.get("list"):
            detail = f"In a CSV export of the {context['list']}"
        entries.append(
            {
                "event": event,
                "action": event.get_action_display(),
                "what": OBJECT_LABELS.get(event.object_type, event.object_type),
                "who": (actor.get_full_name() if actor is not None else "") or event.actor_label,
                "changes": changes,
                "is_create": event.action == AuditEvent.Action.CREATE,
                "detail": detail,
            }
        )
    return entries


def child_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Who has viewed, exported and changed a child's record (the Virtual School Head only)."""
    if not request.user.has_perm("children.view_audit_history"):
        raise Http404("No child was found with that number, or you do not work with them.")
    child = _child_or_404(request, pk)
    today = timezone.localdate()
    # This visit is part of the history it shows.
    child_services.child_record_view(actor=request.user, child=child, page="audit history")
    page_obj = Paginator(audit_events_for_child(child_id=child.pk), HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        **child_page_context(request, child, "history", today),
        "page_obj": page_obj,
        "entries": _history_entries(list(page_obj.object_list)),
    }
    return render(request, "children/history.html", context)


# ---------------------------------------------------------------------------------------------------------
# Forms that change the roll
# ---------------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def child_create(request: HttpRequest) -> HttpResponse:
    """Add a child to the roll."""
    if not request.user.has_perm("children.add_child"):
        raise PermissionDenied("You do not have permission to add children to the roll.")
    form = ChildForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            child = child_services.child_create(actor=request.user, **form.service_values())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{child.display_name} has been added to the roll.")
            return redirect("children:detail", pk=child.pk)
    return render(request, "children/child_form.html", {"form": form, "child": None})


@require_http_methods(["GET", "POST"])
def child_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a child's record."""
    child = _child_or_404(request, pk, full=False)
    if not request.user.has_perm("children.change_child", child):
        raise PermissionDenied("You do not have permission to change this record.")
    form = ChildForm(request.POST or None, instance=child)
    if request.method == "POST" and form.is_valid():
        try:
            child = child_services.child_update(actor=request.user, child=child, **form.service_values())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{child.display_name}'s record has been updated.")
            return redirect("children:detail", pk=child.pk)
    # The bound form changed the instance while validating; show the saved name in the heading.
    saved = _child_or_404(request, pk, full=False)
    return render(request, "children/child_form.html", {"form": form, "child": saved})


@require_http_methods(["GET", "POST"])
def child_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a child off the roll (they stay in that year's reports)."""
    child = _child_or_404(request, pk, full=False)
    if not request.user.has_perm("children.close_child", child):
        raise PermissionDenied("You do not have permission to close this record.")
    form = ChildCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            child = child_services.child_close(
                actor=request.user,
                child=child,
                closed_on=data["closed_on"],
                reason=data["closure_reason"],
                notified_on=data.get("closure_notified_on"),
                removed_on=data.get("removed_from_roll_on"),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{child.display_name}'s record has been closed.")
            return redirect("children:detail", pk=child.pk)
    return render(request, "children/close_form.html", {"form": form, "child": child})


@require_POST
def child_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """Put a closed child back on the roll."""
    child = _child_or_404(request, pk, full=False)
    if not request.user.has_perm("children.close_child", child):
        raise PermissionDenied("You do not have permission to reopen this record.")
    child = child_services.child_reopen(actor=request.user, child=child)
    messages.success(request, f"{child.display_name} is back on the roll.")
    return redirect("children:detail", pk=child.pk)

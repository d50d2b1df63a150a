"""Pages: the overview at /suspensions/, a child's "Behaviour and exclusion" tab, one suspension, and the forms.

Reads go through the selectors (a child or record out of scope answers 404); writes through the services.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from virtualschool.accounts.models import Role
from virtualschool.children import services as child_services
from virtualschool.children.models import Child
from virtualschool.children.views import child_or_404, child_page_context
from virtualschool.core import audit
from virtualschool.core.calendar import school_calendar
from virtualschool.core.templatetags.govuk import govuk_date
from virtualschool.placements.models import EducationPlacement
from virtualschool.schools.models import School

from . import assess, services
from .codes import Category, reasons_text
from .forms import (
    TOLD_FIELDS,
    ExclusionForm,
    FollowUpForm,
    OverviewFilterForm,
    RiskCloseForm,
    RiskForm,
    SuspensionForm,
    TimetableForm,
    TimetableReviewForm,
    apply_service_errors,
)
from .models import ExclusionRisk, ReducedTimetable, Suspension
from .selectors import (
    child_summary,
    overview,
    part_time_concerns,
    risk_get,
    risks_for_child,
    schools_for_recording,
    suspension_facts,
    suspension_get,
    suspension_policy,
    suspensions_for_child,
    timetable_get,
    timetables_for_child,
)


def _school_choices(request: HttpRequest, child: Child) -> list[tuple[int, str]]:
    """The schools the child has attended that the user may record for (their current school first)."""
    allowed = schools_for_recording(request.user)
    ids = list(
        EducationPlacement.objects.filter(child=child, school__isnull=False)
        .order_by(F("end_date").desc(nulls_first=True), "-start_date")
        .values_list("school_id", flat=True)
    )
    names = dict(allowed.filter(pk__in=ids).values_list("pk", "name"))
    seen: list[int] = []
    for pk in ids:
        if pk in names and pk not in seen:
            seen.append(pk)
    return [(pk, names[pk]) for pk in seen]


def _school(pk: int | None, choices: list[tuple[int, str]]) -> School | None:
    if pk is None or pk not in dict(choices):
        return None
    return School.objects.get(pk=pk)


def _can(request: HttpRequest, permission: str, child: Child) -> bool:
    return bool(request.user.has_perm(permission, child))


# ---------------------------------------------------------------------------------------------------------
# A child's tab
# ---------------------------------------------------------------------------------------------------------


def child_tab(request: HttpRequest, pk: int) -> HttpResponse:
    """A child's suspensions, days per term and year with the thresholds, any pattern, risks of permanent
    exclusion and reduced timetables."""
    child = child_or_404(request, pk)
    today = timezone.localdate()
    policy = suspension_policy()
    calendar = school_calendar()
    suspensions = list(suspensions_for_child(user=request.user, child=child))
    summary = child_summary(child, suspensions, policy=policy, calendar=calendar)
    facts = [suspension_facts(s, today=today, policy=policy, calendar=calendar) for s in suspensions]
    timetables = [
        (t, assess.timetable_state(t, t.reviews.all(), today), assess.missing_agreements(t))
        for t in timetables_for_child(user=request.user, child=child)
    ]
    flags = summary.flag_sentences(policy)
    context = {
        **child_page_context(request, child, "behaviour", today),
        "facts": facts,
        "summary": summary,
        "flags": flags,
        "risks": list(risks_for_child(user=request.user, child=child)),
        "timetables": timetables,
        "part_time": part_time_concerns(user=request.user, today=today, child_ids=[child.pk]),
        "policy": policy,
        "can_record": _can(request, "suspensions.add_suspension", child) and bool(_school_choices(request, child)),
        "can_risk": _can(request, "suspensions.add_exclusionrisk", child),
        "can_timetable": _can(request, "suspensions.add_reducedtimetable", child),
    }
    child_services.child_record_view(actor=request.user, child=child, page="Behaviour and exclusion")
    return render(request, "suspensions/child.html", context)


@require_http_methods(["GET", "POST"])
def suspension_create(request: HttpRequest, pk: int) -> HttpResponse:
    child = child_or_404(request, pk, full=False)
    if not _can(request, "suspensions.add_suspension", child):
        raise PermissionDenied("You do not have permission to record a suspension for this child.")
    schools = _school_choices(request, child)
    if not schools:
        raise PermissionDenied("You may record suspensions only for pupils of your own school.")
    form = SuspensionForm(request.POST or None, schools=schools)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {name: data.get(name) for name in form.fields if name != "school"}
        if data.get("category") == Category.PERMANENT:
            values.pop("length", None)
            values.pop("length_unit", None)
        try:
            suspension = services.suspension_create(
                actor=request.user, child=child, school=_school(data["school"], schools), **values
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if suspension.is_permanent:
                messages.success(request, "Permanent exclusion recorded. The social worker has been told.")
            else:
                messages.success(
                    request,
                    f"Suspension recorded: {suspension.length_text}, "
                    f"ending {govuk_date(suspension.end_date, 'not recorded')}. "
                    "The social worker has been told.",
                )
            return redirect("suspensions:detail", pk=suspension.pk)
    return _form_page(
        request,
        form,
        child=child,
        title="Record a suspension or permanent exclusion",
        intro="The end date and the sixth school day are worked out from the term dates. Recording it tells the "
        "child's social worker, Virtual School Lead and reviewing officer at once.",
        button="Record the suspension",
        cancel=("suspensions:child", child.pk),
    )


def _suspension_or_404(request: HttpRequest, pk: int) -> Suspension:
    try:
        return suspension_get(user=request.user, pk=pk)
    except Suspension.DoesNotExist as exc:
        raise Http404("No suspension was found with that number, or you do not work with the child.") from exc


def suspension_detail(request: HttpRequest, pk: int) -> HttpResponse:
    suspension = _suspension_or_404(request, pk)
    child = suspension.child
    today = timezone.localdate()
    policy = suspension_policy()
    facts = suspension_facts(suspension, today=today, policy=policy, calendar=school_calendar())
    audit.record_view(request.user, suspension, child_id=child.pk, context={"page": "suspension"})
    can_change = _can(request, "suspensions.change_suspension", child) and (
        schools_for_recording(request.user).filter(pk=suspension.school_id).exists()
    )
    context = {
        **child_page_context(request, child, "behaviour", today),
        "s": suspension,
        "f": facts,
        "reasons": reasons_text(suspension.reasons),
        "missing_text": assess.join_words(list(facts.missing_for_final)),
        "can_change": can_change,
        "policy": policy,
    }
    return render(request, "suspensions/detail.html", context)


def _form_page(
    request: HttpRequest,
    form: Any,
    *,
    child: Child,
    title: str,
    button: str,
    cancel: tuple[str, int],
    intro: str = "",
    caption: str = "",
) -> HttpResponse:
    return render(
        request,
        "suspensions/form.html",
        {
            "form": form,
            "child": child,
            "title": title,
            "intro": intro,
            "button": button,
            "cancel_name": cancel[0],
            "cancel_pk": cancel[1],
            "caption": caption or child.display_name,
        },
    )


def _require_change(request: HttpRequest, suspension: Suspension) -> None:
    if not _can(request, "suspensions.change_suspension", suspension.child) or not (
        schools_for_recording(request.user).filter(pk=suspension.school_id).exists()
    ):
        raise PermissionDenied("You do not have permission to change this suspension.")


@require_http_methods(["GET", "POST"])
def suspension_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct what was recorded: the school, category, dates, length and reasons (the end date and sixth day
    are worked out again)."""
    suspension = _suspension_or_404(request, pk)
    _require_change(request, suspension)
    schools = _school_choices(request, suspension.child)
    if suspension.school_id not in dict(schools):
        schools.append((suspension.school_id, suspension.school.name))
    initial = {name: getattr(suspension, name) for name in SuspensionForm.base_fields if name != "school"}
    initial.update({name: getattr(suspension, name) for name in TOLD_FIELDS})
    initial["school"] = suspension.school_id
    form = SuspensionForm(request.POST or None, initial=initial, schools=schools)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {name: data.get(name) for name in form.fields if name != "school"}
        if data.get("category") == Category.PERMANENT:
            values["length"], values["length_unit"] = None, ""
        try:
            services.suspension_update(
                actor=request.user, suspension=suspension, school=_school(data["school"], schools), **values
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Suspension corrected. The end date and sixth day have been worked out again.")
            return redirect("suspensions:detail", pk=suspension.pk)
    return _form_page(
        request,
        form,
        child=suspension.child,
        title="Correct the suspension",
        button="Save the correction",
        cancel=("suspensions:detail", suspension.pk),
    )


@require_http_methods(["GET", "POST"])
def suspension_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    suspension = _suspension_or_404(request, pk)
    _require_change(request, suspension)
    initial = {name: getattr(suspension, name) for name in FollowUpForm.base_fields}
    initial.update({name: getattr(suspension, name) for name in TOLD_FIELDS})
    form = FollowUpForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.suspension_update(actor=request.user, suspension=suspension, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Suspension updated.")
            return redirect("suspensions:detail", pk=suspension.pk)
    return _form_page(
        request,
        form,
        child=suspension.child,
        title=f"Follow up the {str(suspension)[0].lower()}{str(suspension)[1:]}",
        button="Save",
        cancel=("suspensions:detail", suspension.pk),
    )


@require_http_methods(["GET", "POST"])
def exclusion_update(request: HttpRequest, pk: int) -> HttpResponse:
    suspension = _suspension_or_404(request, pk)
    _require_change(request, suspension)
    if not suspension.is_permanent:
        raise Http404("This is a suspension, not a permanent exclusion.")
    form = ExclusionForm(request.POST or None, initial={n: getattr(suspension, n) for n in ExclusionForm.base_fields})
    if request.method == "POST" and form.is_valid():
        try:
            services.suspension_update(actor=request.user, suspension=suspension, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Permanent exclusion updated.")
            return redirect("suspensions:detail", pk=suspension.pk)
    return _form_page(
        request,
        form,
        child=suspension.child,
        title="Permanent exclusion: meetings and decisions",
        intro="A permanent exclusion is recorded as final only after the social worker, carer, reviewing officer "
        "and Virtual School Lead have met the school to consider alternatives.",
        button="Save",
        cancel=("suspensions:detail", suspension.pk),
    )


# ---------------------------------------------------------------------------------------------------------
# Risks and reduced timetables
# ---------------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def risk_create(request: HttpRequest, pk: int) -> HttpResponse:
    child = child_or_404(request, pk, full=False)
    if not _can(request, "suspensions.add_exclusionrisk", child):
        raise PermissionDenied("You do not have permission to record a risk of exclusion for this child.")
    schools = _school_choices(request, child)
    form = RiskForm(request.POST or None, schools=schools)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.risk_record(
                actor=request.user,
                child=child,
                school=_school(data.get("school"), schools),
                raised_on=data["raised_on"],
                raised_by=data["raised_by"],
                school_said=data["school_said"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Risk of permanent exclusion recorded. An emergency PEP review is proposed.")
            return redirect("suspensions:child", pk=child.pk)
    return _form_page(
        request,
        form,
        child=child,
        title="Record a risk of permanent exclusion",
        button="Record the risk",
        cancel=("suspensions:child", child.pk),
    )


@require_http_methods(["GET", "POST"])
def risk_close(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        risk = risk_get(user=request.user, pk=pk)
    except ExclusionRisk.DoesNotExist as exc:
        raise Http404("No risk was found with that number.") from exc
    if not _can(request, "suspensions.change_exclusionrisk", risk.child):
        raise PermissionDenied("You do not have permission to close this risk.")
    form = RiskCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_close(
                actor=request.user, risk=risk, closed_on=form.cleaned_data["closed_on"], note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Risk of permanent exclusion closed.")
            return redirect("suspensions:child", pk=risk.child_id)
    return _form_page(
        request,
        form,
        child=risk.child,
        title="Close the risk of permanent exclusion",
        button="Close the risk",
        cancel=("suspensions:child", risk.child_id),
    )


@require_http_methods(["GET", "POST"])
def timetable_create(request: HttpRequest, pk: int) -> HttpResponse:
    child = child_or_404(request, pk, full=False)
    if not _can(request, "suspensions.add_reducedtimetable", child):
        raise PermissionDenied("You do not have permission to record a reduced timetable for this child.")
    schools = _school_choices(request, child)
    form = TimetableForm(request.POST or None, schools=schools)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.timetable_create(
                actor=request.user,
                child=child,
                school=_school(data.get("school"), schools),
                hours_per_week=data["hours_per_week"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                review_dates=data["review_dates"],
                reason=data.get("reason") or "",
                pep_reference=data.get("pep_reference") or "",
                agreements=data["agreements"],
            )
        except ValidationError as exc:
            if "review_dates" in getattr(exc, "error_dict", {}):
                exc.error_dict["review_1"] = exc.error_dict.pop("review_dates")
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Reduced timetable recorded.")
            return redirect("suspensions:child", pk=child.pk)
    return _form_page(
        request,
        form,
        child=child,
        title="Record a reduced timetable",
        intro="A part-time timetable is only for a fixed term, agreed by social care, the Virtual School, the school "
        "and the carer, recorded in the PEP and reviewed regularly.",
        button="Record the reduced timetable",
        cancel=("suspensions:child", child.pk),
    )


@require_http_methods(["GET", "POST"])
def timetable_review(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        timetable = timetable_get(user=request.user, pk=pk)
    except ReducedTimetable.DoesNotExist as exc:
        raise Http404("No reduced timetable was found with that number.") from exc
    if not _can(request, "suspensions.change_reducedtimetable", timetable.child):
        raise PermissionDenied("You do not have permission to review this reduced timetable.")
    form = TimetableReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.timetable_review_record(actor=request.user, timetable=timetable, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Review recorded.")
            return redirect("suspensions:child", pk=timetable.child_id)
    return _form_page(
        request,
        form,
        child=timetable.child,
        title="Record a review of the reduced timetable",
        button="Save the review",
        cancel=("suspensions:child", timetable.child_id),
    )


# ---------------------------------------------------------------------------------------------------------
# The overview
# ---------------------------------------------------------------------------------------------------------


LIST_LIMIT = 100  # rows shown in each list of the overview; the count is always the whole


def overview_page(request: HttpRequest) -> HttpResponse:
    """Recent suspensions and everything to follow up, for the children the user may see."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    user_model = get_user_model()
    leads = list(
        user_model.objects.filter(role__in=[Role.VIRTUAL_SCHOOL_LEAD, Role.VIRTUAL_SCHOOL_HEAD], is_active=True)
        .order_by("full_name")
        .values_list("pk", "full_name")
    )
    from virtualschool.children.selectors import children_visible_to

    visible = children_visible_to(request.user)
    school_ids = set(Suspension.objects.filter(child__in=visible).values_list("school_id", flat=True).distinct()) | set(
        ReducedTimetable.objects.filter(child__in=visible, school__isnull=False).values_list("school_id", flat=True)
    )
    schools = list(School.objects.filter(pk__in=school_ids).order_by("name").values_list("pk", "name"))
    form = OverviewFilterForm(request.GET or None, schools=schools, leads=leads)
    school_id = lead_id = None
    if form.is_bound and form.is_valid():
        school_id, lead_id = form.cleaned_data.get("school"), form.cleaned_data.get("lead")
    today = timezone.localdate()
    data = overview(user=request.user, today=today, school_id=school_id, lead_id=lead_id)
    selected = []
    if school_id:
        rest = {"lead": lead_id} if lead_id else {}
        selected.append({"heading": "School", "text": dict(schools)[school_id], "href": "?" + urlencode(rest)})
    if lead_id:
        rest = {"school": school_id} if school_id else {}
        selected.append({"heading": "Virtual School Lead", "text": dict(leads)[lead_id], "href": "?" + urlencode(rest)})
    # Every child a list on the page names (each list shows its first LIST_LIMIT rows).
    shown: set[int] = set()
    for facts in (data.recent, data.late_told, data.paperwork, data.day6, data.awaiting_meeting):
        shown |= {f.suspension.child_id for f in facts[:LIST_LIMIT]}
    shown |= {summary.child.pk for summary, _, _ in data.thresholds[:LIST_LIMIT]}
    shown |= {summary.child.pk for summary in data.patterns[:LIST_LIMIT]}
    shown |= {r.child_id for r in data.open_risks[:LIST_LIMIT]}
    shown |= {t.child_id for t, _ in data.timetables_overdue[:LIST_LIMIT]}
    shown |= {c.child.pk for c in data.part_time[:LIST_LIMIT]}
    children_seen = shown
    audit.record_views(
        request.user,
        Child.objects.filter(pk__in=children_seen),
        context={"page": "suspensions overview", "list": True},
    )
    context = {
        "o": data,
        "form": form,
        "filter_fields": _filter_fields(form),
        "selected_filters": selected,
        "clear_href": request.path,
        "today": today,
        "policy": suspension_policy(),
        "limit": LIST_LIMIT,
        "limit_slice": f":{LIST_LIMIT}",
    }
    return render(request, "suspensions/overview.html", context)


def _filter_fields(form: OverviewFilterForm) -> list[dict[str, Any]]:
    fields = []
    for name in ("school", "lead"):
        bound = form[name]
        value = str(bound.value() or "")
        fields.append(
            {
                "kind": "select",
                "id": bound.id_for_label,
                "name": name,
                "label": bound.label,
                "errors": bound.errors,
                "options": [
                    {"value": str(v), "label": label, "selected": str(v) == value}
                    for v, label in form.fields[name].choices  # type: ignore[attr-defined]
                ],
            }
        )
    return fields

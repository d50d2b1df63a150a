"""Pages of the school register: search, a school with its designated teachers and children, CSV export."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from virtualschool.children.exports import roll_rows
from virtualschool.core.selectors import policy_get
from virtualschool.placements.selectors import children_at_school

from . import services as school_services
from .exports import csv_lines
from .forms import AREA_CHOICES, SchoolFilterForm
from .models import School
from .selectors import school_get, school_phases, school_search, school_staff_at

SCHOOL_PAGE_SIZE = 50


def _filtered(request: HttpRequest) -> tuple[SchoolFilterForm, object, str]:
    policy = policy_get()
    form = SchoolFilterForm(request.GET, phases=school_phases(user=request.user))
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    schools = school_search(
        user=request.user,
        query=cleaned.get("q") or "",
        in_area={"in": True, "out": False}.get(cleaned.get("area") or ""),
        home_la_code=policy.la_code,
        phase=cleaned.get("phase") or "",
    ).order_by("name", "urn")
    return form, schools, policy.la_code


def _selected_filters(request: HttpRequest, form: SchoolFilterForm) -> list[dict[str, str]]:
    """The area and phase filters in use, each with a link that removes it."""
    cleaned = getattr(form, "cleaned_data", {})
    chosen = []
    if cleaned.get("area"):
        chosen.append(("area", "Area", dict(AREA_CHOICES).get(cleaned["area"], "")))
    if cleaned.get("phase"):
        chosen.append(("phase", "Phase of education", cleaned["phase"]))
    result = []
    for key, heading, text in chosen:
        query = request.GET.copy()
        query.pop(key, None)
        query.pop("page", None)
        result.append({"heading": heading, "text": text, "href": f"?{query.urlencode()}"})
    return result


def school_list(request: HttpRequest) -> HttpResponse:
    """The register, searchable by name, URN, DfE number or postcode, filtered by area and phase."""
    form, schools, home_la_code = _filtered(request)
    page_obj = Paginator(schools, SCHOOL_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page_obj": page_obj,
        "schools": list(page_obj.object_list),
        "total": page_obj.paginator.count,
        "home_la_code": home_la_code,
        "search": request.GET.get("q", ""),
        "export_query": query.urlencode(),
        "filtered": bool(query.get("area") or query.get("phase")),
        "selected_filters": _selected_filters(request, form),
    }
    return render(request, "schools/list.html", context)


def school_export(request: HttpRequest) -> HttpResponse:
    """The register as filtered, as CSV (the export is audited)."""
    _form, schools, home_la_code = _filtered(request)
    rows = list(schools)
    filters = {key: value for key, value in request.GET.items() if value and key != "page"}
    school_services.school_register_export_record(actor=request.user, filters=filters, row_count=len(rows))
    response = HttpResponse("".join(csv_lines(rows, home_la_code=home_la_code)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="schools-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


def school_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A school: its details, its designated teachers and the children on roll there whom the user may see."""
    try:
        school = school_get(user=request.user, pk=pk)
    except School.DoesNotExist as exc:
        raise Http404("No school was found with that number.") from exc
    today = timezone.localdate()
    policy = policy_get()
    children = children_at_school(user=request.user, school_id=school.pk, on=today).order_by("last_name", "first_name")
    rows = roll_rows(
        children,
        on=today,
        school_age_hours=policy.full_time_hours_school_age,
        post16_hours=policy.full_time_hours_post16,
    )
    context = {
        "school": school,
        "in_area": school.is_in_area(policy.la_code),
        "staff": list(school_staff_at(user=request.user, school=school)),
        "rows": rows,
    }
    return render(request, "schools/detail.html", context)

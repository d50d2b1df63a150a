"""A child's Strengths and Difficulties Questionnaires: history and chart, one SDQ, recording and removing one.

Reads go through the children selectors (a child out of scope answers 404); writes through the SDQ services,
which check who may record whose questionnaire and audit every change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from virtualschool.core.selectors import policy_get

from . import codes, sdq
from . import services as child_services
from .forms import SdqDeleteForm, SdqForm, apply_service_errors
from .models import Child, SdqScore
from .sdq_chart import sdq_history_svg
from .selectors import SchoolSdqDue, school_sdq_due, sdq_get, sdq_scores_for_child
from .views import _child_or_404, child_page_context

BAND_TAGS = {0: "govuk-tag--green", 1: "govuk-tag--yellow", 2: "govuk-tag--orange", 3: "govuk-tag--red"}
ENTERED_AS = {"items": "25 item scores", "scales": "Five scale scores", "total": "Total from the SSDA903 return"}
CHART_LABEL = "Chart of total difficulties scores over time. The table of SDQs below gives every score."


@dataclass(frozen=True)
class ShownMeasure:
    """A scale or the total with its bands, and the tag colour of its band."""

    result: sdq.MeasureResult

    @property
    def tag(self) -> str:
        return BAND_TAGS.get(self.result.band.rank, "govuk-tag--grey")

    @property
    def items_text(self) -> str:
        scale = sdq.SCALE_BY_KEY.get(self.result.key)
        return scale.items_text if scale else "Sum of the four difficulty scales"


@dataclass
class SdqRow:
    """One SDQ as the pages show it: its scores with their bands."""

    record: SdqScore
    measures: list[ShownMeasure]
    total: ShownMeasure | None

    @property
    def entered_as(self) -> str:
        return ENTERED_AS[self.record.entered_as]

    @property
    def reason_not_recorded(self) -> str:
        reason = self.record.reason_not_recorded
        return codes.SDQ_REASON.get(reason, reason)

    @property
    def scales(self) -> list[ShownMeasure]:
        return [m for m in self.measures if m.result.key != sdq.TOTAL]


def sdq_row(record: SdqScore) -> SdqRow:
    scales = record.scale_scores
    results = sdq.results(record.respondent, scales, record.total_score) if scales is not None else []
    measures = [ShownMeasure(r) for r in results]
    total: ShownMeasure | None = None
    if measures:
        total = measures[-1]
    elif record.total_score is not None:
        total = ShownMeasure(sdq.total_result(record.respondent, record.total_score))
    return SdqRow(record=record, measures=measures, total=total)


def _due_context(due: SchoolSdqDue | None, today: Any) -> dict[str, Any]:
    if due is None:
        return {"due": None}
    return {"due": due, "due_status": due.status(today)}


def child_sdq(request: HttpRequest, pk: int) -> HttpResponse:
    """A child's SDQ history as a chart and a table, and whether a school SDQ is due."""
    child = _child_or_404(request, pk)
    today = timezone.localdate()
    policy = policy_get()
    history = list(sdq_scores_for_child(user=request.user, child=child))
    due = school_sdq_due(
        history, threshold=policy.sdq_carer_threshold, months=policy.sdq_school_due_months, child_id=child.pk
    )
    rows = [sdq_row(record) for record in history]
    context = {
        **child_page_context(request, child, "sdq", today),
        **_due_context(due, today),
        "rows": rows,
        "chart": sdq_history_svg(history, threshold=policy.sdq_carer_threshold, label=CHART_LABEL),
        "chart_label": CHART_LABEL,
        "threshold": policy.sdq_carer_threshold,
        "due_months": policy.sdq_school_due_months,
        "can_record": bool(child_services.sdq_respondents_for(request.user, child)),
    }
    child_services.child_record_view(actor=request.user, child=child, page="SDQ")
    return render(request, "children/sdq.html", context)


def _sdq_or_404(request: HttpRequest, child: Child, sdq_pk: int) -> SdqScore:
    try:
        return sdq_get(user=request.user, child=child, pk=sdq_pk)
    except SdqScore.DoesNotExist as exc:
        raise Http404("No SDQ was found with that number for this child.") from exc


def child_sdq_detail(request: HttpRequest, pk: int, sdq_pk: int) -> HttpResponse:
    """One SDQ: each scale and the total with their bands, and the 25 answers as ticked and as scored."""
    child = _child_or_404(request, pk)
    record = _sdq_or_404(request, child, sdq_pk)
    today = timezone.localdate()
    items = record.item_scores
    item_rows = [
        {
            "number": number,
            "ticked": ticked,
            "scored": sdq.scored_value(number, ticked) if ticked is not None else None,
            "reversed": number in sdq.REVERSED_ITEMS,
        }
        for number, ticked in enumerate(items, start=1)
    ]
    scale_items = [{"scale": scale, "items": [item_rows[n - 1] for n in scale.items]} for scale in sdq.SCALES]
    context = {
        **child_page_context(request, child, "sdq", today),
        "row": sdq_row(record),
        "record": record,
        "scale_items": scale_items if record.entered_as == "items" else [],
        "can_delete": request.user.has_perm("children.delete_sdqscore", child) and record.is_questionnaire,
    }
    child_services.sdq_record_view(actor=request.user, record=record)
    return render(request, "children/sdq_detail.html", context)


@require_http_methods(["GET", "POST"])
def child_sdq_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an SDQ from its 25 item scores or its five scale scores."""
    child = _child_or_404(request, pk, full=False)
    allowed = child_services.sdq_respondents_for(request.user, child)
    if not allowed:
        raise PermissionDenied("You do not have permission to record an SDQ for this child.")
    labels = dict(SdqScore.Respondent.choices)
    respondents = [(r, labels[r]) for r in allowed]
    entry = (request.POST.get("entry") if request.method == "POST" else request.GET.get("entry")) or "items"
    form = SdqForm(request.POST or None, respondents=respondents, entry=entry)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = child_services.sdq_record(
                actor=request.user,
                child=child,
                respondent=data["respondent"],
                completed_on=data["recorded_on"],
                completed_by_name=data.get("completed_by_name") or "",
                items=data["items"] if form.entry == "items" else None,
                scales=data["scales"] if form.entry == "scales" else None,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            total = sdq_row(record).total
            band = f" ({total.result.band.label.lower()})" if total is not None else ""
            messages.success(request, f"SDQ recorded: total difficulties {record.total_score}{band}.")
            return redirect("children:sdq-detail", pk=child.pk, sdq_pk=record.pk)
    context = {
        "form": form,
        "child": child,
        "entry": form.entry,
        "other_entry": "scales" if form.entry == "items" else "items",
        "reversed_items": sorted(sdq.REVERSED_ITEMS),
    }
    return render(request, "children/sdq_form.html", context)


@require_http_methods(["GET", "POST"])
def child_sdq_delete(request: HttpRequest, pk: int, sdq_pk: int) -> HttpResponse:
    """Remove an SDQ recorded in error (the Virtual School), saying why."""
    child = _child_or_404(request, pk, full=False)
    record = _sdq_or_404(request, child, sdq_pk)
    if not request.user.has_perm("children.delete_sdqscore", child):
        raise PermissionDenied("You do not have permission to remove an SDQ.")
    form = SdqDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            child_services.sdq_delete(actor=request.user, record=record, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The SDQ has been removed. The audit history keeps what it held.")
            return redirect("children:sdq", pk=child.pk)
    return render(request, "children/sdq_delete.html", {"form": form, "child": child, "row": sdq_row(record)})

"""Pages that start, correct and end a child's education placement (writes go through the services)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from virtualschool.children.forms import apply_service_errors
from virtualschool.children.models import Child
from virtualschool.children.selectors import child_get

from . import services as placement_services
from .forms import PlacementEndForm, PlacementForm
from .models import EducationPlacement
from .selectors import placement_get

NOT_FOUND = "No placement was found with that number, or you do not work with the child."


def _placement_or_404(request: HttpRequest, pk: int) -> EducationPlacement:
    try:
        return placement_get(user=request.user, pk=pk)
    except EducationPlacement.DoesNotExist as exc:
        raise Http404(NOT_FOUND) from exc


@require_http_methods(["GET", "POST"])
def placement_create(request: HttpRequest, child_pk: int) -> HttpResponse:
    """Start a new education placement for a child (a current one ends the day before)."""
    try:
        child = child_get(user=request.user, pk=child_pk)
    except Child.DoesNotExist as exc:
        raise Http404("No child was found with that number, or you do not work with them.") from exc
    if not request.user.has_perm("placements.add_educationplacement", child):
        raise PermissionDenied("You do not have permission to add placements.")
    form = PlacementForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            placement = placement_services.placement_create(actor=request.user, child=child, **form.service_values())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"The placement at {placement.setting_name} has been added.")
            return redirect("children:placements", pk=child.pk)
    return render(request, "placements/placement_form.html", {"form": form, "child": child, "placement": None})


@require_http_methods(["GET", "POST"])
def placement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct or complete a placement."""
    placement = _placement_or_404(request, pk)
    child = placement.child
    if not request.user.has_perm("placements.change_educationplacement", child):
        raise PermissionDenied("You do not have permission to change placements.")
    form = PlacementForm(request.POST or None, user=request.user, placement=placement)
    if request.method == "POST" and form.is_valid():
        try:
            placement = placement_services.placement_update(
                actor=request.user, placement=placement, **form.service_values()
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"The placement at {placement.setting_name} has been updated.")
            return redirect("children:placements", pk=child.pk)
    return render(request, "placements/placement_form.html", {"form": form, "child": child, "placement": placement})


@require_http_methods(["GET", "POST"])
def placement_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End a placement with the reason for the change."""
    placement = _placement_or_404(request, pk)
    child = placement.child
    if not request.user.has_perm("placements.change_educationplacement", child):
        raise PermissionDenied("You do not have permission to end placements.")
    form = PlacementEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            placement = placement_services.placement_end(
                actor=request.user,
                placement=placement,
                end_date=data["end_date"],
                reason=data["reason_for_change"],
                detail=data.get("reason_detail") or "",
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"The placement at {placement.setting_name} has ended.")
            return redirect("children:placements", pk=child.pk)
    return render(request, "placements/end_form.html", {"form": form, "child": child, "placement": placement})

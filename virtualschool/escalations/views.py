"""Escalation pages: the list with what is due and overdue, one escalation with its timeline, the forms that move
it on, the letters for each level, a child's escalations tab, and each person's notification settings.

Reads go through the selectors (an escalation out of scope answers 404); writes through the services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from virtualschool.children import services as child_services
from virtualschool.children.forms import apply_service_errors
from virtualschool.children.views import child_or_404, child_page_context
from virtualschool.core.calendar import add_working_days

from . import forms as f
from . import letters, services
from .models import Escalation, FailingParty
from .selectors import (
    escalation_get,
    escalation_state,
    escalations_for_child,
    ladders_list,
    levels_for,
    open_escalations,
    policy_get,
    preference_for,
)

STATE_TAGS = {
    "overdue": ("Overdue", "govuk-tag--red"),
    "due_today": ("Due today", "govuk-tag--orange"),
    "due_soon": ("Due soon", "govuk-tag--yellow"),
    "on_time": ("Not yet due", "govuk-tag--blue"),
    "no_date": ("No due date", "govuk-tag--grey"),
    "resolved": ("Resolved", "govuk-tag--green"),
}


def _rows(escalations: Any, today: Any) -> list[dict[str, Any]]:
    soon = add_working_days(today, policy_get().due_soon_working_days)
    rows = []
    for escalation in escalations:
        state = escalation_state(escalation, today, soon)
        label, tag = STATE_TAGS[state]
        rows.append({"escalation": escalation, "state": state, "state_label": label, "tag": tag})
    return rows


def escalation_list(request: HttpRequest) -> HttpResponse:
    """Open escalations the user may see, overdue first, filtered."""
    today = timezone.localdate()
    ladders = list(ladders_list(active_only=False))
    form = f.ListFilterForm(request.GET or None, ladders=ladders)
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status") or "open"
    qs = open_escalations(
        user=request.user,
        today=today,
        state=data.get("state") or "",
        ladder=data.get("ladder") or "",
        party=data.get("party") or "",
        held_by_me=bool(data.get("mine")),
        status="" if status == "all" else status,
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    selected = []
    for name in ("state", "status", "ladder", "party", "mine"):
        value = data.get(name)
        if not value or (name == "status" and value == "open"):
            continue
        rest = request.GET.copy()
        rest.pop(name, None)
        rest.pop("page", None)
        choices = dict(getattr(form.fields[name], "choices", []))
        text = "Only those I hold" if name == "mine" else choices.get(value, value)
        selected.append({"heading": form.fields[name].label, "text": text, "href": f"?{rest.urlencode()}"})
    context = {
        "form": form,
        "rows": _rows(page.object_list, today),
        "page_obj": page,
        "total": page.paginator.count,
        "selected_filters": selected,
        "today": today,
        "can_raise": request.user.has_perm("escalations.add_escalation"),
    }
    return render(request, "escalations/list.html", context)


def ladder_list(request: HttpRequest) -> HttpResponse:
    """Every ladder with its levels: who acts, who is copied, the time allowed and what must be done."""
    return render(request, "escalations/ladders.html", {"ladders": ladders_list()})


def _escalation_or_404(request: HttpRequest, pk: int) -> Escalation:
    try:
        return escalation_get(user=request.user, pk=pk)
    except Escalation.DoesNotExist as exc:
        raise Http404("No escalation was found with that number, or you do not work with the child.") from exc


def _require_change(request: HttpRequest, escalation: Escalation) -> None:
    if not request.user.has_perm("escalations.change_escalation", escalation):
        raise PermissionDenied("Only the person who holds or raised this escalation, or a manager, can change it.")


def holder_choices(escalation: Escalation) -> Any:
    """Who may hold the escalation from the next level: Virtual School staff, the child's social worker and
    reviewing officer, and whoever holds it now."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from virtualschool.accounts.models import Role

    child = escalation.child
    return (
        get_user_model()
        .objects.filter(
            Q(role__in=[Role.VIRTUAL_SCHOOL_HEAD, Role.VIRTUAL_SCHOOL_LEAD, Role.SERVICE_MANAGER])
            | Q(pk__in=[child.social_worker_id, child.reviewing_officer_id, escalation.holder_id]),
            is_active=True,
        )
        .order_by("full_name")
    )


def _timeline(escalation: Escalation) -> list[dict[str, Any]]:
    """Every event of the escalation, newest first, for the MOJ timeline."""
    items: list[dict[str, Any]] = []
    for step in escalation.steps.all():
        items.append({"date": step.entered_on, "order": (step.created_at, 0), "kind": "step", "step": step})
    for contact in escalation.contacts.all():
        items.append(
            {"date": contact.contacted_on, "order": (contact.created_at, 1), "kind": "contact", "contact": contact}
        )
    for view in escalation.child_views.all():
        items.append({"date": view.recorded_on, "order": (view.created_at, 2), "kind": "view", "view": view})
    if not escalation.is_open:
        items.append({"date": escalation.resolved_on, "order": (escalation.modified_at, 3), "kind": "resolved"})
    items.sort(key=lambda item: (item["date"], item["order"]), reverse=True)
    return items


def escalation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = _escalation_or_404(request, pk)
    today = timezone.localdate()
    rows = levels_for(escalation)
    step = escalation.current_step
    views_at_step = [v for v in escalation.child_views.all() if step and v.step_id == step.pk]
    context = {
        **child_page_context(request, escalation.child, "escalations", today),
        "escalation": escalation,
        "state": _rows([escalation], today)[0],
        "levels": rows,
        "step": step,
        "timeline": _timeline(escalation),
        "can_change": request.user.has_perm("escalations.change_escalation", escalation) and escalation.is_open,
        "can_skip": escalation.ladder.skip_allowed(escalation.safeguarding),
        "has_higher": any(r.level.number > step.level.number for r in rows) if step else False,
        "views_missing": bool(step and step.level.ask_child_views and not views_at_step and escalation.is_open),
        "time_up": bool(escalation.is_open and escalation.due_on and escalation.due_on < today),
    }
    services.escalation_record_view(actor=request.user, escalation=escalation)
    return render(request, "escalations/detail.html", context)


def child_escalations(request: HttpRequest, pk: int) -> HttpResponse:
    """The child's escalations tab."""
    child = child_or_404(request, pk)
    today = timezone.localdate()
    context = {
        **child_page_context(request, child, "escalations", today),
        "rows": _rows(escalations_for_child(user=request.user, child=child), today),
        "can_raise": request.user.has_perm("escalations.add_escalation", child),
    }
    child_services.child_record_view(actor=request.user, child=child, page="escalations")
    return render(request, "escalations/child.html", context)


@require_http_methods(["GET", "POST"])
def escalation_raise(request: HttpRequest, pk: int) -> HttpResponse:
    child = child_or_404(request, pk, full=False)
    if not request.user.has_perm("escalations.add_escalation", child):
        raise PermissionDenied("You do not have permission to raise a concern for this child.")
    ladders = ladders_list()
    initial = {}
    wanted = request.GET.get("ladder")
    if wanted:
        chosen = ladders.filter(slug=wanted).first()
        if chosen is not None:
            initial = {"ladder": chosen.pk, "failing_party": chosen.failing_party}
    form = f.RaiseForm(request.POST or None, ladders=ladders, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            escalation = services.escalation_raise(
                actor=request.user,
                child=child,
                ladder=data["ladder"],
                failing_party=data["failing_party"],
                party_name=data["party_name"],
                summary=data["summary"],
                evidence=data["evidence"],
                arose_on=data["arose_on"],
                safeguarding=data["safeguarding"],
                due_on=data["due_on"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, "The concern has been raised. Record your contacts and the child's views as you go."
            )
            return redirect("escalations:detail", pk=escalation.pk)
    return render(
        request,
        "escalations/form.html",
        {
            "form": form,
            "child": child,
            "title": f"Raise a concern for {child.display_name}",
            "back": ("escalations:child", child.pk),
            "parties": FailingParty.choices,
        },
    )


def _form_page(
    request: HttpRequest,
    pk: int,
    form_class: Any,
    title: str,
    act: Any,
    done: str,
    *,
    form_kwargs: Any = None,
    intro: str = "",
) -> HttpResponse:
    escalation = _escalation_or_404(request, pk)
    _require_change(request, escalation)
    if not escalation.is_open:
        messages.error(request, "This escalation has been resolved: raise a new concern instead.")
        return redirect("escalations:detail", pk=escalation.pk)
    kwargs = form_kwargs(escalation) if form_kwargs else {}
    form = form_class(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            act(escalation, form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("escalations:detail", pk=escalation.pk)
    context = {
        "form": form,
        "child": escalation.child,
        "escalation": escalation,
        "title": title,
        "intro": intro,
        "back": ("escalations:detail", escalation.pk),
    }
    return render(request, "escalations/form.html", context)


@require_http_methods(["GET", "POST"])
def escalation_move(request: HttpRequest, pk: int) -> HttpResponse:
    def act(escalation: Escalation, data: dict[str, Any]) -> None:
        services.escalation_move_up(
            actor=request.user,
            escalation=escalation,
            reason=data["reason"],
            due_on=data["due_on"],
            holder=data.get("holder"),
        )

    return _form_page(
        request,
        pk,
        f.MoveForm,
        "Move the escalation up",
        act,
        "The escalation has moved up.",
        form_kwargs=lambda escalation: {"holders": holder_choices(escalation)},
        intro="It goes to the next level of the procedure (at the last, repeating level: a reminder).",
    )


@require_http_methods(["GET", "POST"])
def escalation_skip(request: HttpRequest, pk: int) -> HttpResponse:
    def kwargs(escalation: Escalation) -> dict[str, Any]:
        if not escalation.ladder.skip_allowed(escalation.safeguarding):
            raise PermissionDenied("This procedure does not allow levels to be skipped.")
        current = escalation.current_step.level.number if escalation.current_step else -1
        return {
            "levels": [lv for lv in escalation.ladder.levels.all() if lv.number > current],
            "holders": holder_choices(escalation),
        }

    def act(escalation: Escalation, data: dict[str, Any]) -> None:
        services.escalation_skip(
            actor=request.user,
            escalation=escalation,
            level_number=data["level"],
            reason=data["reason"],
            due_on=data["due_on"],
            holder=data.get("holder"),
        )

    return _form_page(
        request,
        pk,
        f.SkipForm,
        "Skip to a higher level",
        act,
        "The escalation has skipped to the level chosen.",
        form_kwargs=kwargs,
    )


@require_http_methods(["GET", "POST"])
def escalation_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    def act(escalation: Escalation, data: dict[str, Any]) -> None:
        services.escalation_resolve(
            actor=request.user, escalation=escalation, outcome=data["outcome"], resolved_on=data["resolved_on"]
        )

    return _form_page(request, pk, f.ResolveForm, "Resolve the escalation", act, "The escalation has been resolved.")


@require_http_methods(["GET", "POST"])
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    def act(escalation: Escalation, data: dict[str, Any]) -> None:
        services.contact_record(actor=request.user, escalation=escalation, **data)

    return _form_page(request, pk, f.ContactForm, "Record a contact", act, "The contact has been recorded.")


@require_http_methods(["GET", "POST"])
def child_view_add(request: HttpRequest, pk: int) -> HttpResponse:
    def act(escalation: Escalation, data: dict[str, Any]) -> None:
        services.child_view_record(actor=request.user, escalation=escalation, **data)

    return _form_page(
        request,
        pk,
        f.ChildViewForm,
        "Record the child's views",
        act,
        "The child's views have been recorded.",
        intro="Ask for the child's views at every step. If they could not be obtained, say why.",
    )


@require_http_methods(["GET", "POST"])
def responses_edit(request: HttpRequest, pk: int) -> HttpResponse:
    def kwargs(escalation: Escalation) -> dict[str, Any]:
        if escalation.current_step is None or not escalation.current_step.level.responses:
            raise Http404("This level has no list of responses.")
        return {"step": escalation.current_step}

    def act(escalation: Escalation, data: dict[str, Any]) -> None:
        services.responses_record(
            actor=request.user, escalation=escalation, responses=data["responses"], note=data["note"]
        )

    return _form_page(
        request, pk, f.ResponsesForm, "Record the response", act, "The response has been recorded.", form_kwargs=kwargs
    )


def _letter_level(request: HttpRequest, escalation: Escalation) -> Any:
    number = request.GET.get("level")
    levels = list(escalation.ladder.levels.all())
    if number is not None:
        level = next((lv for lv in levels if str(lv.number) == number), None)
        if level is None:
            raise Http404("The procedure has no such level.")
        return level
    return escalation.current_step.level if escalation.current_step else levels[0]


def letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter or e-mail for a level with the facts filled in, to copy, or to download as Word."""
    escalation = _escalation_or_404(request, pk)
    level = _letter_level(request, escalation)
    draft = letters.draft_letter(escalation, level, author=request.user)
    services.letter_record(actor=request.user, escalation=escalation, level=level, download=False)
    context = {
        **child_page_context(request, escalation.child, "escalations", timezone.localdate()),
        "escalation": escalation,
        "level": level,
        "letter": draft,
        "levels": list(escalation.ladder.levels.all()),
    }
    return render(request, "escalations/letter.html", context)


def letter_docx(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = _escalation_or_404(request, pk)
    level = _letter_level(request, escalation)
    draft = letters.draft_letter(escalation, level, author=request.user)
    services.letter_record(actor=request.user, escalation=escalation, level=level, download=True)
    response = HttpResponse(
        letters.letter_docx(draft),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    name = slugify(f"escalation-{escalation.pk}-level-{level.number}")
    response["Content-Disposition"] = f'attachment; filename="{name}.docx"'
    return response


@require_http_methods(["GET", "POST"])
def preference_edit(request: HttpRequest) -> HttpResponse:
    """How the signed-in person wants notifications e-mailed: as they happen, in a daily digest, or not at all."""
    current = preference_for(request.user)
    initial = {"due_soon": current.due_soon, "overdue": current.overdue, "other": current.other}
    form = f.PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.preference_update(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Your notification settings have been saved.")
            return redirect("escalations:preferences")
    return render(request, "escalations/preferences.html", {"form": form})

"""PEP pages: the lead's due list, the child's PEPs tab, the PEP itself and its forms, outputs and QA.

Reads go through peps.selectors (a PEP of a child out of scope answers 404); writes through peps.services, which
check the part the user may change and refuse a stale save (the form then shows what changed and keeps what was
typed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from virtualschool.children.forms import apply_service_errors
from virtualschool.children.models import Child
from virtualschool.children.views import child_or_404, child_page_context
from virtualschool.core import audit
from virtualschool.core.calendar import academic_year_start, school_calendar
from virtualschool.core.models import AuditEvent

from . import outputs, services
from . import rules as pep_rules
from .document import build_document
from .forms import (
    ActionForm,
    AttainmentForm,
    CareReviewForm,
    DecisionForm,
    DelegationForm,
    MeetingArrangeForm,
    MeetingRecordForm,
    PepCreateForm,
    PriorAttainmentForm,
    QaForm,
    ReasonForm,
    SectionForm,
    TargetForm,
    TargetReviewForm,
)
from .models import (
    Action,
    Attainment,
    Pep,
    PepProposal,
    PepSection,
    PepStatus,
    ProposalStatus,
    QaReview,
    SectionKind,
    Target,
)
from .sections import PART_LABELS, SCALE_NAMES, SECTION_HELP
from .selectors import (
    care_review_dates_for,
    delegations_of,
    due_for_children,
    due_list,
    open_proposals,
    pep_get,
    pep_version_get,
    peps_for_child,
    prior_attainment_for,
    proposals_for_child,
    qa_assignments,
    qa_dashboard,
    targets_to_review,
)
from .timing import STATUS_LABELS, STATUS_TAGS, next_care_review

STATUS_TAG = {
    PepStatus.NOT_STARTED: "govuk-tag--grey",
    PepStatus.IN_PROGRESS: "govuk-tag--blue",
    PepStatus.MEETING_HELD: "govuk-tag--light-blue",
    PepStatus.SUBMITTED: "govuk-tag--purple",
    PepStatus.RETURNED: "govuk-tag--orange",
    PepStatus.APPROVED: "govuk-tag--green",
}
RAG_BADGE = {"red": "moj-badge--red", "amber": "moj-badge--purple", "green": "moj-badge--green"}


def _pep_or_404(request: HttpRequest, pk: int) -> Pep:
    try:
        return pep_get(user=request.user, pk=pk)
    except Pep.DoesNotExist as exc:
        raise Http404("No PEP was found with that number, or you do not work with the child.") from exc


def _viewed(request: HttpRequest, pep: Pep, page: str) -> None:
    audit.record_view(request.user, pep, child_id=pep.child_id, context={"page": page})


def _exported(request: HttpRequest, pep: Pep, context: dict[str, Any]) -> None:
    audit.record_views(request.user, [pep], child_of="child_id", action=AuditEvent.Action.EXPORT, context=context)


def _due_rows(items: list[Any], today: dt.date) -> list[dict[str, Any]]:
    rows = []
    for item in items:
        status = item.status(today)
        rows.append(
            {
                "item": item,
                "status": status,
                "status_label": STATUS_LABELS[status],
                "tag": STATUS_TAGS[status],
                "days_late": item.days_late(today),
            }
        )
    return rows


# ---------------------------------------------------------------------------------------------------------
# Lists
# ---------------------------------------------------------------------------------------------------------


def due_list_page(request: HttpRequest) -> HttpResponse:
    """What is due and overdue: a lead's caseload, a designated teacher's pupils, a social worker's children."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    if not request.user.has_perm("peps.view_pep_tab"):
        raise PermissionDenied("You do not work with children's PEPs.")
    today = timezone.localdate()
    rows = [
        {"child": child, **row}
        for child, row in (
            (c, r) for c, item in due_list(user=request.user, today=today) for r in _due_rows([item], today)
        )
    ]
    overdue = sum(1 for r in rows if r["status"] == "overdue")
    waiting: list[Pep] = []
    if request.user.role == "dt":
        from .selectors import peps_visible_to

        waiting = [
            pep
            for pep in peps_visible_to(request.user)
            .exclude(status__in=[PepStatus.SUBMITTED, PepStatus.APPROVED])
            .select_related("child")
            .prefetch_related("sections")
            .order_by("meeting_date")[:50]
            if any(
                not s.completed and s.kind in pep_rules.editable_parts(request.user, pep) for s in pep.sections.all()
            )
        ]
    context = {
        "rows": rows,
        "overdue": overdue,
        "proposals": list(open_proposals(user=request.user)[:100]),
        "assignments": list(qa_assignments(user=request.user)[:100]),
        "waiting": waiting,
        "delegations": list(delegations_of(request.user)) if request.user.role == "dt" else [],
        "can_qa": request.user.has_perm("peps.quality_assure"),
        "today": today,
    }
    return render(request, "peps/due.html", context)


def child_peps(request: HttpRequest, pk: int) -> HttpResponse:
    """The child's PEPs tab: what is due and late, proposals, every PEP, and the care review dates."""
    child = child_or_404(request, pk)
    today = timezone.localdate()
    peps = list(peps_for_child(user=request.user, child=child))
    [due] = due_for_children([child], today=today)
    recorded = care_review_dates_for(child)
    policy = services.policy_get()
    context = {
        **child_page_context(request, child, "peps", today),
        "peps": [{"pep": p, "tag": STATUS_TAG[p.status], "rag": RAG_BADGE.get(p.rag, "")} for p in peps],
        "due_rows": _due_rows(due.items, today),
        "proposals": list(proposals_for_child(user=request.user, child=child)),
        "next_review": next_care_review(child.period_of_care_start, recorded, policy, today),
        "recorded_reviews": sorted(recorded, reverse=True)[:6],
        "can_create": request.user.has_perm("peps.add_pep", child),
        "can_decide": request.user.has_perm("peps.decide_proposal", child),
        "can_record_review": request.user.has_perm("peps.record_care_review", child),
        "policy": policy,
    }
    audit.record_view(request.user, child, child_id=child.pk, context={"page": "PEPs"})
    return render(request, "peps/child.html", context)


@require_http_methods(["GET", "POST"])
def pep_create(request: HttpRequest, pk: int) -> HttpResponse:
    child = child_or_404(request, pk, full=False)
    if not request.user.has_perm("peps.add_pep", child):
        raise PermissionDenied("You do not have permission to create a PEP for this child.")
    today = timezone.localdate()
    term = school_calendar().term_for(today)
    form = PepCreateForm(
        request.POST or None,
        year=academic_year_start(today),
        initial={"academic_year": term.academic_year, "term": term.term},
    )
    if request.method == "POST" and form.is_valid():
        try:
            pep = services.pep_create(actor=request.user, child=child, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{pep} created. Each author can now complete their part.")
            return redirect("peps:detail", pk=pep.pk)
    return _form_page(request, form, child=child, title="Create a PEP", submit_url=request.path)


# ---------------------------------------------------------------------------------------------------------
# The PEP
# ---------------------------------------------------------------------------------------------------------


def _pep_context(request: HttpRequest, pep: Pep) -> dict[str, Any]:
    user = request.user
    parts = pep_rules.editable_parts(user, pep) if pep.status != PepStatus.APPROVED else set()
    previous = targets_to_review(pep)
    doc = build_document(pep, previous_targets=previous, prior=prior_attainment_for(pep.child))
    review = services.pep_next_care_review(pep)
    qa_done = [r for r in pep.qa_reviews.all() if r.completed_on]
    return {
        "pep": pep,
        "doc": doc,
        "child": pep.child,
        "parts": parts,
        "status_tag": STATUS_TAG[pep.status],
        "rag_badge": RAG_BADGE.get(pep.rag, ""),
        "events": list(pep.events.all()),
        "versions": list(pep.versions.all()),
        "next_review": review,
        "scale_name": SCALE_NAMES.get(pep.key_stage, ""),
        "can_submit": pep.status in {PepStatus.MEETING_HELD, PepStatus.RETURNED}
        and user.has_perm("peps.submit_pep", pep),
        "submission_problems": services.submission_problems(pep)
        if pep.status in {PepStatus.MEETING_HELD, PepStatus.RETURNED}
        else [],
        "can_decide": pep.status == PepStatus.SUBMITTED and user.has_perm("peps.quality_assure"),
        "can_qa": pep.status in {PepStatus.SUBMITTED, PepStatus.APPROVED, PepStatus.RETURNED}
        and user.has_perm("peps.quality_assure"),
        "can_amend": pep.status == PepStatus.APPROVED and user.has_perm("peps.amend_approved", pep),
        "can_start": pep.status == PepStatus.NOT_STARTED and bool(parts),
        "last_feedback": max(qa_done, key=lambda r: (r.completed_on, r.pk)) if qa_done else None,
        "editable": bool(parts),
    }


def pep_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pep = _pep_or_404(request, pk)
    context = _pep_context(request, pep)
    _viewed(request, pep, "PEP")
    return render(request, "peps/pep.html", context)


def your_part(request: HttpRequest, pk: int) -> HttpResponse:
    """The friendly task list: each part this person completes, and whether it is done."""
    pep = _pep_or_404(request, pk)
    parts = pep_rules.editable_parts(request.user, pep)
    if not parts or pep.status == PepStatus.APPROVED:
        raise PermissionDenied("You have no part of this PEP to complete.")
    sections = {s.kind: s for s in pep.sections.all()}
    tasks = []
    for kind in SectionKind.values:
        if kind in parts:
            section = sections[kind]
            tasks.append(
                {
                    "label": PART_LABELS[kind],
                    "hint": SECTION_HELP[kind],
                    "url": reverse("peps:section", args=[pep.pk, kind]),
                    "done": section.completed,
                    "started": any((section.answers or {}).values()),
                }
            )
    if "attainment" in parts:
        count = len(pep.attainment.all())
        tasks.append(
            {
                "label": "Attainment",
                "hint": f"{count} subject{'s' if count != 1 else ''} recorded",
                "url": reverse("peps:attainment-new", args=[pep.pk]),
                "done": count >= 2,
                "started": count > 0,
            }
        )
    if "targets" in parts:
        count = len(pep.targets.all())
        tasks.append(
            {
                "label": "SMART targets",
                "hint": f"{count} target{'s' if count != 1 else ''}",
                "url": reverse("peps:target-new", args=[pep.pk]),
                "done": count > 0,
                "started": count > 0,
            }
        )
    if "actions" in parts:
        count = len(pep.actions.all())
        tasks.append(
            {
                "label": "Actions",
                "hint": f"{count} action{'s' if count != 1 else ''}",
                "url": reverse("peps:action-new", args=[pep.pk]),
                "done": count > 0,
                "started": count > 0,
            }
        )
    done = sum(1 for t in tasks if t["done"])
    return render(request, "peps/your_part.html", {"pep": pep, "child": pep.child, "tasks": tasks, "done": done})


def _form_page(
    request: HttpRequest,
    form: Any,
    *,
    title: str,
    child: Child,
    pep: Pep | None = None,
    stale: services.StaleEdit | None = None,
    intro: str = "",
    submit_url: str = "",
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "child": child,
        "pep": pep,
        "stale": stale,
        "intro": intro,
        "submit_url": submit_url or request.path,
        "cancel_url": reverse("peps:detail", args=[pep.pk]) if pep else reverse("peps:child", args=[child.pk]),
        **(extra or {}),
    }
    return render(request, "peps/form.html", context, status=status)


def _save(
    request: HttpRequest,
    form: Any,
    save: Callable[[], Any],
    *,
    pep: Pep,
    title: str,
    success: str,
    intro: str = "",
    extra: dict[str, Any] | None = None,
    next_url: str = "",
) -> HttpResponse:
    """Run a service with what the form holds; on a stale save show what changed and keep what was typed."""
    stale = None
    if request.method == "POST" and form.is_valid():
        try:
            save()
        except services.StaleEdit as exc:
            stale = exc
            form.with_version(exc.current_version)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect(next_url or reverse("peps:detail", args=[pep.pk]))
    return _form_page(
        request,
        form,
        title=title,
        child=pep.child,
        pep=pep,
        stale=stale,
        intro=intro,
        extra=extra,
        status=409 if stale else 200,
    )


def _require_part(request: HttpRequest, pep: Pep, part: str) -> None:
    if pep.status == PepStatus.APPROVED:
        raise PermissionDenied("This PEP is approved and locked. Start a new version to change it.")
    if part not in pep_rules.editable_parts(request.user, pep):
        raise PermissionDenied(f"You do not have permission to change the {PART_LABELS[part].lower()} of this PEP.")


@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    pep = _pep_or_404(request, pk)
    if kind not in SectionKind.values:
        raise Http404("There is no such section.")
    _require_part(request, pep, kind)
    section = next(s for s in pep.sections.all() if s.kind == kind)
    nc_year = pep.child.nc_year(timezone.localdate())
    initial = {
        **(section.answers or {}),
        "completed": section.completed,
        "completed_by_name": section.completed_by_name,
        "version": section.version,
    }
    form = SectionForm(request.POST or None, kind=kind, nc_year=nc_year, initial=initial)

    def save() -> PepSection:
        return services.section_save(
            actor=request.user,
            section=section,
            answers=form.answers(),
            expected_version=form.cleaned_data.get("version"),
            completed=form.cleaned_data.get("completed", False),
            completed_by_name=form.cleaned_data.get("completed_by_name", ""),
        )

    title = SectionKind(kind).label
    intro = SECTION_HELP[kind]
    if kind == SectionKind.CHILD_VOICE:
        intro += " Write what they say in their words: 'I like…', 'It helps when…'."
    next_url = reverse("peps:your-part", args=[pep.pk]) if request.user.role == "dt" else ""
    return _save(request, form, save, pep=pep, title=title, success=f"{title} saved.", intro=intro, next_url=next_url)


@require_http_methods(["GET", "POST"])
def meeting_arrange(request: HttpRequest, pk: int) -> HttpResponse:
    pep = _pep_or_404(request, pk)
    _require_part(request, pep, "meeting")
    initial = {
        "meeting_date": pep.meeting_date,
        "meeting_time": pep.meeting_time.strftime("%H:%M") if pep.meeting_time else "",
        "meeting_mode": pep.meeting_mode,
        "meeting_venue": pep.meeting_venue,
        "chair": pep.chair_id,
        "invitees": pep.invitees,
        "version": pep.version,
    }
    form = MeetingArrangeForm(request.POST or None, initial=initial)

    def save() -> Pep:
        data = form.cleaned_data
        return services.meeting_arrange(
            actor=request.user,
            pep=pep,
            expected_version=data.get("version"),
            meeting_date=data["meeting_date"],
            meeting_time=data["meeting_time"],
            venue=data.get("meeting_venue", ""),
            mode=data["meeting_mode"],
            chair=data.get("chair"),
            invitees=data.get("invitees", ""),
        )

    return _save(
        request,
        form,
        save,
        pep=pep,
        title="Arrange the PEP meeting",
        success="Meeting arranged. Download the invitation to send to the invitees.",
    )


@require_http_methods(["GET", "POST"])
def meeting_record(request: HttpRequest, pk: int) -> HttpResponse:
    pep = _pep_or_404(request, pk)
    _require_part(request, pep, "minutes")
    review = services.pep_next_care_review(pep)
    initial = {
        "meeting_held_on": pep.meeting_held_on or pep.meeting_date,
        "meeting_mode": pep.meeting_mode,
        "attendees": pep.attendees,
        "meeting_notes": pep.meeting_notes,
        "next_meeting_date": pep.next_meeting_date,
        "version": pep.version,
    }
    form = MeetingRecordForm(request.POST or None, initial=initial, next_review=review)

    def save() -> Pep:
        data = form.cleaned_data
        return services.meeting_record(
            actor=request.user,
            pep=pep,
            expected_version=data.get("version"),
            held_on=data.get("meeting_held_on"),
            attendees=data.get("attendees", ""),
            notes=data.get("meeting_notes", ""),
            next_meeting_date=data.get("next_meeting_date"),
            mode=data.get("meeting_mode"),
        )

    sections = list(pep.sections.all())
    missing = [SectionKind(s.kind).label for s in sections if not s.completed]
    intro = (
        ("Not everyone has completed their part: " + ", ".join(missing) + ".")
        if missing
        else "Every author has completed their part."
    )
    return _save(request, form, save, pep=pep, title="Record the PEP meeting", success="Meeting recorded.", intro=intro)


@require_http_methods(["GET", "POST"])
def attainment_edit(request: HttpRequest, pk: int, row_pk: int | None = None) -> HttpResponse:
    pep = _pep_or_404(request, pk)
    _require_part(request, pep, "attainment")
    row = None
    if row_pk is not None:
        row = next((a for a in pep.attainment.all() if a.pk == row_pk), None)
        if row is None:
            raise Http404("No such attainment row on this PEP.")
    initial = (
        {
            "subject": row.subject,
            "current": row.current,
            "target": row.target,
            "on_track": {True: "yes", False: "no"}.get(row.on_track, ""),
            "comment": row.comment,
            "version": row.version,
        }
        if row
        else {}
    )
    form = AttainmentForm(request.POST or None, key_stage=pep.key_stage, initial=initial)

    def save() -> Attainment:
        data = form.cleaned_data
        return services.attainment_save(
            actor=request.user,
            pep=pep,
            subject=data.get("subject", ""),
            current=data.get("current", ""),
            target=data.get("target", ""),
            on_track=data.get("on_track"),
            comment=data.get("comment", ""),
            row=row,
            expected_version=data.get("version"),
        )

    title = f"{row.subject} attainment" if row else "Add attainment in a subject"
    intro = f"{pep.get_key_stage_display()}: grades on the {SCALE_NAMES.get(pep.key_stage, '')} scale."
    return _save(request, form, save, pep=pep, title=title, success="Attainment saved.", intro=intro)


@require_http_methods(["GET", "POST"])
def prior_attainment_add(request: HttpRequest, pk: int) -> HttpResponse:
    pep = _pep_or_404(request, pk)
    _require_part(request, pep, "attainment")
    form = PriorAttainmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.prior_attainment_save(actor=request.user, child=pep.child, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Prior attainment saved.")
            return redirect("peps:detail", pk=pep.pk)
    return _form_page(
        request,
        form,
        title="Add prior attainment",
        child=pep.child,
        pep=pep,
        intro="The result at the end of an earlier key stage. It is kept with the child and shown on every PEP.",
    )


@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest, pk: int, target_pk: int | None = None) -> HttpResponse:
    pep = _pep_or_404(request, pk)
    _require_part(request, pep, "targets")
    target = None
    if target_pk is not None:
        target = next((t for t in pep.targets.all() if t.pk == target_pk), None)
        if target is None:
            raise Http404("No such target on this PEP.")
    initial: dict[str, Any] = {}
    if target is not None:
        initial = {name: getattr(target, name) for name in services.TARGET_FIELDS if name != "ppplus_pence"}
        initial["ppplus"] = f"{target.ppplus_pence / 100:.2f}" if target.ppplus_pence is not None else ""
        initial["version"] = target.version
    form = TargetForm(request.POST or None, initial=initial)

    def save() -> Target:
        return services.target_save(
            actor=request.user,
            pep=pep,
            data=form.service_data(),
            target=target,
            expected_version=form.cleaned_data.get("version"),
        )

    return _save(
        request,
        form,
        save,
        pep=pep,
        title="Change a target" if target else "Add a SMART target",
        success="Target saved.",
        intro=(
            "Specific, measurable, achievable, relevant and time-bound: say how it is measured, from where to where, "
            "by when and whose it is. Link any PP+ funding to it."
        ),
        extra={"smart_check_url": reverse("peps:target-check", args=[pep.pk])},
    )


def target_check(request: HttpRequest, pk: int) -> HttpResponse:
    """The SMART challenge as a target is typed: what is missing so far (a fragment the form shows)."""
    pep = _pep_or_404(request, pk)
    form = TargetForm(request.GET)
    form.is_valid()
    data = {
        **{
            k: request.GET.get(k, "")
            for k in ("description", "measure", "baseline", "target_value", "owner", "funding_note")
        }
    }
    data["deadline"] = form.cleaned_data.get("deadline")
    if not data["deadline"] and any(request.GET.get(f"deadline_{p}") for p in ("0", "1", "2")):
        data["deadline"] = "typed"
    data["ppplus_pence"] = form.cleaned_data.get("ppplus")
    problems = services.smart_problems(data)
    return render(request, "peps/_smart_check.html", {"problems": list(problems.values()), "pep": pep})


@require_http_methods(["GET", "POST"])
def target_review(request: HttpRequest, pk: int, target_pk: int) -> HttpResponse:
    pep = _pep_or_404(request, pk)
    _require_part(request, pep, "targets")
    target = next((t for t in targets_to_review(pep) if t.pk == target_pk), None)
    if target is None:
        raise Http404("That target is not one of the last PEP's.")
    form = TargetReviewForm(
        request.POST or None,
        initial={"outcome": target.outcome, "outcome_note": target.outcome_note, "version": target.version},
    )

    def save() -> Target:
        data = form.cleaned_data
        return services.target_review(
            actor=request.user,
            target=target,
            reviewing_pep=pep,
            outcome=data.get("outcome", ""),
            note=data.get("outcome_note", ""),
            expected_version=data.get("version"),
        )

    return _save(
        request,
        form,
        save,
        pep=pep,
        title="Review a target from the last PEP",
        success="Target reviewed.",
        intro=target.description,
    )


@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int, action_pk: int | None = None) -> HttpResponse:
    pep = _pep_or_404(request, pk)
    _require_part(request, pep, "actions")
    action = None
    if action_pk is not None:
        action = next((a for a in pep.actions.all() if a.pk == action_pk), None)
        if action is None:
            raise Http404("No such action on this PEP.")
    initial = (
        {
            "description": action.description,
            "owner": action.owner,
            "due_on": action.due_on,
            "done_on": action.done_on,
            "version": action.version,
        }
        if action
        else {}
    )
    form = ActionForm(request.POST or None, initial=initial)

    def save() -> Action:
        data = form.cleaned_data
        return services.action_save(
            actor=request.user,
            pep=pep,
            description=data.get("description", ""),
            owner=data.get("owner", ""),
            due_on=data.get("due_on"),
            done_on=data.get("done_on"),
            action=action,
            expected_version=data.get("version"),
        )

    return _save(
        request, form, save, pep=pep, title="Change an action" if action else "Add an action", success="Action saved."
    )


# ---------------------------------------------------------------------------------------------------------
# Transitions
# ---------------------------------------------------------------------------------------------------------


@require_POST
def pep_start(request: HttpRequest, pk: int) -> HttpResponse:
    pep = _pep_or_404(request, pk)
    services.pep_start(actor=request.user, pep=pep)
    messages.success(request, "PEP started.")
    return redirect("peps:your-part" if request.user.role == "dt" else "peps:detail", pk=pep.pk)


@require_POST
def pep_submit(request: HttpRequest, pk: int) -> HttpResponse:
    pep = _pep_or_404(request, pk)
    try:
        version = int(request.POST.get("version") or 0) or None
        services.pep_submit(actor=request.user, pep=pep, expected_version=version)
    except services.StaleEdit as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, "PEP submitted for quality assurance.")
    return redirect("peps:detail", pk=pep.pk)


@require_http_methods(["GET", "POST"])
def pep_decide(request: HttpRequest, pk: int) -> HttpResponse:
    pep = _pep_or_404(request, pk)
    if not request.user.has_perm("peps.quality_assure"):
        raise PermissionDenied("Only the Virtual School Head and leads approve PEPs.")
    if pep.status != PepStatus.SUBMITTED:
        raise PermissionDenied("Only a submitted PEP can be approved or returned.")
    form = DecisionForm(request.POST or None, initial={"version": pep.version})

    def save() -> Pep:
        data = form.cleaned_data
        if data["decision"] == "approve":
            return services.pep_approve(
                actor=request.user, pep=pep, rag=data.get("rag", ""), expected_version=data.get("version")
            )
        return services.pep_return(
            actor=request.user,
            pep=pep,
            reason=data.get("reason", ""),
            rag=data.get("rag", ""),
            expected_version=data.get("version"),
        )

    return _save(
        request, form, save, pep=pep, title="Approve or return the PEP", success="Decision saved and the school told."
    )


@require_http_methods(["GET", "POST"])
def pep_amend(request: HttpRequest, pk: int) -> HttpResponse:
    pep = _pep_or_404(request, pk)
    if not request.user.has_perm("peps.amend_approved", pep):
        raise PermissionDenied("You do not have permission to change an approved PEP.")
    form = ReasonForm(
        request.POST or None, label="Why does the approved PEP need to change?", submit="Start a new version"
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.pep_amend(actor=request.user, pep=pep, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "A new version has been started. The approved version is kept.")
            return redirect("peps:detail", pk=pep.pk)
    return _form_page(
        request,
        form,
        title="Start a new version of the PEP",
        child=pep.child,
        pep=pep,
        intro=f"Version {pep.plan_version} stays as it was approved, and can still be read.",
    )


@require_http_methods(["GET", "POST"])
def pep_qa(request: HttpRequest, pk: int) -> HttpResponse:
    pep = _pep_or_404(request, pk)
    if not request.user.has_perm("peps.quality_assure"):
        raise PermissionDenied("Only the Virtual School Head and leads quality-assure PEPs.")
    assigned = next((r for r in pep.qa_reviews.all() if r.reviewer_id == request.user.pk and not r.completed_on), None)
    form = QaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.qa_record(
                actor=request.user,
                pep=pep,
                ratings=form.ratings(),
                grade=form.cleaned_data.get("grade", ""),
                feedback=form.cleaned_data.get("feedback", ""),
                review=assigned,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Quality assurance saved; the designated teacher has the feedback.")
            return redirect("peps:detail", pk=pep.pk)
    done = [r for r in pep.qa_reviews.all() if r.completed_on]
    last = max(done, key=lambda r: (r.completed_on, r.pk)) if done else None
    intro = (
        f"Last feedback ({last.get_grade_display().lower()}, {last.completed_on:%-d %B %Y}): {last.feedback}"
        if last
        else ""
    )
    return _form_page(request, form, title="Quality-assure the PEP", child=pep.child, pep=pep, intro=intro)


# ---------------------------------------------------------------------------------------------------------
# Proposals, care reviews, delegation
# ---------------------------------------------------------------------------------------------------------


def _proposal_or_404(request: HttpRequest, pk: int) -> PepProposal:
    from virtualschool.children.selectors import children_visible_to

    try:
        return PepProposal.objects.select_related("child").get(
            pk=pk, child__in=children_visible_to(request.user).values("pk")
        )
    except PepProposal.DoesNotExist as exc:
        raise Http404("No such proposal.") from exc


@require_POST
def proposal_accept(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal_or_404(request, pk)
    try:
        pep = services.proposal_accept(actor=request.user, proposal=proposal)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("peps:child", pk=proposal.child_id)
    messages.success(request, f"{pep} created from the proposal.")
    return redirect("peps:detail", pk=pep.pk)


@require_http_methods(["GET", "POST"])
def proposal_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal_or_404(request, pk)
    if not request.user.has_perm("peps.decide_proposal", proposal.child):
        raise PermissionDenied("You do not have permission to dismiss a proposal.")
    if proposal.status != ProposalStatus.OPEN:
        raise Http404("This proposal has already been decided.")
    form = ReasonForm(
        request.POST or None,
        label="Why is no interim or emergency PEP needed?",
        submit="Dismiss the proposal",
        warning=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_dismiss(actor=request.user, proposal=proposal, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Proposal dismissed.")
            return redirect("peps:child", pk=proposal.child_id)
    return _form_page(request, form, title="Dismiss a proposed PEP", child=proposal.child, intro=proposal.reason)


@require_http_methods(["GET", "POST"])
def care_review_add(request: HttpRequest, pk: int) -> HttpResponse:
    child = child_or_404(request, pk, full=False)
    if not request.user.has_perm("peps.record_care_review", child):
        raise PermissionDenied("You do not have permission to record care review dates for this child.")
    form = CareReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.care_review_record(actor=request.user, child=child, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Care review date saved.")
            return redirect("peps:child", pk=child.pk)
    return _form_page(
        request,
        form,
        title="Record a care review date",
        child=child,
        intro=(
            "A review held or booked. Recorded dates are used in place of the schedule "
            "(28 days, 3 months, then every 6 months)."
        ),
    )


@require_http_methods(["GET", "POST"])
def delegation_add(request: HttpRequest) -> HttpResponse:
    from virtualschool.schools.models import SchoolStaff

    if not request.user.has_perm("peps.delegate"):
        raise PermissionDenied("Only a designated teacher can delegate.")
    role = SchoolStaff.objects.filter(user=request.user, is_designated_teacher=True).select_related("school").first()
    if role is None:
        raise PermissionDenied("You are not the designated teacher of a school.")
    from django.contrib.auth import get_user_model

    from virtualschool.children.selectors import children_visible_to

    colleagues = (
        get_user_model().objects.filter(school_roles__school=role.school, is_active=True).exclude(pk=request.user.pk)
    )
    pupils = children_visible_to(request.user).filter(education_placements__school=role.school).distinct()
    form = DelegationForm(request.POST or None, colleagues=colleagues, pupils=pupils)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.delegation_create(
                actor=request.user,
                school=role.school,
                delegate=data.get("delegate"),
                children=list(data.get("children") or []),
                parts=data.get("parts") or [],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Delegation saved: your colleague has been told.")
            return redirect("peps:due")
    return render(
        request,
        "peps/form.html",
        {
            "form": form,
            "title": f"Delegate PEPs at {role.school.name}",
            "child": None,
            "intro": "Let a colleague at your school complete your part, for named pupils, named parts, or both.",
            "cancel_url": reverse("peps:due"),
            "submit_url": request.path,
        },
    )


@require_POST
def delegation_end(request: HttpRequest, pk: int) -> HttpResponse:
    delegation = next((d for d in delegations_of(request.user) if d.pk == pk), None)
    if delegation is None:
        raise Http404("No such delegation.")
    services.delegation_revoke(actor=request.user, delegation=delegation)
    messages.success(request, "Delegation ended.")
    return redirect("peps:due")


# ---------------------------------------------------------------------------------------------------------
# Versions and outputs
# ---------------------------------------------------------------------------------------------------------


def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    pep = _pep_or_404(request, pk)
    try:
        version = pep_version_get(user=request.user, pep=pep, number=number)
    except Exception as exc:  # PepVersion.DoesNotExist
        raise Http404("No such version.") from exc
    _viewed(request, pep, f"version {number}")
    return render(
        request, "peps/version.html", {"pep": pep, "child": pep.child, "version": version, "doc": version.document}
    )


def pep_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    pep = _pep_or_404(request, pk)
    doc = build_document(pep, previous_targets=targets_to_review(pep), prior=prior_attainment_for(pep.child))
    _exported(request, pep, {"format": "pdf"})
    return outputs.pdf_response(request, "peps/pdf.html", {"doc": doc}, filename=outputs.filename(pep, "pep"))


def pep_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """One page for the child's care review: status, attainment, targets, attendance, actions, next meeting."""
    pep = _pep_or_404(request, pk)
    doc = build_document(pep, previous_targets=targets_to_review(pep))
    context = {"doc": doc, "pep": pep, "child": pep.child, "next_review": services.pep_next_care_review(pep)}
    if request.GET.get("format") == "pdf":
        _exported(request, pep, {"format": "summary pdf"})
        return outputs.pdf_response(
            request, "peps/summary_pdf.html", context, filename=outputs.filename(pep, "care-review-summary")
        )
    _viewed(request, pep, "care review summary")
    return render(request, "peps/summary.html", context)


def pep_ics(request: HttpRequest, pk: int) -> HttpResponse:
    pep = _pep_or_404(request, pk)
    if not pep.meeting_date or not pep.meeting_time:
        raise Http404("The meeting has not been arranged yet.")
    _exported(request, pep, {"format": "ics"})
    response = HttpResponse(outputs.meeting_ics(pep, request), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{outputs.filename(pep, "meeting")}.ics"'
    return response


# ---------------------------------------------------------------------------------------------------------
# QA dashboard
# ---------------------------------------------------------------------------------------------------------


def qa_page(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    if not request.user.has_perm("peps.view_qa_dashboard"):
        raise PermissionDenied("You do not have permission to see the QA dashboard.")
    calendar = school_calendar()
    today = timezone.localdate()
    current = calendar.term_for(today)
    year, term = current.academic_year, current.term
    period = request.GET.get("period") or f"{request.GET.get('year', '')}-{request.GET.get('term', '')}"
    chosen_year, _, chosen_term = period.partition("-")
    if (
        chosen_year.isdigit()
        and 2000 <= int(chosen_year) <= today.year + 1
        and chosen_term in ("autumn", "spring", "summer")
    ):
        year, term = int(chosen_year), chosen_term
    board = qa_dashboard(user=request.user, academic_year=year, term=term, calendar=calendar)
    terms = []
    t = current
    for _ in range(6):
        terms.append(t)
        t = calendar.previous_term(t)
    return render(
        request,
        "peps/qa.html",
        {
            "board": board,
            "year": year,
            "term": term,
            "terms": terms,
            "can_round": request.user.has_perm("peps.quality_assure") and not board.rounds,
            "assignments": list(qa_assignments(user=request.user)[:100]),
            "policy": services.policy_get(),
        },
    )


@require_POST
def qa_round_create(request: HttpRequest) -> HttpResponse:
    try:
        year = int(request.POST.get("year", ""))
    except ValueError as exc:
        raise Http404("Choose a term.") from exc
    term = request.POST.get("term", "")
    try:
        qa_round = services.qa_round_create(actor=request.user, academic_year=year, term=term)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        count = QaReview.objects.filter(qa_round=qa_round).count()
        messages.success(request, f"QA round started: {count} PEP{'s' if count != 1 else ''} shared across the team.")
    return redirect(f"{reverse('peps:qa')}?year={year}&term={term}")

"""Pupil Premium Plus pages: the budget and its ledger, applications, panels and their packs, impact and exports.

Reads go through the selectors (an application or panel out of scope answers 404); writes through the services,
which check permission and audit in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from virtualschool.accounts.models import Role
from virtualschool.children.models import Child
from virtualschool.children.selectors import children_visible_to
from virtualschool.children.services import child_record_view
from virtualschool.children.views import child_or_404, child_page_context

from . import exports, forms, selectors, services
from .models import Application, Fund, FundedTarget, GrantYear, LedgerEntry, Panel, TopSlicePurpose
from .rules import PANEL_ROLES


def _need(request: HttpRequest, permission: str, obj: Any = None) -> None:
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


def _year(request: HttpRequest) -> GrantYear | None:
    label = request.GET.get("year", "")
    if label:
        year = GrantYear.objects.filter(label=label).first()
        if year is None:
            raise Http404("No grant year with that name.")
        return year
    return selectors.current_grant_year()


def _today() -> dt.date:
    return timezone.localdate()


# --- Budget --------------------------------------------------------------------------------------------------


@login_required
def budget(request: HttpRequest) -> HttpResponse:
    """The grant year at a glance: total, committed, spent and remaining for each fund, and where money went."""
    _need(request, "pupilpremium.view_budget")
    year = _year(request)
    context: dict[str, Any] = {
        "year": year,
        "years": selectors.grant_years(),
        "can_manage": request.user.has_perm("pupilpremium.manage_budget"),
    }
    if year is not None:
        by = request.GET.get("by", "intervention_type")
        if by not in {"child", "school", "intervention_type", "purpose"}:
            by = "intervention_type"
        context.update(
            balances=list(selectors.balances(year).values()),
            top_slices=TopSlicePurpose.objects.filter(grant_year=year).order_by("fund", "purpose"),
            top_slice_total=services.top_slice_total(year),
            term_allocations=year.term_allocations.all(),
            bands=year.bands.all(),
            by=by,
            by_options=[
                ("intervention_type", "Intervention type"),
                ("school", "School"),
                ("child", "Child"),
                ("purpose", "Central purpose"),
            ],
            breakdown=selectors.breakdown(year, by),
        )
    return render(request, "pupilpremium/budget.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def year_create(request: HttpRequest) -> HttpResponse:
    _need(request, "pupilpremium.manage_budget")
    policy = selectors.pp_policy_get()
    form = forms.GrantYearForm(
        request.POST or None, initial={"basis": policy.year_basis, "allocation_model": policy.allocation_model}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            year = services.grant_year_create(
                actor=request.user,
                label=data["label"],
                basis=data["basis"],
                census_date=data["census_date"],
                rate_per_child_pence=data["rate"],
                eypp_rate_per_child_pence=data["eypp_rate"],
                allocation_model=data["allocation_model"],
            )
        except ValidationError as exc:
            form.apply(exc)
        else:
            messages.success(request, f"Grant year {year.label} created. Count the eligible children next.")
            return redirect(f"{reverse('pupilpremium:budget')}?year={year.label}")
    return render(
        request, "pupilpremium/form.html", {"form": form, "title": "Add a grant year", "button": "Add the grant year"}
    )


@login_required
@require_POST
def year_count(request: HttpRequest, pk: int) -> HttpResponse:
    _need(request, "pupilpremium.manage_budget")
    year = _get_year(pk)
    try:
        year = services.grant_year_count(actor=request.user, grant_year=year)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"{year.eligible_children} children counted for PP+ and {year.eypp_eligible_children} for EYPP "
            "on the census date.",
        )
    return redirect(f"{reverse('pupilpremium:budget')}?year={year.label}")


@login_required
@require_POST
def year_plan_terms(request: HttpRequest, pk: int) -> HttpResponse:
    _need(request, "pupilpremium.manage_budget")
    year = _get_year(pk)
    try:
        rows = services.term_allocations_plan(actor=request.user, grant_year=year)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Termly amounts planned for {len(rows)} terms.")
    return redirect(f"{reverse('pupilpremium:budget')}?year={year.label}")


@login_required
@require_POST
def year_release_term(request: HttpRequest, pk: int) -> HttpResponse:
    """Release the termly payments the PEPs allow ("no PEP, no premium") and say which are held and why."""
    _need(request, "pupilpremium.manage_budget")
    year = _get_year(pk)
    allocation = year.term_allocations.filter(pk=request.POST.get("allocation", "0") or 0).first()
    if allocation is None:
        messages.error(request, "Choose a term with a termly amount.")
        return redirect(f"{reverse('pupilpremium:budget')}?year={year.label}")
    try:
        paid, held = services.termly_payments_release(
            actor=request.user, grant_year=year, academic_year=allocation.academic_year, term=allocation.term
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        text = f"{len(paid)} payment{'s' if len(paid) != 1 else ''} released, {len(held)} held."
        if held:
            text += " " + " ".join(why for _, why in held[:5]) + (" …" if len(held) > 5 else "")
        messages.success(request, text)
    return redirect(f"{reverse('pupilpremium:budget')}?year={year.label}")


def _get_year(pk: int) -> GrantYear:
    try:
        return GrantYear.objects.get(pk=pk)
    except GrantYear.DoesNotExist as exc:
        raise Http404("No grant year with that number.") from exc


@login_required
@require_http_methods(["GET", "POST"])
def top_slice(request: HttpRequest, pk: int) -> HttpResponse:
    _need(request, "pupilpremium.manage_budget")
    year = _get_year(pk)
    form = forms.TopSliceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.top_slice_set(
                actor=request.user,
                grant_year=year,
                fund=data["fund"],
                purpose=data["purpose"],
                amount_pence=data["amount"],
                description=data["description"],
            )
        except ValidationError as exc:
            form.apply(exc)
        else:
            messages.success(request, "Centrally retained amount saved.")
            return redirect(f"{reverse('pupilpremium:budget')}?year={year.label}")
    return render(
        request,
        "pupilpremium/form.html",
        {"form": form, "title": f"Retain money centrally in {year.label}", "button": "Save"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def band_add(request: HttpRequest, pk: int) -> HttpResponse:
    _need(request, "pupilpremium.manage_budget")
    year = _get_year(pk)
    form = forms.BandForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.band_set(
                actor=request.user,
                grant_year=year,
                label=form.cleaned_data["label"],
                amount_pence=form.cleaned_data["amount"],
            )
        except ValidationError as exc:
            form.apply(exc)
        else:
            messages.success(request, "Band saved.")
            return redirect(f"{reverse('pupilpremium:budget')}?year={year.label}")
    return render(
        request,
        "pupilpremium/form.html",
        {"form": form, "title": f"Add a funding band to {year.label}", "button": "Save the band"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def term_allocation(request: HttpRequest, pk: int) -> HttpResponse:
    _need(request, "pupilpremium.manage_budget")
    year = _get_year(pk)
    form = forms.TermAllocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.term_allocation_set(
                actor=request.user,
                grant_year=year,
                academic_year=data["academic_year"],
                term=data["term"],
                per_child_pence=data["amount"],
            )
        except ValidationError as exc:
            form.apply(exc)
        else:
            messages.success(request, "Termly amount saved.")
            return redirect(f"{reverse('pupilpremium:budget')}?year={year.label}")
    return render(
        request,
        "pupilpremium/form.html",
        {"form": form, "title": f"Set a termly amount for {year.label}", "button": "Save"},
    )


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    """Every transaction of the year, newest first; the summary above it is the sum of these rows."""
    _need(request, "pupilpremium.view_budget")
    year = _year(request)
    if year is None:
        return redirect("pupilpremium:budget")
    fund = request.GET.get("fund", "")
    if fund not in Fund.values:
        fund = ""
    page = Paginator(selectors.ledger_entries(year, fund or None), 50).get_page(request.GET.get("page"))
    services.ledger_views_record(actor=request.user, entries=page.object_list, page="PP+ ledger")
    return render(
        request,
        "pupilpremium/ledger.html",
        {
            "year": year,
            "fund": fund,
            "funds": Fund.choices,
            "page_obj": page,
            "balances": list(selectors.balances(year).values()),
            "can_manage": request.user.has_perm("pupilpremium.manage_budget"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def ledger_add(request: HttpRequest) -> HttpResponse:
    _need(request, "pupilpremium.manage_budget")
    year = _year(request)
    if year is None:
        return redirect("pupilpremium:budget")
    purposes = list(TopSlicePurpose.objects.filter(grant_year=year).values_list("pk", "purpose"))
    form = forms.LedgerEntryForm(request.POST or None, purposes=purposes, initial={"occurred_on": _today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        application = None
        if data["application"]:
            application = Application.objects.filter(pk=data["application"], grant_year=year).first()
            if application is None:
                form.add_error("application", "There is no application with that number in this grant year")
        if not form.errors:
            try:
                services.ledger_record(
                    actor=request.user,
                    grant_year=year,
                    kind=data["kind"],
                    fund=data["fund"],
                    amount_pence=data["amount"],
                    on=data["occurred_on"],
                    description=data["description"],
                    purpose=TopSlicePurpose.objects.filter(pk=data["purpose"]).first() if data["purpose"] else None,
                    intervention_type=data["intervention_type"],
                    application=application,
                )
            except ValidationError as exc:
                form.apply(exc)
            else:
                messages.success(request, "Transaction recorded.")
                return redirect(f"{reverse('pupilpremium:ledger')}?year={year.label}")
    return render(
        request,
        "pupilpremium/form.html",
        {"form": form, "title": f"Record a transaction in {year.label}", "button": "Record it"},
    )


# --- Applications ----------------------------------------------------------------------------------------------


def _status_filter(request: HttpRequest) -> str:
    status = request.GET.get("status", "")
    return status if status in Application.Status.values else ""


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    status = _status_filter(request)
    today = _today()
    qs = selectors.application_list(request.user, status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [(app, selectors.visible_status(request.user, app, today)) for app in page.object_list]
    services.record_views(actor=request.user, applications=page.object_list, page="applications")
    return render(
        request,
        "pupilpremium/applications.html",
        {
            "rows": rows,
            "page_obj": page,
            "status": status,
            "statuses": Application.Status.choices,
            "can_apply": request.user.has_perm("pupilpremium.apply"),
        },
    )


def _applicant_children(user: Any) -> list[tuple[int, str]]:
    qs = children_visible_to(user).filter(closed_on__isnull=True)
    if user.role == Role.VIRTUAL_SCHOOL_LEAD:
        qs = qs.filter(allocated_lead=user)
    return [
        (c.pk, f"{c.display_name} (born {c.date_of_birth:%-d %B %Y})")
        for c in qs.order_by("last_name", "first_name")[:500]
    ]


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request: HttpRequest) -> HttpResponse:
    _need(request, "pupilpremium.apply")
    year = selectors.current_grant_year()
    if year is None:
        messages.error(request, "There is no grant year yet: the Virtual School Head sets one up first.")
        return redirect("pupilpremium:applications")
    choices = _applicant_children(request.user)
    wanted = request.GET.get("child", "")
    if wanted.isdigit() and int(wanted) not in {pk for pk, _ in choices}:
        child = children_visible_to(request.user).filter(pk=int(wanted)).first()
        if child is not None:
            choices.insert(0, (child.pk, child.display_name))
    form = forms.ApplicationForm(
        request.POST or None, children=choices, initial={"children": [wanted] if wanted else [], "fund": Fund.PP_PLUS}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        children = list(children_visible_to(request.user).filter(pk__in=[int(pk) for pk in data["children"]]))
        try:
            app = services.application_submit(
                actor=request.user,
                grant_year=year,
                children=children,
                fund=data["fund"],
                intervention_type=data["intervention_type"],
                provider=data["provider"],
                description=data["description"],
                amount_pence=data["amount"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                targets=form.targets(),
            )
        except ValidationError as exc:
            form.apply(exc)
        except PermissionDenied as exc:
            form.add_error("children", str(exc))
        else:
            messages.success(request, f"Application {app.pk} sent to the panel.")
            return redirect("pupilpremium:application", app.pk)
    bands = list(year.bands.all()) if year.allocation_model == "bands" else []
    return render(request, "pupilpremium/application_form.html", {"form": form, "year": year, "bands": bands})


def _application_or_404(request: HttpRequest, pk: int) -> Application:
    try:
        return selectors.application_get(request.user, pk)
    except Application.DoesNotExist as exc:
        raise Http404("No application was found with that number, or you may not see it.") from exc


def _application_context(request: HttpRequest, app: Application, **forms_: Any) -> dict[str, Any]:
    user = request.user
    today = _today()
    panel = app.panel
    can_vote = bool(
        panel is not None
        and app.status == Application.Status.SUBMITTED
        and user.has_perm("pupilpremium.vote", panel)
        and not app.votes.filter(panel=panel, member=user).exists()
    )
    connected = (
        selectors.connected_reasons(user, app)
        if panel is not None and user.has_perm("pupilpremium.vote", panel)
        else []
    )
    sees_votes = selectors.sees_all_applications(user) or (
        panel is not None and panel.members.filter(pk=user.pk).exists()
    )
    decisions = selectors.decisions_for(user, app, today)
    is_owner = app.applicant_id == user.pk or user.has_perm("pupilpremium.manage_budget")
    children = list(app.children.all())
    return {
        "app": app,
        "children": children,
        "targets": list(app.targets.all()),
        "status_label": selectors.visible_status(user, app, today),
        "decisions": decisions,
        "votes": list(selectors.votes_for(app)) if sees_votes else [],
        "sees_votes": sees_votes,
        "connected": connected,
        "can_vote": can_vote and not connected,
        "vote_form": forms_.get("vote_form") or forms.VoteForm(),
        "can_answer": is_owner and app.status == Application.Status.DEFERRED and bool(decisions),
        "answer_form": forms_.get("answer_form") or forms.AnswerForm(),
        "can_withdraw": is_owner and app.status in {Application.Status.SUBMITTED, Application.Status.DEFERRED},
        "can_pay": user.has_perm("pupilpremium.manage_budget") and app.status == Application.Status.APPROVED,
        "payment_form": forms_.get("payment_form") or forms.PaymentForm(),
        "outstanding": selectors.outstanding_commitment(app) if app.status == Application.Status.APPROVED else 0,
        "paid": selectors.paid_for(app),
        "can_review": [t for t in app.targets.all() if user.has_perm("pupilpremium.review_target", t.child)],
        "review_form": forms.ReviewForm(),
        "can_declare": user.is_active
        and user.role in PANEL_ROLES
        and panel is not None
        and panel.members.filter(pk=user.pk).exists(),
        "conflict_form": forms_.get("conflict_form")
        or forms.ConflictForm(children=[(c.pk, c.display_name) for c in children]),
        "today": today,
    }


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application_or_404(request, pk)
    services.record_views(actor=request.user, applications=[app], page="application")
    return render(request, "pupilpremium/application.html", _application_context(request, app))


@login_required
@require_POST
def application_vote(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application_or_404(request, pk)
    form = forms.VoteForm(request.POST)
    if form.is_valid():
        try:
            _, decision = services.vote_cast(
                actor=request.user,
                application=app,
                outcome=form.cleaned_data["outcome"],
                amount_pence=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.apply(exc)
        else:
            if decision is not None:
                messages.success(
                    request, f"Vote recorded. The panel has decided: {decision.get_outcome_display().lower()}."
                )
            else:
                messages.success(request, "Vote recorded. The decision needs another agreeing member.")
            return redirect("pupilpremium:application", app.pk)
    app = _application_or_404(request, pk)
    return render(
        request, "pupilpremium/application.html", _application_context(request, app, vote_form=form), status=400
    )


@login_required
@require_POST
def application_answer(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application_or_404(request, pk)
    form = forms.AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.application_answer(actor=request.user, application=app, answer=form.cleaned_data["answer"])
        except ValidationError as exc:
            form.apply(exc)
        else:
            messages.success(request, "Answer saved. The application goes to the next panel.")
            return redirect("pupilpremium:application", app.pk)
    return render(
        request, "pupilpremium/application.html", _application_context(request, app, answer_form=form), status=400
    )


@login_required
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application_or_404(request, pk)
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.application_withdraw(actor=request.user, application=app, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Application withdrawn.")
    else:
        messages.error(request, "Give the reason for withdrawing the application.")
    return redirect("pupilpremium:application", app.pk)


@login_required
@require_POST
def application_payment(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application_or_404(request, pk)
    _need(request, "pupilpremium.manage_budget")
    form = forms.PaymentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["kind"] == "pay":
                services.application_pay(
                    actor=request.user, application=app, amount_pence=data["amount"], invoice=data["note"]
                )
            else:
                services.application_release(
                    actor=request.user, application=app, amount_pence=data["amount"], reason=data["note"]
                )
        except ValidationError as exc:
            form.apply(exc)
        else:
            messages.success(request, "Recorded in the ledger.")
            return redirect("pupilpremium:application", app.pk)
    return render(
        request, "pupilpremium/application.html", _application_context(request, app, payment_form=form), status=400
    )


@login_required
@require_POST
def target_review(request: HttpRequest, pk: int, target_pk: int) -> HttpResponse:
    app = _application_or_404(request, pk)
    target = FundedTarget.objects.filter(application=app, pk=target_pk).select_related("child").first()
    if target is None:
        raise Http404("No such target on this application.")
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.target_review(
                actor=request.user, target=target, outcome=form.cleaned_data["outcome"], note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Target review saved.")
    else:
        messages.error(request, "Select whether the target was achieved.")
    return redirect("pupilpremium:application", app.pk)


@login_required
@require_POST
def conflict_declare(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application_or_404(request, pk)
    children = list(app.children.all())
    form = forms.ConflictForm(request.POST, children=[(c.pk, c.display_name) for c in children])
    if form.is_valid():
        child = next(c for c in children if str(c.pk) == form.cleaned_data["child"])
        try:
            services.conflict_declare(actor=request.user, child=child, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.apply(exc)
        else:
            messages.success(request, f"Conflict declared: you will not vote on applications for {child.display_name}.")
            return redirect("pupilpremium:application", app.pk)
    return render(
        request, "pupilpremium/application.html", _application_context(request, app, conflict_form=form), status=400
    )


# --- Panels ---------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def panel_list(request: HttpRequest) -> HttpResponse:
    panels = selectors.panels_visible_to(request.user).prefetch_related("members").order_by("-meets_on")
    can_manage = request.user.has_perm("pupilpremium.manage_panels")
    if not can_manage and not panels.exists() and request.user.role not in PANEL_ROLES:
        raise PermissionDenied
    form = None
    if can_manage:
        people = get_user_model().objects.filter(is_active=True, role__in=PANEL_ROLES).order_by("full_name")
        last = Panel.objects.order_by("-meets_on").first()
        policy = selectors.pp_policy_get()
        next_date = last.meets_on + dt.timedelta(days=policy.panel_interval_days) if last else _today()
        form = forms.PanelForm(
            request.POST or None,
            people=[(p.pk, f"{p} ({p.get_role_display()})") for p in people],
            initial={"meets_on": next_date, "members": [str(m.pk) for m in last.members.all()] if last else []},
        )
        if request.method == "POST" and form.is_valid():
            year = selectors.current_grant_year()
            members = list(people.filter(pk__in=[int(pk) for pk in form.cleaned_data["members"]]))
            try:
                if year is None:
                    raise ValidationError("There is no grant year yet.")
                panel = services.panel_create(
                    actor=request.user, grant_year=year, meets_on=form.cleaned_data["meets_on"], members=members
                )
            except ValidationError as exc:
                form.apply(exc)
            else:
                messages.success(request, f"{panel} added.")
                return redirect("pupilpremium:panel", panel.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "pupilpremium/panels.html",
        {"panels": panels, "form": form, "waiting": selectors.applications_waiting().count() if can_manage else None},
    )


def _panel_or_404(request: HttpRequest, pk: int) -> Panel:
    try:
        return selectors.panel_get(request.user, pk)
    except Panel.DoesNotExist as exc:
        raise Http404("No panel was found with that number, or you do not sit on it.") from exc


@login_required
def panel_detail(request: HttpRequest, pk: int) -> HttpResponse:
    panel = _panel_or_404(request, pk)
    apps = list(panel.applications.prefetch_related("children", "votes").order_by("submitted_on", "pk"))
    rows = []
    for app in apps:
        votes = [v for v in app.votes.all() if v.panel_id == panel.pk]
        connected = (
            selectors.connected_reasons(request.user, app) if request.user.has_perm("pupilpremium.vote", panel) else []
        )
        rows.append(
            {
                "app": app,
                "votes": len(votes),
                "voted": any(v.member_id == request.user.pk for v in votes),
                "connected": connected,
            }
        )
    services.record_views(actor=request.user, applications=apps, page="panel")
    return render(
        request,
        "pupilpremium/panel.html",
        {
            "panel": panel,
            "rows": rows,
            "members": list(panel.members.all()),
            "can_manage": request.user.has_perm("pupilpremium.manage_panels"),
            "waiting": selectors.applications_waiting()
            .filter(submitted_on__lte=panel.meets_on, grant_year=panel.grant_year)
            .exclude(decisions__panel=panel)
            .count(),
        },
    )


@login_required
@require_POST
def panel_take_waiting(request: HttpRequest, pk: int) -> HttpResponse:
    panel = _panel_or_404(request, pk)
    _need(request, "pupilpremium.manage_panels")
    taken = services.panel_take_waiting(actor=request.user, panel=panel)
    messages.success(request, f"{len(taken)} waiting application{'s' if len(taken) != 1 else ''} added to the agenda.")
    return redirect("pupilpremium:panel", panel.pk)


def _pack_context(request: HttpRequest, panel: Panel) -> dict[str, Any]:
    items = selectors.panel_pack(panel)
    services.record_views(
        actor=request.user,
        applications=[i.application for i in items],
        page="panel pack",
        children={i.application.pk: i.children for i in items},
    )
    return {"panel": panel, "items": items, "members": list(panel.members.all()), "generated": timezone.now()}


@login_required
def panel_pack(request: HttpRequest, pk: int) -> HttpResponse:
    panel = _panel_or_404(request, pk)
    return render(request, "pupilpremium/pack.html", _pack_context(request, panel))


@login_required
def panel_pack_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    panel = _panel_or_404(request, pk)
    pdf = exports.pack_pdf(_pack_context(request, panel))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="pp-panel-pack-{panel.meets_on.isoformat()}.pdf"'
    return response


# --- Impact and exports ----------------------------------------------------------------------------------------


@login_required
def impact(request: HttpRequest) -> HttpResponse:
    _need(request, "pupilpremium.view_impact")
    year = _year(request)
    context: dict[str, Any] = {"year": year, "years": selectors.grant_years()}
    if year is not None:
        context.update(
            by_type=selectors.impact(year, "intervention_type"),
            by_provider=selectors.impact(year, "provider"),
            attendance_available=selectors.attendance_available(),
        )
    return render(request, "pupilpremium/impact.html", context)


@login_required
def export_list(request: HttpRequest) -> HttpResponse:
    _need(request, "pupilpremium.export")
    return render(request, "pupilpremium/exports.html", {"year": _year(request), "years": selectors.grant_years()})


@login_required
def export_file(request: HttpRequest, what: str, file_format: str) -> HttpResponse:
    _need(request, "pupilpremium.export")
    year = _year(request)
    if year is None or what not in exports.TABLES or file_format not in {"csv", "xlsx"}:
        raise Http404("No such export.")
    header, rows = exports.TABLES[what](year)
    services.export_record(actor=request.user, grant_year=year, what=what, file_format=file_format, rows=len(rows))
    name = f"pp-{what}-{year.label}.{file_format}"
    if file_format == "csv":
        response = HttpResponse(exports.as_csv(header, rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.as_xlsx(what, header, rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- The child's PP+ tab ---------------------------------------------------------------------------------------


@login_required
def child_tab(request: HttpRequest, pk: int) -> HttpResponse:
    child: Child = child_or_404(request, pk)
    _need(request, "pupilpremium.view_child_tab", child)
    today = _today()
    apps = list(selectors.applications_for_child(request.user, child))
    rows = [(app, selectors.visible_status(request.user, app, today)) for app in apps]
    spent = LedgerEntry.objects.filter(child=child).order_by("-occurred_on", "-pk").select_related("grant_year")[:50]
    child_record_view(actor=request.user, child=child, page="PP+")
    services.record_views(actor=request.user, applications=apps, page="child PP+ tab")
    return render(
        request,
        "pupilpremium/child.html",
        {
            **child_page_context(request, child, "pupil-premium", today),
            "rows": rows,
            "ledger": spent if request.user.has_perm("pupilpremium.view_budget") else [],
            "can_apply": request.user.has_perm("pupilpremium.apply_for_child", child),
        },
    )

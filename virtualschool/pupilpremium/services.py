"""Every write to Pupil Premium Plus: checks permission, validates, saves and audits in one transaction.

Money moves only through ``_post``, which runs with the grant year's row locked (``select_for_update``) and
checks, in the same transaction, that the fund's remaining balance stays at or above zero. So two panel members
approving different applications at the same moment are serialised by the lock, and the second sees the first's
commitment before deciding whether the budget allows it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from virtualschool.accounts.models import Role
from virtualschool.children.models import CareEpisode, Child, Cohort
from virtualschool.core import audit
from virtualschool.core.calendar import TERMS, school_calendar
from virtualschool.core.models import AuditEvent
from virtualschool.core.notifications import notify
from virtualschool.core.permissions import require, require_unless_system

from . import hooks
from .models import (
    PUBLISHED_EYPP_RATES_PENCE,
    PUBLISHED_PP_PLUS_RATES_PENCE,
    AllocationModel,
    Application,
    ConflictDeclaration,
    Decision,
    Fund,
    FundedTarget,
    FundingBand,
    GrantYear,
    InterventionType,
    LedgerEntry,
    Outcome,
    Panel,
    TermAllocation,
    TopSlicePurpose,
    Vote,
    YearBasis,
)
from .money import format_pence
from .rules import PANEL_ROLES
from .selectors import balance, connected_reasons, outstanding_commitment, pp_policy_get

K = LedgerEntry.Kind


# --- The authority's PP+ policy --------------------------------------------------------------------------------


@transaction.atomic
def pp_policy_update(*, actor: Any, **values: Any) -> Any:
    """Change the PP+ policy (administrators and the Virtual School Head). The quorum cannot exceed the panel."""
    require(actor, "pupilpremium.change_policy")
    policy = pp_policy_get()
    before = audit.snapshot(policy)
    for name, value in values.items():
        setattr(policy, name, value)
    policy.full_clean()
    if policy.decision_quorum > policy.panel_members:
        raise ValidationError({"decision_quorum": "A decision cannot need more members than sit on the panel."})
    policy.save()
    audit.record_update(actor, policy, before)
    return policy


# --- Grant years ----------------------------------------------------------------------------------------------


def year_bounds(label: str, basis: str) -> tuple[dt.date, dt.date]:
    """'2025-26' -> 1 April 2025 to 31 March 2026 (financial) or 1 September 2025 to 31 August 2026 (academic)."""
    try:
        first = int(label[:4])
        if len(label) != 7 or label[4] != "-" or int(label[5:]) != (first + 1) % 100:
            raise ValueError
    except ValueError as exc:
        raise ValidationError({"label": "Write the grant year as two years, like 2025-26."}) from exc
    if basis == YearBasis.FINANCIAL:
        return dt.date(first, 4, 1), dt.date(first + 1, 3, 31)
    return dt.date(first, 9, 1), dt.date(first + 1, 8, 31)


def default_census_date(starts_on: dt.date, basis: str) -> dt.date:
    """The SSDA903 count of 31 March before a financial year; for an academic year, its first day."""
    if basis == YearBasis.FINANCIAL:
        return dt.date(starts_on.year, 3, 31)
    return starts_on


@transaction.atomic
def grant_year_create(
    *,
    actor: Any,
    label: str,
    basis: str | None = None,
    census_date: dt.date | None = None,
    rate_per_child_pence: int | None = None,
    eypp_rate_per_child_pence: int | None = None,
    allocation_model: str | None = None,
    make_current: bool = True,
) -> GrantYear:
    """A grant year with its rates (the published rate for that year unless another is given)."""
    require(actor, "pupilpremium.manage_budget")
    policy = pp_policy_get()
    basis = basis or policy.year_basis
    if basis not in YearBasis.values:
        raise ValidationError({"basis": "Choose a financial or an academic year."})
    starts_on, ends_on = year_bounds(label, basis)
    rate = rate_per_child_pence if rate_per_child_pence is not None else PUBLISHED_PP_PLUS_RATES_PENCE.get(label)
    if rate is None:
        raise ValidationError(
            {"rate_per_child_pence": f"There is no published rate for {label} here: enter the rate per child."}
        )
    _check_pence(rate, "rate_per_child_pence", allow_zero=False)
    eypp = eypp_rate_per_child_pence
    if eypp is None:
        eypp = PUBLISHED_EYPP_RATES_PENCE.get(label, 0)
    _check_pence(eypp, "eypp_rate_per_child_pence")
    model = allocation_model or policy.allocation_model
    if model not in AllocationModel.values:
        raise ValidationError({"allocation_model": "Choose one of the allocation models."})
    if GrantYear.objects.filter(label=label).exists():
        raise ValidationError({"label": f"Grant year {label} already exists."})
    if make_current:
        GrantYear.objects.filter(is_current=True).update(is_current=False)
    year = GrantYear.objects.create(
        label=label,
        basis=basis,
        starts_on=starts_on,
        ends_on=ends_on,
        census_date=census_date or default_census_date(starts_on, basis),
        rate_per_child_pence=rate,
        eypp_rate_per_child_pence=eypp,
        allocation_model=model,
        is_current=make_current,
        created_by=actor,
        modified_by=actor,
    )
    audit.record_create(actor, year)
    return year


@transaction.atomic
def grant_year_update(*, actor: Any, grant_year: GrantYear, **values: Any) -> GrantYear:
    """Change a year's census date, rates or allocation model (the money already recorded is not touched)."""
    require(actor, "pupilpremium.manage_budget")
    allowed = {"census_date", "rate_per_child_pence", "eypp_rate_per_child_pence", "allocation_model", "is_current"}
    unknown = set(values) - allowed
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be changed here."))
    year = GrantYear.objects.select_for_update().get(pk=grant_year.pk)
    before = audit.snapshot(year)
    if "allocation_model" in values and values["allocation_model"] not in AllocationModel.values:
        raise ValidationError({"allocation_model": "Choose one of the allocation models."})
    for name in ("rate_per_child_pence", "eypp_rate_per_child_pence"):
        if name in values:
            _check_pence(values[name], name, allow_zero=name.startswith("eypp"))
    if values.get("is_current"):
        GrantYear.objects.exclude(pk=year.pk).filter(is_current=True).update(is_current=False)
    for name, value in values.items():
        setattr(year, name, value)
    year.modified_by = actor
    year.save()
    audit.record_update(actor, year, before)
    return year


def eligible_on(census_date: dt.date) -> tuple[list[Child], list[Child]]:
    """The children the grant counts on the census date: (PP+, Early Years Pupil Premium).

    The rule (documented in docs/pupil-premium-plus.md): looked after by this authority (not previously looked
    after, not another authority's child) with a care episode that covers the census date; PP+ for national
    curriculum Reception to Year 11 on that date (ages 4 to 15); EYPP for children aged 3 or more in a year below
    Reception.
    """
    in_care = CareEpisode.objects.filter(start_date__lte=census_date).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=census_date)
    )
    children = Child.objects.filter(cohort=Cohort.LOOKED_AFTER, pk__in=in_care.values("child_id")).order_by("pk")
    pp_plus, eypp = [], []
    for child in children:
        year = child.nc_year(census_date)
        if 0 <= year <= 11:
            pp_plus.append(child)
        elif year < 0 and child.age_on(census_date) >= 3:
            eypp.append(child)
    return pp_plus, eypp


@transaction.atomic
def grant_year_count(*, actor: Any, grant_year: GrantYear, on: dt.date | None = None) -> GrantYear:
    """Count the eligible children on the census date and record the grant income (or its change on a recount)."""
    require(actor, "pupilpremium.manage_budget")
    year = GrantYear.objects.select_for_update().get(pk=grant_year.pk)
    before = audit.snapshot(year)
    pp_plus, eypp = eligible_on(year.census_date)
    year.eligible_children = len(pp_plus)
    year.eypp_eligible_children = len(eypp)
    year.counted_at = timezone.now()
    year.modified_by = actor
    year.save()
    on = on or timezone.localdate()
    for fund, expected in ((Fund.PP_PLUS, year.pp_total_pence), (Fund.EYPP, year.eypp_total_pence)):
        now = balance(year, fund)
        change = expected - now.total
        if change > 0:
            _post(actor, year, fund=fund, kind=K.INCOME, amount=change, on=on, description=_income_text(year, fund))
        elif change < 0:
            _post(
                actor,
                year,
                fund=fund,
                kind=K.REDUCTION,
                amount=-change,
                on=on,
                description="Recount on the census date",
            )
    audit.record_update(actor, year, before, context={"census_date": year.census_date.isoformat()})
    return year


def _income_text(year: GrantYear, fund: str) -> str:
    if fund == Fund.PP_PLUS:
        return (
            f"PP+ grant: {year.eligible_children} children at {format_pence(year.rate_per_child_pence)} "
            f"counted on {year.census_date:%-d %B %Y}"
        )
    return (
        f"EYPP: {year.eypp_eligible_children} children at {format_pence(year.eypp_rate_per_child_pence)} "
        f"counted on {year.census_date:%-d %B %Y}"
    )


def _check_pence(value: Any, name: str, *, allow_zero: bool = True) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({name: "Give money as a whole number of pence."})
    if value < 0 or (value == 0 and not allow_zero):
        raise ValidationError({name: "Enter an amount more than £0.00." if not allow_zero else "Enter £0.00 or more."})


@transaction.atomic
def top_slice_set(
    *,
    actor: Any,
    grant_year: GrantYear,
    purpose: str,
    amount_pence: int,
    description: str = "",
    fund: str = Fund.PP_PLUS,
) -> TopSlicePurpose:
    """Retain `amount_pence` centrally for `purpose` (replacing that purpose's amount). The top-slice cannot
    exceed the fund's total."""
    require(actor, "pupilpremium.manage_budget")
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationError({"purpose": "Enter what the centrally retained money is for."})
    _check_pence(amount_pence, "amount_pence")
    year = GrantYear.objects.select_for_update().get(pk=grant_year.pk)
    others = sum(
        TopSlicePurpose.objects.filter(grant_year=year, fund=fund)
        .exclude(purpose=purpose)
        .values_list("amount_pence", flat=True)
    )
    total = balance(year, fund).total
    if others + amount_pence > total:
        raise ValidationError(
            {
                "amount_pence": f"The top-slice would be {format_pence(others + amount_pence)}, more than the "
                f"{format_pence(total)} the fund holds. Count the eligible children first, or retain less."
            }
        )
    existing = TopSlicePurpose.objects.filter(grant_year=year, fund=fund, purpose=purpose).first()
    if existing:
        before = audit.snapshot(existing)
        existing.amount_pence = amount_pence
        existing.description = description
        existing.modified_by = actor
        existing.save()
        audit.record_update(actor, existing, before)
        return existing
    row = TopSlicePurpose.objects.create(
        grant_year=year,
        fund=fund,
        purpose=purpose,
        description=description,
        amount_pence=amount_pence,
        created_by=actor,
        modified_by=actor,
    )
    audit.record_create(actor, row)
    return row


def top_slice_total(grant_year: GrantYear, fund: str = Fund.PP_PLUS) -> int:
    return sum(TopSlicePurpose.objects.filter(grant_year=grant_year, fund=fund).values_list("amount_pence", flat=True))


def terms_of(grant_year: GrantYear) -> list[tuple[int, str]]:
    """The (academic year, term) pairs whose start falls within the grant year, in order."""
    found = []
    for term in school_calendar().terms_between(grant_year.starts_on, grant_year.ends_on):
        if grant_year.starts_on <= term.start <= grant_year.ends_on:
            found.append((term.academic_year, term.term))
    return found


@transaction.atomic
def term_allocations_plan(*, actor: Any, grant_year: GrantYear) -> list[TermAllocation]:
    """Share what is not retained centrally equally across the year's terms, per eligible child, in whole pence
    (any remainder stays with the Virtual School and is shown as such)."""
    require(actor, "pupilpremium.manage_budget")
    year = GrantYear.objects.select_for_update().get(pk=grant_year.pk)
    if not year.eligible_children:
        raise ValidationError("Count the eligible children on the census date before planning the termly amounts.")
    passed = balance(year, Fund.PP_PLUS).total - top_slice_total(year)
    terms = terms_of(year)
    per_term = passed // year.eligible_children // len(terms)
    return [
        term_allocation_set(actor=actor, grant_year=year, academic_year=ay, term=term, per_child_pence=per_term)
        for ay, term in terms
    ]


@transaction.atomic
def term_allocation_set(
    *, actor: Any, grant_year: GrantYear, academic_year: int, term: str, per_child_pence: int
) -> TermAllocation:
    require(actor, "pupilpremium.manage_budget")
    if term not in TERMS:
        raise ValidationError({"term": "Choose the autumn, spring or summer term."})
    _check_pence(per_child_pence, "per_child_pence")
    row, created = TermAllocation.objects.get_or_create(
        grant_year=grant_year,
        academic_year=academic_year,
        term=term,
        defaults={"per_child_pence": per_child_pence, "created_by": actor, "modified_by": actor},
    )
    if created:
        audit.record_create(actor, row)
    else:
        before = audit.snapshot(row)
        row.per_child_pence = per_child_pence
        row.modified_by = actor
        row.save()
        audit.record_update(actor, row, before)
    return row


@transaction.atomic
def band_set(*, actor: Any, grant_year: GrantYear, label: str, amount_pence: int) -> FundingBand:
    """A fixed amount requests may ask for under the 'requests in fixed bands' model."""
    require(actor, "pupilpremium.manage_budget")
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": "Name the band, for example 'Band A: up to a term of tuition'."})
    _check_pence(amount_pence, "amount_pence", allow_zero=False)
    row, created = FundingBand.objects.get_or_create(
        grant_year=grant_year,
        amount_pence=amount_pence,
        defaults={"label": label, "created_by": actor, "modified_by": actor},
    )
    if created:
        audit.record_create(actor, row)
    elif row.label != label:
        before = audit.snapshot(row)
        row.label = label
        row.save()
        audit.record_update(actor, row, before)
    return row


# --- The ledger -----------------------------------------------------------------------------------------------


def _post(
    actor: Any,
    year: GrantYear,
    *,
    fund: str,
    kind: str,
    amount: int,
    on: dt.date,
    description: str,
    child: Child | None = None,
    school: Any = None,
    intervention_type: str = "",
    purpose: TopSlicePurpose | None = None,
    application: Application | None = None,
    term: str = "",
) -> LedgerEntry:
    """Add one ledger row. The caller holds the grant year's row lock; money that would take the fund below zero
    is refused here, in the same transaction."""
    _check_pence(amount, "amount_pence", allow_zero=False)
    if kind in {K.COMMIT, K.SPEND, K.REDUCTION}:
        now = balance(year, fund)
        if amount > now.remaining:
            raise ValidationError(
                {
                    "amount_pence": f"{format_pence(amount)} would take the {Fund(fund).label} budget below zero: "
                    f"{format_pence(now.remaining)} remains. Ask for less, or release a commitment first."
                }
            )
    entry = LedgerEntry.objects.create(
        grant_year=year,
        fund=fund,
        kind=kind,
        amount_pence=amount,
        occurred_on=on,
        description=description[:300],
        child=child,
        school=school,
        intervention_type=intervention_type,
        purpose=purpose,
        application=application,
        term=term,
        recorded_by=actor if getattr(actor, "pk", None) else None,
        recorded_at=timezone.now(),
    )
    audit.record_create(actor, entry, child_id=child.pk if child else None)
    return entry


def _locked_year(grant_year: GrantYear | int) -> GrantYear:
    pk = grant_year.pk if isinstance(grant_year, GrantYear) else grant_year
    return GrantYear.objects.select_for_update().get(pk=pk)


@transaction.atomic
def ledger_record(
    *,
    actor: Any,
    grant_year: GrantYear,
    kind: str,
    amount_pence: int,
    description: str,
    on: dt.date | None = None,
    fund: str = Fund.PP_PLUS,
    child: Child | None = None,
    school: Any = None,
    intervention_type: str = "",
    purpose: TopSlicePurpose | None = None,
    application: Application | None = None,
) -> LedgerEntry:
    """Record a movement the Head makes by hand: extra income, a central spend against a top-slice purpose, a
    commitment, its release or its payment. Releases and payments cannot exceed what the application has
    outstanding; nothing can take the fund below zero."""
    require(actor, "pupilpremium.manage_budget")
    if kind not in K.values:
        raise ValidationError({"kind": f"Choose one of: {', '.join(K.labels)}."})
    if fund not in Fund.values:
        raise ValidationError({"fund": "Choose Pupil Premium Plus or Early Years Pupil Premium."})
    if intervention_type and intervention_type not in InterventionType.values:
        raise ValidationError({"intervention_type": "Choose one of the intervention types."})
    if not (description or "").strip():
        raise ValidationError({"description": "Say what the money is for."})
    if purpose is not None and purpose.grant_year_id != grant_year.pk:
        raise ValidationError({"purpose": "That purpose belongs to another grant year."})
    year = _locked_year(grant_year)
    if kind in {K.RELEASE, K.PAY}:
        if application is None:
            raise ValidationError({"application": "Name the application whose commitment this is."})
        outstanding = outstanding_commitment(application)
        if amount_pence > outstanding:
            raise ValidationError(
                {
                    "amount_pence": f"Only {format_pence(outstanding)} is committed to application {application.pk}; "
                    f"{format_pence(amount_pence)} cannot be {'paid' if kind == K.PAY else 'released'}."
                }
            )
    if application is not None:
        if application.grant_year_id != year.pk:
            raise ValidationError({"application": "That application is in another grant year."})
        fund = application.fund
        school = school or application.school
        intervention_type = intervention_type or application.intervention_type
    # A payment or release against an application belongs to the children its commitment was booked to: split
    # it across them by what each still has outstanding, so the budget by child stays exact for a group.
    parts: list[tuple[Child | None, int]] = [(child, amount_pence)]
    if kind in {K.RELEASE, K.PAY} and child is None and application is not None:
        parts = _split_by_outstanding(application, amount_pence) or parts
    entries = [
        _post(
            actor,
            year,
            fund=fund,
            kind=kind,
            amount=part,
            on=on or timezone.localdate(),
            description=description.strip(),
            child=part_child,
            school=school,
            intervention_type=intervention_type,
            purpose=purpose,
            application=application,
        )
        for part_child, part in parts
    ]
    return entries[0]


def _split_by_outstanding(application: Application, amount: int) -> list[tuple[Child | None, int]]:
    """`amount` shared across the application's children in order, each taking up to what is outstanding for
    them; empty when its commitment was not booked to children."""
    outstanding: dict[int, int] = {}
    rows = (
        LedgerEntry.objects.filter(application=application, child__isnull=False, kind__in=[K.COMMIT, K.PAY, K.RELEASE])
        .values_list("child_id", "kind", "amount_pence")
        .order_by("child_id")
    )
    for child_id, kind, pence in rows:
        outstanding[child_id] = outstanding.get(child_id, 0) + (pence if kind == K.COMMIT else -pence)
    if not outstanding:
        return []
    children = {c.pk: c for c in application.children.filter(pk__in=outstanding)}
    parts: list[tuple[Child | None, int]] = []
    left = amount
    for child_id in sorted(outstanding):
        take = min(left, max(outstanding[child_id], 0))
        if take:
            parts.append((children.get(child_id), take))
            left -= take
    if left:  # more than the children's bookings (a hand entry without a child): the rest unattributed
        parts.append((None, left))
    return parts


def application_pay(
    *, actor: Any, application: Application, amount_pence: int, on: dt.date | None = None, invoice: str = ""
) -> LedgerEntry:
    """Pay (part of) an approved application's commitment, for example on the provider's invoice."""
    return ledger_record(
        actor=actor,
        grant_year=application.grant_year,
        kind=K.PAY,
        amount_pence=amount_pence,
        description=f"Payment for application {application.pk}" + (f": {invoice}" if invoice else ""),
        on=on,
        application=application,
    )


def application_release(
    *, actor: Any, application: Application, amount_pence: int, reason: str, on: dt.date | None = None
) -> LedgerEntry:
    """Return (part of) a commitment that will not be spent to the budget."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the money will not be spent."})
    return ledger_record(
        actor=actor,
        grant_year=application.grant_year,
        kind=K.RELEASE,
        amount_pence=amount_pence,
        description=f"Released from application {application.pk}: {reason.strip()}",
        on=on,
        application=application,
    )


def _single_child(application: Application) -> Child | None:
    children = list(application.children.all()[:2])
    return children[0] if len(children) == 1 else None


# --- Termly payments: "no PEP, no premium" --------------------------------------------------------------------


def _current_school_on(child: Child, on: dt.date) -> Any:
    from virtualschool.placements.models import EducationPlacement

    placement = (
        EducationPlacement.objects.filter(child=child, start_date__lte=on, school__isnull=False)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .select_related("school")
        .order_by("-start_date")
        .first()
    )
    return placement.school if placement else None


@transaction.atomic
def termly_payment_release(
    *, actor: Any, grant_year: GrantYear, child: Child, academic_year: int, term: str, on: dt.date | None = None
) -> LedgerEntry:
    """Pay the child's school its termly amount, only if that term's PEP is graded at least adequate."""
    require_unless_system(actor, "pupilpremium.manage_budget")
    year = _locked_year(grant_year)
    if year.allocation_model != AllocationModel.TERMLY_PEP:
        raise ValidationError(
            f"Grant year {year.label} allocates by {year.get_allocation_model_display().lower()}, not termly payments."
        )
    allocation = TermAllocation.objects.filter(grant_year=year, academic_year=academic_year, term=term).first()
    if allocation is None:
        raise ValidationError(f"There is no termly amount for the {term} term {academic_year}: plan the terms first.")
    key = f"{academic_year}-{term}"
    if LedgerEntry.objects.filter(grant_year=year, child=child, term=key).exists():
        raise ValidationError(f"{child.display_name}'s {term} term payment has already been made.")
    grade = hooks.pep_grade_for_term(child, academic_year, term)
    if not hooks.grade_is_at_least_adequate(grade):
        found = "there is no graded PEP" if grade is None else f"the PEP was graded {grade.replace('_', ' ')}"
        raise ValidationError(
            f"No PEP, no premium: {child.display_name}'s {term} term payment is held because {found}. "
            "It is released when the term's PEP is graded at least adequate."
        )
    on = on or timezone.localdate()
    school = _current_school_on(child, on)
    if school is None:
        raise ValidationError(f"{child.display_name} has no school on {on:%-d %B %Y} to pay.")
    return _post(
        actor,
        year,
        fund=Fund.PP_PLUS,
        kind=K.SPEND,
        amount=allocation.per_child_pence,
        on=on,
        description=f"Termly PP+ for {child.display_name}, {term} term {academic_year} (PEP graded {grade})",
        child=child,
        school=school,
        term=key,
    )


def termly_payments_release(
    *, actor: Any, grant_year: GrantYear, academic_year: int, term: str, on: dt.date | None = None
) -> tuple[list[LedgerEntry], list[tuple[Child, str]]]:
    """Release every eligible child's termly payment that the PEP allows: (paid, [(child, why held)])."""
    require_unless_system(actor, "pupilpremium.manage_budget")
    paid, held = [], []
    children, _ = eligible_on(grant_year.census_date)
    for child in children:
        try:
            paid.append(
                termly_payment_release(
                    actor=actor, grant_year=grant_year, child=child, academic_year=academic_year, term=term, on=on
                )
            )
        except ValidationError as exc:
            held.append((child, " ".join(exc.messages)))
    return paid, held


# --- Applications -----------------------------------------------------------------------------------------------

TARGET_FIELDS = ("text", "measure", "deadline", "owner")


def _clean_targets(targets: Sequence[Mapping[str, Any]], children: Sequence[Child]) -> list[dict[str, Any]]:
    if not targets:
        raise ValidationError(
            {
                "targets": "An application must serve at least one SMART target from the child's PEP: add the "
                "target this funding is for (the golden thread), then apply again."
            }
        )
    ids = {c.pk for c in children}
    cleaned, errors = [], []
    for number, target in enumerate(targets, start=1):
        values = {name: target.get(name) for name in TARGET_FIELDS}
        child = target.get("child")
        child_id = getattr(child, "pk", child)
        if child_id is None and len(children) == 1:
            child_id = children[0].pk
        if child_id not in ids:
            errors.append(f"Target {number}: say which of the application's children it is for.")
        pep_id = target.get("pep_target_id")
        if pep_id is not None and (isinstance(pep_id, bool) or not isinstance(pep_id, int) or pep_id < 1):
            errors.append(f"Target {number}: a PEP target id is a positive whole number.")
        elif pep_id is not None and child_id in ids:
            found = hooks.pep_target_for_child(child_id, pep_id)
            if found is None:
                errors.append(f"Target {number}: PEP target {pep_id} is not one of that child's PEP targets.")
            else:  # the PEP's own words, where the application left them out
                for name in ("text", "measure", "deadline", "owner"):
                    if not values.get(name) and found.get(name):
                        values[name] = found[name]
        missing = [name for name in ("text", "measure", "owner") if not str(values[name] or "").strip()]
        if missing:
            errors.append(f"Target {number}: enter its {', '.join(missing)}.")
        if not isinstance(values["deadline"], dt.date):
            errors.append(f"Target {number}: enter the date it is to be met by.")
        cleaned.append(
            {
                "child_id": child_id,
                "text": str(values["text"] or "").strip(),
                "measure": str(values["measure"] or "").strip(),
                "deadline": values["deadline"],
                "owner": str(values["owner"] or "").strip(),
                "pep_target_id": pep_id,
            }
        )
    if errors:
        raise ValidationError({"targets": errors})
    without = [c.display_name for c in children if c.pk not in {t["child_id"] for t in cleaned}]
    if without:
        raise ValidationError(
            {"targets": [f"Add a target for {name}: every child funded needs one." for name in without]}
        )
    return cleaned


@transaction.atomic
def application_submit(
    *,
    actor: Any,
    grant_year: GrantYear,
    children: Sequence[Child],
    intervention_type: str,
    provider: str,
    description: str,
    amount_pence: int,
    starts_on: dt.date,
    ends_on: dt.date,
    targets: Sequence[Mapping[str, Any]],
    school: Any = None,
    fund: str = Fund.PP_PLUS,
    submitted_on: dt.date | None = None,
) -> Application:
    """A lead or designated teacher applies for funding for one child or a group. Refused without a target."""
    require(actor, "pupilpremium.apply")
    children = list(dict.fromkeys(children))
    if not children:
        raise ValidationError({"children": "Choose the child (or children) the funding is for."})
    for child in children:
        if not actor.has_perm("pupilpremium.apply_for_child", child):
            raise PermissionDenied(f"You do not work with {child.display_name}, so you cannot apply for them.")
    errors: dict[str, str] = {}
    if intervention_type not in InterventionType.values:
        errors["intervention_type"] = "Choose the type of intervention."
    if not (provider or "").strip():
        errors["provider"] = "Enter who will provide the intervention."
    if not (description or "").strip():
        errors["description"] = "Say what the money pays for and how it will help the child meet the targets."
    if fund not in Fund.values:
        errors["fund"] = "Choose Pupil Premium Plus or Early Years Pupil Premium."
    if isinstance(amount_pence, bool) or not isinstance(amount_pence, int) or amount_pence <= 0:
        errors["amount_pence"] = "Enter an amount more than £0.00."
    elif grant_year.allocation_model == AllocationModel.BANDS:
        bands = sorted(grant_year.bands.values_list("amount_pence", flat=True))
        if amount_pence not in bands:
            errors["amount_pence"] = "This year funds requests in fixed bands: ask for one of " + (
                ", ".join(format_pence(b) for b in bands) or "the bands (none are set yet)"
            )
    if not isinstance(starts_on, dt.date):
        errors["starts_on"] = "Enter the date the intervention starts."
    if not isinstance(ends_on, dt.date):
        errors["ends_on"] = "Enter the date the intervention ends."
    elif isinstance(starts_on, dt.date) and ends_on < starts_on:
        errors["ends_on"] = "The end date must be on or after the start date."
    if errors:
        raise ValidationError(errors)
    cleaned = _clean_targets(targets, children)
    if school is None and len(children) == 1:
        school = _current_school_on(children[0], timezone.localdate())
    app = Application.objects.create(
        grant_year=grant_year,
        fund=fund,
        school=school,
        applicant=actor,
        intervention_type=intervention_type,
        provider=provider.strip(),
        description=description.strip(),
        amount_pence=amount_pence,
        starts_on=starts_on,
        ends_on=ends_on,
        submitted_on=submitted_on or timezone.localdate(),
        created_by=actor,
        modified_by=actor,
    )
    app.children.set(children)
    first_child = children[0].pk if len(children) == 1 else None
    audit.record_create(actor, app, child_id=first_child, context={"children": [c.pk for c in children]})
    for values in cleaned:
        target = FundedTarget.objects.create(application=app, created_by=actor, modified_by=actor, **values)
        audit.record_create(actor, target, child_id=target.child_id)
    return app


@transaction.atomic
def application_answer(*, actor: Any, application: Application, answer: str) -> Application:
    """Answer a deferred application's questions; it goes to the next panel."""
    app = Application.objects.select_for_update().get(pk=application.pk)
    if app.applicant_id != actor.pk and not actor.has_perm("pupilpremium.manage_budget"):
        raise PermissionDenied("Only whoever made the application, or the Head, can answer the panel's questions.")
    if app.status != Application.Status.DEFERRED:
        raise ValidationError("Only a deferred application has questions to answer.")
    if not (answer or "").strip():
        raise ValidationError({"answer": "Answer the panel's questions."})
    before = audit.snapshot(app)
    app.answer_to_questions = answer.strip()
    app.status = Application.Status.SUBMITTED
    app.panel = None
    app.modified_by = actor
    app.save()
    audit.record_update(actor, app, before)
    return app


@transaction.atomic
def application_withdraw(*, actor: Any, application: Application, reason: str) -> Application:
    app = Application.objects.select_for_update().get(pk=application.pk)
    if app.applicant_id != actor.pk and not actor.has_perm("pupilpremium.manage_budget"):
        raise PermissionDenied("Only whoever made the application, or the Head, can withdraw it.")
    if app.status not in {Application.Status.SUBMITTED, Application.Status.DEFERRED}:
        raise ValidationError("Only an application waiting for the panel can be withdrawn.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the application is withdrawn."})
    before = audit.snapshot(app)
    app.status = Application.Status.WITHDRAWN
    app.modified_by = actor
    app.save()
    audit.record_update(actor, app, before, context={"reason": reason.strip()})
    return app


@transaction.atomic
def target_review(
    *, actor: Any, target: FundedTarget, outcome: str, note: str = "", on: dt.date | None = None
) -> FundedTarget:
    """Record whether a funded target was achieved (the PEP review will record this once the PEP app does)."""
    require(actor, "pupilpremium.review_target", target.child)
    if outcome not in FundedTarget.Outcome.values:
        raise ValidationError({"outcome": "Choose achieved, partly achieved or not achieved."})
    row = FundedTarget.objects.select_for_update().get(pk=target.pk)
    before = audit.snapshot(row)
    row.outcome = outcome
    row.review_note = (note or "").strip()
    row.reviewed_on = on or timezone.localdate()
    row.reviewed_by = actor
    row.modified_by = actor
    row.save()
    audit.record_update(actor, row, before, child_id=row.child_id)
    return row


def funded_targets_reviewed_at_pep(
    *, actor: Any, pep_target_id: int, outcome: str, note: str = "", on: dt.date | None = None
) -> int:
    """Record a PEP target's review on every funded target that serves it; how many changed.

    Called when the PEP app reviews the target (peps.signals.target_reviewed), inside that transaction: the PEP
    service has already checked that `actor` may review it, so this checks nothing more, and audits each change.
    """
    if outcome not in FundedTarget.Outcome.values:
        return 0
    changed = 0
    for row in FundedTarget.objects.select_for_update().filter(pep_target_id=pep_target_id):
        before = audit.snapshot(row)
        row.outcome = outcome
        row.review_note = (note or "").strip()
        row.reviewed_on = on or timezone.localdate()
        row.reviewed_by = actor
        row.modified_by = actor
        row.save()
        audit.record_update(actor, row, before, child_id=row.child_id, context={"reviewed_at": "PEP"})
        changed += 1
    return changed


def _pep_target_reviewed(sender: Any, *, target: Any, outcome: str, note: str, reviewed_on: Any, actor: Any,
                         **kwargs: Any) -> None:  # fmt: skip
    funded_targets_reviewed_at_pep(actor=actor, pep_target_id=target.pk, outcome=outcome, note=note, on=reviewed_on)


def connect_pep_reviews() -> None:
    from virtualschool.peps.signals import target_reviewed

    target_reviewed.connect(_pep_target_reviewed, dispatch_uid="pupilpremium-funded-target-reviews")


# --- Panels, conflicts and votes ------------------------------------------------------------------------------


@transaction.atomic
def panel_create(*, actor: Any, grant_year: GrantYear, meets_on: dt.date, members: Sequence[Any]) -> Panel:
    """A panel meeting with exactly the policy's number of members (three), each from the Virtual School."""
    require(actor, "pupilpremium.manage_panels")
    policy = pp_policy_get()
    members = list(dict.fromkeys(members))
    if len(members) != policy.panel_members:
        raise ValidationError({"members": f"A panel has {policy.panel_members} different members."})
    wrong = [str(m) for m in members if not m.is_active or m.role not in PANEL_ROLES]
    if wrong:
        raise ValidationError({"members": f"Not a Virtual School member or PP+ panel member: {', '.join(wrong)}."})
    if Panel.objects.filter(meets_on=meets_on).exists():
        raise ValidationError({"meets_on": f"A panel already meets on {meets_on:%-d %B %Y}."})
    panel = Panel.objects.create(grant_year=grant_year, meets_on=meets_on, created_by=actor, modified_by=actor)
    panel.members.set(members)
    audit.record_create(actor, panel, context={"members": [m.pk for m in members]})
    return panel


@transaction.atomic
def panel_take_waiting(*, actor: Any, panel: Panel) -> list[Application]:
    """Put every application waiting for a panel (submitted by the day it meets) on this panel's agenda."""
    require(actor, "pupilpremium.manage_panels")
    waiting = list(
        Application.objects.select_for_update()
        .filter(status=Application.Status.SUBMITTED, panel__isnull=True, submitted_on__lte=panel.meets_on)
        .filter(grant_year=panel.grant_year)
        .exclude(decisions__panel=panel)  # a deferred application answered goes to a later panel, not back
        .order_by("submitted_on", "pk")
    )
    for app in waiting:
        before = audit.snapshot(app)
        app.panel = panel
        app.modified_by = actor
        app.save(update_fields=["panel", "modified_by", "modified_at"])
        audit.record_update(actor, app, before)
    return waiting


@transaction.atomic
def conflict_declare(*, actor: Any, child: Child, reason: str, on: dt.date | None = None) -> ConflictDeclaration:
    """A panel member declares they are connected to a child: they will not vote on the child's applications."""
    require(actor, "pupilpremium.declare_conflict")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say how you are connected to the child."})
    try:
        with transaction.atomic():
            row = ConflictDeclaration.objects.create(
                member=actor,
                child=child,
                reason=reason.strip(),
                declared_on=on or timezone.localdate(),
                created_by=actor,
                modified_by=actor,
            )
    except IntegrityError as exc:
        raise ValidationError("You have already declared a conflict for this child.") from exc
    audit.record_create(actor, row, child_id=child.pk)
    return row


def _agreement_key(vote: Vote, application: Application) -> tuple[str, int | None]:
    if vote.outcome in {Outcome.APPROVE, Outcome.APPROVE_AMOUNT}:
        amount = application.amount_pence if vote.outcome == Outcome.APPROVE else vote.amount_pence
        return ("approve", amount)
    return (vote.outcome, None)


@transaction.atomic
def vote_cast(
    *,
    actor: Any,
    application: Application,
    outcome: str,
    reason: str = "",
    amount_pence: int | None = None,
    now: dt.datetime | None = None,
) -> tuple[Vote, Decision | None]:
    """A panel member's vote; the decision when it makes `quorum` agreeing unconnected votes.

    The grant year's row is locked first (always before the application's, so two votes never deadlock), and an
    approval is refused, with its vote, if it would take the budget below zero.
    """
    year = _locked_year(application.grant_year_id)
    app = Application.objects.select_for_update(of=("self",)).select_related("panel").get(pk=application.pk)
    if app.status != Application.Status.SUBMITTED or app.panel is None:
        raise ValidationError("This application is not waiting for a panel decision.")
    panel = app.panel
    require(actor, "pupilpremium.vote", panel)
    reasons = connected_reasons(actor, app)
    if reasons:
        raise PermissionDenied(f"You cannot vote on this application: you {'; you '.join(reasons)}.")
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": "Choose approve, approve a different amount, defer or decline."})
    reason = (reason or "").strip()
    if outcome == Outcome.APPROVE_AMOUNT:
        if isinstance(amount_pence, bool) or not isinstance(amount_pence, int) or amount_pence <= 0:
            raise ValidationError({"amount_pence": "Enter the amount you would approve."})
        if amount_pence == app.amount_pence:
            raise ValidationError({"amount_pence": "That is the amount asked for: choose 'approve' instead."})
        if year.allocation_model == AllocationModel.BANDS and amount_pence not in set(
            year.bands.values_list("amount_pence", flat=True)
        ):
            raise ValidationError({"amount_pence": "This year funds fixed bands: approve one of the band amounts."})
    else:
        amount_pence = None
    if outcome == Outcome.APPROVE_AMOUNT and not reason:
        raise ValidationError({"reason": "Say why a different amount is right."})
    if outcome == Outcome.DEFER and not reason:
        raise ValidationError({"reason": "Write the questions the applicant must answer."})
    if outcome == Outcome.DECLINE and not reason:
        raise ValidationError({"reason": "Give the reasons for declining."})
    if Vote.objects.filter(application=app, panel=panel, member=actor).exists():
        raise ValidationError("You have already voted on this application at this panel.")
    now = now or timezone.now()
    vote = Vote.objects.create(
        application=app,
        panel=panel,
        member=actor,
        outcome=outcome,
        amount_pence=amount_pence,
        reason=reason,
        cast_at=now,
        created_by=actor,
        modified_by=actor,
    )
    audit.record_create(actor, vote, child_id=_single_child_id(app))
    decision = _decide_if_agreed(actor, year, app, panel, now)
    return vote, decision


def _single_child_id(app: Application) -> int | None:
    child = _single_child(app)
    return child.pk if child else None


def _decide_if_agreed(actor: Any, year: GrantYear, app: Application, panel: Panel, now: dt.datetime) -> Decision | None:
    policy = pp_policy_get()
    groups: dict[tuple[str, int | None], list[Vote]] = {}
    for vote in Vote.objects.filter(application=app, panel=panel).select_related("member"):
        if connected_reasons(vote.member, app):
            continue  # a connection declared after voting removes the vote from the count
        groups.setdefault(_agreement_key(vote, app), []).append(vote)
    agreed = next(((key, votes) for key, votes in groups.items() if len(votes) >= policy.decision_quorum), None)
    if agreed is None:
        return None
    (kind, amount), votes = agreed
    outcome = (
        votes[0].outcome
        if kind != "approve"
        else (Outcome.APPROVE if amount == app.amount_pence else Outcome.APPROVE_AMOUNT)
    )
    before = audit.snapshot(app)
    if kind == "approve":
        assert amount is not None
        _commit_approval(actor, year, app, amount, now.date())
        app.status = Application.Status.APPROVED
        app.approved_amount_pence = amount
    elif kind == Outcome.DEFER:
        app.status = Application.Status.DEFERRED
    else:
        app.status = Application.Status.DECLINED
    app.modified_by = actor
    app.save()
    decision = Decision.objects.create(
        application=app,
        panel=panel,
        outcome=outcome,
        amount_pence=amount,
        reasons="\n".join(f"{v.member}: {v.reason}" for v in votes if v.reason),
        decided_at=now,
        visible_on=timezone.localdate(now) + dt.timedelta(days=policy.decision_visible_after_days),
        created_by=actor,
        modified_by=actor,
    )
    decision.decided_by.set([v.member for v in votes])
    audit.record_update(actor, app, before, child_id=_single_child_id(app))
    audit.record_create(
        actor, decision, child_id=_single_child_id(app), context={"decided_by": [v.member_id for v in votes]}
    )
    return decision


def _commit_approval(actor: Any, year: GrantYear, app: Application, amount: int, on: dt.date) -> None:
    """Commit an approved amount, split across a group's children in whole pence (the first takes the rest)."""
    now = balance(year, app.fund)
    if amount > now.remaining:
        raise ValidationError(
            {
                "amount_pence": f"Approving {format_pence(amount)} would take the {Fund(app.fund).label} budget below "
                f"zero: {format_pence(now.remaining)} remains. Approve a smaller amount, defer or decline."
            }
        )
    children = list(app.children.order_by("pk"))
    share, rest = divmod(amount, len(children))
    for index, child in enumerate(children):
        part = share + (rest if index == 0 else 0)
        if part == 0:
            continue
        _post(
            actor,
            year,
            fund=app.fund,
            kind=K.COMMIT,
            amount=part,
            on=on,
            description=f"Approved application {app.pk}: {app.get_intervention_type_display()} from {app.provider}",
            child=child,
            school=app.school,
            intervention_type=app.intervention_type,
            application=app,
        )


# --- Publishing decisions the next day ----------------------------------------------------------------------------


def _told_about(app: Application) -> list[Any]:
    from virtualschool.placements.models import EducationPlacement
    from virtualschool.schools.models import SchoolStaff

    people: list[Any] = [app.applicant]
    children = list(app.children.select_related("allocated_lead"))
    people += [c.allocated_lead for c in children if c.allocated_lead]
    placements = EducationPlacement.objects.filter(child__in=children, end_date__isnull=True).select_related(
        "designated_teacher"
    )
    people += [p.designated_teacher for p in placements if p.designated_teacher]
    school_ids = [p.school_id for p in placements if p.school_id]
    people += [
        s.user
        for s in SchoolStaff.objects.filter(school_id__in=school_ids, is_designated_teacher=True).select_related("user")
    ]
    return people


def decisions_publish(*, today: dt.date | None = None) -> int:
    """Tell the lead, designated teacher and applicant of every decision whose day has come; how many decisions.

    Idempotent (notify is keyed on the decision), so the daily task can run any number of times.
    """
    today = today or timezone.localdate()
    published = 0
    due = Decision.objects.filter(visible_on__lte=today, published_at__isnull=True).select_related("application")
    for decision in due:
        with transaction.atomic():
            app = decision.application
            url = reverse("pupilpremium:application", args=[app.pk])
            amount = f" ({format_pence(decision.amount_pence)})" if decision.amount_pence else ""
            seen: set[int] = set()
            for person in _told_about(app):
                if person.pk in seen:
                    continue
                seen.add(person.pk)
                notify(
                    person,
                    kind="decision",
                    key=f"pp-decision-{decision.pk}",
                    subject=f"PP+ panel decision: {decision.get_outcome_display().lower()}{amount}",
                    body=(
                        f"The panel of {decision.panel.meets_on:%-d %B %Y} decided application {app.pk} "
                        f"({app.get_intervention_type_display()} from {app.provider}): "
                        f"{decision.get_outcome_display().lower()}{amount}.\n\n{decision.reasons}"
                    ),
                    url=url,
                    child=_single_child(app),
                )
            decision.published_at = timezone.now()
            decision.save(update_fields=["published_at", "modified_at"])
            audit.record(
                actor=None,
                action=AuditEvent.Action.UPDATE,
                object_type=audit.object_type_of(decision),
                object_id=decision.pk,
                object_repr=str(decision),
                changes={"published_at": [None, decision.published_at.isoformat()]},
            )
            published += 1
    return published


# --- Reads that are audited -------------------------------------------------------------------------------------


def record_views(
    *, actor: Any, applications: Iterable[Application], page: str, children: dict[int, list[Any]] | None = None
) -> int:
    """One VIEW event per application shown (on each child's history); `children` by application id when the
    caller already holds them."""
    events = []
    for app in applications:
        known = children.get(app.pk) if children is not None else None
        ids: list[int | None] = [c.pk for c in (known if known is not None else app.children.all())]
        for child_id in ids or [None]:
            events.append(
                audit.build_event(
                    actor=actor,
                    action=AuditEvent.Action.VIEW,
                    object_type="pupilpremium.application",
                    object_id=app.pk,
                    object_repr=str(app),
                    child_id=child_id,
                    context={"page": page},
                )
            )
    return audit.record_many(events)


def ledger_views_record(*, actor: Any, entries: Iterable[LedgerEntry], page: str) -> int:
    """One VIEW event per ledger row shown that names a child (on that child's history)."""
    return audit.record_views(actor, [e for e in entries if e.child_id], child_of="child_id", context={"page": page})


@transaction.atomic
def export_record(*, actor: Any, grant_year: GrantYear, what: str, file_format: str, rows: int) -> AuditEvent:
    require(actor, "pupilpremium.export")
    return audit.record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        object_type="pupilpremium.grantyear",
        object_id=grant_year.pk,
        object_repr=f"{what} {grant_year.label} ({file_format.upper()}, {rows} rows)",
        context={"what": what, "format": file_format, "rows": rows},
    )


def is_panel_member_role(user: Any) -> bool:
    return bool(user and user.role == Role.PANEL_MEMBER)

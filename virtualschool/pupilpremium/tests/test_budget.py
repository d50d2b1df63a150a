"""The budget in pence: counting on the census date, the top-slice, term allocations and the ledger's arithmetic."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from virtualschool.children.models import Cohort
from virtualschool.children.tests.factories import CareEpisodeFactory, ChildFactory
from virtualschool.pupilpremium import services
from virtualschool.pupilpremium.models import Application, Fund, LedgerEntry
from virtualschool.pupilpremium.money import format_pence, parse_pounds
from virtualschool.pupilpremium.selectors import balance, balances, breakdown

K = LedgerEntry.Kind


def test_money_is_formatted_and_parsed_in_whole_pence():
    assert format_pence(123456) == "£1,234.56"
    assert format_pence(5) == "£0.05"
    assert format_pence(-1200) == "−£12.00"
    assert parse_pounds("£1,234.5") == 123450
    assert parse_pounds("2630") == 263000
    with pytest.raises(ValidationError):
        parse_pounds("12.345")
    with pytest.raises(TypeError):
        format_pence(12.5)  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=10**12))
def test_formatting_and_parsing_round_trip(pence):
    assert parse_pounds(format_pence(pence)) == pence


@pytest.mark.django_db
def test_a_year_takes_the_published_rate_and_counts_children_in_care_on_the_census_date(world):
    CareEpisodeFactory(child=world.child_a, start_date=dt.date(2024, 1, 8))
    CareEpisodeFactory(child=world.child_b, start_date=dt.date(2025, 4, 1))  # came into care after the census
    toddler = ChildFactory(date_of_birth=dt.date(2021, 6, 1))  # nursery age on 31 March 2025
    CareEpisodeFactory(child=toddler, start_date=dt.date(2024, 1, 8))
    adopted = ChildFactory(cohort=Cohort.PREVIOUSLY_LOOKED_AFTER)
    CareEpisodeFactory(child=adopted, start_date=dt.date(2024, 1, 8), end_date=dt.date(2024, 6, 1))
    older = ChildFactory(date_of_birth=dt.date(2008, 1, 1))  # Year 12 on the census date
    CareEpisodeFactory(child=older, start_date=dt.date(2024, 1, 8))

    year = services.grant_year_create(actor=world.head, label="2025-26", basis="financial")
    assert (year.starts_on, year.ends_on, year.census_date) == (
        dt.date(2025, 4, 1),
        dt.date(2026, 3, 31),
        dt.date(2025, 3, 31),
    )
    assert year.rate_per_child_pence == 263_000
    services.grant_year_count(actor=world.head, grant_year=year)
    year.refresh_from_db()

    assert (year.eligible_children, year.eypp_eligible_children) == (1, 1)
    found = balances(year)
    assert found[Fund.PP_PLUS].total == 263_000
    assert found[Fund.EYPP].total == 57_000
    assert found[Fund.PP_PLUS].remaining == 263_000


@pytest.mark.django_db
def test_an_academic_year_and_the_earlier_published_rate(world):
    year = services.grant_year_create(actor=world.head, label="2024-25", basis="academic", make_current=False)
    assert (year.starts_on, year.ends_on, year.rate_per_child_pence) == (
        dt.date(2024, 9, 1),
        dt.date(2025, 8, 31),
        257_000,
    )
    with pytest.raises(ValidationError, match="no published rate"):
        services.grant_year_create(actor=world.head, label="2030-31")
    with pytest.raises(ValidationError, match="two years"):
        services.grant_year_create(actor=world.head, label="2025-27")


@pytest.mark.django_db
def test_a_recount_records_only_the_difference(pp, world):
    assert balance(pp.year).total == 2 * 263_000
    world.child_b.care_episodes.update(start_date=dt.date(2025, 4, 2))
    services.grant_year_count(actor=world.head, grant_year=pp.year)
    assert balance(pp.year).total == 263_000
    assert LedgerEntry.objects.filter(grant_year=pp.year, kind=K.REDUCTION).get().amount_pence == 263_000


@pytest.mark.django_db
def test_only_the_head_manages_the_budget(pp, world):
    for user in (world.lead, world.manager, world.data, world.panel, world.dt_a):
        with pytest.raises(PermissionDenied):
            services.grant_year_create(actor=user, label="2024-25")
        with pytest.raises(PermissionDenied):
            services.ledger_record(actor=user, grant_year=pp.year, kind=K.INCOME, amount_pence=1, description="x")


@pytest.mark.django_db
def test_top_slice_and_termly_amounts_share_the_grant_in_whole_pence(pp, world):
    services.top_slice_set(
        actor=world.head, grant_year=pp.year, purpose="Designated teacher training", amount_pence=100_001
    )
    with pytest.raises(ValidationError, match="more than"):
        services.top_slice_set(actor=world.head, grant_year=pp.year, purpose="Tuition", amount_pence=500_000)
    rows = services.term_allocations_plan(actor=world.head, grant_year=pp.year)
    # 2 × £2,630 − £1,000.01 = £4,259.99 passed to schools: £2,129.99 a child, £709.99 a term (3p stays central).
    assert [(r.academic_year, r.term, r.per_child_pence) for r in rows] == [
        (2024, "summer", 70_999),
        (2025, "autumn", 70_999),
        (2025, "spring", 70_999),
    ]


@pytest.mark.django_db
def test_nothing_can_take_the_budget_below_zero(pp, world):
    remaining = balance(pp.year).remaining
    services.ledger_record(
        actor=world.head, grant_year=pp.year, kind=K.SPEND, amount_pence=remaining - 1, description="Central tuition"
    )
    with pytest.raises(ValidationError, match="below zero"):
        services.ledger_record(actor=world.head, grant_year=pp.year, kind=K.SPEND, amount_pence=2, description="More")
    assert balance(pp.year).remaining == 1
    assert LedgerEntry.objects.filter(kind=K.SPEND).count() == 1


@pytest.mark.django_db
def test_breakdowns_sum_to_the_summary(pp, world):
    a = services.ledger_record(
        actor=world.head,
        grant_year=pp.year,
        kind=K.COMMIT,
        amount_pence=10_000,
        description="Mentoring",
        child=world.child_a,
        school=world.school_a,
        intervention_type="mentoring",
    )
    assert a.amount_pence == 10_000
    services.ledger_record(
        actor=world.head,
        grant_year=pp.year,
        kind=K.SPEND,
        amount_pence=2_500,
        description="Trip",
        child=world.child_b,
        school=world.school_b,
        intervention_type="trips",
    )
    summary = balance(pp.year)
    for by in ("child", "school", "intervention_type", "purpose"):
        rows = breakdown(pp.year, by)
        assert sum(r.committed for r in rows) == summary.committed
        assert sum(r.spent for r in rows) == summary.spent
    labels = {r.label: (r.committed, r.spent) for r in breakdown(pp.year, "child")}
    assert labels[world.child_a.display_name] == (10_000, 0)


OPS = st.lists(
    st.tuples(st.sampled_from(["income", "commit", "release", "pay", "spend"]), st.integers(1, 400_000)),
    max_size=25,
)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_any_sequence_of_transactions_keeps_remaining_exact(world, ops):
    with transaction.atomic():  # each example starts from an empty ledger and leaves nothing behind
        _run_ledger_ops(world, ops)
        transaction.set_rollback(True)


def _run_ledger_ops(world, ops):
    year = services.grant_year_create(actor=world.head, label="2025-26")
    app = Application.objects.create(
        grant_year=year,
        applicant=world.lead,
        intervention_type="tuition",
        provider="P",
        description="d",
        amount_pence=1,
        starts_on=dt.date(2025, 5, 1),
        ends_on=dt.date(2025, 6, 1),
        submitted_on=dt.date(2025, 5, 1),
    )
    total = committed = spent = 0
    for kind, amount in ops:
        outstanding = committed  # every commitment here is the one application's
        allowed = {
            "income": True,
            "commit": amount <= total - committed - spent,
            "spend": amount <= total - committed - spent,
            "release": amount <= outstanding,
            "pay": amount <= outstanding,
        }[kind]
        try:
            services.ledger_record(
                actor=world.head,
                grant_year=year,
                kind=kind,
                amount_pence=amount,
                description=kind,
                application=app if kind in {"commit", "release", "pay"} else None,
            )
        except ValidationError:
            assert not allowed
            continue
        assert allowed
        if kind == "income":
            total += amount
        elif kind == "commit":
            committed += amount
        elif kind == "release":
            committed -= amount
        elif kind == "pay":
            committed -= amount
            spent += amount
        else:
            spent += amount
        now = balance(year)
        assert (now.total, now.committed, now.spent) == (total, committed, spent)
        assert now.remaining == total - committed - spent >= 0
        assert all(isinstance(v, int) for v in (now.total, now.committed, now.spent, now.remaining))

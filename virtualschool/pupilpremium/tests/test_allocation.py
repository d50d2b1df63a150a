"""The "no PEP, no premium" model: a termly payment only when that term's PEP is graded at least adequate."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from virtualschool.pupilpremium import hooks, services
from virtualschool.pupilpremium.models import LedgerEntry
from virtualschool.pupilpremium.selectors import balance

pytestmark = pytest.mark.django_db


@pytest.fixture
def termly(pp, world):
    services.grant_year_update(actor=world.head, grant_year=pp.year, allocation_model="termly_pep")
    services.term_allocations_plan(actor=world.head, grant_year=pp.year)
    pp.year.refresh_from_db()
    return pp


def test_the_hook_says_no_pep_until_the_pep_app_provides_it(world):
    assert hooks.pep_grade_for_term(world.child_a, 2025, "autumn") is None
    assert not hooks.grade_is_at_least_adequate(None)
    assert hooks.grade_is_at_least_adequate("Good")
    assert not hooks.grade_is_at_least_adequate("requires improvement")


def test_no_pep_no_premium(termly, world, monkeypatch):
    grades = {world.child_a.pk: "good", world.child_b.pk: "inadequate"}
    monkeypatch.setattr(hooks, "pep_grade_for_term", lambda child, year, term: grades.get(child.pk))

    paid, held = services.termly_payments_release(
        actor=world.head, grant_year=termly.year, academic_year=2025, term="autumn"
    )

    assert [e.child for e in paid] == [world.child_a]
    assert paid[0].school == world.school_a and paid[0].amount_pence == 87_666
    assert held[0][0] == world.child_b and "graded inadequate" in held[0][1]
    assert balance(termly.year).spent == 87_666
    # Paid once only, and released once the PEP is good enough.
    with pytest.raises(ValidationError, match="already been made"):
        services.termly_payment_release(
            actor=world.head, grant_year=termly.year, child=world.child_a, academic_year=2025, term="autumn"
        )
    grades[world.child_b.pk] = "adequate"
    services.termly_payment_release(
        actor=world.head, grant_year=termly.year, child=world.child_b, academic_year=2025, term="autumn"
    )
    assert LedgerEntry.objects.filter(term="2025-autumn").count() == 2


def test_without_any_pep_grade_every_payment_is_held(termly, world):
    paid, held = services.termly_payments_release(
        actor=world.head, grant_year=termly.year, academic_year=2025, term="autumn"
    )
    assert paid == []
    assert all("there is no graded PEP" in why for _, why in held)


def test_termly_payments_only_under_that_model(pp, world, monkeypatch):
    monkeypatch.setattr(hooks, "pep_grade_for_term", lambda *args: "outstanding")
    with pytest.raises(ValidationError, match="not termly payments"):
        services.termly_payment_release(
            actor=world.head, grant_year=pp.year, child=world.child_a, academic_year=2025, term="autumn"
        )


def test_the_head_releases_a_terms_payments_from_the_budget_page(client, termly, world, monkeypatch):
    from django.urls import reverse

    monkeypatch.setattr(
        hooks, "pep_grade_for_term", lambda child, year, term: "good" if child == world.child_a else None
    )
    client.force_login(world.head)
    autumn = termly.year.term_allocations.get(academic_year=2025, term="autumn")
    assert "Release autumn term 2025 payments" in client.get(reverse("pupilpremium:budget")).content.decode()
    response = client.post(
        reverse("pupilpremium:year-release-term", args=[termly.year.pk]), {"allocation": autumn.pk}, follow=True
    )
    text = response.content.decode()
    assert "1 payment released, 1 held." in text and "there is no graded PEP" in text
    assert LedgerEntry.objects.filter(term="2025-autumn", child=world.child_a).exists()
    client.force_login(world.manager)
    assert (
        client.post(
            reverse("pupilpremium:year-release-term", args=[termly.year.pk]), {"allocation": autumn.pk}
        ).status_code
        == 403
    )

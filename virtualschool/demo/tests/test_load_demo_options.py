"""load_demo's safety catch, --reset and --seed, on the small demo (quick to load)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from virtualschool.accounts.models import User
from virtualschool.accounts.tests.factories import UserFactory
from virtualschool.children.models import Child
from virtualschool.demo.builder import load_demo

pytestmark = pytest.mark.django_db


def roll() -> list[tuple[str, str, str]]:
    return list(
        Child.objects.order_by("social_care_reference").values_list("social_care_reference", "first_name", "last_name")
    )


def test_load_demo_refuses_to_run_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo", size="small", stdout=io.StringIO())

    assert not Child.objects.exists()


def test_load_demo_runs_when_debug_is_on(settings):
    settings.DEBUG = True

    call_command("load_demo", size="small", stdout=io.StringIO())

    assert Child.objects.count() == 29


@pytest.mark.django_db(transaction=True)  # --reset empties the database, which PostgreSQL refuses mid-transaction
def test_reset_empties_the_database_and_loads_the_same_demo_again():
    call_command("load_demo", size="small", seed=11, force=True, stdout=io.StringIO())
    first = roll()
    UserFactory(username="someone-added-later")

    call_command("load_demo", size="small", seed=11, force=True, reset=True, stdout=io.StringIO())

    assert roll() == first
    assert not User.objects.filter(username="someone-added-later").exists()


@pytest.mark.django_db(transaction=True)
def test_another_seed_loads_other_children():
    call_command("load_demo", size="small", seed=11, force=True, stdout=io.StringIO())
    first = roll()

    call_command("load_demo", size="small", seed=12, force=True, reset=True, stdout=io.StringIO())

    assert roll() != first


def test_load_demo_will_not_mix_with_existing_accounts():
    UserFactory(username="head")

    with pytest.raises(CommandError, match="--reset"):
        call_command("load_demo", size="small", force=True, stdout=io.StringIO())


@pytest.mark.parametrize("today", [dt.date(2026, 9, 1), dt.date(2027, 1, 4), dt.date(2027, 7, 23)])
def test_small_demo_loads_through_the_services_on_any_day_of_the_year(today):
    summary = load_demo(seed=3, size="small", today=today)

    assert summary.children == 29
    assert summary.audit_events > summary.children

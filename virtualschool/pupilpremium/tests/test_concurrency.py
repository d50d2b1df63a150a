"""Two panel members approve different applications at the same moment: the budget never goes below zero.

Runs on PostgreSQL only (DATABASE_URL set, as CI does): each thread has its own connection and transaction, and
the grant year's row lock (select_for_update) is what serialises them. SQLite has no row locks and serialises
whole-database writes instead, so the test would prove nothing there.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from virtualschool.pupilpremium import selectors, services
from virtualschool.pupilpremium.models import Application, Decision, LedgerEntry, Outcome
from virtualschool.pupilpremium.selectors import balance

from .conftest import submit

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Needs PostgreSQL: SQLite has no row-level locks for two connections to contend for",
    ),
]


def test_two_approvals_at_the_same_moment_cannot_both_spend_the_last_pound(pp, world, monkeypatch):
    remaining = balance(pp.year).remaining  # £5,260.00
    first = submit(world.lead, pp.year, world.child_a, amount=remaining * 6 // 10)
    second = submit(world.lead, pp.year, world.child_b, amount=remaining * 6 // 10)
    services.panel_take_waiting(actor=world.head, panel=pp.panel)
    member_a, member_b, member_c = pp.members
    for app in (first, second):
        services.vote_cast(actor=member_a, application=app, outcome=Outcome.APPROVE)

    # Widen the window between reading the balance and committing, so that without the lock both would pass.
    real_balance = selectors.balance

    def slow_balance(*args: Any, **kwargs: Any) -> Any:
        found = real_balance(*args, **kwargs)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(services, "balance", slow_balance)
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def approve(name: str, member: Any, app: Application) -> None:
        try:
            barrier.wait(timeout=10)
            services.vote_cast(actor=member, application=app, outcome=Outcome.APPROVE)
            results[name] = "approved"
        except ValidationError as exc:
            results[name] = " ".join(exc.messages)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=approve, args=("first", member_b, first)),
        threading.Thread(target=approve, args=("second", member_c, second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == ["first", "second"]
    approved = [name for name, result in results.items() if result == "approved"]
    refused = [result for result in results.values() if result != "approved"]
    assert len(approved) == 1, results
    assert len(refused) == 1 and "below zero" in refused[0], results
    assert Decision.objects.count() == 1
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.COMMIT).count() == 1
    after = balance(pp.year)
    assert after.remaining == remaining - remaining * 6 // 10 >= 0

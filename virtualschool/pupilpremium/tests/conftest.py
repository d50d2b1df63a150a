"""A grant year over the shared `world`: both children in care on the census date, three panel members."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from virtualschool.accounts.models import Role
from virtualschool.accounts.tests.factories import UserFactory
from virtualschool.children.tests.factories import CareEpisodeFactory
from virtualschool.pupilpremium import services
from virtualschool.pupilpremium.models import GrantYear, Panel

TODAY = dt.date(2025, 11, 20)


@dataclass
class PP:
    year: GrantYear
    panel: Panel
    members: list[Any]


def target(child: Any, **extra: Any) -> dict[str, Any]:
    values = {
        "child": child,
        "text": "Read a Year 4 text aloud with 95% accuracy",
        "measure": "Running record at the spring PEP",
        "deadline": dt.date(2026, 3, 27),
        "owner": "Class teacher",
    }
    values.update(extra)
    return values


def submit(actor: Any, year: GrantYear, child: Any, amount: int = 60_000, **extra: Any) -> Any:
    values: dict[str, Any] = {
        "actor": actor,
        "grant_year": year,
        "children": [child],
        "intervention_type": "tuition",
        "provider": "Bright Futures Tuition",
        "description": "Ten weekly one-to-one reading sessions",
        "amount_pence": amount,
        "starts_on": dt.date(2025, 12, 1),
        "ends_on": dt.date(2026, 3, 20),
        "targets": [target(child)],
        "submitted_on": TODAY,
    }
    values.update(extra)
    return services.application_submit(**values)


@pytest.fixture
def pp(world: Any) -> PP:
    for child in (world.child_a, world.child_b):
        CareEpisodeFactory(child=child, start_date=dt.date(2024, 1, 8))
    year = services.grant_year_create(actor=world.head, label="2025-26", basis="financial")
    services.grant_year_count(actor=world.head, grant_year=year, on=dt.date(2025, 4, 1))
    year.refresh_from_db()
    members = [
        world.panel,
        UserFactory(username="panel2", role=Role.PANEL_MEMBER),
        UserFactory(username="panel3", role=Role.PANEL_MEMBER),
    ]
    panel = services.panel_create(actor=world.head, grant_year=year, meets_on=TODAY, members=members)
    return PP(year=year, panel=panel, members=members)


@pytest.fixture
def time_machine_today(monkeypatch: Any) -> Any:
    """time_machine_today(day): the PP+ pages take `day` as today."""
    from virtualschool.pupilpremium import views

    def _set(day: dt.date) -> None:
        monkeypatch.setattr(views, "_today", lambda: day)

    return _set

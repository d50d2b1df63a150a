"""Shared pieces for the escalation tests: frozen London time and a helper to raise a concern."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from virtualschool.escalations import services
from virtualschool.escalations.ladder_seed import load_ladders
from virtualschool.escalations.models import Ladder, LadderLevel

LONDON = ZoneInfo("Europe/London")
MONDAY = dt.date(2026, 11, 2)  # a Monday in term, no bank holiday within three weeks


def at(day: dt.date, hour: int = 10) -> Any:
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=LONDON), tick=False)


@pytest.fixture(autouse=True)
def seeded_ladders(db: Any) -> None:
    """The ladders the data migration ships: loaded again when a transactional test (a live server, the concurrent
    workers) has flushed the tables since the migrations ran."""
    if not Ladder.objects.exists():
        load_ladders(Ladder, LadderLevel)


@pytest.fixture
def frozen() -> Iterator[Any]:
    """Time stands at 10am on Monday 2 November 2026; `frozen.move_to(date)` moves it to 10am that day."""
    with at(MONDAY) as traveller:

        class Mover:
            def move_to(self, day: dt.date, hour: int = 10) -> None:
                traveller.move_to(dt.datetime(day.year, day.month, day.day, hour, tzinfo=LONDON))

        yield Mover()


@pytest.fixture
def raise_concern(world: Any):
    def _raise(slug: str = "gloucestershire-school", *, actor: Any = None, child: Any = None, **kwargs: Any):
        values = {"summary": "Reading support agreed at the PEP has not started.", "arose_on": MONDAY, **kwargs}
        return services.escalation_raise(
            actor=actor or world.lead, child=child or world.child_a, ladder=Ladder.objects.get(slug=slug), **values
        )

    return _raise

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from virtualschool.duties import events


@pytest.fixture
def fake_sources() -> Iterator[Any]:
    """register(kind, {child_id: [date, ...]}) adds an event source for the test, removed afterwards."""
    with events.sources_restored():

        def register(kind: str, dates: dict[int, list[dt.date]]) -> None:
            def source(child_ids, context):
                for child_id in child_ids:
                    for day in dates.get(child_id, []):
                        yield child_id, day, f"{kind}:{day.isoformat()}"

            events.register_event_source(kind, source, label=kind, app="tests")

        yield register


@pytest.fixture(autouse=True)
def seeded_rules(request: Any) -> None:
    """The seeded rules, even after a transactional test has emptied the tables (data migrations run once)."""
    wants_db = {"db", "transactional_db"} & set(request.fixturenames)
    if not wants_db and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("transactional_db" if _transactional(request) else "db")
    reseed()


def _transactional(request: Any) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction"))


def reseed() -> None:
    import importlib

    from django.apps import apps

    from virtualschool.duties.models import DutyRule

    if not DutyRule.objects.exists():
        importlib.import_module("virtualschool.duties.migrations.0002_seed_duty_rules").seed(apps, None)

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

"""Seams where one app adds to another's pages without importing it.

Apps register in their ``AppConfig.ready``:

- ``register_child_tab``: a tab in the sub-navigation of every child page (attendance, PEPs, suspensions ...).
- ``register_child_records``: a summary of a child's records over a period (attendance figures, suspensions,
  reduced timetables) that other features pull in rather than retype, for example the PEP's attendance and
  exclusions section. Each provider scopes nothing itself: callers pass a child the user may already see.
- ``register_demo_writer``: a step of the synthetic demo, run after the roll, placements and SDQs are written.

The registries are module-level and filled once at start-up; tests that register extra entries use
``registered`` to restore them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ChildTab:
    """A link in a child page's sub-navigation."""

    key: str
    label: str
    url_name: str  # reversed with the child's pk as its only argument
    order: int = 100  # Record 10, Education placements 20, Care history 30, SDQ 40, Audit history 1000
    permission: str = ""  # a user permission the tab needs (checked against the child), empty for none


@dataclass(frozen=True)
class RecordLine:
    label: str
    value: str


@dataclass(frozen=True)
class RecordSummary:
    """What a child's records say over a period, ready to show or to keep in a document."""

    key: str
    title: str
    start: dt.date
    end: dt.date
    lines: tuple[RecordLine, ...] = ()
    concerns: tuple[str, ...] = ()  # plain sentences: "Attendance 82.4 %, below 85 %."
    url: str = ""  # where the full record is

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "lines": [{"label": line.label, "value": line.value} for line in self.lines],
            "concerns": list(self.concerns),
            "url": self.url,
        }


RecordProvider = Callable[[Any, dt.date, dt.date], RecordSummary | None]
DemoWriter = Callable[..., None]  # called with users=dict[str, User], schools=dict[str, School], today, seed


@dataclass(frozen=True)
class _Registered:
    key: str
    order: int
    value: Any = field(compare=False)


_CHILD_TABS: dict[str, ChildTab] = {}
_RECORDS: dict[str, _Registered] = {}
_DEMO: dict[str, _Registered] = {}


def register_child_tab(tab: ChildTab) -> None:
    _CHILD_TABS[tab.key] = tab


def child_tabs() -> list[ChildTab]:
    return sorted(_CHILD_TABS.values(), key=lambda tab: (tab.order, tab.key))


def register_child_records(key: str, provider: RecordProvider, *, order: int = 100) -> None:
    """`provider(child, start, end)` returns a RecordSummary, or None when it has nothing for that child."""
    _RECORDS[key] = _Registered(key, order, provider)


def child_records(child: Any, start: dt.date, end: dt.date, keys: list[str] | None = None) -> list[RecordSummary]:
    """Every registered summary of `child`'s records from `start` to `end` (inclusive), in order."""
    found = []
    for entry in sorted(_RECORDS.values(), key=lambda e: (e.order, e.key)):
        if keys is not None and entry.key not in keys:
            continue
        summary = entry.value(child, start, end)
        if summary is not None:
            found.append(summary)
    return found


def has_child_records(key: str) -> bool:
    """True when an app has registered the summary `key` (for example "attendance")."""
    return key in _RECORDS


def register_demo_writer(key: str, writer: DemoWriter, *, order: int = 100) -> None:
    _DEMO[key] = _Registered(key, order, writer)


def demo_writers() -> list[tuple[str, DemoWriter]]:
    return [(e.key, e.value) for e in sorted(_DEMO.values(), key=lambda e: (e.order, e.key))]


@contextlib.contextmanager
def registered() -> Iterator[None]:
    """Restore every registry on exit (for tests that add entries)."""
    tabs, records, demo = dict(_CHILD_TABS), dict(_RECORDS), dict(_DEMO)
    try:
        yield
    finally:
        _CHILD_TABS.clear()
        _CHILD_TABS.update(tabs)
        _RECORDS.clear()
        _RECORDS.update(records)
        _DEMO.clear()
        _DEMO.update(demo)

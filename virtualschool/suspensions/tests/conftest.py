"""Term dates for the suspension tests, entered as an administrator would (core.SchoolTerm rows)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from virtualschool.core.calendar import SchoolCalendar, TermDates
from virtualschool.core.models import SchoolTerm

D = dt.date
# 2025/26: autumn half term 27 to 31 October; spring half term 16 to 20 February; summer half term 25 to 29 May.
TERMS_2025 = [
    ("autumn", D(2025, 9, 3), D(2025, 12, 19), D(2025, 10, 27), D(2025, 10, 31)),
    ("spring", D(2026, 1, 5), D(2026, 3, 27), D(2026, 2, 16), D(2026, 2, 20)),
    ("summer", D(2026, 4, 13), D(2026, 7, 22), D(2026, 5, 25), D(2026, 5, 29)),
]


def calendar_2025() -> SchoolCalendar:
    return SchoolCalendar([TermDates(2025, t, s, e, hs, he, True) for t, s, e, hs, he in TERMS_2025])


@pytest.fixture
def terms(db: Any) -> None:
    for term, start, end, half_start, half_end in TERMS_2025:
        SchoolTerm.objects.create(
            academic_year=2025,
            term=term,
            start_date=start,
            end_date=end,
            half_term_start=half_start,
            half_term_end=half_end,
        )


@pytest.fixture
def today_is(monkeypatch: Any):
    """today_is(day): make `day` today for the services, selectors and pages (timezone.localdate)."""
    from django.utils import timezone

    def _set(day: dt.date) -> dt.date:
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
        return day

    return _set

"""The SDQ chart: an inline, labelled SVG drawn from the totals, the same for the same history."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache

from virtualschool.children.models import SdqScore
from virtualschool.children.sdq_chart import sdq_history_svg


def sdqs(*rows: tuple[str, str, int | None]) -> list[SdqScore]:
    return [
        SdqScore(pk=n, child_id=1, recorded_on=dt.date.fromisoformat(on), respondent=who, total_score=total)
        for n, (on, who, total) in enumerate(rows, start=1)
    ]


def test_the_chart_is_an_inline_labelled_svg_with_a_line_for_each_respondent():
    cache.clear()
    svg = sdq_history_svg(
        sdqs(("2025-03-31", "carer", 12), ("2026-01-10", "carer", 18), ("2026-02-01", "teacher", 11)),
        threshold=14,
        label="Totals over time; the table below gives every score",
    )

    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert 'role="img" aria-label="Totals over time; the table below gives every score"' in svg
    assert 'width="100%"' in svg and "<?xml" not in svg
    assert "Carer or parent" in svg and "Teacher" in svg and "Young person" not in svg
    assert "Above 14: a school SDQ is due" in svg


def test_the_same_history_draws_the_same_chart_and_a_new_score_a_new_one():
    history = sdqs(("2025-03-31", "carer", 12), ("2026-01-10", "carer", 18))
    cache.clear()
    first = sdq_history_svg(history, threshold=14, label="x")
    cache.clear()

    assert sdq_history_svg(history, threshold=14, label="x") == first  # drawn again, identically
    assert sdq_history_svg(history, threshold=14, label="x") == first  # from the cache
    assert sdq_history_svg(sdqs(("2025-03-31", "carer", 12), ("2026-01-10", "carer", 19)), threshold=14,
                           label="x") != first  # fmt: skip


def test_no_totals_no_chart():
    assert sdq_history_svg(sdqs(("2025-03-31", "carer", None)), threshold=14, label="x") == ""
    assert sdq_history_svg([], threshold=14, label="x") == ""

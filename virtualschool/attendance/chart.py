"""A child's attendance by month as a server-drawn SVG (matplotlib); the page's table is its text alternative."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from typing import Any

import matplotlib
from django.core.cache import cache
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

from .figures import Counts

CHART_VERSION = 1
CACHE_SECONDS = 24 * 60 * 60
RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "attendance-chart",
    "font.family": "sans-serif",
    "font.sans-serif": ["Arial", "Helvetica", "DejaVu Sans"],
    "font.size": 11,
    "axes.edgecolor": "#505a5f",
    "axes.labelcolor": "#0b0c0c",
    "xtick.color": "#0b0c0c",
    "ytick.color": "#0b0c0c",
}


def attendance_trend_svg(months: list[tuple[dt.date, Counts]], *, threshold: float, label: str) -> str:
    """Attendance % for each month with possible sessions, with the alert threshold dashed; "" with none."""
    points = [(month, counts.attendance_percent or 0.0) for month, counts in months if counts.possible]
    if not points:
        return ""
    shown = [(m.isoformat(), p) for m, p in points]
    key = "attendance-chart:" + hashlib.sha256(repr((CHART_VERSION, shown, threshold, label)).encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = _draw(points, threshold=threshold, label=label)
        cache.set(key, svg, timeout=CACHE_SECONDS)
    return svg


def _draw(points: list[tuple[dt.date, float]], *, threshold: float, label: str) -> str:
    with matplotlib.rc_context(RC):  # type: ignore[arg-type]
        figure = Figure(figsize=(8, 3.2))
        figure.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.92)
        FigureCanvasSVG(figure)
        axes = figure.add_subplot()
        xs = list(range(len(points)))
        axes.plot(xs, [p for _, p in points], color="#1d70b8", marker="o", markersize=6, linewidth=2)
        axes.axhline(threshold, color="#d4351c", linestyle="--", linewidth=1.5)
        axes.text(xs[-1], threshold - 6, f"{threshold:g} %", color="#d4351c", ha="right", va="top")
        axes.set_ylim(0, 102)
        axes.set_ylabel("Attendance %")
        axes.set_xticks(xs, [f"{m:%b %Y}" for m, _ in points])
        axes.grid(axis="y", color="#b1b4b6", linewidth=0.5)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        out = io.StringIO()
        figure.savefig(out, format="svg")
    svg = out.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<svg ", f'<svg role="img" aria-label="{label}" focusable="false" ', svg, count=1)
    return svg

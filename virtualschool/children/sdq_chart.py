"""The chart of a child's SDQ totals over time: matplotlib drawn on the server, sent as inline SVG.

The SVG is decorative for screen readers (the page's history table is its text alternative, and the SVG's own
label says so); each respondent has its own marker shape as well as colour, so it reads without colour too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections.abc import Sequence

import matplotlib
from django.core.cache import cache
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.dates import AutoDateLocator, DateFormatter
from matplotlib.figure import Figure

from .models import SdqScore

CHART_VERSION = 1  # change when the drawing changes, so cached charts are drawn again
CACHE_SECONDS = 24 * 60 * 60
# GOV.UK Frontend colours; marker shapes distinguish the lines without colour.
STYLES = {
    SdqScore.Respondent.CARER: ("#1d70b8", "o"),
    SdqScore.Respondent.TEACHER: ("#00703c", "s"),
    SdqScore.Respondent.YOUNG_PERSON: ("#4c2c92", "^"),
}
TEXT = "#0b0c0c"
SECONDARY = "#505a5f"
RC = {
    "svg.fonttype": "none",  # text stays text: smaller, sharper and selectable
    "svg.hashsalt": "sdq-chart",  # the same history always draws the same SVG
    "font.family": "sans-serif",
    "font.sans-serif": ["Arial", "Helvetica", "DejaVu Sans"],
    "font.size": 11,
    "axes.edgecolor": SECONDARY,
    "axes.labelcolor": TEXT,
    "xtick.color": TEXT,
    "ytick.color": TEXT,
}


def sdq_history_svg(history: Sequence[SdqScore], *, threshold: int, label: str) -> str:
    """Total difficulties (0–40) by date for each respondent, with the carer threshold line; "" with no totals.

    Drawing takes tens of milliseconds, so the SVG is cached under a digest of exactly what it shows (dates,
    respondents, totals, threshold, label): a new or removed SDQ is a new key, so nothing needs invalidating.
    """
    scored = sorted((s for s in history if s.total_score is not None), key=lambda s: (s.recorded_on, s.pk or 0))
    if not scored:
        return ""
    shown = [(s.recorded_on.isoformat(), s.respondent, s.total_score) for s in scored]
    digest = hashlib.sha256(repr((CHART_VERSION, shown, threshold, label)).encode()).hexdigest()
    key = f"sdq-chart:{digest}"
    svg = cache.get(key)
    if svg is None:
        svg = _draw(scored, threshold=threshold, label=label)
        cache.set(key, svg, timeout=CACHE_SECONDS)
    return svg


def _draw(scored: Sequence[SdqScore], *, threshold: int, label: str) -> str:
    with matplotlib.rc_context(RC):
        figure = Figure(figsize=(8, 3.6))
        # Fixed margins, not a layout engine: constrained layout draws the figure twice (half the time).
        figure.subplots_adjust(left=0.08, right=0.98, bottom=0.1, top=0.86)
        FigureCanvasSVG(figure)
        axes = figure.add_subplot()
        for respondent, (colour, marker) in STYLES.items():
            points = [s for s in scored if s.respondent == respondent]
            if points:
                axes.plot(
                    [s.recorded_on for s in points],
                    [s.total_score for s in points],
                    color=colour,
                    marker=marker,
                    markersize=7,
                    linewidth=2,
                    label=SdqScore.Respondent(respondent).label,
                )
        axes.axhline(threshold + 0.5, color="#d4351c", linestyle="--", linewidth=1.5)
        axes.annotate(
            f"Above {threshold}: a school SDQ is due",
            xy=(0.01, threshold + 0.5),
            xycoords=("axes fraction", "data"),
            xytext=(0, 4),
            textcoords="offset points",
            color="#d4351c",
            fontsize=10,
        )
        axes.set_ylim(0, 40)
        axes.set_yticks(range(0, 41, 5))
        axes.set_ylabel("Total difficulties")
        first, last = scored[0].recorded_on, scored[-1].recorded_on
        margin = max(dt.timedelta(days=30), (last - first) / 20)
        axes.set_xlim(first - margin, last + margin)  # type: ignore[arg-type]
        locator = AutoDateLocator(minticks=3, maxticks=8)
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(DateFormatter("%b %Y"))
        axes.grid(axis="y", color="#b1b4b6", linewidth=0.5)
        axes.spines[["top", "right"]].set_visible(False)
        axes.legend(loc="lower left", bbox_to_anchor=(0, 1.02), ncols=3, frameon=False, borderaxespad=0)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return _inline(buffer.getvalue(), label)


def _inline(svg: str, label: str) -> str:
    """Make matplotlib's file an inline element: no XML prolog, scales to its container, labelled."""
    body = svg[svg.index("<svg") :]
    opening = body[: body.index(">") + 1]
    view_box = re.search(r'viewBox="([^"]+)"', opening)
    attributes = f'viewBox="{view_box.group(1)}"' if view_box else ""
    safe_label = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    new_opening = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" {attributes} '
        f'class="app-sdq-chart" width="100%" role="img" aria-label="{safe_label}" focusable="false">'
    )
    return new_opening + body[len(opening) :]

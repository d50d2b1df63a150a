"""Attendance alerts: who to call today, who is below the threshold or falling, who may be missing education.

Computed from the marks and the monthly summary whenever they are asked for, never stored. Each alert names
the child, the evidence and who should act.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from virtualschool.children.models import Child
from virtualschool.core.templatetags.govuk import govuk_date

from . import codes
from .figures import Counts, counts_by_child, last_four_weeks, policy_get, year_to_date
from .models import AttendanceMark, AttendancePolicy

ABSENCE_CODES = codes.CODES_IN_CLASS[codes.MarkClass.AUTHORISED] + codes.CODES_IN_CLASS[codes.MarkClass.UNAUTHORISED]


def _lead(child: Child) -> str:
    lead = child.allocated_lead
    return (
        f"{lead.full_name or lead.username} (Virtual School Lead)" if lead else "The Virtual School (no lead allocated)"
    )


def _social_worker(child: Child) -> str:
    worker = child.social_worker
    return f"{worker.full_name or worker.username} (social worker)" if worker else "the social worker (none allocated)"


@dataclass(frozen=True)
class Alert:
    kind: str  # first_day, below_threshold, falling, missing_run
    child: Child
    evidence: str
    act: str  # who should act, and what they should do
    counts: Counts | None = None

    @property
    def url(self) -> str:
        return reverse("attendance:child", args=[self.child.pk])


def _children(children: QuerySet[Child], ids: Iterable[int]) -> dict[int, Child]:
    return {c.pk: c for c in children.filter(pk__in=list(ids)).select_related("allocated_lead", "social_worker")}


def first_day_absences(children: QuerySet[Child], today: dt.date) -> list[Alert]:
    """Children absent today (any absence code) whose last possible session before today was not an absence."""
    today_marks: dict[int, list[tuple[str, str]]] = {}
    for child_id, session, code in (
        AttendanceMark.objects.filter(child_id__in=children.values("pk"), date=today, code__in=ABSENCE_CODES)
        .order_by("child_id", "session")
        .values_list("child_id", "session", "code")
    ):
        today_marks.setdefault(child_id, []).append((session, code))
    if not today_marks:
        return []
    earlier: dict[int, tuple[dt.date, str, str]] = {}
    for child_id, day, session, code in (
        AttendanceMark.objects.filter(
            child_id__in=list(today_marks),
            date__lt=today,
            date__gte=today - dt.timedelta(days=30),
        )
        .exclude(code__in=codes.CODES_IN_CLASS[codes.MarkClass.NOT_POSSIBLE])
        .order_by("child_id", "date", "session")
        .values_list("child_id", "date", "session", "code")
    ):
        earlier[child_id] = (day, session, code)
    found = _children(children, today_marks)
    alerts = []
    for child_id, marks in today_marks.items():
        previous = earlier.get(child_id)
        if previous is not None and previous[2] in ABSENCE_CODES:
            continue  # absent before today as well: not a first day
        child = found.get(child_id)
        if child is None:
            continue
        shown = ", ".join(f"{session} {code} ({codes.meaning(code).lower()})" for session, code in marks)
        alerts.append(
            Alert(
                "first_day",
                child,
                f"Absent today, {govuk_date(today)}: {shown}.",
                f"{_lead(child)}: call the carer and the school today; tell {_social_worker(child)}.",
            )
        )
    return sorted(alerts, key=lambda a: (a.child.last_name, a.child.first_name, a.child.pk))


def threshold_alerts(
    children: QuerySet[Child], today: dt.date, policy: AttendancePolicy | None = None
) -> tuple[list[Alert], list[Alert]]:
    """Children whose attendance this year is below the policy threshold, and those whose last four weeks fall
    more than the policy's points below their year to date."""
    policy = policy or policy_get()
    year, recent = year_to_date(today), last_four_weeks(today)
    year_counts = counts_by_child(children, year.start, year.end, today=today)
    threshold = float(policy.alert_below_percent)
    minimum = policy.minimum_possible_sessions
    low_ids = [
        pk for pk, c in year_counts.items() if c.possible >= minimum and c.attended * 100 < threshold * c.possible
    ]
    recent_counts = counts_by_child(children, recent.start, recent.end, today=today)
    falling_ids = []
    for pk, c in recent_counts.items():
        whole = year_counts.get(pk)
        if whole is None or c.possible < minimum or whole.possible <= c.possible:
            continue
        if (
            c.attendance_percent is not None
            and whole.attendance_percent is not None
            and whole.attendance_percent - c.attendance_percent >= float(policy.falling_points)
        ):
            falling_ids.append(pk)
    found = _children(children, set(low_ids) | set(falling_ids))
    low = [
        Alert(
            "below_threshold",
            found[pk],
            f"Attendance {year_counts[pk].attendance_percent} % this academic year ({year_counts[pk].attended} of "
            f"{year_counts[pk].possible} possible sessions), below {float(policy.alert_below_percent):g} %.",
            f"{_lead(found[pk])}: review the PEP with the school and {_social_worker(found[pk])}.",
            year_counts[pk],
        )
        for pk in low_ids
        if pk in found
    ]
    falling = [
        Alert(
            "falling",
            found[pk],
            f"Attendance {recent_counts[pk].attendance_percent} % in the last four weeks against "
            f"{year_counts[pk].attendance_percent} % for the year to date.",
            f"{_lead(found[pk])}: ask the school and carer what has changed.",
            recent_counts[pk],
        )
        for pk in falling_ids
        if pk in found
    ]
    key = lambda a: (a.counts.attendance_percent if a.counts else 0, a.child.last_name, a.child.pk)  # noqa: E731
    return sorted(low, key=key), sorted(falling, key=key)


def current_runs(child_ids: Iterable[int], today: dt.date, *, lookback_days: int = 70) -> dict[int, list[Any]]:
    """The run of N and O marks each child's marks end with (not-possible sessions skipped), oldest first."""
    runs: dict[int, list[Any]] = {}
    rows = (
        AttendanceMark.objects.filter(
            child_id__in=list(child_ids), date__lte=today, date__gte=today - dt.timedelta(days=lookback_days)
        )
        .exclude(code__in=codes.CODES_IN_CLASS[codes.MarkClass.NOT_POSSIBLE])
        .order_by("child_id", "date", "session")
        .values_list("child_id", "date", "session", "code")
    )
    for child_id, day, session, code in rows:
        run = runs.setdefault(child_id, [])
        if code in codes.MISSING_CODES:
            run.append((day, session, code))
        else:
            run.clear()
    return {pk: run for pk, run in runs.items() if run}


def missing_runs(children: QuerySet[Child], today: dt.date, policy: AttendancePolicy | None = None) -> list[Alert]:
    """Children whose latest marks are at least `missing_run_sessions` consecutive N or O sessions."""
    policy = policy or policy_get()
    wanted = policy.missing_run_sessions
    recent = (
        AttendanceMark.objects.filter(
            child_id__in=children.values("pk"),
            code__in=codes.MISSING_CODES,
            date__gte=today - dt.timedelta(days=14),
            date__lte=today,
        )
        .values_list("child_id", flat=True)
        .distinct()
    )
    runs = {
        pk: run
        for pk, run in current_runs(set(recent), today, lookback_days=max(70, wanted * 3)).items()
        if len(run) >= wanted
    }
    found = _children(children, runs)
    alerts = []
    for pk, run in runs.items():
        if pk not in found:
            continue
        child = found[pk]
        first = run[0]
        alerts.append(
            Alert(
                "missing_run",
                child,
                f"{len(run)} consecutive sessions marked N or O since the {first[1]} session of "
                f"{govuk_date(first[0])}: "
                "the child may be missing education.",
                f"{_lead(child)}: find out where the child is today with {_social_worker(child)} and the school; "
                "follow the children missing education procedure if they cannot be found.",
            )
        )
    return sorted(alerts, key=lambda a: (-len(runs[a.child.pk]), a.child.last_name, a.child.pk))

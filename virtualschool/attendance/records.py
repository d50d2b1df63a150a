"""The attendance record summary other features pull in (the PEP's attendance section) for any period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from virtualschool.core.extensions import RecordLine, RecordSummary

from .figures import child_counts, policy_get


def _pct(value: float | None) -> str:
    return "no possible sessions" if value is None else f"{value} %"


def attendance_record_summary(child: Any, start: dt.date, end: dt.date) -> RecordSummary | None:
    """The child's attendance figures from `start` to `end`; None when there are no marks in the period."""
    pk = getattr(child, "pk", None)
    if pk is None:  # not a stored child: nothing recorded
        return None
    today = timezone.localdate()
    counts = child_counts(pk, start, min(end, today), today=today)
    if not (counts.possible or counts.not_possible):
        return None
    policy = policy_get()
    concerns = []
    if counts.possible and counts.attended * 100 < float(policy.alert_below_percent) * counts.possible:
        concerns.append(f"Attendance {counts.attendance_percent} %, below {float(policy.alert_below_percent):g} %.")
    if counts.is_severe_absence(policy.severe_absence_percent):
        concerns.append("Severely absent: missing half or more of possible sessions.")
    elif counts.is_persistent_absence(policy.persistent_absence_percent):
        concerns.append("Persistently absent: missing 10 % or more of possible sessions.")
    if counts.unauthorised:
        concerns.append(f"{counts.unauthorised} session(s) of unauthorised absence.")
    return RecordSummary(
        key="attendance",
        title="Attendance",
        start=start,
        end=end,
        lines=(
            RecordLine("Possible sessions", str(counts.possible)),
            RecordLine("Attendance", _pct(counts.attendance_percent)),
            RecordLine("Present", str(counts.present)),
            RecordLine("Approved educational activity", str(counts.aea)),
            RecordLine("Authorised absence", f"{counts.authorised} ({_pct(counts.authorised_percent)})"),
            RecordLine("Unauthorised absence", f"{counts.unauthorised} ({_pct(counts.unauthorised_percent)})"),
        ),
        concerns=tuple(concerns),
        url=reverse("attendance:child", args=[child.pk]) + f"?start={start.isoformat()}&end={end.isoformat()}",
    )

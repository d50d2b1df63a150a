"""The demo's attendance: realistic marks for this academic year to date, written through the importer.

Most children attend well; about one in six is persistently absent, one severely; a few are absent for the
first time today; one has a run of N marks that may mean missing education.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from virtualschool.children.models import Child, Cohort
from virtualschool.core.calendar import academic_year_start, school_calendar
from virtualschool.placements.models import EducationPlacement

from .services import import_attendance

ABSENCES = ["I", "I", "I", "M", "N", "O", "C2", "G", "R", "U"]
AWAY = ["B", "V", "P", "K"]


def _day_codes(rng: random.Random, absent_rate: float) -> tuple[str, str]:
    roll = rng.random()
    if roll < absent_rate:
        code = rng.choice(ABSENCES)
        return (code, code) if rng.random() < 0.8 else (code, "\\")
    if roll < absent_rate + 0.02:
        code = rng.choice(AWAY)
        return code, code
    if roll < absent_rate + 0.05:
        return "L", "\\"
    return "/", "\\"


def write_attendance_demo(*, users: Mapping[str, Any], today: dt.date, seed: int, **_: Any) -> None:
    """Import the demo's marks through the importer (as the system: the demo's own step)."""
    today = min(today, timezone.localdate())  # marks cannot be dated after the real today
    rng = random.Random(seed * 104729 + 4)
    calendar = school_calendar()
    start = dt.date(academic_year_start(today), 9, 1)
    days = calendar.school_days(start, today)
    if not days:
        return
    placed = dict(
        EducationPlacement.objects.filter(end_date__isnull=True, school__isnull=False).values_list(
            "child_id", "start_date"
        )
    )
    children = [
        c
        for c in Child.objects.filter(cohort=Cohort.LOOKED_AFTER, closed_on__isnull=True)
        .exclude(upn="")
        .filter(upn_needs_correction=False)
        .order_by("pk")
        if c.pk in placed and c.is_school_age(today)
    ]
    out = io.StringIO()
    out.write("upn,date,am,pm\n")
    for n, child in enumerate(children):
        begins = max(d for d in (start, placed[child.pk], child.period_of_care_start or start) if d)
        profile = n % 12
        rate = {0: 0.16, 1: 0.12, 2: 0.55}.get(profile, rng.uniform(0.0, 0.05))
        child_days = [d for d in days if d >= begins]
        for index, day in enumerate(child_days):
            am, pm = _day_codes(rng, rate)
            if day == today and profile in (3, 4) and n < 40:
                am, pm = "N", "N"  # absent today after attending: first-day calls
            elif day == today and am not in ("/", "L"):
                am, pm = "/", "\\"
            if n == 5 and index >= len(child_days) - 6:
                am, pm = "N", "N"  # six days of N: a run that may mean missing education
            out.write(f"{child.upn},{day.isoformat()},{am},{pm}\n")
    data = io.BytesIO(out.getvalue().encode())
    import_attendance(data, actor=None, system=True, file_name="demo-attendance.csv", today=today)

"""Keep stored suspension dates in step with the term dates.

A suspension's last school day and sixth school day are worked out from the school calendar when it is saved
(ADR 9, docs/adr/0009-suspensions-policy.md). When an administrator enters or corrects term dates or closure days, the
suspensions of that academic year (and those starting up to ten weeks before it, which can run into it) are
worked out again in the same transaction, and each changed one is audited as a change by the system.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models.signals import post_delete, post_save

from virtualschool.core import audit
from virtualschool.core.calendar import academic_year_start, school_calendar
from virtualschool.core.models import SchoolClosure, SchoolTerm

from . import assess
from .codes import Category
from .models import Suspension
from .selectors import suspension_policy

LEAD_IN = dt.timedelta(weeks=10)  # a suspension of up to 45 school days that starts this long before can reach in


def recompute_stored_dates(start: dt.date, end: dt.date, *, reason: str) -> int:
    """Work out again the dates of suspensions starting from `start` to `end`; how many changed."""
    calendar = school_calendar()
    full_time_day = suspension_policy().full_time_from_school_day
    changed = 0
    for s in Suspension.objects.filter(start_date__gte=start, start_date__lte=end).order_by("pk"):
        values: dict[str, Any]
        if s.category == Category.PERMANENT:
            values = {
                "end_date": None,
                "school_days": None,
                "full_time_from": assess.permanent_exclusion_full_time_from(calendar, s.start_date, full_time_day),
            }
        elif s.length is None or not s.length_unit:
            continue
        else:
            dates = assess.suspension_dates(
                calendar, start=s.start_date, unit=s.length_unit, length=s.length, full_time_day=full_time_day
            )
            values = {
                "end_date": dates.end_date,
                "school_days": dates.school_days,
                "full_time_from": dates.full_time_from,
            }
        if all(getattr(s, name) == value for name, value in values.items()):
            continue
        before = audit.snapshot(s)
        for name, value in values.items():
            setattr(s, name, value)
        s.save(update_fields=[*values, "modified_at"])
        audit.record_update(None, s, before, child_id=s.child_id, context={"reason": reason})
        changed += 1
    return changed


def _year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 9, 1) - LEAD_IN, dt.date(year + 1, 8, 31)


def _term_changed(sender: Any, instance: SchoolTerm, **kwargs: Any) -> None:
    start, end = _year_range(instance.academic_year)
    recompute_stored_dates(start, end, reason=f"term dates of {instance.academic_year} changed")


def _closure_changed(sender: Any, instance: SchoolClosure, **kwargs: Any) -> None:
    start, end = _year_range(academic_year_start(instance.start_date))
    recompute_stored_dates(start, end, reason="closure days changed")


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(_term_changed, sender=SchoolTerm, dispatch_uid=f"suspensions-term-{signal is post_save}")
        signal.connect(
            _closure_changed, sender=SchoolClosure, dispatch_uid=f"suspensions-closure-{signal is post_save}"
        )

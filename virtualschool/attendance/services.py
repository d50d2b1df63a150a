"""Writes for attendance: importing marks (permission, scoping and audit), PEP review proposals, summaries."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from virtualschool.children.models import Child
from virtualschool.core import audit
from virtualschool.core.calendar import school_calendar
from virtualschool.core.models import Notification
from virtualschool.core.notifications import notify
from virtualschool.core.permissions import require
from virtualschool.core.signals import pep_review_proposed
from virtualschool.core.templatetags.govuk import govuk_date

from . import codes
from .figures import counts_by_child, policy_get, year_to_date
from .importer import AttendanceImportResult, import_marks
from .models import AttendanceMark, AttendancePolicy


def import_attendance(
    source: str | Path | IO[bytes],
    *,
    actor: Any,
    system: bool = False,
    file_name: str = "",
    dry_run: bool = False,
    today: dt.date | None = None,
    progress: Callable[[int], None] | None = None,
    on_checking: Callable[[], None] | None = None,
) -> AttendanceImportResult:
    """Import a file of marks as `actor` (or as the system). A designated teacher's rows for children who are
    not pupils at their school on the date are rejected; the Head and data specialist import for anyone.

    Raises PermissionDenied when the actor may not import at all, UnusableFile when the file cannot be used.
    """
    if system:
        if actor is not None:
            raise ValueError("A system import acts as nobody: pass actor=None with system=True.")
        scoped_user = None
    else:
        require(actor, "attendance.import_attendance")
        scoped_user = None if actor.has_perm("attendance.import_for_any_child") else actor
    today = today or timezone.localdate()
    result = import_marks(
        source,
        actor=actor,
        scoped_user=scoped_user,
        file_name=file_name,
        dry_run=dry_run,
        today=today,
        progress=progress,
        on_checking=on_checking,
    )
    if not dry_run and result.changed_child_ids:
        started = time.perf_counter()
        propose_pep_reviews(result.changed_child_ids, today=today, actor=actor)
        result.timings["pep_proposals"] = time.perf_counter() - started
    return result


def propose_pep_reviews(child_ids: list[int] | None, *, today: dt.date, actor: Any = None) -> int:
    """Propose an emergency PEP review for each child whose attendance this year is below the policy threshold.

    The proposal's source_key names the child and the term, so it is proposed once a term however often this
    runs. `child_ids` None means every open child. Returns how many were proposed (sent).
    """
    policy = policy_get()
    year = year_to_date(today)
    term = school_calendar().term_for(today)
    children = Child.objects.filter(closed_on__isnull=True)
    if child_ids is not None:
        children = children.filter(pk__in=child_ids)
    by_child = counts_by_child(children, year.start, year.end, today=today)
    threshold = float(policy.alert_below_percent)
    sent = 0
    low = [
        pk
        for pk, c in by_child.items()
        if c.possible >= policy.minimum_possible_sessions and c.attended * 100 < threshold * c.possible
    ]
    for child in Child.objects.filter(pk__in=low):
        counts = by_child[child.pk]
        pep_review_proposed.send(
            sender=AttendanceMark,
            child=child,
            pep_type="emergency",
            trigger="attendance-below-threshold",
            reason=(
                f"Attendance {counts.attendance_percent} % this academic year to {today.day} {today:%B %Y} "
                f"({counts.attended} of {counts.possible} possible sessions), below "
                f"{float(policy.alert_below_percent):g} %."
            ),
            raised_on=today,
            source_key=f"attendance-below-threshold:{child.pk}:{term.key}",
            actor=actor,
        )
        sent += 1
    return sent


def send_attendance_summaries(day: dt.date | None = None) -> int:
    """Tell each child's social worker and Virtual School Lead of that day's absences: one summary per person
    per day (notify is idempotent on the key, so running this twice tells nobody twice). Returns how many
    notifications were made. Also proposes PEP reviews for attendance below the threshold."""
    day = day or timezone.localdate()
    absence = codes.CODES_IN_CLASS[codes.MarkClass.AUTHORISED] + codes.CODES_IN_CLASS[codes.MarkClass.UNAUTHORISED]
    marks: dict[int, list[tuple[str, str]]] = {}
    for child_id, session, code in (
        AttendanceMark.objects.filter(date=day, code__in=absence)
        .order_by("child_id", "session")
        .values_list("child_id", "session", "code")
    ):
        marks.setdefault(child_id, []).append((session, code))
    by_person: dict[int, tuple[Any, list[str]]] = {}
    children = Child.objects.filter(pk__in=list(marks), closed_on__isnull=True).select_related(
        "allocated_lead", "social_worker"
    )
    for child in children.order_by("last_name", "first_name", "pk"):
        shown = ", ".join(f"{session} {code} ({codes.meaning(code).lower()})" for session, code in marks[child.pk])
        line = f"{child.display_name}: {shown}"
        for person in (child.social_worker, child.allocated_lead):
            if person is not None:
                by_person.setdefault(person.pk, (person, []))[1].append(line)
    made = 0
    with transaction.atomic():
        for person, lines in by_person.values():
            note = notify(
                person,
                kind=Notification.Kind.SUMMARY,
                key=f"attendance-summary:{day.isoformat()}",
                subject=f"Attendance on {govuk_date(day)}: {len(lines)} of your children absent",
                body="\n".join(lines),
                url=reverse("attendance:dashboard"),
            )
            made += note is not None
        propose_pep_reviews(None, today=day)
    return made


def attendance_policy_update(*, actor: Any, **values: Any) -> AttendancePolicy:
    """Change the attendance policy numbers (administrators and the Virtual School Head), audited."""
    require(actor, "attendance.change_attendancepolicy")
    policy = policy_get()
    before = audit.snapshot(policy)
    for name, value in values.items():
        setattr(policy, name, value)
    policy.full_clean()
    policy.save()
    audit.record_update(actor, policy, before)
    return policy

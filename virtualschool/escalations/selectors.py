"""Every read of escalations, scoped to what the user needs to know (ADR "escalation ladders and delivery").

Who sees which escalations (always only for children they may see at all):

- the Virtual School Head, service managers and the data specialist: every escalation;
- a Virtual School Lead: those for the children allocated to them, and any they raised or hold;
- a social worker or reviewing officer: those for the children allocated to them, and any they raised or hold;
- the SEND specialist: those about SEND casework, and any they raised or hold;
- a designated teacher: only those they raised or hold. A concern about a school is the Virtual School's
  challenge to that school, so the school's own staff do not read it unless they are part of it;
- PP+ panel members and administrators: none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from virtualschool.accounts.models import Role
from virtualschool.children.selectors import child_scope_q, children_visible_to
from virtualschool.core.calendar import SchoolCalendar, add_working_days, school_calendar

from .models import (
    ChildView,
    Contact,
    Escalation,
    EscalationPolicy,
    EscalationStep,
    FailingParty,
    Ladder,
    LadderLevel,
    NotificationPreference,
    TimeUnit,
)

SEE_ALL = frozenset({Role.VIRTUAL_SCHOOL_HEAD, Role.SERVICE_MANAGER, Role.DATA_SPECIALIST})
SEND_PARTIES = (FailingParty.SEND_IN_AREA, FailingParty.SEND_OUT_OF_AREA)


def escalation_scope_q(user: Any) -> Q | None:
    """The filter limiting escalations to `user`'s need to know; None means every escalation."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    role = user.role
    if role in SEE_ALL:
        return None
    own = Q(raised_by=user) | Q(holder=user)
    if role == Role.VIRTUAL_SCHOOL_LEAD:
        mine = own | Q(child__allocated_lead=user)
    elif role == Role.SOCIAL_WORKER:
        mine = own | Q(child__social_worker=user)
    elif role == Role.REVIEWING_OFFICER:
        mine = own | Q(child__reviewing_officer=user)
    elif role == Role.SEND_SPECIALIST:
        mine = own | Q(failing_party__in=SEND_PARTIES)
    elif role == Role.DESIGNATED_TEACHER:
        mine = own
    else:
        return Q(pk__in=[])
    child_scope = child_scope_q(user)
    return mine if child_scope is None else mine & Q(child__in=children_visible_to(user))


def escalations_visible_to(user: Any) -> QuerySet[Escalation]:
    scope = escalation_scope_q(user)
    qs = Escalation.objects.select_related("child", "ladder", "holder", "raised_by", "current_step__level")
    return qs if scope is None else qs.filter(scope)


def escalation_get(*, user: Any, pk: int) -> Escalation:
    """One escalation `user` may see, with its record; Escalation.DoesNotExist when they may not (answer 404)."""
    return (
        escalations_visible_to(user)
        .prefetch_related(
            Prefetch("steps", queryset=EscalationStep.objects.select_related("level", "entered_by")),
            Prefetch("contacts", queryset=Contact.objects.select_related("step__level", "recorded_by")),
            Prefetch("child_views", queryset=ChildView.objects.select_related("step__level", "recorded_by")),
            Prefetch("ladder__levels", queryset=LadderLevel.objects.order_by("number")),
        )
        .get(pk=pk)
    )


def escalations_for_child(*, user: Any, child: Any) -> QuerySet[Escalation]:
    return escalations_visible_to(user).filter(child=child).order_by("status", "due_on", "-raised_on")


def open_escalations(
    *,
    user: Any,
    today: dt.date,
    state: str = "",
    ladder: str = "",
    party: str = "",
    held_by_me: bool = False,
    status: str = Escalation.Status.OPEN,
) -> QuerySet[Escalation]:
    """Escalations `user` may see, filtered; overdue first, then by due date."""
    qs = escalations_visible_to(user)
    if status:
        qs = qs.filter(status=status)
    if ladder:
        qs = qs.filter(ladder__slug=ladder)
    if party:
        qs = qs.filter(failing_party=party)
    if held_by_me:
        qs = qs.filter(holder=user)
    if state == "overdue":
        qs = qs.filter(due_on__lt=today, status=Escalation.Status.OPEN)
    elif state == "due_soon":
        soon = add_working_days(today, policy_get().due_soon_working_days)
        qs = qs.filter(due_on__gte=today, due_on__lte=soon, status=Escalation.Status.OPEN)
    elif state == "on_time":
        qs = qs.filter(Q(due_on__gt=today) | Q(due_on__isnull=True), status=Escalation.Status.OPEN)
    return qs.order_by("due_on", "id")


def ladders_list(*, active_only: bool = True) -> QuerySet[Ladder]:
    qs = Ladder.objects.prefetch_related(Prefetch("levels", queryset=LadderLevel.objects.order_by("number")))
    return qs.filter(active=True) if active_only else qs


def ladder_get(*, slug: str) -> Ladder:
    return ladders_list().get(slug=slug)


def policy_get() -> EscalationPolicy:
    policy, _ = EscalationPolicy.objects.get_or_create(pk=1)
    return policy


def preference_for(user: Any) -> NotificationPreference:
    """The user's e-mail preferences (unsaved defaults when they have chosen none)."""
    try:
        return NotificationPreference.objects.get(user=user)
    except NotificationPreference.DoesNotExist:
        return NotificationPreference(user=user)


def level_due(
    level: LadderLevel, entered_on: dt.date, safeguarding: bool, calendar: SchoolCalendar | None = None
) -> dt.date | None:
    """When a level entered on `entered_on` is due: its time allowed counted in its unit (None: no limit)."""
    amount, unit = level.time_for(safeguarding)
    if amount is None:
        return None
    if unit == TimeUnit.WEEKS:
        return entered_on + dt.timedelta(weeks=amount)
    if unit == TimeUnit.SCHOOL:
        return (calendar or school_calendar()).add_days(entered_on, amount, "school")
    return (calendar or school_calendar()).add_days(entered_on, amount, unit)


@dataclass(frozen=True)
class LevelRow:
    """A ladder level as one escalation sees it: reached (with its steps), current, or still ahead (projected)."""

    level: LadderLevel
    steps: tuple[EscalationStep, ...]
    state: str  # "passed", "skipped", "current", "ahead"
    entered_on: dt.date | None
    due_on: dt.date | None
    projected: bool  # True when the dates are what they would be if each level before ran its full time

    @property
    def time_text(self) -> str:
        return self.level.time_text()


def levels_for(escalation: Escalation, calendar: SchoolCalendar | None = None) -> list[LevelRow]:
    """Every level of the escalation's ladder with its due date: as they happened, and projected for those ahead."""
    levels = sorted(escalation.ladder.levels.all(), key=lambda lv: lv.number)
    steps = sorted(escalation.steps.all(), key=lambda s: (s.entered_on, s.pk))
    by_level: dict[int, list[EscalationStep]] = {}
    for step in steps:
        by_level.setdefault(step.level_id, []).append(step)
    current = escalation.current_step
    current_number = current.level.number if current else None
    highest_reached = max((s.level.number for s in steps), default=-1)
    rows = []
    cursor: dt.date | None = current.due_on if current else None
    calendar = calendar or school_calendar()
    for level in levels:
        reached = tuple(by_level.get(level.pk, []))
        if reached:
            state = "current" if level.number == current_number and escalation.is_open else "passed"
            last = reached[-1]
            rows.append(LevelRow(level, reached, state, reached[0].entered_on, last.due_on, False))
            continue
        if level.number < highest_reached:
            rows.append(LevelRow(level, (), "skipped", None, None, False))
            continue
        if not escalation.is_open or cursor is None:
            rows.append(LevelRow(level, (), "ahead", None, None, True))
            cursor = None
            continue
        entered = cursor
        due = level_due(level, entered, escalation.safeguarding, calendar)
        rows.append(LevelRow(level, (), "ahead", entered, due, True))
        cursor = due
    return rows


def escalation_state(escalation: Escalation, today: dt.date, soon: dt.date | None = None) -> str:
    """'resolved', 'overdue', 'due_today', 'due_soon' (within the policy's working days), 'on_time' or 'no_date'."""
    if not escalation.is_open:
        return "resolved"
    if escalation.due_on is None:
        return "no_date"
    if escalation.due_on < today:
        return "overdue"
    if escalation.due_on == today:
        return "due_today"
    if soon is not None and escalation.due_on <= soon:
        return "due_soon"
    return "on_time"

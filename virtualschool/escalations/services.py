"""Every write to escalations: checks permission, validates, saves, audits and tells people, in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from virtualschool.core import audit
from virtualschool.core.calendar import add_working_days, school_calendar
from virtualschool.core.models import AuditEvent, Notification
from virtualschool.core.notifications import notify, notify_many
from virtualschool.core.permissions import require
from virtualschool.core.templatetags.govuk import govuk_date

from .models import (
    ChildView,
    Contact,
    Delivery,
    Escalation,
    EscalationStep,
    FailingParty,
    Ladder,
    LadderLevel,
    NotificationPreference,
)
from .selectors import level_due, policy_get

TEXT_LIMIT = 10_000


def _url(escalation: Escalation) -> str:
    return reverse("escalations:detail", args=[escalation.pk])


def _clean_text(errors: dict[str, str], name: str, value: str, label: str, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        errors[name] = f"Enter {label}"
    elif len(text) > TEXT_LIMIT:
        errors[name] = f"{label[0].upper()}{label[1:]} must be {TEXT_LIMIT:,} characters or fewer"
    return text


def _levels(ladder: Ladder) -> list[LadderLevel]:
    return list(LadderLevel.objects.filter(ladder=ladder).order_by("number"))


def _timescale(
    errors: dict[str, str],
    level: LadderLevel,
    entered_on: dt.date,
    safeguarding: bool,
    due_on: dt.date | None,
    reason: str,
) -> tuple[dt.date | None, str]:
    """The due date of a level entered now: the ladder's time, or a different timescale given with a reason."""
    computed = level_due(level, entered_on, safeguarding, school_calendar())
    if due_on is None:
        if computed is None:
            return None, "No time limit at this level"
        prefix = "Safeguarding timescale: " if safeguarding and level.safeguarding_time_amount is not None else ""
        return computed, f"{prefix}{level.time_text(safeguarding)} from {govuk_date(entered_on)}"
    if due_on < entered_on:
        errors["due_on"] = f"The due date must be on or after {govuk_date(entered_on)}"
    if computed is not None and due_on != computed and not reason:
        errors["reason"] = "Enter why the timescale differs from the ladder's"
    return due_on, "Timescale set by the holder" + (
        f" (the ladder allows {level.time_text(safeguarding)})" if computed else ""
    )


def _enter_level(
    escalation: Escalation,
    level: LadderLevel,
    *,
    how: str,
    actor: Any,
    entered_on: dt.date,
    due_on: dt.date | None,
    note: str,
    reason: str,
) -> EscalationStep:
    previous = escalation.current_step
    if previous is not None:
        previous.left_on = entered_on
        previous.save(update_fields=["left_on"])
    step = EscalationStep.objects.create(
        escalation=escalation,
        level=level,
        how=how,
        entered_on=entered_on,
        due_on=due_on,
        timescale_note=note[:300],
        reason=reason,
        entered_by=actor,
    )
    escalation.current_step = step
    escalation.due_on = due_on
    return step


def _people_to_tell(escalation: Escalation, actor: Any) -> list[Any]:
    people = [escalation.holder, escalation.raised_by, escalation.child.allocated_lead]
    return [p for p in people if p is not None and p.pk != getattr(actor, "pk", None)]


def _check_holder(errors: dict[str, str], holder: Any, child: Any) -> None:
    from virtualschool.children.selectors import children_visible_to

    if holder is not None and (not holder.is_active or not children_visible_to(holder).filter(pk=child.pk).exists()):
        errors["holder"] = f"{holder} cannot hold this escalation: they do not work with {child.display_name}"


def _current_school(child: Any, today: dt.date) -> Any:
    """The school of the child's current education placement, if any (a concern about "the school")."""
    from django.db.models import Q

    placement = (
        child.education_placements.filter(Q(end_date__isnull=True) | Q(end_date__gte=today), school__isnull=False)
        .filter(start_date__lte=today)
        .select_related("school")
        .order_by("-start_date")
        .first()
    )
    return placement.school if placement is not None else None


@transaction.atomic
def escalation_raise(
    *,
    actor: Any,
    child: Any,
    ladder: Ladder,
    summary: str,
    arose_on: dt.date | None,
    safeguarding: bool = False,
    failing_party: str = "",
    party_name: str = "",
    school: Any = None,
    evidence: str = "",
    start_level: int | None = None,
    reason: str = "",
    due_on: dt.date | None = None,
    holder: Any = None,
) -> Escalation:
    """Raise a concern for `child` on `ladder`: it starts at the first level (or, where the ladder allows skipping,
    at `start_level` with a reason), held by `holder` (the person raising it unless another is named)."""
    require(actor, "escalations.add_escalation", child)
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if not ladder.active:
        errors["ladder"] = f"The ladder {ladder.name!r} takes no new concerns: choose another"
    party = failing_party or ladder.failing_party
    if party not in FailingParty.values:
        errors["failing_party"] = "Select which party is failing the child"
    summary = _clean_text(errors, "summary", summary, "what is not happening", required=True)
    evidence = _clean_text(errors, "evidence", evidence, "the evidence")
    reason = _clean_text(errors, "reason", reason, "the reason")
    party_name = (party_name or "").strip()
    if len(party_name) > 200:
        errors["party_name"] = "The name of who is failing must be 200 characters or fewer"
    if arose_on is None:
        errors["arose_on"] = "Enter the date the concern arose"
    elif arose_on > today:
        errors["arose_on"] = "The date the concern arose must be today or in the past"
    elif arose_on < child.date_of_birth:
        errors["arose_on"] = f"The date the concern arose must be after {child.display_name}'s date of birth"
    holder = holder or actor
    _check_holder(errors, holder, child)
    if school is None and party == FailingParty.SCHOOL:
        school = _current_school(child, today)
        party_name = party_name or (school.name if school is not None else "")
    levels = _levels(ladder)
    if not levels:
        errors["ladder"] = f"The ladder {ladder.name!r} has no levels: an administrator must add them"
    level = levels[0] if levels else None
    if start_level is not None and levels:
        chosen = next((lv for lv in levels if lv.number == start_level), None)
        if chosen is None:
            errors["start_level"] = f"The ladder has no level {start_level}"
        elif chosen.pk != levels[0].pk:
            if not ladder.skip_allowed(bool(safeguarding)):
                errors["start_level"] = "This ladder does not allow levels to be skipped" + (
                    ""
                    if safeguarding
                    else " (unless it is a safeguarding matter)"
                    if ladder.safeguarding_all_steps
                    else ""
                )
            elif not reason:
                errors["reason"] = f"Enter why the concern starts at {chosen.label.lower()}"
            level = chosen
    due, note = (None, "")
    if level is not None:
        due, note = _timescale(errors, level, today, bool(safeguarding), due_on, reason)
    if errors or level is None or arose_on is None:
        raise ValidationError(errors)
    escalation = Escalation.objects.create(
        child=child,
        ladder=ladder,
        failing_party=party,
        party_name=party_name,
        school=school,
        summary=summary,
        evidence=evidence,
        arose_on=arose_on,
        safeguarding=bool(safeguarding),
        raised_by=actor,
        raised_on=today,
        holder=holder,
        created_by=actor,
        modified_by=actor,
    )
    how = EscalationStep.How.RAISED if level.pk == levels[0].pk else EscalationStep.How.SKIPPED
    _enter_level(escalation, level, how=how, actor=actor, entered_on=today, due_on=due, note=note, reason=reason)
    escalation.save(update_fields=["current_step", "due_on"])
    audit.record_create(actor, escalation, child_id=child.pk, context={"ladder": ladder.slug, "level": level.number})
    notify_many(
        _people_to_tell(escalation, actor),
        kind=Notification.Kind.ESCALATION,
        key=f"escalation:{escalation.pk}:raised",
        subject=f"Concern raised for {child.display_name}: {escalation.get_failing_party_display().lower()}",
        body=f"{actor} raised a concern ({ladder.name}), now at {level.label.lower()}: {level.name}."
        + (f" Due {govuk_date(due)}." if due else ""),
        url=_url(escalation),
        child=child,
    )
    return escalation


def _lock_open(actor: Any, escalation: Escalation) -> Escalation:
    require(actor, "escalations.change_escalation", escalation)
    locked = (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("child__allocated_lead", "ladder", "holder", "raised_by", "current_step__level")
        .get(pk=escalation.pk)
    )
    if not locked.is_open:
        raise ValidationError({NON_FIELD_ERRORS: "This escalation has been resolved: raise a new concern instead"})
    return locked


def _after_move(actor: Any, escalation: Escalation, step: EscalationStep, verb: str) -> None:
    # The stored row is still as it was before the move (the caller holds its lock): the audit shows both sides.
    before = audit.snapshot(Escalation.objects.get(pk=escalation.pk))
    escalation.modified_by = actor
    escalation.save(update_fields=["current_step", "due_on", "holder", "modified_by", "modified_at"])
    audit.record_update(
        actor,
        escalation,
        before,
        child_id=escalation.child_id,
        context={"how": step.how, "reason": step.reason[:500], "level": step.level.number},
    )
    due = f" Due {govuk_date(step.due_on)}." if step.due_on else ""
    notify_many(
        _people_to_tell(escalation, actor),
        kind=Notification.Kind.ESCALATION,
        key=f"escalation:{escalation.pk}:step:{step.pk}",
        subject=f"Escalation {verb} for {escalation.child.display_name}: {step.level.label.lower()}",
        body=f"{actor} {verb} the concern ({escalation.ladder.name}) to {step.level.label.lower()}: "
        f"{step.level.name}.{due}",
        url=_url(escalation),
        child=escalation.child,
    )


@transaction.atomic
def escalation_move_up(
    *, actor: Any, escalation: Escalation, reason: str = "", due_on: dt.date | None = None, holder: Any = None
) -> EscalationStep:
    """Move the escalation to the next level. At a repeating level (fortnightly reminders) the level starts again."""
    escalation = _lock_open(actor, escalation)
    errors: dict[str, str] = {}
    reason = _clean_text(errors, "reason", reason, "the reason")
    current = escalation.current_step
    assert current is not None
    levels = _levels(escalation.ladder)
    higher = [lv for lv in levels if lv.number > current.level.number]
    if higher:
        level, how = higher[0], EscalationStep.How.MOVED
    elif current.level.repeats:
        level, how = current.level, EscalationStep.How.REMINDER
    else:
        raise ValidationError(
            {NON_FIELD_ERRORS: f"{current.level.label} is the last level of this ladder: resolve it with an outcome"}
        )
    if holder is not None:
        _check_holder(errors, holder, escalation.child)
    today = timezone.localdate()
    due, note = _timescale(errors, level, today, escalation.safeguarding, due_on, reason)
    if errors:
        raise ValidationError(errors)
    if holder is not None:
        escalation.holder = holder
    step = _enter_level(escalation, level, how=how, actor=actor, entered_on=today, due_on=due, note=note, reason=reason)
    _after_move(actor, escalation, step, "sent a reminder" if how == EscalationStep.How.REMINDER else "moved up")
    return step


@transaction.atomic
def escalation_skip(
    *,
    actor: Any,
    escalation: Escalation,
    level_number: int | None,
    reason: str,
    due_on: dt.date | None = None,
    holder: Any = None,
) -> EscalationStep:
    """Go straight to a higher level, with a recorded reason, where the ladder allows it (or for safeguarding)."""
    escalation = _lock_open(actor, escalation)
    errors: dict[str, str] = {}
    reason = _clean_text(errors, "reason", reason, "why levels are being skipped", required=True)
    ladder = escalation.ladder
    current = escalation.current_step
    assert current is not None
    if not ladder.skip_allowed(escalation.safeguarding):
        extra = " except for a safeguarding matter" if ladder.safeguarding_all_steps else ""
        raise ValidationError(
            {NON_FIELD_ERRORS: f"The ladder {ladder.name!r} does not allow levels to be skipped{extra}"}
        )
    levels = {lv.number: lv for lv in _levels(ladder)}
    level = levels.get(level_number) if level_number is not None else None
    if level is None:
        errors["level"] = "Select the level to go to"
    elif level.number <= current.level.number:
        errors["level"] = f"Select a level above {current.level.label.lower()}"
    if holder is not None:
        _check_holder(errors, holder, escalation.child)
    today = timezone.localdate()
    due, note = (None, "")
    if level is not None and "level" not in errors:
        due, note = _timescale(errors, level, today, escalation.safeguarding, due_on, reason)
    if errors or level is None:
        raise ValidationError(errors)
    if holder is not None:
        escalation.holder = holder
    step = _enter_level(
        escalation,
        level,
        how=EscalationStep.How.SKIPPED,
        actor=actor,
        entered_on=today,
        due_on=due,
        note=note,
        reason=reason,
    )
    _after_move(actor, escalation, step, "skipped levels of")
    return step


@transaction.atomic
def escalation_resolve(
    *, actor: Any, escalation: Escalation, outcome: str, resolved_on: dt.date | None = None
) -> Escalation:
    """Close the escalation with its outcome (what was done, and whether the child's needs are now met)."""
    escalation = _lock_open(actor, escalation)
    errors: dict[str, str] = {}
    outcome = _clean_text(errors, "outcome", outcome, "the outcome", required=True)
    today = timezone.localdate()
    resolved_on = resolved_on or today
    if resolved_on > today:
        errors["resolved_on"] = "The date it was resolved must be today or in the past"
    elif resolved_on < escalation.raised_on:
        errors["resolved_on"] = f"The date it was resolved must be on or after {govuk_date(escalation.raised_on)}"
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(escalation)
    escalation.status = Escalation.Status.RESOLVED
    escalation.resolved_on = resolved_on
    escalation.outcome = outcome
    escalation.modified_by = actor
    escalation.save()
    if escalation.current_step is not None:
        EscalationStep.objects.filter(pk=escalation.current_step.pk).update(left_on=resolved_on)
    audit.record_update(actor, escalation, before, child_id=escalation.child_id)
    notify_many(
        _people_to_tell(escalation, actor),
        kind=Notification.Kind.DECISION,
        key=f"escalation:{escalation.pk}:resolved",
        subject=f"Escalation resolved for {escalation.child.display_name}",
        body=f"{actor} resolved the concern ({escalation.ladder.name}): {outcome[:300]}",
        url=_url(escalation),
        child=escalation.child,
    )
    return escalation


def _record_date(errors: dict[str, str], name: str, value: dt.date | None, escalation: Escalation, what: str) -> None:
    if value is None:
        errors[name] = f"Enter {what}"
    elif value > timezone.localdate():
        errors[name] = f"{what[0].upper()}{what[1:]} must be today or in the past"
    elif value < escalation.arose_on:
        errors[name] = (
            f"{what[0].upper()}{what[1:]} must be on or after {govuk_date(escalation.arose_on)}, when the concern arose"
        )


@transaction.atomic
def contact_record(
    *,
    actor: Any,
    escalation: Escalation,
    person: str,
    method: str,
    contacted_on: dt.date | None,
    role: str = "",
    asked: str = "",
    response: str = "",
) -> Contact:
    """Record who was contacted at the current level, how, when, what was asked and what they said."""
    escalation = _lock_open(actor, escalation)
    errors: dict[str, str] = {}
    person = (person or "").strip()
    if not person:
        errors["person"] = "Enter who was contacted"
    elif len(person) > 200:
        errors["person"] = "Who was contacted must be 200 characters or fewer"
    role = (role or "").strip()[:200]
    if method not in Contact.Method.values:
        errors["method"] = "Select how they were contacted: phone, e-mail, letter, meeting or other"
    _record_date(errors, "contacted_on", contacted_on, escalation, "the date of the contact")
    asked = _clean_text(errors, "asked", asked, "what was asked")
    response = _clean_text(errors, "response", response, "what they said")
    if errors:
        raise ValidationError(errors)
    assert escalation.current_step is not None and contacted_on is not None
    contact = Contact.objects.create(
        escalation=escalation,
        step=escalation.current_step,
        person=person,
        role=role,
        method=method,
        contacted_on=contacted_on,
        asked=asked,
        response=response,
        recorded_by=actor,
    )
    audit.record_create(actor, contact, child_id=escalation.child_id)
    return contact


@transaction.atomic
def child_view_record(
    *,
    actor: Any,
    escalation: Escalation,
    recorded_on: dt.date | None,
    views: str = "",
    not_obtained_reason: str = "",
    how_obtained: str = "",
) -> ChildView:
    """Record the child's views at the current level, or why they could not be obtained (one or the other)."""
    escalation = _lock_open(actor, escalation)
    errors: dict[str, str] = {}
    views = _clean_text(errors, "views", views, "the child's views")
    not_obtained_reason = _clean_text(errors, "not_obtained_reason", not_obtained_reason, "the reason")
    if not views and not not_obtained_reason:
        errors["views"] = "Enter the child's views, or why they could not be obtained"
    elif views and not_obtained_reason:
        errors["not_obtained_reason"] = "Enter the child's views or why they could not be obtained, not both"
    _record_date(errors, "recorded_on", recorded_on, escalation, "the date")
    if errors:
        raise ValidationError(errors)
    assert escalation.current_step is not None and recorded_on is not None
    view = ChildView.objects.create(
        escalation=escalation,
        step=escalation.current_step,
        recorded_on=recorded_on,
        views=views,
        not_obtained_reason=not_obtained_reason,
        how_obtained=(how_obtained or "").strip()[:200],
        recorded_by=actor,
    )
    audit.record_create(actor, view, child_id=escalation.child_id)
    return view


@transaction.atomic
def responses_record(*, actor: Any, escalation: Escalation, responses: Iterable[str], note: str = "") -> EscalationStep:
    """Record which of the current level's possible responses were chosen (Dorset's internal route)."""
    escalation = _lock_open(actor, escalation)
    assert escalation.current_step_id is not None
    step = EscalationStep.objects.select_for_update().select_related("level").get(pk=escalation.current_step_id)
    allowed = list(step.level.responses or [])
    chosen = list(responses)
    errors: dict[str, str] = {}
    if not allowed:
        errors[NON_FIELD_ERRORS] = f"{step.level.label} has no list of responses: record a contact instead"
    elif not chosen:
        errors["responses"] = "Select at least one response"
    elif any(r not in allowed for r in chosen):
        errors["responses"] = "Select responses from the list"
    note = _clean_text(errors, "note", note, "the note")
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(step, ["responses", "response_note"])
    step.responses = [r for r in allowed if r in chosen]
    step.response_note = note
    step.save(update_fields=["responses", "response_note"])
    audit.record_update(actor, step, before, child_id=escalation.child_id)
    return step


@transaction.atomic
def escalation_record_view(*, actor: Any, escalation: Escalation, page: str = "escalation") -> AuditEvent:
    """Record that `actor` read an escalation (which page), for the child's audit history."""
    return audit.record_view(actor, escalation, child_id=escalation.child_id, context={"page": page})


@transaction.atomic
def letter_record(*, actor: Any, escalation: Escalation, level: LadderLevel, download: bool) -> AuditEvent:
    """Record that `actor` drafted (or downloaded as Word) the letter for a level: it holds the child's details."""
    return audit.record(
        actor=actor,
        action=AuditEvent.Action.EXPORT if download else AuditEvent.Action.VIEW,
        object_type=audit.object_type_of(escalation),
        object_id=escalation.pk,
        object_repr=str(escalation),
        child_id=escalation.child_id,
        context={"page": "letter", "level": level.number, "format": "docx" if download else "text"},
    )


def check_escalation_clocks(today: dt.date | None = None) -> dict[str, int]:
    """Tell each holder of a level that is due soon, and propose moving up every level whose time has run out.

    Idempotent: each step is proposed once and each person told once (notify's key), however often it runs.
    """
    today = today or timezone.localdate()
    policy = policy_get()
    soon = add_working_days(today, policy.due_soon_working_days)
    counts = {"due_soon": 0, "proposed": 0}
    open_rows = Escalation.objects.filter(status=Escalation.Status.OPEN, due_on__isnull=False, due_on__lte=soon)
    for escalation in open_rows.select_related("child", "holder", "ladder", "current_step__level").iterator():
        step = escalation.current_step
        if step is None or step.due_on is None:
            continue
        level = step.level
        with transaction.atomic():
            if step.due_on < today:
                locked = EscalationStep.objects.select_for_update().get(pk=step.pk)
                if locked.proposed_at is None:
                    locked.proposed_at = timezone.now()
                    locked.save(update_fields=["proposed_at"])
                    counts["proposed"] += 1
                action = "send the fortnightly reminder" if level.repeats else "move it up"
                notify(
                    escalation.holder,
                    kind=Notification.Kind.ESCALATION,
                    key=f"escalation:{escalation.pk}:step:{step.pk}:time-up",
                    subject=f"Time is up at {level.label.lower()} for {escalation.child.display_name}: {action}",
                    body=f"{level.label} ({level.name}) of {escalation.ladder.name} was due by "
                    f"{govuk_date(step.due_on)}. If the concern is not resolved, {action}.",
                    url=_url(escalation),
                    child=escalation.child,
                )
            else:
                made = notify(
                    escalation.holder,
                    kind=Notification.Kind.DUE_SOON,
                    key=f"escalation:{escalation.pk}:step:{step.pk}:due-soon",
                    subject=f"Escalation due {govuk_date(step.due_on)} for {escalation.child.display_name}",
                    body=f"{level.label} ({level.name}) of {escalation.ladder.name} is due by "
                    f"{govuk_date(step.due_on)}.",
                    url=_url(escalation),
                    child=escalation.child,
                )
                counts["due_soon"] += made is not None
    return counts


@transaction.atomic
def preference_update(*, actor: Any, due_soon: str, overdue: str, other: str) -> NotificationPreference:
    """The actor's own choice of how notifications are e-mailed to them."""
    require(actor, "escalations.change_notificationpreference")
    errors = {
        name: "Select how you want to be told"
        for name, value in (("due_soon", due_soon), ("overdue", overdue), ("other", other))
        if value not in Delivery.values
    }
    if errors:
        raise ValidationError(errors)
    preference, created = NotificationPreference.objects.select_for_update().get_or_create(user=actor)
    before = audit.snapshot(preference)
    preference.due_soon, preference.overdue, preference.other = due_soon, overdue, other
    preference.save()
    if created:
        audit.record_create(actor, preference)
    else:
        audit.record_update(actor, preference, before)
    return preference


def require_ladder_editor(actor: Any) -> None:
    if not actor.has_perm("escalations.change_ladder"):
        raise PermissionDenied("You do not have permission to change escalation ladders.")

"""Every change to a PEP: each checks permission and writes its audit event in the same transaction.

Rows people edit carry `version`; a save names the version it started from and is refused with `StaleEdit`
(what changed, who changed it) when someone saved in between, so nobody silently overwrites anybody
(docs/adr/0011-peps-versions-and-concurrency.md). An approved PEP is locked: `pep_amend` reopens it as a new
plan version and keeps the approved one, whole, in PepVersion.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from virtualschool.accounts.models import Role
from virtualschool.children.models import Child
from virtualschool.core import audit, extensions
from virtualschool.core.calendar import TERMS, academic_year_start, school_calendar
from virtualschool.core.models import AuditEvent, Notification
from virtualschool.core.notifications import notify, notify_many
from virtualschool.core.templatetags.govuk import govuk_date

from . import rules as pep_rules
from . import signals as pep_signals
from .models import (
    Action,
    Attainment,
    CareReview,
    Delegation,
    KeyStage,
    MeetingMode,
    Pep,
    PepEvent,
    PepPolicy,
    PepProposal,
    PepSection,
    PepStatus,
    PepType,
    PepVersion,
    PriorAttainment,
    ProposalStatus,
    QaCriterion,
    QaCriterionRating,
    QaGrade,
    QaRating,
    QaReview,
    QaRound,
    Rag,
    SectionKind,
    Target,
    TargetOutcome,
)
from .sections import PART_LABELS, SCHOOL_PARTS, is_below, key_stage_for_year, questions_for, scale_error
from .timing import next_care_review, next_meeting_error


def policy_get() -> PepPolicy:
    policy, _ = PepPolicy.objects.get_or_create(pk=1)
    return policy


@transaction.atomic
def pep_policy_update(*, actor: Any, **values: Any) -> PepPolicy:
    """Change the PEP timings (the Virtual School Head and administrators)."""
    pep_rules.require(actor, "peps.change_peppolicy")
    policy = PepPolicy.objects.select_for_update().get(pk=policy_get().pk)
    before = _snap(policy)
    for name, value in values.items():
        setattr(policy, name, value)
    policy.full_clean()
    policy.save()
    _record_update(actor, policy, before)
    return policy


def _today() -> dt.date:
    return timezone.localdate()


# ---------------------------------------------------------------------------------------------------------
# Audit (core.audit, with times of day written as text)
# ---------------------------------------------------------------------------------------------------------


def _snap(instance: models.Model) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.time) else v) for k, v in audit.snapshot(instance).items()}


def _record_create(actor: Any, instance: models.Model, *, child_id: int | None = None, **extra: Any) -> None:
    after = _snap(instance)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        object_type=audit.object_type_of(instance),
        object_id=instance.pk,
        object_repr=str(instance),
        child_id=child_id,
        changes={k: [None, v] for k, v in after.items() if v not in (None, "", [], {})},
        **extra,
    )


def _record_update(
    actor: Any, instance: models.Model, before: dict[str, Any], *, child_id: int | None = None, **extra: Any
) -> None:
    changes = audit.diff(before, _snap(instance))
    if changes:
        audit.record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            object_type=audit.object_type_of(instance),
            object_id=instance.pk,
            object_repr=str(instance),
            child_id=child_id,
            changes=changes,
            **extra,
        )


# ---------------------------------------------------------------------------------------------------------
# Optimistic concurrency
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    theirs: str
    yours: str


@dataclass
class StaleEdit(Exception):
    """Someone saved this row after the user opened it: nothing was saved. `changes` lists each field whose
    saved value now differs from what the user typed."""

    what: str
    current_version: int
    changed_by: str
    changed_at: dt.datetime | None
    changes: list[Change] = field(default_factory=list)

    def __str__(self) -> str:
        when = f" at {timezone.localtime(self.changed_at):%H:%M on %-d %B %Y}" if self.changed_at else ""
        return (
            f"{self.changed_by or 'Someone'} changed the {self.what}{when}, after you opened it. Nothing you typed "
            "has been saved: check what they changed, then save again to keep your version."
        )


def _show(value: Any) -> str:
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, dt.date):
        return govuk_date(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def _check_version(
    row: Any, expected: int | None, what: str, yours: Mapping[str, Any], labels: Mapping[str, str]
) -> None:
    """Refuse the save when `row` (locked for update) has moved on from `expected`."""
    if expected is None or row.version == expected:
        return
    changes = []
    for name, value in yours.items():
        current = _current_value(row, name)
        if _show(current) != _show(value):
            changes.append(Change(name, labels.get(name, name.replace("_", " ")), _show(current), _show(value)))
    who = getattr(row, "modified_by", None)
    raise StaleEdit(
        what=what,
        current_version=row.version,
        changed_by=str(who) if who else "",
        changed_at=getattr(row, "modified_at", None),
        changes=changes,
    )


def _current_value(row: Any, name: str) -> Any:
    if isinstance(row, PepSection):
        if name in {"completed", "completed_by_name"}:
            return getattr(row, name)
        return (row.answers or {}).get(name, "")
    value = getattr(row, name, None)
    if isinstance(value, models.Model):
        return str(value)
    return value


def _locked(model: Any, pk: int) -> Any:
    return model.objects.select_for_update(of=("self",)).select_related("modified_by").get(pk=pk)


def _require_open(pep: Pep) -> None:
    if pep.status == PepStatus.APPROVED:
        raise ValidationError(
            "This PEP is approved and locked. Start a new version of it to make a change; the approved one is kept."
        )


def _event(pep: Pep, actor: Any, title: str, note: str = "") -> None:
    PepEvent.objects.create(
        pep=pep,
        occurred_at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=str(actor) if actor else "The system",
        status=pep.status,
        title=title,
        note=note,
    )


def _bump(pep: Pep, actor: Any, **values: Any) -> None:
    """Save a status change (the PEP row's version moves on, so an edit from before it is refused)."""
    for key, value in values.items():
        setattr(pep, key, value)
    pep.version += 1
    pep.modified_by = actor if getattr(actor, "pk", None) else None
    pep.save()


def _pep_url(pep: Pep) -> str:
    return f"/peps/{pep.pk}/"


# ---------------------------------------------------------------------------------------------------------
# Creating and starting
# ---------------------------------------------------------------------------------------------------------


def _current_placement(child: Child, on: dt.date) -> Any:
    from virtualschool.placements.models import EducationPlacement

    return (
        EducationPlacement.objects.filter(child=child, start_date__lte=on)
        .filter(models.Q(end_date__isnull=True) | models.Q(end_date__gte=on))
        .select_related("school", "designated_teacher")
        .order_by("-start_date")
        .first()
    )


@transaction.atomic
def pep_create(
    *,
    actor: Any,
    child: Child,
    academic_year: int,
    term: str,
    pep_type: str = PepType.TERMLY,
    reason: str = "",
    today: dt.date | None = None,
) -> Pep:
    """A new PEP for a child and term, with its four sections ready for their authors."""
    if actor is not None:
        pep_rules.require(actor, "peps.add_pep", child)
    today = today or _today()
    errors: dict[str, str] = {}
    if term not in TERMS:
        errors["term"] = "Select the term: autumn, spring or summer"
    if pep_type not in PepType.values:
        errors["pep_type"] = "Select the type of PEP"
    if not 2000 <= int(academic_year or 0) <= today.year + 1:
        errors["academic_year"] = f"Enter an academic year from 2000 to {today.year + 1}"
    if pep_type in {PepType.INTERIM, PepType.EMERGENCY} and not (reason or "").strip():
        errors["reason"] = "Say why this interim or emergency PEP is needed"
    if errors:
        raise ValidationError(errors)
    Child.objects.select_for_update().filter(pk=child.pk).first()
    if pep_type in {PepType.INITIAL, PepType.TERMLY}:
        clash = Pep.objects.filter(
            child=child, academic_year=academic_year, term=term, pep_type__in=[PepType.INITIAL, PepType.TERMLY]
        ).first()
        if clash is not None:
            raise ValidationError(
                {"term": f"{child.display_name} already has a PEP for the {clash.term_label.lower()}: open that one"}
            )
    term_dates = school_calendar().term(int(academic_year), term)
    on = max(min(today, term_dates.end), term_dates.start)
    placement = _current_placement(child, on) or _current_placement(child, today)
    pep = Pep.objects.create(
        child=child,
        academic_year=academic_year,
        term=term,
        pep_type=pep_type,
        reason=(reason or "").strip(),
        school=placement.school if placement else None,
        key_stage=key_stage_for_year(child.nc_year(term_dates.start)),
        created_by=actor if getattr(actor, "pk", None) else None,
        modified_by=actor if getattr(actor, "pk", None) else None,
    )
    PepSection.objects.bulk_create([PepSection(pep=pep, kind=kind) for kind in SectionKind.values])
    _record_create(actor, pep, child_id=child.pk)
    _event(pep, actor, f"{pep.get_pep_type_display()} PEP created", pep.reason)
    return pep


@transaction.atomic
def pep_start(*, actor: Any, pep: Pep, today: dt.date | None = None) -> Pep:
    pep = _locked(Pep, pep.pk)
    if not pep_rules.editable_parts(actor, pep):
        raise PermissionDenied("You do not have permission to start this PEP.")
    if pep.status != PepStatus.NOT_STARTED:
        return pep
    before = _snap(pep)
    _bump(pep, actor, status=PepStatus.IN_PROGRESS, started_on=today or _today())
    _record_update(actor, pep, before, child_id=pep.child_id)
    _event(pep, actor, "PEP started")
    return pep


def _autostart(pep: Pep, actor: Any) -> None:
    """The first thing anyone saves starts the PEP (without moving its version: nobody's form goes stale)."""
    if pep.status == PepStatus.NOT_STARTED:
        before = _snap(pep)
        Pep.objects.filter(pk=pep.pk).update(status=PepStatus.IN_PROGRESS, started_on=_today(), modified_by=actor)
        pep.status = PepStatus.IN_PROGRESS
        pep.started_on = _today()
        _record_update(actor, pep, before, child_id=pep.child_id)
        _event(pep, actor, "PEP started")


# ---------------------------------------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def section_save(
    *,
    actor: Any,
    section: PepSection,
    answers: Mapping[str, Any],
    expected_version: int | None,
    completed: bool = False,
    completed_by_name: str = "",
) -> PepSection:
    """Save an author's answers; `completed` marks their part done (it needs at least one answer)."""
    pep = Pep.objects.select_related("child").get(pk=section.pep_id)
    pep_rules.require_part(actor, pep, section.kind)
    _require_open(pep)
    row = _locked(PepSection, section.pk)
    questions = questions_for(row.kind, pep.child.nc_year(_today()))
    labels = {q.name: q.label for q in questions} | {"completed": "Completed", "completed_by_name": "Completed by"}
    clean = {q.name: str(answers.get(q.name) or "").strip() for q in questions}
    yours = {**clean, "completed": completed, "completed_by_name": completed_by_name}
    _check_version(row, expected_version, f"{row.get_kind_display().lower()} section", yours, labels)
    errors = {name: f"{labels[name]} must be 5,000 characters or fewer" for name, v in clean.items() if len(v) > 5000}
    if completed and not any(clean.values()):
        errors[NON_FIELD_ERRORS] = "Answer at least one question before marking this part complete"
    if (
        row.kind == SectionKind.CARER
        and completed
        and not (completed_by_name or "").strip()
        and actor.role != Role.SOCIAL_WORKER
    ):
        errors["completed_by_name"] = "Enter the name of the carer whose views these are"
    if errors:
        raise ValidationError(errors)
    before = _snap(row)
    row.answers = {**(row.answers or {}), **clean}
    was_completed = row.completed
    row.completed = completed
    row.completed_on = (row.completed_on or _today()) if completed else None
    row.completed_by = (row.completed_by or actor) if completed else None
    row.completed_by_name = (completed_by_name or "").strip()[:200]
    row.version += 1
    row.modified_by = actor
    row.save()
    _record_update(actor, row, before, child_id=pep.child_id, context={"pep": pep.pk})
    _autostart(pep, actor)
    if completed and not was_completed:
        _event(pep, actor, f"{row.get_kind_display()} section completed")
    return row


# ---------------------------------------------------------------------------------------------------------
# The meeting
# ---------------------------------------------------------------------------------------------------------

MEETING_LABELS = {
    "meeting_date": "Meeting date",
    "meeting_time": "Meeting time",
    "meeting_venue": "Venue",
    "meeting_mode": "In person or virtual",
    "chair": "Chair",
    "invitees": "Invitees",
    "attendees": "Attendees",
    "meeting_notes": "Notes",
    "next_meeting_date": "Next meeting date",
    "meeting_held_on": "Date held",
}


def review_after(meeting: dt.date) -> dt.date:
    """The first day whose care review the next PEP meeting prepares for: a review within the reviewing
    officer's notice (3 days) of this meeting is the one this PEP was held for."""
    return meeting + dt.timedelta(days=policy_get().reviewing_officer_days_before_review + 1)


def pep_next_care_review(pep: Pep, on: dt.date | None = None) -> dt.date | None:
    child = pep.child
    recorded = list(CareReview.objects.filter(child=child).values_list("review_date", flat=True))
    return next_care_review(child.period_of_care_start, recorded, policy_get(), on or _today())


@transaction.atomic
def meeting_arrange(
    *,
    actor: Any,
    pep: Pep,
    expected_version: int | None,
    meeting_date: dt.date | None,
    meeting_time: dt.time | None,
    venue: str,
    mode: str,
    chair: Any = None,
    invitees: str = "",
) -> Pep:
    """Set (or change) when and where the meeting is, who chairs it and who is invited."""
    locked = _locked(Pep, pep.pk)
    pep_rules.require_part(actor, locked, "meeting")
    _require_open(locked)
    yours = {
        "meeting_date": meeting_date,
        "meeting_time": meeting_time,
        "meeting_venue": venue,
        "meeting_mode": mode,
        "chair": str(chair) if chair else None,
        "invitees": invitees,
    }
    _check_version(locked, expected_version, "meeting arrangements", yours, MEETING_LABELS)
    errors: dict[str, str] = {}
    if meeting_date is None:
        errors["meeting_date"] = "Enter the date of the meeting"
    if meeting_time is None:
        errors["meeting_time"] = "Enter the time of the meeting, for example 14:30"
    if mode not in MeetingMode.values:
        errors["meeting_mode"] = "Select whether the meeting is in person or virtual"
    if not (venue or "").strip():
        errors["meeting_venue"] = "Enter where the meeting is, or the video call link for a virtual one"
    if chair is not None and chair.role not in {
        Role.VIRTUAL_SCHOOL_LEAD,
        Role.VIRTUAL_SCHOOL_HEAD,
        Role.DESIGNATED_TEACHER,
    }:
        errors["chair"] = "The chair is a Virtual School Lead, the head or the designated teacher"
    if errors:
        raise ValidationError(errors)
    before = _snap(locked)
    locked.meeting_date = meeting_date
    locked.meeting_time = meeting_time
    locked.meeting_venue = venue.strip()
    locked.meeting_mode = mode
    locked.chair = chair
    locked.invitees = (invitees or "").strip()
    _bump(locked, actor)
    _record_update(actor, locked, before, child_id=locked.child_id)
    _autostart(locked, actor)
    _event(locked, actor, "Meeting arranged", f"{govuk_date(meeting_date)} at {meeting_time:%H:%M}, {venue.strip()}")  # type: ignore[arg-type]
    return locked


@transaction.atomic
def meeting_record(
    *,
    actor: Any,
    pep: Pep,
    expected_version: int | None,
    held_on: dt.date | None,
    attendees: str,
    notes: str,
    next_meeting_date: dt.date | None,
    mode: str | None = None,
    today: dt.date | None = None,
) -> Pep:
    """The lead records that the meeting was held: who came, the notes and the next meeting's date, which must
    fall before the child's next care review."""
    today = today or _today()
    locked = _locked(Pep, pep.pk)
    pep_rules.require_part(actor, locked, "minutes")
    _require_open(locked)
    yours = {
        "meeting_held_on": held_on,
        "attendees": attendees,
        "meeting_notes": notes,
        "next_meeting_date": next_meeting_date,
    }
    _check_version(locked, expected_version, "meeting record", yours, MEETING_LABELS)
    errors: dict[str, str] = {}
    if held_on is None:
        errors["meeting_held_on"] = "Enter the date the meeting was held"
    elif held_on > today:
        errors["meeting_held_on"] = "The date the meeting was held must be today or in the past"
    if not (attendees or "").strip():
        errors["attendees"] = "Enter who attended the meeting"
    if not (notes or "").strip():
        errors["meeting_notes"] = "Enter the notes of the meeting"
    mode = mode or locked.meeting_mode
    if mode not in MeetingMode.values:
        errors["meeting_mode"] = "Select whether the meeting was in person or virtual"
    review = pep_next_care_review(locked, review_after(held_on or today))
    problem = next_meeting_error(next_meeting_date, review)
    if not problem and next_meeting_date and held_on and next_meeting_date <= held_on:
        problem = "The next PEP meeting must be after this one"
    if problem:
        errors["next_meeting_date"] = problem
    if locked.status not in {PepStatus.NOT_STARTED, PepStatus.IN_PROGRESS, PepStatus.MEETING_HELD, PepStatus.RETURNED}:
        errors[NON_FIELD_ERRORS] = (
            f"The meeting cannot be recorded while the PEP is {locked.get_status_display().lower()}"
        )
    if errors:
        raise ValidationError(errors)
    before = _snap(locked)
    status = locked.status if locked.status == PepStatus.RETURNED else PepStatus.MEETING_HELD
    _bump(
        locked,
        actor,
        meeting_held_on=held_on,
        attendees=attendees.strip(),
        meeting_notes=notes.strip(),
        next_meeting_date=next_meeting_date,
        meeting_mode=mode,
        status=status,
        started_on=locked.started_on or held_on,
    )
    _record_update(actor, locked, before, child_id=locked.child_id)
    _event(
        locked, actor, "Meeting held", f"Held on {govuk_date(held_on)}; next meeting {govuk_date(next_meeting_date)}"
    )  # type: ignore[arg-type]
    return locked


# ---------------------------------------------------------------------------------------------------------
# Attainment, targets and actions
# ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def attainment_save(
    *,
    actor: Any,
    pep: Pep,
    subject: str,
    current: str,
    target: str,
    on_track: bool | None = None,
    comment: str = "",
    row: Attainment | None = None,
    expected_version: int | None = None,
) -> Attainment:
    pep = Pep.objects.select_related("child").get(pk=pep.pk)
    pep_rules.require_part(actor, pep, "attainment")
    _require_open(pep)
    key_stage = pep.key_stage or KeyStage.KS2
    subject = (subject or "").strip()
    errors: dict[str, str] = {}
    if not subject:
        errors["subject"] = "Enter the subject"
    if problem := scale_error(key_stage, current, "where the child is working"):
        errors["current"] = problem
    if problem := scale_error(key_stage, target, "the aspirational target"):
        errors["target"] = problem
    if not errors and is_below(key_stage, target, current):
        errors["target"] = f"The target ({target}) is below where the child is working ({current}): aim higher"
    if row is not None:
        locked = _locked(Attainment, row.pk)
        _check_version(
            locked,
            expected_version,
            f"{locked.subject} attainment",
            {"subject": subject, "current": current, "target": target, "on_track": on_track, "comment": comment},
            {"current": "Working at", "target": "Aspirational target", "on_track": "On track", "comment": "Comment"},
        )
    elif subject and Attainment.objects.filter(pep=pep, subject__iexact=subject).exists():
        errors["subject"] = f"{subject} is already on this PEP: change that row"
    if errors:
        raise ValidationError(errors)
    if row is None:
        made = Attainment.objects.create(
            pep=pep,
            subject=subject,
            current=current,
            target=target,
            on_track=on_track,
            comment=comment.strip(),
            created_by=actor,
            modified_by=actor,
        )
        _record_create(actor, made, child_id=pep.child_id)
        _autostart(pep, actor)
        return made
    before = _snap(locked)
    locked.subject, locked.current, locked.target = subject, current, target
    locked.on_track, locked.comment = on_track, comment.strip()
    locked.version += 1
    locked.modified_by = actor
    locked.save()
    _record_update(actor, locked, before, child_id=pep.child_id)
    return locked


@transaction.atomic
def prior_attainment_save(*, actor: Any, child: Child, key_stage: str, subject: str, result: str) -> PriorAttainment:
    """The result at the end of an earlier key stage (one per key stage and subject; saving again corrects it)."""
    if not (pep_rules.is_roll_editor(actor) or pep_rules.is_childs_designated_teacher(actor, child)):
        raise PermissionDenied("You do not have permission to record prior attainment for this child.")
    errors = {}
    if key_stage not in KeyStage.values:
        errors["key_stage"] = "Select the key stage"
    if not (subject or "").strip():
        errors["subject"] = "Enter the subject"
    elif problem := scale_error(key_stage, result, "the result"):
        errors["result"] = problem
    if errors:
        raise ValidationError(errors)
    row, created = PriorAttainment.objects.select_for_update().get_or_create(
        child=child, key_stage=key_stage, subject=subject.strip(), defaults={"result": result, "created_by": actor}
    )
    if created:
        _record_create(actor, row, child_id=child.pk)
    else:
        before = _snap(row)
        row.result = result
        row.version += 1
        row.modified_by = actor
        row.save()
        _record_update(actor, row, before, child_id=child.pk)
    return row


TARGET_FIELDS = (
    "description",
    "measure",
    "baseline",
    "target_value",
    "deadline",
    "owner",
    "ppplus_pence",
    "funding_note",
)
TARGET_LABELS = {
    "description": "Target",
    "measure": "How it is measured",
    "baseline": "Starting point",
    "target_value": "Target value",
    "deadline": "By when",
    "owner": "Who is responsible",
    "ppplus_pence": "PP+ funding",
    "funding_note": "What the funding pays for",
}


def smart_problems(data: Mapping[str, Any], *, today: dt.date | None = None) -> dict[str, str]:
    """What stops a target being SMART, field by field (empty when it is): the challenge shown as it is typed."""
    today = today or _today()
    problems: dict[str, str] = {}
    description = str(data.get("description") or "").strip()
    if not description:
        problems["description"] = "Enter the target: what the child will be able to do"
    elif len(description) < 10:
        problems["description"] = "Say specifically what the child will achieve (at least 10 characters)"
    if not str(data.get("measure") or "").strip():
        problems["measure"] = "The target has no measure: say how progress will be measured, for example a reading age"
    if not str(data.get("baseline") or "").strip():
        problems["baseline"] = "The target has no starting point: say where the child is now on that measure"
    if not str(data.get("target_value") or "").strip():
        problems["target_value"] = "The target has no target value: say what the measure should reach"
    deadline = data.get("deadline")
    if not deadline:
        problems["deadline"] = "The target has no date: enter when it will be achieved by"
    elif isinstance(deadline, dt.date):
        if deadline <= today:
            problems["deadline"] = "The date the target will be achieved by must be in the future"
        elif deadline > today + dt.timedelta(days=366):
            problems["deadline"] = "Set a date within a year, so the target is reviewed at a PEP"
    if not str(data.get("owner") or "").strip():
        problems["owner"] = "The target has no owner: enter who is responsible for it"
    pence = data.get("ppplus_pence")
    if pence is not None and (not isinstance(pence, int) or pence < 0):
        problems["ppplus_pence"] = "Enter the PP+ funding as an amount in pounds and pence, for example 250.00"
    elif pence and not str(data.get("funding_note") or "").strip():
        problems["funding_note"] = "Say what the PP+ funding pays for towards this target"
    return problems


@transaction.atomic
def target_save(
    *,
    actor: Any,
    pep: Pep,
    data: Mapping[str, Any],
    target: Target | None = None,
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> Target:
    """Add or change a SMART target; one that is not SMART is refused with what is missing."""
    pep = Pep.objects.select_related("child").get(pk=pep.pk)
    pep_rules.require_part(actor, pep, "targets")
    _require_open(pep)
    values = {name: data.get(name) for name in TARGET_FIELDS}
    for name in ("description", "measure", "baseline", "target_value", "owner", "funding_note"):
        values[name] = str(values[name] or "").strip()
    if target is not None:
        locked = _locked(Target, target.pk)
        if locked.pep_id != pep.pk:
            raise ValidationError("That target belongs to another PEP.")
        _check_version(locked, expected_version, "target", values, TARGET_LABELS)
    problems = smart_problems(values, today=today)
    if target is not None and locked.deadline is not None and values["deadline"] == locked.deadline:
        problems.pop("deadline", None)  # an agreed date may have passed by the time the target is corrected
    if problems:
        raise ValidationError(problems)
    if target is None:
        made = Target.objects.create(pep=pep, created_by=actor, modified_by=actor, **values)
        _record_create(actor, made, child_id=pep.child_id)
        _autostart(pep, actor)
        return made
    before = _snap(locked)
    for name, value in values.items():
        setattr(locked, name, value)
    locked.version += 1
    locked.modified_by = actor
    locked.save()
    _record_update(actor, locked, before, child_id=pep.child_id)
    return locked


@transaction.atomic
def target_delete(*, actor: Any, target: Target) -> None:
    pep = Pep.objects.select_related("child").get(pk=target.pep_id)
    pep_rules.require_part(actor, pep, "targets")
    _require_open(pep)
    audit.record_delete(actor, target, child_id=pep.child_id)
    target.delete()


@transaction.atomic
def target_review(
    *,
    actor: Any,
    target: Target,
    reviewing_pep: Pep,
    outcome: str,
    note: str = "",
    expected_version: int | None = None,
) -> Target:
    """At the next PEP, say whether an earlier target was achieved, partly achieved or not achieved."""
    reviewing_pep = Pep.objects.select_related("child").get(pk=reviewing_pep.pk)
    pep_rules.require_part(actor, reviewing_pep, "targets")
    _require_open(reviewing_pep)
    locked = _locked(Target, target.pk)
    source = Pep.objects.get(pk=locked.pep_id)
    if source.child_id != reviewing_pep.child_id or source.pk == reviewing_pep.pk:
        raise ValidationError("A target is reviewed at a later PEP of the same child.")
    _check_version(
        locked,
        expected_version,
        "target review",
        {"outcome": outcome, "outcome_note": note},
        {"outcome": "Outcome", "outcome_note": "Review note"},
    )
    if outcome not in TargetOutcome.values:
        raise ValidationError({"outcome": "Select whether the target was achieved, partly achieved or not achieved"})
    if outcome != TargetOutcome.ACHIEVED and not (note or "").strip():
        raise ValidationError({"outcome_note": "Say what got in the way, and what happens next"})
    before = _snap(locked)
    locked.outcome, locked.outcome_note = outcome, (note or "").strip()
    locked.reviewed_in, locked.reviewed_on = reviewing_pep, _today()
    locked.version += 1
    locked.modified_by = actor
    locked.save()
    _record_update(actor, locked, before, child_id=reviewing_pep.child_id)
    pep_signals.target_reviewed.send(
        sender=Target, target=locked, outcome=outcome, note=locked.outcome_note, reviewed_on=locked.reviewed_on,
        actor=actor,
    )  # fmt: skip
    if outcome == TargetOutcome.NOT_ACHIEVED:
        # A target not met proposes an emergency review (001): once for the PEP that found it.
        proposal_receive(
            child=reviewing_pep.child,
            pep_type=PepType.EMERGENCY,
            trigger="targets-not-met",
            reason=f"A target from the {source.term_label} PEP was not achieved: {locked.description[:150]}",
            raised_on=locked.reviewed_on,
            source_key=f"targets-not-met:{reviewing_pep.pk}",
            actor=actor,
        )
    return locked


@transaction.atomic
def action_save(
    *,
    actor: Any,
    pep: Pep,
    description: str,
    owner: str,
    due_on: dt.date | None,
    done_on: dt.date | None = None,
    action: Action | None = None,
    expected_version: int | None = None,
) -> Action:
    pep = Pep.objects.select_related("child").get(pk=pep.pk)
    pep_rules.require_part(actor, pep, "actions")
    _require_open(pep)
    values = {
        "description": (description or "").strip(),
        "owner": (owner or "").strip(),
        "due_on": due_on,
        "done_on": done_on,
    }
    if action is not None:
        locked = _locked(Action, action.pk)
        _check_version(
            locked,
            expected_version,
            "action",
            values,
            {"description": "Action", "owner": "Who", "due_on": "By when", "done_on": "Done on"},
        )
    errors = {}
    if not values["description"]:
        errors["description"] = "Enter the action"
    if not values["owner"]:
        errors["owner"] = "Enter the name and role of the professional who will do it"
    if due_on is None:
        errors["due_on"] = "Enter the date the action is due by"
    if errors:
        raise ValidationError(errors)
    if action is None:
        made = Action.objects.create(pep=pep, created_by=actor, modified_by=actor, **values)
        _record_create(actor, made, child_id=pep.child_id)
        _autostart(pep, actor)
        return made
    before = _snap(locked)
    for name, value in values.items():
        setattr(locked, name, value)
    locked.version += 1
    locked.modified_by = actor
    locked.save()
    _record_update(actor, locked, before, child_id=pep.child_id)
    return locked


# ---------------------------------------------------------------------------------------------------------
# Submission, quality assurance decisions and versions
# ---------------------------------------------------------------------------------------------------------


def records_for(pep: Pep) -> list[dict[str, Any]]:
    """Attendance, suspensions and timetables for the PEP's term, pulled from their apps (never retyped)."""
    term = school_calendar().term(pep.academic_year, pep.term)
    return [summary.as_dict() for summary in extensions.child_records(pep.child, term.start, term.end)]


def latest_sdq(child: Child) -> dict[str, Any]:
    from virtualschool.children import sdq
    from virtualschool.children.models import SdqScore

    record = (
        SdqScore.objects.filter(child=child, total_score__isnull=False).order_by("-recorded_on", "respondent").first()
    )
    if record is None:
        return {}
    result = sdq.total_result(record.respondent, record.total_score)  # type: ignore[arg-type]
    return {
        "recorded_on": record.recorded_on.isoformat(),
        "respondent": record.get_respondent_display(),
        "total": record.total_score,
        "band": result.band.label,
        "band_rank": result.band.rank,
    }


def submission_problems(pep: Pep) -> list[str]:
    problems = []
    if not pep.meeting_held_on:
        problems.append("Record the meeting (date held, attendees and notes) before submitting")
    if not pep.targets.exists():
        problems.append("Add at least one SMART target")
    section = pep.sections.filter(kind=SectionKind.CHILD_VOICE).first()
    if section is None or not any((section.answers or {}).values()):
        problems.append("Record the child's views: the PEP is theirs")
    return problems


@transaction.atomic
def pep_submit(*, actor: Any, pep: Pep, expected_version: int | None = None, today: dt.date | None = None) -> Pep:
    """Submit for quality assurance, keeping what the attendance, suspension and SDQ records said then."""
    locked = Pep.objects.select_for_update(of=("self",)).select_related("child", "modified_by").get(pk=pep.pk)
    pep_rules.require(actor, "peps.submit_pep", locked)
    _check_version(locked, expected_version, "PEP", {}, {})
    if locked.status not in {PepStatus.MEETING_HELD, PepStatus.RETURNED}:
        raise ValidationError(
            "Only a PEP whose meeting has been held can be submitted "
            f"(this one is {locked.get_status_display().lower()})."
        )
    problems = submission_problems(locked)
    if problems:
        raise ValidationError(problems)
    before = _snap(locked)
    _bump(
        locked,
        actor,
        status=PepStatus.SUBMITTED,
        submitted_on=today or _today(),
        records_snapshot=records_for(locked),
        sdq_snapshot=latest_sdq(locked.child),
    )
    _record_update(actor, locked, before, child_id=locked.child_id)
    _event(locked, actor, "Submitted for quality assurance")
    # The reviewing officer may read every PEP of theirs; tell them this one is ready for the care review.
    notify(
        locked.child.reviewing_officer,
        kind=Notification.Kind.ALERT,
        key=f"pep:{locked.pk}:v{locked.plan_version}:for-review:{locked.version}",
        subject=f"{locked.child.display_name}'s {locked.term_label} PEP is ready to read before the care review",
        url=_pep_url(locked),
        child=locked.child,
    )
    lead = locked.child.allocated_lead
    if lead is not None and lead != actor:
        notify(
            lead,
            kind=Notification.Kind.DUE_SOON,
            key=f"pep:{locked.pk}:v{locked.plan_version}:submitted:{locked.version}",
            subject=f"{locked.child.display_name}'s {locked.term_label} PEP is ready for quality assurance",
            url=_pep_url(locked),
            child=locked.child,
        )
    return locked


def _school_people(pep: Pep) -> list[Any]:
    placement = _current_placement(pep.child, _today())
    people = []
    if placement is not None:
        if placement.designated_teacher is not None:
            people.append(placement.designated_teacher)
        if placement.school_id:
            from virtualschool.schools.models import SchoolStaff

            people.extend(
                s.user
                for s in SchoolStaff.objects.filter(
                    school_id=placement.school_id, is_designated_teacher=True
                ).select_related("user")
            )
    return people


@transaction.atomic
def pep_return(*, actor: Any, pep: Pep, reason: str, rag: str = "", expected_version: int | None = None) -> Pep:
    """Send a submitted PEP back with what to put right (a reason is required)."""
    pep_rules.require(actor, "peps.quality_assure")
    locked = Pep.objects.select_for_update(of=("self",)).select_related("child", "modified_by").get(pk=pep.pk)
    _check_version(locked, expected_version, "PEP", {}, {})
    if locked.status != PepStatus.SUBMITTED:
        raise ValidationError("Only a PEP submitted for quality assurance can be returned.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter what needs to be put right before the PEP can be approved"})
    if rag and rag not in Rag.values:
        raise ValidationError({"rag": "Select red, amber or green"})
    before = _snap(locked)
    _bump(locked, actor, status=PepStatus.RETURNED, returned_reason=reason.strip(), rag=rag)
    _record_update(actor, locked, before, child_id=locked.child_id)
    _event(locked, actor, "Returned with feedback", reason.strip())
    notify_many(
        [*_school_people(locked), locked.child.allocated_lead],
        kind=Notification.Kind.DECISION,
        key=f"pep:{locked.pk}:returned:{locked.version}",
        subject=f"{locked.child.display_name}'s {locked.term_label} PEP has been returned",
        body=reason.strip(),
        url=_pep_url(locked),
        child=locked.child,
    )
    return locked


@transaction.atomic
def pep_approve(
    *, actor: Any, pep: Pep, rag: str, expected_version: int | None = None, today: dt.date | None = None
) -> Pep:
    """Approve and lock with a RAG rating. Red is refused: it must be put right (returned) before sign-off."""
    from .document import build_document

    pep_rules.require(actor, "peps.quality_assure")
    locked = Pep.objects.select_for_update(of=("self",)).select_related("child", "modified_by").get(pk=pep.pk)
    _check_version(locked, expected_version, "PEP", {}, {})
    if locked.status != PepStatus.SUBMITTED:
        raise ValidationError("Only a PEP submitted for quality assurance can be approved.")
    if rag == Rag.RED:
        raise ValidationError({"rag": "A red PEP cannot be signed off: return it with what must be put right"})
    if rag not in {Rag.AMBER, Rag.GREEN}:
        raise ValidationError({"rag": "Select a RAG rating: amber or green (a red PEP is returned)"})
    today = today or _today()
    before = _snap(locked)
    _bump(locked, actor, status=PepStatus.APPROVED, rag=rag, approved_on=today, approved_by=actor, returned_reason="")
    PepVersion.objects.create(
        pep=locked,
        number=locked.plan_version,
        approved_on=today,
        approved_by=actor,
        rag=rag,
        document=build_document(locked, for_version=True),
    )
    _record_update(actor, locked, before, child_id=locked.child_id)
    _event(locked, actor, f"Approved ({Rag(rag).label.lower()})", f"Version {locked.plan_version}")
    notify_many(
        [*_school_people(locked), locked.child.social_worker],
        kind=Notification.Kind.DECISION,
        key=f"pep:{locked.pk}:approved:v{locked.plan_version}",
        subject=f"{locked.child.display_name}'s {locked.term_label} PEP has been approved",
        url=_pep_url(locked),
        child=locked.child,
    )
    return locked


@transaction.atomic
def pep_amend(*, actor: Any, pep: Pep, reason: str) -> Pep:
    """Reopen an approved PEP as a new plan version; the approved version is kept, whole, and stays viewable."""
    pep_rules.require(actor, "peps.amend_approved", pep)
    locked = Pep.objects.select_for_update().get(pk=pep.pk)
    if locked.status != PepStatus.APPROVED:
        raise ValidationError("Only an approved PEP needs a new version: this one can be changed as it is.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the approved PEP needs to change"})
    PepVersion.objects.filter(pep=locked, number=locked.plan_version).update(
        superseded_on=_today(), change_reason=reason.strip()
    )
    before = _snap(locked)
    _bump(
        locked,
        actor,
        status=PepStatus.IN_PROGRESS,
        plan_version=locked.plan_version + 1,
        submitted_on=None,
        approved_on=None,
        approved_by=None,
        rag="",
    )
    _record_update(actor, locked, before, child_id=locked.child_id)
    _event(locked, actor, f"Version {locked.plan_version} started", reason.strip())
    return locked


# ---------------------------------------------------------------------------------------------------------
# Delegation and care reviews
# ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def delegation_create(
    *, actor: Any, school: Any, delegate: Any, children: Iterable[Child] = (), parts: Iterable[str] = ()
) -> Delegation:
    """A designated teacher lets a colleague at their school complete their part for named children and/or parts."""
    from virtualschool.schools.models import SchoolStaff

    pep_rules.require(actor, "peps.delegate")
    if not SchoolStaff.objects.filter(user=actor, school=school, is_designated_teacher=True).exists():
        raise PermissionDenied("Only the designated teacher of a school can delegate its PEPs.")
    children = list(children)
    parts = list(dict.fromkeys(parts))
    errors: dict[str, str] = {}
    if delegate is None or not SchoolStaff.objects.filter(user=delegate, school=school).exists():
        errors["delegate"] = f"Choose a colleague who works at {school.name}"
    elif delegate == actor:
        errors["delegate"] = "Choose a colleague, not yourself"
    unknown = [p for p in parts if p not in SCHOOL_PARTS]
    if unknown:
        errors["parts"] = "Choose parts from the list"
    if not children and not parts:
        errors[NON_FIELD_ERRORS] = "Limit the delegation to named children, named parts of the PEP, or both"
    from virtualschool.children.selectors import children_visible_to

    visible = set(children_visible_to(actor).filter(pk__in=[c.pk for c in children]).values_list("pk", flat=True))
    if any(c.pk not in visible for c in children):
        errors["children"] = "You can only delegate PEPs of your own school's pupils"
    if errors:
        raise ValidationError(errors)
    delegation = Delegation.objects.create(
        school=school, delegator=actor, delegate=delegate, parts=parts, created_by=actor, modified_by=actor
    )
    delegation.children.set(children)
    _record_create(actor, delegation, context={"children": [c.pk for c in children], "parts": parts})
    notify(
        delegate,
        kind=Notification.Kind.ALERT,
        key=f"pep-delegation:{delegation.pk}",
        subject=f"{actor} has asked you to complete PEPs for {school.name}",
        body=", ".join(PART_LABELS[p] for p in parts) or "Every part the designated teacher completes",
        url="/peps/",
    )
    return delegation


@transaction.atomic
def delegation_revoke(*, actor: Any, delegation: Delegation) -> Delegation:
    if delegation.delegator_id != actor.pk and not pep_rules.is_roll_editor(actor):
        raise PermissionDenied("Only the designated teacher who delegated can end the delegation.")
    before = _snap(delegation)
    delegation.revoked_on = _today()
    delegation.version += 1
    delegation.save()
    _record_update(actor, delegation, before)
    return delegation


@transaction.atomic
def care_review_record(*, actor: Any, child: Child, review_date: dt.date | None, note: str = "") -> CareReview:
    """Record the date of a care review, held or booked (preferred to the computed schedule)."""
    pep_rules.require(actor, "peps.record_care_review", child)
    if review_date is None:
        raise ValidationError({"review_date": "Enter the date of the care review"})
    if child.period_of_care_start and review_date < child.period_of_care_start:
        raise ValidationError(
            {
                "review_date": "The care review must be on or after the child entered care "
                f"({govuk_date(child.period_of_care_start)})"
            }
        )
    if CareReview.objects.filter(child=child, review_date=review_date).exists():
        raise ValidationError({"review_date": f"A care review on {govuk_date(review_date)} is already recorded"})
    row = CareReview.objects.create(
        child=child, review_date=review_date, note=(note or "").strip()[:200], created_by=actor
    )
    _record_create(actor, row, child_id=child.pk)
    return row


# ---------------------------------------------------------------------------------------------------------
# Proposals
# ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def proposal_receive(
    *,
    child: Child,
    pep_type: str,
    trigger: str,
    reason: str,
    raised_on: dt.date,
    source_key: str,
    actor: Any = None,
) -> PepProposal | None:
    """Keep one proposal per source_key (a second signal for the same evidence changes nothing)."""
    if pep_type not in {PepType.INTERIM, PepType.EMERGENCY}:
        raise ValueError(f"A proposed PEP is interim or emergency, not {pep_type!r}")
    proposal, created = PepProposal.objects.get_or_create(
        source_key=source_key[:200],
        defaults={
            "child": child,
            "pep_type": pep_type,
            "trigger": trigger[:50],
            "reason": reason,
            "raised_on": raised_on,
            "created_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    if not created:
        return None
    _record_create(actor, proposal, child_id=child.pk)
    notify(
        child.allocated_lead,
        kind=Notification.Kind.PROPOSAL,
        key=f"pep-proposal:{proposal.pk}",
        subject=f"An {proposal.get_pep_type_display().split(' (')[0].lower()} PEP is proposed for {child.display_name}",
        body=reason,
        url=f"/peps/children/{child.pk}/",
        child=child,
    )
    return proposal


@transaction.atomic
def proposal_accept(*, actor: Any, proposal: PepProposal, today: dt.date | None = None) -> Pep:
    pep_rules.require(actor, "peps.decide_proposal", proposal.child)
    locked = PepProposal.objects.select_for_update(of=("self",)).select_related("child").get(pk=proposal.pk)
    if locked.status != ProposalStatus.OPEN:
        raise ValidationError(f"This proposal has already been {locked.get_status_display().lower()}.")
    today = today or _today()
    term = school_calendar().term_for(today)
    pep = pep_create(
        actor=actor,
        child=locked.child,
        academic_year=term.academic_year,
        term=term.term,
        pep_type=locked.pep_type,
        reason=locked.reason,
        today=today,
    )
    before = _snap(locked)
    locked.status, locked.decided_by, locked.decided_on, locked.pep = ProposalStatus.ACCEPTED, actor, today, pep
    locked.save()
    _record_update(actor, locked, before, child_id=locked.child_id)
    return pep


@transaction.atomic
def proposal_dismiss(*, actor: Any, proposal: PepProposal, reason: str, today: dt.date | None = None) -> PepProposal:
    pep_rules.require(actor, "peps.decide_proposal", proposal.child)
    locked = PepProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != ProposalStatus.OPEN:
        raise ValidationError(f"This proposal has already been {locked.get_status_display().lower()}.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why no interim or emergency PEP is needed"})
    before = _snap(locked)
    locked.status, locked.decided_by, locked.decided_on = ProposalStatus.DISMISSED, actor, today or _today()
    locked.dismiss_reason = reason.strip()
    locked.save()
    _record_update(actor, locked, before, child_id=locked.child_id)
    return locked


# ---------------------------------------------------------------------------------------------------------
# Quality assurance
# ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def qa_record(
    *,
    actor: Any,
    pep: Pep,
    ratings: Mapping[str, str],
    grade: str,
    feedback: str,
    comments: Mapping[str, str] | None = None,
    review: QaReview | None = None,
    today: dt.date | None = None,
) -> QaReview:
    """Rate each criterion, grade the PEP and write feedback to the designated teacher (kept with the PEP)."""
    pep_rules.require(actor, "peps.quality_assure")
    pep = Pep.objects.select_related("child").get(pk=pep.pk)
    errors: dict[str, str] = {}
    for criterion in QaCriterion.values:
        if ratings.get(criterion) not in QaRating.values:
            errors[f"rating_{criterion}"] = f"Rate ‘{QaCriterion(criterion).label}’: met, partly met or not met"
    if grade not in QaGrade.values:
        errors["grade"] = "Select the overall grade: good, requires improvement or inadequate"
    if not (feedback or "").strip():
        errors["feedback"] = "Enter feedback for the designated teacher"
    if pep.status not in {PepStatus.SUBMITTED, PepStatus.APPROVED, PepStatus.RETURNED}:
        errors[NON_FIELD_ERRORS] = "A PEP is quality-assured once it has been submitted"
    if errors:
        raise ValidationError(errors)
    today = today or _today()
    if review is None:
        review = QaReview.objects.create(pep=pep, reviewer=actor, created_by=actor)
    else:
        review = QaReview.objects.select_for_update().get(pk=review.pk)
        if review.pep_id != pep.pk:
            raise ValidationError("That QA belongs to another PEP.")
    review.reviewer = actor
    review.grade, review.feedback, review.completed_on = grade, feedback.strip(), today
    review.version += 1
    review.save()
    review.ratings.all().delete()
    QaCriterionRating.objects.bulk_create(
        QaCriterionRating(review=review, criterion=c, rating=ratings[c], comment=(comments or {}).get(c, "")[:500])
        for c in QaCriterion.values
    )
    _record_create(actor, review, child_id=pep.child_id, context={"ratings": dict(ratings)})
    _event(pep, actor, f"Quality assured: {QaGrade(grade).label.lower()}", feedback.strip())
    notify_many(
        _school_people(pep),
        kind=Notification.Kind.DECISION,
        key=f"pep-qa:{review.pk}:{review.version}",
        subject=f"Quality assurance feedback on {pep.child.display_name}'s PEP: {QaGrade(grade).label.lower()}",
        body=feedback.strip(),
        url=_pep_url(pep),
        child=pep.child,
    )
    return review


@transaction.atomic
def qa_round_create(*, actor: Any, academic_year: int, term: str, seed: int | None = None) -> QaRound:
    """Sample the term's submitted and approved PEPs and share them across the head and leads, never giving
    a lead a PEP of their own caseload when someone else can take it."""
    from django.contrib.auth import get_user_model

    pep_rules.require(actor, "peps.quality_assure")
    if QaRound.objects.filter(academic_year=academic_year, term=term).exists():
        raise ValidationError({"term": "This term already has a QA round"})
    policy = policy_get()
    qa_round = QaRound.objects.create(
        academic_year=academic_year, term=term, sample_percent=policy.qa_sample_percent, created_by=actor
    )
    peps = list(
        Pep.objects.filter(academic_year=academic_year, term=term, status__in=[PepStatus.SUBMITTED, PepStatus.APPROVED])
        .select_related("child")
        .order_by("pk")
    )
    team = list(
        get_user_model()
        .objects.filter(is_active=True, role__in=[Role.VIRTUAL_SCHOOL_HEAD, Role.VIRTUAL_SCHOOL_LEAD])
        .order_by("pk")
    )
    if not peps or not team:
        _record_create(actor, qa_round)
        return qa_round
    size = max(1, round(len(peps) * policy.qa_sample_percent / 100))
    sample = random.Random(seed if seed is not None else academic_year * 10 + TERMS.index(term)).sample(peps, size)
    load = {u.pk: 0 for u in team}
    for pep in sorted(sample, key=lambda p: p.pk):
        choices = [u for u in team if u.pk != pep.child.allocated_lead_id] or team
        reviewer = min(choices, key=lambda u: (load[u.pk], u.pk))
        load[reviewer.pk] += 1
        QaReview.objects.create(pep=pep, qa_round=qa_round, reviewer=reviewer, created_by=actor)
    _record_create(actor, qa_round, context={"sampled": size, "of": len(peps)})
    for reviewer in team:
        if load[reviewer.pk]:
            notify(
                reviewer,
                kind=Notification.Kind.DUE_SOON,
                key=f"qa-round:{qa_round.pk}:{reviewer.pk}",
                subject=f"{load[reviewer.pk]} PEP{'s' if load[reviewer.pk] != 1 else ''} to quality-assure this term",
                url="/peps/qa/",
            )
    return qa_round


def current_academic_year(today: dt.date | None = None) -> int:
    return academic_year_start(today or _today())

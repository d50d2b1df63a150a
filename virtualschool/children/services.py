"""Every write to the roll: checks permission, validates, saves and audits in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from virtualschool.core import audit
from virtualschool.core.models import AuditEvent
from virtualschool.core.permissions import require

from . import sdq
from .models import CareEpisode, Child, Cohort, SdqScore, upn_problem

# Fields a person may set through the child services (everything else is derived or system-managed).
EDITABLE_FIELDS = frozenset(
    f.name
    for f in Child._meta.concrete_fields
    if f.name
    not in {
        "id",
        "created_at",
        "modified_at",
        "created_by",
        "modified_by",
        "upn_needs_correction",
        "period_of_care_start",
    }
)


def normalise_upn(upn: str) -> str:
    return (upn or "").strip().upper().replace(" ", "")


def _apply(child: Child, values: Mapping[str, Any]) -> None:
    unknown = set(values) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be set here."))
    for name, value in values.items():
        setattr(child, name, value)
    child.upn = normalise_upn(child.upn)
    # A typo in a UPN never keeps a child off the roll: the child is saved and the UPN flagged.
    child.upn_needs_correction = bool(upn_problem(child.upn))


def validate_cohort_details(child: Child) -> None:
    """Advice-only cohorts need the facts that make advice lawful and useful."""
    errors: dict[str, str] = {}
    if child.cohort == Cohort.PREVIOUSLY_LOOKED_AFTER:
        if not child.parental_responsibility_holder:
            errors["parental_responsibility_holder"] = (
                "Enter who holds parental responsibility: the Virtual School advises with their consent."
            )
        if not child.consent_given_on:
            errors["consent_given_on"] = "Enter the date the person with parental responsibility gave consent."
    if child.cohort == Cohort.OTHER_AUTHORITY:
        if not child.home_authority_name:
            errors["home_authority_name"] = "Enter the authority that looks after the child."
        if not (child.home_virtual_school_email or child.home_virtual_school_phone):
            errors["home_virtual_school_email"] = (
                "Enter an e-mail address or phone number for the child's home Virtual School."
            )
    if child.closed_on and not child.closure_reason:
        errors["closure_reason"] = "Select why the child left the roll."
    if child.sen_status == "N" and child.sen_primary_need:
        errors["sen_primary_need"] = "A primary need is recorded only for a child with SEN support or an EHCP."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def child_create(*, actor: Any, **values: Any) -> Child:
    """Add a child to the roll."""
    require(actor, "children.add_child")
    child = Child()
    _apply(child, values)
    if child.cohort == Cohort.PREVIOUSLY_LOOKED_AFTER and child.consent_given_on and not child.consent_recorded_by_id:
        child.consent_recorded_by = actor
    validate_cohort_details(child)
    child.full_clean()
    child.created_by = child.modified_by = actor
    child.save()
    audit.record_create(actor, child, child_id=child.pk)
    return child


@transaction.atomic
def child_update(*, actor: Any, child: Child, **values: Any) -> Child:
    """Change a child's record; the audit event holds each field before and after."""
    require(actor, "children.change_child", child)
    child = Child.objects.select_for_update().get(pk=child.pk)
    before = audit.snapshot(child)
    _apply(child, values)
    validate_cohort_details(child)
    child.full_clean()
    child.modified_by = actor
    child.save()
    audit.record_update(actor, child, before, child_id=child.pk)
    return child


@transaction.atomic
def child_close(
    *,
    actor: Any,
    child: Child,
    closed_on: dt.date,
    reason: str,
    notified_on: dt.date | None = None,
    removed_on: dt.date | None = None,
) -> Child:
    """Take a child off the roll. The child stays in that academic year's reports."""
    require(actor, "children.close_child", child)
    if not reason:
        raise ValidationError({"closure_reason": "Select why the child left the roll."})
    return child_update(
        actor=actor,
        child=child,
        closed_on=closed_on,
        closure_reason=reason,
        closure_notified_on=notified_on,
        removed_from_roll_on=removed_on or closed_on,
    )


@transaction.atomic
def child_reopen(*, actor: Any, child: Child) -> Child:
    """Put a closed child back on the roll (for example when care resumes)."""
    require(actor, "children.close_child", child)
    return child_update(actor=actor, child=child, closed_on=None, closure_reason="", removed_from_roll_on=None)


def period_of_care_start(episodes: Iterable[tuple[dt.date, dt.date | None, str]]) -> dt.date | None:
    """Start of the latest period of care from (start, end, reason new episode) rows.

    A period is a chain of episodes each starting when the last ended; RNE 'S' always starts a new one.
    """
    ordered = sorted(episodes, key=lambda e: e[0])
    start: dt.date | None = None
    previous_end: dt.date | None = None
    for begin, end, rne in ordered:
        if start is None or rne == "S" or previous_end is None or begin != previous_end:
            start = begin
        previous_end = end
    return start


def refresh_period_of_care(child: Child) -> None:
    """Keep the child's period-of-care dates in step with their episodes (called inside services)."""
    rows = list(child.care_episodes.values_list("start_date", "end_date", "reason_new_episode"))
    child.period_of_care_start = period_of_care_start(rows)
    if rows and (child.date_first_entered_care is None or min(r[0] for r in rows) < child.date_first_entered_care):
        child.date_first_entered_care = min(r[0] for r in rows)
    Child.objects.filter(pk=child.pk).update(
        period_of_care_start=child.period_of_care_start, date_first_entered_care=child.date_first_entered_care
    )


EPISODE_FIELDS = frozenset(
    {
        "start_date",
        "end_date",
        "reason_new_episode",
        "legal_status",
        "category_of_need",
        "placement_type",
        "placement_provider",
        "reason_ended",
        "reason_place_change",
        "home_postcode",
        "placement_postcode",
        "placement_urn",
    }
)


@transaction.atomic
def care_episode_record(*, actor: Any, child: Child, **values: Any) -> CareEpisode:
    """Add a care episode, or change the one that starts on the same date."""
    require(actor, "children.add_careepisode", child)
    unknown = set(values) - EPISODE_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be set here."))
    if not values.get("start_date"):
        raise ValidationError({"start_date": "Enter the date the episode started."})
    episode = CareEpisode.objects.filter(child=child, start_date=values["start_date"]).first()
    if episode is None:
        episode = CareEpisode(child=child, created_by=actor, **values)
        episode.full_clean()
        episode.modified_by = actor
        episode.save()
        audit.record_create(actor, episode, child_id=child.pk)
    else:
        before = audit.snapshot(episode)
        for name, value in values.items():
            setattr(episode, name, value)
        episode.full_clean()
        episode.modified_by = actor
        episode.save()
        audit.record_update(actor, episode, before, child_id=child.pk)
    refresh_period_of_care(child)
    return episode


@transaction.atomic
def child_record_view(*, actor: Any, child: Child, page: str = "record") -> AuditEvent:
    """Record that `actor` looked at a child's record (which page), for the child's audit history."""
    return audit.record_view(actor, child, child_id=child.pk, context={"page": page})


@transaction.atomic
def children_export_record(
    *, actor: Any, children: Sequence[Child], list_name: str, filters: Mapping[str, Any]
) -> AuditEvent:
    """Record an export of a list of children: one event for the file, and one on each child's history."""
    require(actor, "children.export_children")
    now = timezone.now()
    child_ids = [child.pk for child in children]
    summary = audit.build_event(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        object_type="children.child",
        object_repr=f"{list_name} (CSV, {len(child_ids)} children)",
        context={"list": list_name, "filters": dict(filters), "rows": len(child_ids), "child_ids": child_ids},
        occurred_at=now,
    )
    per_child = [
        audit.build_event(
            actor=actor,
            action=AuditEvent.Action.EXPORT,
            object_type="children.child",
            object_id=child.pk,
            object_repr=str(child),
            child_id=child.pk,
            context={"list": list_name},
            occurred_at=now,
        )
        for child in children
    ]
    audit.record_many([summary, *per_child])
    return summary


# ---------------------------------------------------------------------------------------------------------
# Strengths and Difficulties Questionnaires
# ---------------------------------------------------------------------------------------------------------

# The ages each form is for, on the day it was completed (the scoring and bands here are the 4–17 versions').
SDQ_AGES = {sdq.CARER: (4, 17), sdq.TEACHER: (4, 17), sdq.SELF: (11, 17)}
SDQ_PERMISSIONS = {
    sdq.CARER: "children.record_carer_or_self_sdq",
    sdq.TEACHER: "children.record_teacher_sdq",
    sdq.SELF: "children.record_carer_or_self_sdq",
}


def sdq_respondents_for(actor: Any, child: Child) -> list[str]:
    """Whose questionnaires `actor` may record for `child` (empty when none)."""
    return [r for r in sdq.RESPONDENTS if actor is not None and actor.has_perm(SDQ_PERMISSIONS[r], child)]


def _require_sdq(actor: Any, child: Child, respondent: str) -> None:
    allowed = sdq_respondents_for(actor, child)
    if not allowed:
        raise PermissionDenied("You do not have permission to record an SDQ for this child.")
    if respondent in SDQ_PERMISSIONS and respondent not in allowed:
        raise PermissionDenied(
            "You may record the teacher's SDQ only: the carer's and the young person's are recorded by the "
            "child's social worker or the Virtual School."
        )


def _sdq_date_errors(child: Child, respondent: str, completed_on: dt.date | None) -> dict[str, str]:
    if completed_on is None:
        return {"recorded_on": "Enter the date the SDQ was completed"}
    if completed_on > timezone.localdate():
        return {"recorded_on": "The date the SDQ was completed must be today or in the past"}
    if completed_on < child.date_of_birth:
        return {"recorded_on": f"The date the SDQ was completed must be after {child.display_name}'s date of birth"}
    youngest, oldest = SDQ_AGES.get(respondent, SDQ_AGES[sdq.CARER])
    age = child.age_on(completed_on)
    if not youngest <= age <= oldest:
        form = "The young person's self-report SDQ" if respondent == sdq.SELF else "The SDQ scored here"
        return {
            "recorded_on": (
                f"{form} is for ages {youngest} to {oldest}: {child.display_name} was {age} on "
                f"{completed_on.day} {completed_on:%B %Y}"
            )
        }
    return {}


@transaction.atomic
def sdq_record(
    *,
    actor: Any,
    child: Child,
    respondent: str,
    completed_on: dt.date | None,
    completed_by_name: str = "",
    items: Sequence[int | None] | None = None,
    scales: Mapping[str, Any] | None = None,
) -> SdqScore:
    """Record an SDQ from its 25 item scores as ticked, or from its five scale scores; the product scores it."""
    _require_sdq(actor, child, respondent)
    child = Child.objects.select_for_update().get(pk=child.pk)  # one SDQ per child, day and respondent
    errors: dict[str, Any] = {}
    scores: dict[str, int] = {}
    if respondent not in sdq.RESPONDENTS:
        errors["respondent"] = "Select who completed the SDQ: the carer, a teacher or the young person"
    else:
        errors.update(_sdq_date_errors(child, respondent, completed_on))
    name = (completed_by_name or "").strip()
    if len(name) > 200:
        errors["completed_by_name"] = "The name of who completed it must be 200 characters or fewer"
    if (items is None) == (scales is None):
        both = "not both" if items is not None else "one of them"
        errors[NON_FIELD_ERRORS] = f"Give either the 25 item scores or the five scale scores ({both})"
    else:
        try:
            scores = sdq.scales_from_items(items) if items is not None else sdq.check_scales(scales or {})
        except ValidationError as exc:
            errors.update(exc.error_dict)
    if errors or completed_on is None:
        raise ValidationError(errors)
    if SdqScore.objects.filter(child=child, recorded_on=completed_on, respondent=respondent).exists():
        label = SdqScore.Respondent(respondent).label.lower()
        raise ValidationError(
            {
                "recorded_on": f"{child.display_name} already has a {label} SDQ completed on {completed_on.day} "
                f"{completed_on:%B %Y}: check the date"
            }
        )
    record = SdqScore(
        child=child,
        recorded_on=completed_on,
        respondent=respondent,
        completed_by_name=name,
        total_score=sdq.total_difficulties(scores),
        created_by=actor,
        modified_by=actor,
        **{s.field: scores[s.key] for s in sdq.SCALES},
    )
    if items is not None:
        for field, value in zip(sdq.ITEM_FIELDS, items, strict=True):
            setattr(record, field, value)
    record.full_clean(validate_unique=False, validate_constraints=False)  # both checked above, and by the database
    record.save()
    audit.record_create(actor, record, child_id=child.pk)
    return record


@transaction.atomic
def sdq_delete(*, actor: Any, record: SdqScore, reason: str) -> None:
    """Remove an SDQ recorded in error (the Virtual School only); the audit event keeps what it held and why."""
    require(actor, "children.delete_sdqscore", record.child)
    if not record.is_questionnaire:
        raise ValidationError(
            {NON_FIELD_ERRORS: "A total from the SSDA903 return is corrected in the return and imported again."}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the SDQ is being removed"})
    audit.record_delete(actor, record, child_id=record.child_id, context={"reason": reason[:500]})
    record.delete()


@transaction.atomic
def sdq_record_view(*, actor: Any, record: SdqScore) -> AuditEvent:
    """Record that `actor` looked at one SDQ in full, for the child's audit history."""
    return audit.record_view(actor, record, child_id=record.child_id, context={"page": "SDQ"})

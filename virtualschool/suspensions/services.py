"""Every write of suspensions, exclusions, risks and reduced timetables: permission, validation, the save, the
audit event, the notifications and the PEP review proposals, in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from virtualschool.children.models import Child
from virtualschool.core import audit
from virtualschool.core.calendar import SchoolCalendar, school_calendar
from virtualschool.core.models import AuditEvent, Notification
from virtualschool.core.notifications import notify, notify_many
from virtualschool.core.permissions import require
from virtualschool.core.selectors import policy_get
from virtualschool.core.signals import pep_review_proposed
from virtualschool.core.templatetags.govuk import govuk_date
from virtualschool.schools.models import School

from . import assess
from .codes import MAX_REASONS, REASONS, Category, GovernorsOutcome, LengthUnit, ReviewOutcome, reasons_text
from .models import (
    AGREEMENT_PARTIES,
    ExclusionRisk,
    ReducedTimetable,
    ReducedTimetableReview,
    Suspension,
    SuspensionPolicy,
)
from .selectors import schools_for_recording, suspension_policy

SUSPENSION_FIELDS = frozenset(
    {
        "school",
        "category",
        "decided_on",
        "start_date",
        "length_unit",
        "length",
        "reasons",
        "details",
        "vs_told_on",
        "social_worker_told_on",
        "reviewing_officer_told_on",
        "paperwork_received_on",
        "provision_day1",
        "provision_day6",
        "provision_day6_arranged_on",
        "reintegration_meeting_on",
        "reintegration_vs_invited",
        "reintegration_sw_invited",
        "reintegration_attendees",
        "is_final",
        "meeting_on",
        "meeting_social_worker",
        "meeting_carer",
        "meeting_reviewing_officer",
        "meeting_vs_lead",
        "meeting_school",
        "meeting_alternatives",
        "governors_meeting_on",
        "governors_outcome",
        "review_requested_on",
        "review_on",
        "review_outcome",
    }
)
TEXT_FIELDS = frozenset(
    {
        "details",
        "provision_day1",
        "provision_day6",
        "reintegration_attendees",
        "meeting_social_worker",
        "meeting_carer",
        "meeting_reviewing_officer",
        "meeting_vs_lead",
        "meeting_school",
        "meeting_alternatives",
        "governors_outcome",
        "review_outcome",
        "length_unit",
    }
)
DATE_FIELDS = (
    ("vs_told_on", "the date the Virtual School was told"),
    ("social_worker_told_on", "the date the social worker was told"),
    ("reviewing_officer_told_on", "the date the reviewing officer was told"),
    ("paperwork_received_on", "the date the paperwork arrived"),
    ("reintegration_meeting_on", "the date of the return meeting"),
    ("meeting_on", "the date of the multi-agency meeting"),
    ("governors_meeting_on", "the date of the governors' meeting"),
    ("review_requested_on", "the date the independent review was requested"),
    ("review_on", "the date of the independent review panel"),
)


def _child_url(child: Child) -> str:
    return reverse("suspensions:child", args=[child.pk])


def _require_school(actor: Any, school: School | None) -> None:
    if school is not None and not schools_for_recording(actor).filter(pk=school.pk).exists():
        raise PermissionDenied("You may record suspensions only for pupils of your own school.")


# ---------------------------------------------------------------------------------------------------------
# Suspensions and permanent exclusions
# ---------------------------------------------------------------------------------------------------------


def _validate_suspension(s: Suspension, today: dt.date, calendar: SchoolCalendar, policy: SuspensionPolicy) -> None:
    full_time_day = policy.full_time_from_school_day
    longest = Decimal(policy.year_days_maximum)  # one suspension cannot exceed the year's legal limit
    errors: dict[str, str] = {}
    if s.school_id is None:
        errors["school"] = "Select the school that suspended the child"
    if s.category not in Category.values:
        errors["category"] = "Select suspension or permanent exclusion"
    if s.start_date is None:
        errors["start_date"] = "Enter the first day of the suspension"
    if s.decided_on is None:
        s.decided_on = s.start_date
    if s.start_date and s.decided_on and s.decided_on > s.start_date:
        errors["decided_on"] = "The headteacher's decision must be on or before the first day of the suspension"
    if s.decided_on and s.decided_on > today:
        errors["decided_on"] = "The date of the decision must be today or in the past"
    reasons = s.reasons if isinstance(s.reasons, list) else []
    if not reasons:
        errors["reasons"] = "Select at least one reason from the census list"
    elif len(reasons) > MAX_REASONS:
        errors["reasons"] = f"Select up to {MAX_REASONS} reasons (the census records three)"
    elif unknown := [r for r in reasons if r not in REASONS]:
        errors["reasons"] = f"Unknown reason code {', '.join(map(str, unknown))}: use the census codes"
    elif len(set(reasons)) != len(reasons):
        errors["reasons"] = "Select each reason once"
    if s.category == Category.SUSPENSION:
        if s.length_unit not in LengthUnit.values:
            errors["length_unit"] = "Select whether the length is in school days or sessions"
        if s.length is None or s.length < 1:
            errors["length"] = "Enter how long the suspension is, 1 or more"
        elif s.length_unit == LengthUnit.DAYS and s.length > longest:
            errors["length"] = f"A suspension cannot be longer than {longest.normalize():f} school days"
        elif s.length_unit == LengthUnit.SESSIONS and s.length > longest * 2:
            errors["length"] = f"A suspension cannot be longer than {(longest * 2).normalize():f} sessions"
        for name in ("is_final", "governors_meeting_on", "review_requested_on", "review_on"):
            if getattr(s, name):
                errors[name] = "Only a permanent exclusion has a final decision, a governors' meeting or a review"
    else:
        s.length_unit, s.length = "", None
    for name, what in DATE_FIELDS:
        value = getattr(s, name)
        if value is None:
            continue
        if value > today:
            errors[name] = f"{what[0].upper()}{what[1:]} must be today or in the past"
        elif s.decided_on and value < s.decided_on and name not in {"meeting_on"}:
            errors[name] = f"{what[0].upper()}{what[1:]} must be on or after the headteacher's decision"
    if s.governors_outcome and s.governors_meeting_on is None:
        errors["governors_meeting_on"] = "Enter the date of the governors' meeting to record its outcome"
    if s.governors_outcome and s.governors_outcome not in GovernorsOutcome.values:
        errors["governors_outcome"] = "Select whether the governors upheld the exclusion or reinstated the pupil"
    if (s.review_requested_on or s.review_on) and s.governors_outcome != GovernorsOutcome.UPHELD:
        errors["review_requested_on"] = "An independent review follows only governors who upheld the exclusion"
    if s.review_on and s.review_requested_on is None:
        errors["review_requested_on"] = "Enter the date the independent review was requested"
    if s.review_on and s.review_requested_on and s.review_on < s.review_requested_on:
        errors["review_on"] = "The review panel must meet on or after the date it was requested"
    if s.review_requested_on and s.governors_meeting_on and s.review_requested_on < s.governors_meeting_on:
        errors["review_requested_on"] = "The review must be requested after the governors' meeting"
    if s.review_outcome and s.review_on is None:
        errors["review_on"] = "Enter the date of the independent review panel to record its outcome"
    if s.review_outcome and s.review_outcome not in ReviewOutcome.values:
        errors["review_outcome"] = "Select the panel's decision"
    if s.governors_meeting_on and not s.is_final:
        errors["governors_meeting_on"] = "Record the permanent exclusion as final before the governors' meeting"
    if errors:
        raise ValidationError(errors)
    if s.category == Category.PERMANENT and s.is_final:
        missing = assess.meeting_missing(s)
        if missing:
            raise ValidationError(
                {
                    "is_final": (
                        "A permanent exclusion cannot be recorded as final until the social worker, carer, "
                        "reviewing officer and Virtual School Lead have met the school to consider alternatives. "
                        f"Missing: {assess.join_words(missing)}."
                    )
                }
            )
    # The dates worked out from the school calendar.
    if s.category == Category.SUSPENSION:
        assert s.length is not None
        dates = assess.suspension_dates(
            calendar, start=s.start_date, unit=s.length_unit, length=s.length, full_time_day=full_time_day
        )
        s.end_date, s.school_days, s.full_time_from = dates.end_date, dates.school_days, dates.full_time_from
    else:
        s.end_date, s.school_days = None, None
        s.full_time_from = assess.permanent_exclusion_full_time_from(calendar, s.start_date, full_time_day)


def _clean_values(values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(values) - SUSPENSION_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be set here."))
    clean = dict(values)
    for name in TEXT_FIELDS & set(clean):
        clean[name] = (clean[name] or "").strip()
    if "reasons" in clean:
        clean["reasons"] = [str(r).strip().upper() for r in (clean["reasons"] or []) if str(r).strip()]
    return clean


@transaction.atomic
def suspension_create(*, actor: Any, child: Child, **values: Any) -> Suspension:
    """Record a suspension or permanent exclusion. The social worker is told at once (and the lead and the
    reviewing officer); an emergency PEP review is proposed, and another when it makes a pattern."""
    require(actor, "suspensions.add_suspension", child)
    values = _clean_values(values)
    _require_school(actor, values.get("school"))
    suspension = Suspension(child=child, created_by=actor, modified_by=actor, **values)
    policy = suspension_policy()
    calendar = school_calendar()
    _validate_suspension(suspension, timezone.localdate(), calendar, policy)
    suspension.save()
    audit.record_create(actor, suspension, child_id=child.pk)
    _tell_people(suspension)
    _propose_reviews(suspension, actor, calendar, policy)
    return suspension


@transaction.atomic
def suspension_update(*, actor: Any, suspension: Suspension, **values: Any) -> Suspension:
    """Record what followed: who was told when, the paperwork, provision, the return meeting; for a permanent
    exclusion the multi-agency meeting, the final decision, the governors and any independent review."""
    require(actor, "suspensions.change_suspension", suspension.child)
    _require_school(actor, suspension.school)
    values = _clean_values(values)
    if "school" in values:
        _require_school(actor, values["school"])
    suspension = Suspension.objects.select_for_update().get(pk=suspension.pk)
    before = audit.snapshot(suspension)
    for name, value in values.items():
        setattr(suspension, name, value)
    suspension.modified_by = actor
    policy = suspension_policy()
    calendar = school_calendar()
    _validate_suspension(suspension, timezone.localdate(), calendar, policy)
    suspension.save()
    audit.record_update(actor, suspension, before, child_id=suspension.child_id)
    return suspension


def _tell_people(suspension: Suspension) -> None:
    child = suspension.child
    what = "permanently excluded" if suspension.is_permanent else f"suspended for {suspension.length_text}"
    subject = f"{child.display_name} {what} from {suspension.school.name}"
    body = (
        f"{child.display_name} was {what} from {govuk_date(suspension.start_date)} by {suspension.school.name}. "
        f"Reasons: {reasons_text(suspension.reasons)}. "
    )
    if suspension.full_time_from:
        body += f"Full-time education must be in place from {govuk_date(suspension.full_time_from)}. "
    due = assess.paperwork_due(suspension.decided_on, suspension_policy().paperwork_hours)
    body += (
        f"The social worker tells the reviewing officer today; the school's paperwork is due by {govuk_date(due)}. "
        "Ask the designated teacher for the return meeting date: the Virtual School and the social worker are "
        "invited."
    )
    key = f"suspension:{suspension.pk}:recorded"
    url = _child_url(child)
    notify(child.social_worker, kind=Notification.Kind.ALERT, key=key, subject=subject, body=body, url=url, child=child)
    notify_many(
        [child.allocated_lead, child.reviewing_officer],
        kind=Notification.Kind.ALERT,
        key=key,
        subject=subject,
        body=body,
        url=url,
        child=child,
    )


def _propose_reviews(suspension: Suspension, actor: Any, calendar: SchoolCalendar, policy: Any) -> None:
    child = suspension.child
    if suspension.is_permanent:
        reason = f"Permanently excluded from {suspension.school.name} from {govuk_date(suspension.start_date)}."
    else:
        reason = f"Suspended for {suspension.length_text} from {govuk_date(suspension.start_date)}."
    pep_review_proposed.send(
        sender=Suspension,
        child=child,
        pep_type="emergency",
        trigger="suspension",
        reason=reason,
        raised_on=suspension.decided_on,
        source_key=f"suspension:{suspension.pk}",
        actor=actor,
    )
    history = list(Suspension.objects.filter(child=child))
    pattern = assess.find_pattern(
        history,
        calendar,
        in_term=policy.pattern_in_term,
        in_rolling=policy.pattern_in_rolling_period,
        rolling_months=policy.pattern_rolling_months,
    )
    if pattern is None or suspension.pk not in pattern.suspension_ids:
        return
    if pattern.kind == "term":
        source = f"suspension-pattern:{child.pk}:term:{calendar.term_for(suspension.start_date).key}"
    else:
        source = f"suspension-pattern:{child.pk}:rolling:{pattern.latest_id}"
    pep_review_proposed.send(
        sender=Suspension,
        child=child,
        pep_type="emergency",
        trigger="suspension-pattern",
        reason=f"A pattern of suspensions: {pattern.description}.",
        raised_on=suspension.decided_on,
        source_key=source,
        actor=actor,
    )


# ---------------------------------------------------------------------------------------------------------
# Risk of permanent exclusion
# ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def risk_record(
    *,
    actor: Any,
    child: Child,
    raised_on: dt.date | None,
    raised_by: str,
    school_said: str,
    school: School | None = None,
) -> ExclusionRisk:
    """Record that a school says a child is at risk of permanent exclusion; proposes an emergency PEP review."""
    require(actor, "suspensions.add_exclusionrisk", child)
    _require_school(actor, school)
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if raised_on is None:
        errors["raised_on"] = "Enter the date the risk was raised"
    elif raised_on > today:
        errors["raised_on"] = "The date the risk was raised must be today or in the past"
    raised_by, school_said = (raised_by or "").strip(), (school_said or "").strip()
    if not raised_by:
        errors["raised_by"] = "Enter who raised the risk, for example Jo Bell, headteacher"
    elif len(raised_by) > 200:
        errors["raised_by"] = "Who raised the risk must be 200 characters or fewer"
    if not school_said:
        errors["school_said"] = "Enter what the school said"
    if errors or raised_on is None:
        raise ValidationError(errors)
    risk = ExclusionRisk.objects.create(
        child=child,
        school=school,
        raised_on=raised_on,
        raised_by=raised_by,
        school_said=school_said,
        created_by=actor,
        modified_by=actor,
    )
    audit.record_create(actor, risk, child_id=child.pk)
    subject = f"{child.display_name} is at risk of permanent exclusion"
    notify_many(
        [child.social_worker, child.allocated_lead, child.reviewing_officer],
        kind=Notification.Kind.ALERT,
        key=f"exclusion-risk:{risk.pk}:recorded",
        subject=subject,
        body=f"Raised on {govuk_date(raised_on)} by {raised_by}: {school_said}",
        url=_child_url(child),
        child=child,
    )
    pep_review_proposed.send(
        sender=ExclusionRisk,
        child=child,
        pep_type="emergency",
        trigger="risk-of-exclusion",
        reason=f"At risk of permanent exclusion, raised on {govuk_date(raised_on)} by {raised_by}.",
        raised_on=raised_on,
        source_key=f"risk-of-exclusion:{risk.pk}",
        actor=actor,
    )
    return risk


@transaction.atomic
def risk_close(*, actor: Any, risk: ExclusionRisk, closed_on: dt.date | None, note: str = "") -> ExclusionRisk:
    require(actor, "suspensions.change_exclusionrisk", risk.child)
    _require_school(actor, risk.school)
    errors: dict[str, str] = {}
    if closed_on is None:
        errors["closed_on"] = "Enter the date the risk was closed"
    elif closed_on < risk.raised_on:
        errors["closed_on"] = f"The risk cannot close before it was raised on {govuk_date(risk.raised_on)}"
    elif closed_on > timezone.localdate():
        errors["closed_on"] = "The date the risk closed must be today or in the past"
    if risk.closed_on is not None:
        errors[NON_FIELD_ERRORS] = "This risk is already closed"
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(risk)
    risk.closed_on, risk.closed_note, risk.modified_by = closed_on, (note or "").strip(), actor
    risk.save()
    audit.record_update(actor, risk, before, child_id=risk.child_id)
    return risk


# ---------------------------------------------------------------------------------------------------------
# Reduced timetables
# ---------------------------------------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@transaction.atomic
def timetable_create(
    *,
    actor: Any,
    child: Child,
    hours_per_week: Any,
    start_date: dt.date | None,
    end_date: dt.date | None,
    review_dates: Iterable[dt.date],
    school: School | None = None,
    reason: str = "",
    pep_reference: str = "",
    pep_id: int | None = None,
    agreements: Mapping[str, str] | None = None,
) -> ReducedTimetable:
    """Record a reduced timetable: hours, start, the required end date and review dates, and who agreed it
    (`agreements` maps social_care, virtual_school, school and carer to the name of the person who agreed)."""
    require(actor, "suspensions.add_reducedtimetable", child)
    _require_school(actor, school)
    errors: dict[str, str] = {}
    hours = _decimal(hours_per_week)
    core = policy_get()
    start = start_date or timezone.localdate()
    full = assess.full_time_hours(
        child.nc_year(start), school_age=core.full_time_hours_school_age, post16=core.full_time_hours_post16
    )
    if hours is None:
        errors["hours_per_week"] = "Enter the hours a week, for example 15 or 12.5"
    elif hours <= 0 or hours != hours.quantize(Decimal("0.1")):
        errors["hours_per_week"] = "Hours a week must be more than 0, to one decimal place"
    elif full is not None and hours >= full:
        errors["hours_per_week"] = (
            f"{assess._n(hours)} hours is full-time for this child ({assess._n(full)} hours a week): "
            "a reduced timetable is fewer hours"
        )
    if start_date is None:
        errors["start_date"] = "Enter the date the reduced timetable starts"
    if end_date is None:
        errors["end_date"] = "Enter the agreed end date: a reduced timetable is only ever for a fixed term"
    elif start_date and end_date <= start_date:
        errors["end_date"] = "The end date must be after the start date"
    reviews = sorted(set(review_dates or []))
    if not reviews:
        errors["review_dates"] = "Enter at least one review date"
    elif start_date and end_date and any(d < start_date or d > end_date for d in reviews):
        errors["review_dates"] = "Each review date must be between the start and end dates"
    agreed = {key: (name or "").strip() for key, name in (agreements or {}).items()}
    unknown = set(agreed) - {key for key, _ in AGREEMENT_PARTIES}
    if unknown:
        errors["agreements"] = f"Unknown parties {', '.join(sorted(unknown))}"
    for key, _label in AGREEMENT_PARTIES:
        if len(agreed.get(key, "")) > 200:
            errors[f"agreed_{key}_by"] = "The name must be 200 characters or fewer"
    if start_date and end_date and not errors:
        overlapping = ReducedTimetable.objects.filter(child=child, start_date__lte=end_date).exclude(
            ended_on__lte=start_date
        )
        clash = [t for t in overlapping if (t.ended_on or t.end_date) >= start_date]
        if clash:
            errors["start_date"] = (
                f"{child.display_name} already has a reduced timetable from {govuk_date(clash[0].start_date)} to "
                f"{govuk_date(clash[0].ended_on or clash[0].end_date)}: end it first"
            )
    if errors or hours is None or start_date is None or end_date is None:
        raise ValidationError(errors)
    timetable = ReducedTimetable(
        child=child,
        school=school,
        hours_per_week=hours,
        start_date=start_date,
        end_date=end_date,
        reason=(reason or "").strip(),
        pep_reference=(pep_reference or "").strip()[:200],
        pep_id=pep_id,
        created_by=actor,
        modified_by=actor,
    )
    for key, _label in AGREEMENT_PARTIES:
        name = agreed.get(key, "")
        setattr(timetable, f"agreed_{key}", bool(name))
        setattr(timetable, f"agreed_{key}_by", name)
    timetable.save()
    ReducedTimetableReview.objects.bulk_create(ReducedTimetableReview(timetable=timetable, due_on=d) for d in reviews)
    audit.record_create(actor, timetable, child_id=child.pk, context={"review_dates": [d.isoformat() for d in reviews]})
    notify_many(
        [child.social_worker, child.allocated_lead],
        kind=Notification.Kind.ALERT,
        key=f"reduced-timetable:{timetable.pk}:recorded",
        subject=f"{child.display_name} is on a reduced timetable of {assess._n(hours)} hours a week",
        body=f"From {govuk_date(start_date)} to {govuk_date(end_date)}; first review {govuk_date(reviews[0])}.",
        url=_child_url(child),
        child=child,
    )
    return timetable


@transaction.atomic
def timetable_review_record(
    *,
    actor: Any,
    timetable: ReducedTimetable,
    held_on: dt.date | None,
    notes: str = "",
    next_review_on: dt.date | None = None,
    ended_on: dt.date | None = None,
) -> ReducedTimetable:
    """Record a review held (it answers the earliest review date outstanding), the next review date, and,
    when full-time education resumes, the date it ended."""
    require(actor, "suspensions.change_reducedtimetable", timetable.child)
    _require_school(actor, timetable.school)
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if held_on is None:
        errors["held_on"] = "Enter the date the review was held"
    elif held_on > today:
        errors["held_on"] = "The review date must be today or in the past"
    elif held_on < timetable.start_date:
        errors["held_on"] = "The review cannot be before the reduced timetable started"
    if next_review_on is not None and held_on is not None and next_review_on <= held_on:
        errors["next_review_on"] = "The next review must be after this one"
    if next_review_on is not None and next_review_on > timetable.end_date:
        errors["next_review_on"] = f"The next review must be by the agreed end date, {govuk_date(timetable.end_date)}"
    if ended_on is not None and ended_on < timetable.start_date:
        errors["ended_on"] = "Full-time education cannot resume before the reduced timetable started"
    if next_review_on is None and ended_on is None and held_on is not None and held_on < timetable.end_date:
        errors["next_review_on"] = "Enter the next review date, or the date full-time education resumed"
    if errors or held_on is None:
        raise ValidationError(errors)
    before = audit.snapshot(timetable)
    pending = timetable.reviews.filter(held_on__isnull=True).order_by("due_on").first()
    if pending is None:
        pending = ReducedTimetableReview(timetable=timetable, due_on=held_on)
    pending.held_on, pending.notes = held_on, (notes or "").strip()
    pending.save()
    if next_review_on is not None:
        ReducedTimetableReview.objects.create(timetable=timetable, due_on=next_review_on)
    if ended_on is not None:
        timetable.ended_on = ended_on
    timetable.modified_by = actor
    timetable.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        object_type=audit.object_type_of(timetable),
        object_id=timetable.pk,
        object_repr=str(timetable),
        child_id=timetable.child_id,
        changes={
            **audit.diff(before, audit.snapshot(timetable)),
            "review_held_on": [None, held_on.isoformat()],
            **({"next_review_on": [None, next_review_on.isoformat()]} if next_review_on else {}),
        },
    )
    return timetable


# ---------------------------------------------------------------------------------------------------------
# The policy
# ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def suspension_policy_update(*, actor: Any, **values: Any) -> Any:
    """Change the suspension policy's numbers (the head or an administrator)."""
    require(actor, "suspensions.change_suspensionpolicy")
    policy = suspension_policy()
    policy = type(policy).objects.select_for_update().get(pk=policy.pk)
    before = audit.snapshot(policy)
    for name, value in values.items():
        if name in {"id", "modified_at"} or not hasattr(policy, name):
            raise ValidationError({name: "This field cannot be set here."})
        setattr(policy, name, value)
    policy.full_clean()
    if policy.term_days_must_consider <= policy.term_days_if_parents_ask:
        raise ValidationError(
            {"term_days_must_consider": "This threshold must be above the one at which parents may ask"}
        )
    policy.save()
    audit.record_update(actor, policy, before)
    return policy

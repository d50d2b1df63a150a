"""Statutory duties as data: a rule per timed duty, and each child's clocks computed from their records.

A `DutyRule` names what starts its clock (an event kind), how long is allowed (a number and a unit), who owns
it (a role resolved to the child's person) and what meets it (another event kind). Event kinds come from the
registry in `duties/events.py`, which any app fills, so a rule is a row: adding one needs no schema change.
`DutyInstance` rows are the computed clocks, refreshed by `refresh_duties`; they are never counted up by hand.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class Unit(models.TextChoices):
    WORKING_DAYS = "working", "working days"
    SCHOOL_DAYS = "school", "school days"
    CALENDAR_DAYS = "calendar", "calendar days"
    WEEKS = "weeks", "weeks"
    MONTHS = "months", "months"
    TERMS = "terms", "terms (to the end of the term)"


class OwnerRole(models.TextChoices):
    LEAD = "lead", "Virtual School Lead"
    SOCIAL_WORKER = "social_worker", "Social worker"
    DESIGNATED_TEACHER = "designated_teacher", "Designated teacher"
    REVIEWING_OFFICER = "reviewing_officer", "Reviewing officer"
    HEAD = "head", "Virtual School Head"


class Recurrence(models.TextChoices):
    NONE = "", "Once for each start event"
    REPEAT = "repeat", "Again each period after the last due date, until the child leaves care"


class State(models.TextChoices):
    UPCOMING = "upcoming", "Upcoming"
    DUE = "due", "Due soon"
    MET_ON_TIME = "met_on_time", "Met on time"
    MET_LATE = "met_late", "Met late"
    OVERDUE = "overdue", "Overdue"


OPEN_STATES = frozenset({State.UPCOMING, State.DUE, State.OVERDUE})
DECIDED_STATES = frozenset({State.MET_ON_TIME, State.MET_LATE, State.OVERDUE})

# Conditions a rule may name; each is a test of the child on the clock's start date (see duties/engine.py).
CONDITIONS = {
    "looked_after": "Looked after by this authority",
    "school_age": "Of compulsory school age (years 1 to 11)",
    "post16": "Post-16 (year 12 or above)",
    "age_4_to_16": "Aged 4 to 16",
    "in_area": "At a school in the authority's area",
    "out_of_area": "At a school outside the authority's area",
}


class DutyRule(models.Model):
    """One timed duty from DUTIES.md (or added locally). Numbers are defaults an administrator may change."""

    slug = models.SlugField(max_length=80, unique=True, help_text="Stable name used by the API and reports")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="What the duty asks, in the service's words")
    source = models.CharField(max_length=200, help_text="Where the duty and its default come from, e.g. '002'")
    start_event = models.CharField(max_length=60, help_text="The event kind that starts the clock")
    duration = models.PositiveSmallIntegerField(default=0, help_text="How long is allowed (0: on the day)")
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.WORKING_DAYS)
    before_start = models.BooleanField(
        default=False, help_text="Due this long before the start event (for example before a care review)"
    )
    owner_role = models.CharField(max_length=20, choices=OwnerRole.choices, default=OwnerRole.LEAD)
    met_by_event = models.CharField(max_length=60, help_text="The event kind that meets the duty")
    recurrence = models.CharField(max_length=10, choices=Recurrence.choices, blank=True, default=Recurrence.NONE)
    conditions = models.JSONField(
        default=list, blank=True, help_text=f"Any of: {', '.join(sorted(CONDITIONS))} (all must hold)"
    )
    active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=100)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not isinstance(self.conditions, list) or not all(isinstance(c, str) for c in self.conditions):
            errors["conditions"] = 'Give a list of condition names, for example ["school_age"].'
        else:
            unknown = sorted(set(self.conditions) - set(CONDITIONS))
            if unknown:
                errors["conditions"] = f"Unknown condition {', '.join(unknown)}: use {', '.join(sorted(CONDITIONS))}."
        if self.start_event and self.start_event == self.met_by_event:
            errors["met_by_event"] = "The event that meets a duty must differ from the one that starts it."
        if self.recurrence == Recurrence.REPEAT and self.duration == 0:
            errors["duration"] = "A repeating duty needs a period longer than 0."
        if self.before_start and self.unit == Unit.TERMS:
            errors["unit"] = "A duty due before its start event is counted in days, weeks or months, not terms."
        if errors:
            raise ValidationError(errors)

    @property
    def timescale(self) -> str:
        """'20 working days', 'on the day', '3 calendar days before'."""
        if self.duration == 0:
            text = "on the day"
        elif self.unit == Unit.TERMS:
            text = (
                "by the end of the term" if self.duration == 1 else f"by the end of the term {self.duration} terms on"
            )
        else:
            label = Unit(self.unit).label
            if self.duration == 1:
                label = label.rstrip("s").replace("days", "day")
            text = f"{self.duration} {label}"
        if self.before_start and self.duration:
            text += " before"
        if self.recurrence == Recurrence.REPEAT:
            text += ", repeating"
        return text


class DutySettings(models.Model):
    """The duties engine's own numbers (one row, editable in the Django admin)."""

    due_soon_days = models.PositiveSmallIntegerField(
        default=7, help_text="A duty not yet met becomes 'due soon' this many calendar days before its due date"
    )
    history_years = models.PositiveSmallIntegerField(
        default=3, help_text="Clocks that started longer ago than this are not kept (repeating and termly duties)"
    )
    notify_first_seen_days = models.PositiveSmallIntegerField(
        default=7,
        help_text="A duty first computed already overdue is notified only if it fell due within this many days",
    )
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "duty settings"
        verbose_name_plural = "duty settings"

    def __str__(self) -> str:
        return "Duty settings"


class DutyInstance(models.Model):
    """One clock for one child: computed by the engine from the child's records, never edited by hand."""

    # No index of its own: the unique (child, rule, started_on) and (child, state, due_on) indexes serve it.
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="duty_instances", db_index=False)
    rule = models.ForeignKey(DutyRule, on_delete=models.CASCADE, related_name="instances", db_index=False)
    started_on = models.DateField(help_text="The date of the event that started the clock")
    due_on = models.DateField()
    met_on = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=12, choices=State.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="duties_owned"
    )
    reference = models.CharField(max_length=100, blank=True, help_text="The record that started the clock")
    met_reference = models.CharField(max_length=100, blank=True, help_text="The record that met it")
    # Where the child was at school when the clock started, for the compliance view (kept as it was then).
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    in_area = models.BooleanField(null=True)
    computed_on = models.DateField()

    class Meta:
        ordering = ["due_on", "rule__order"]
        constraints = [
            models.UniqueConstraint(fields=["child", "rule", "started_on"], name="duty_instance_one_clock"),
        ]
        indexes = [
            models.Index(fields=["child", "state", "due_on"], name="duty_child_state_due_idx"),
            models.Index(fields=["owner", "state", "due_on"], name="duty_owner_state_due_idx"),
            models.Index(fields=["rule", "due_on"], name="duty_rule_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} (due {self.due_on:%d %B %Y})"

"""Suspensions, permanent exclusions, risks of permanent exclusion and reduced (part-time) timetables.

The rules they follow (told on the day, paperwork within 48 hours, full-time education from the sixth school
day, the governors' thresholds, the multi-agency meeting before a permanent exclusion is final) are in
``rules.py`` and docs/suspensions-and-exclusions.md; the numbers are in ``SuspensionPolicy``.
"""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from virtualschool.children.models import Child
from virtualschool.core.models import TimeStampedModel
from virtualschool.schools.models import School

from .codes import Category, GovernorsOutcome, LengthUnit, ReviewOutcome


class SuspensionPolicy(models.Model):
    """The numbers the suspension rules use. One row; defaults from DUTIES.md and the DfE exclusion guidance."""

    paperwork_hours = models.PositiveSmallIntegerField(
        "hours the school has to send the suspension paperwork", default=48, validators=[MinValueValidator(1)]
    )
    full_time_from_school_day = models.PositiveSmallIntegerField(
        "school day of a suspension from which full-time education must be arranged",
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    term_days_if_parents_ask = models.DecimalField(
        "more than this many suspension days in a term: governors must consider reinstatement if parents ask",
        max_digits=4,
        decimal_places=1,
        default=5,
    )
    term_days_must_consider = models.DecimalField(
        "more than this many suspension days in a term: governors must consider reinstatement",
        max_digits=4,
        decimal_places=1,
        default=15,
    )
    year_days_maximum = models.DecimalField(
        "the most suspension days a pupil may have in one school year (the legal limit)",
        max_digits=4,
        decimal_places=1,
        default=45,
    )
    pattern_in_term = models.PositiveSmallIntegerField(
        "this many suspensions in one term is a pattern", default=2, validators=[MinValueValidator(2)]
    )
    pattern_in_rolling_period = models.PositiveSmallIntegerField(
        "this many suspensions in the rolling period is a pattern", default=3, validators=[MinValueValidator(2)]
    )
    pattern_rolling_months = models.PositiveSmallIntegerField(
        "months in the rolling period", default=12, validators=[MinValueValidator(1), MaxValueValidator(36)]
    )
    day6_due_soon_school_days = models.PositiveSmallIntegerField(
        "list day-6 provision as due this many school days before day 6", default=3
    )
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "suspension policy"
        verbose_name_plural = "suspension policy"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="suspension_policy_single_row")]

    def __str__(self) -> str:
        return "Suspension policy"


class Suspension(TimeStampedModel):
    """A suspension (census SUSP) or a permanent exclusion (PERM) of a child from a school."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="suspensions")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="suspensions")
    category = models.CharField(max_length=4, choices=Category.choices, default=Category.SUSPENSION)
    decided_on = models.DateField("date of the headteacher's decision")
    start_date = models.DateField("first day of the suspension")
    length_unit = models.CharField(max_length=8, choices=LengthUnit.choices, blank=True)
    length = models.PositiveSmallIntegerField(null=True, blank=True, help_text="In school days or sessions")
    # Worked out from the school calendar when saved (services.suspension_create): the last school day of the
    # suspension, its length in school days (a session is half a day) and the sixth school day.
    end_date = models.DateField(null=True, blank=True)
    school_days = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    full_time_from = models.DateField("full-time education from", null=True, blank=True)
    reasons = models.JSONField(default=list, help_text="Census reason codes, up to three")
    details = models.TextField("what happened", blank=True)

    vs_told_on = models.DateField("Virtual School told on", null=True, blank=True)
    social_worker_told_on = models.DateField("social worker told on", null=True, blank=True)
    reviewing_officer_told_on = models.DateField("reviewing officer told on", null=True, blank=True)
    paperwork_received_on = models.DateField("paperwork received on", null=True, blank=True)
    provision_day1 = models.TextField("education provided from the first day", blank=True)
    provision_day6 = models.TextField("full-time education arranged from the sixth day", blank=True)
    provision_day6_arranged_on = models.DateField(
        "full-time education from the sixth day arranged on", null=True, blank=True
    )

    reintegration_meeting_on = models.DateField("return meeting held on", null=True, blank=True)
    reintegration_vs_invited = models.BooleanField("Virtual School invited to the return meeting", default=False)
    reintegration_sw_invited = models.BooleanField("social worker invited to the return meeting", default=False)
    reintegration_attendees = models.TextField("who attended the return meeting", blank=True)

    # Permanent exclusion: the multi-agency meeting the seeds require before it is final (names of who attended).
    is_final = models.BooleanField(default=False, help_text="A permanent exclusion confirmed by the headteacher")
    meeting_on = models.DateField("multi-agency meeting held on", null=True, blank=True)
    meeting_social_worker = models.CharField("social worker at the meeting", max_length=200, blank=True)
    meeting_carer = models.CharField("carer at the meeting", max_length=200, blank=True)
    meeting_reviewing_officer = models.CharField("reviewing officer at the meeting", max_length=200, blank=True)
    meeting_vs_lead = models.CharField("Virtual School Lead at the meeting", max_length=200, blank=True)
    meeting_school = models.CharField("school at the meeting", max_length=200, blank=True)
    meeting_alternatives = models.TextField("alternatives considered", blank=True)
    governors_meeting_on = models.DateField("governors' meeting held on", null=True, blank=True)
    governors_outcome = models.CharField(max_length=12, choices=GovernorsOutcome.choices, blank=True)
    review_requested_on = models.DateField("independent review requested on", null=True, blank=True)
    review_on = models.DateField("independent review panel held on", null=True, blank=True)
    review_outcome = models.CharField(max_length=12, choices=ReviewOutcome.choices, blank=True)

    class Meta:
        ordering = ["-start_date", "-pk"]
        indexes = [models.Index(fields=["child", "start_date"]), models.Index(fields=["start_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="suspension_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        label = "Permanent exclusion" if self.is_permanent else "Suspension"
        return f"{label} from {self.start_date.day} {self.start_date:%B %Y}"

    @property
    def is_permanent(self) -> bool:
        return self.category == Category.PERMANENT

    @property
    def length_text(self) -> str:
        if self.is_permanent or self.length is None:
            return "Permanent"
        unit = "school day" if self.length_unit == LengthUnit.DAYS else "session"
        return f"{self.length} {unit}{'s' if self.length != 1 else ''}"


class ExclusionRisk(TimeStampedModel):
    """A school has said a child is at risk of permanent exclusion: the Virtual School acts before it happens."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="exclusion_risks")
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    raised_on = models.DateField("date raised")
    raised_by = models.CharField("raised by", max_length=200, help_text="Name and role")
    school_said = models.TextField("what the school said")
    closed_on = models.DateField(null=True, blank=True)
    closed_note = models.TextField("why it was closed", blank=True)

    class Meta:
        ordering = ["-raised_on", "-pk"]

    def __str__(self) -> str:
        return f"Risk of permanent exclusion raised {self.raised_on.day} {self.raised_on:%B %Y}"

    def is_open(self, on: dt.date) -> bool:
        return self.raised_on <= on and (self.closed_on is None or self.closed_on > on)


class ReducedTimetable(TimeStampedModel):
    """A part-time timetable: only multi-agency agreed, recorded in the PEP, for a fixed term, regularly reviewed."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="reduced_timetables")
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    hours_per_week = models.DecimalField(max_digits=4, decimal_places=1, validators=[MinValueValidator(0)])
    start_date = models.DateField()
    end_date = models.DateField("agreed end date")
    ended_on = models.DateField("date full-time education resumed", null=True, blank=True)
    reason = models.TextField("why a reduced timetable", blank=True)
    agreed_social_care = models.BooleanField(default=False)
    agreed_social_care_by = models.CharField(max_length=200, blank=True)
    agreed_virtual_school = models.BooleanField(default=False)
    agreed_virtual_school_by = models.CharField(max_length=200, blank=True)
    agreed_school = models.BooleanField(default=False)
    agreed_school_by = models.CharField(max_length=200, blank=True)
    agreed_carer = models.BooleanField(default=False)
    agreed_carer_by = models.CharField(max_length=200, blank=True)
    pep_reference = models.CharField("PEP it is recorded in", max_length=200, blank=True)
    pep_id = models.IntegerField(
        null=True,
        blank=True,
        help_text=(
            "The PEP that records this timetable, once the PEP app exists: an id in peps, kept as a plain "
            "integer (not a foreign key) so the two apps can be built apart; pep_reference is the text reference."
        ),
    )

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="reduced_timetable_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"Reduced timetable of {self.hours_per_week} hours from {self.start_date.day} {self.start_date:%B %Y}"

    def is_live(self, on: dt.date) -> bool:
        return self.start_date <= on and (self.ended_on is None or self.ended_on > on)


AGREEMENT_PARTIES = (
    ("social_care", "Social care"),
    ("virtual_school", "Virtual School"),
    ("school", "School"),
    ("carer", "Carer"),
)


class ReducedTimetableReview(models.Model):
    """A review date of a reduced timetable, and when it was held."""

    timetable = models.ForeignKey(ReducedTimetable, on_delete=models.CASCADE, related_name="reviews")
    due_on = models.DateField("review due on")
    held_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"Review due {self.due_on.day} {self.due_on:%B %Y}"

"""Escalation of concerns: ladders and their levels (data an administrator edits), concerns raised for a child as
they climb a ladder, the record of who was contacted and of the child's views, and how each person wants to be
told (immediately or in a daily digest).

A ladder is the authority's procedure for one failing party (ADR "escalation ladders and delivery"). An
escalation keeps one step per level it has reached; each step's due date is fixed when the level is entered, from
the level's time allowed as the ladder said then, so a later edit to a ladder never moves a deadline already
given to a partner.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from virtualschool.core.models import TimeStampedModel


class FailingParty(models.TextChoices):
    SCHOOL = "school", "School"
    SOCIAL_WORKER = "social_worker", "Social worker"
    FOSTER_CARER = "foster_carer", "Foster carer (in-house)"
    FOSTER_CARER_IFA = "foster_carer_ifa", "Foster carer (independent fostering agency)"
    PARENT = "parent", "Parent (child placed at home)"
    SEND_IN_AREA = "send_in_area", "SEND casework (in area)"
    SEND_OUT_OF_AREA = "send_out_of_area", "SEND casework (placed in another authority)"
    HEALTH = "health", "Health professionals"
    LOCAL_AUTHORITY = "local_authority", "The local authority (care planning)"
    PROFESSIONAL = "professional", "Placing authority or another professional"


class TimeUnit(models.TextChoices):
    WORKING = "working", "working days"
    SCHOOL = "school", "school days"
    CALENDAR = "calendar", "calendar days"
    WEEKS = "weeks", "weeks"


class Ladder(models.Model):
    """One escalation procedure: the failing party it is for, its levels and the rules for skipping them."""

    slug = models.SlugField(max_length=80, unique=True, help_text="Stable name used by the API; never change it")
    name = models.CharField(max_length=200)
    source = models.CharField(max_length=200, help_text="The policy it comes from, for example 002 Dorset")
    failing_party = models.CharField(max_length=20, choices=FailingParty.choices)
    summary = models.TextField(blank=True, help_text="When to use this ladder")
    order = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(default=True, help_text="Inactive ladders take no new concerns")
    may_skip = models.BooleanField(
        "levels may be skipped", default=False, help_text="A person may go straight to a higher level, with a reason"
    )
    skip_by = models.CharField("who may skip levels", max_length=300, blank=True)
    safeguarding_all_steps = models.BooleanField(
        "safeguarding: all steps at once",
        default=False,
        help_text="For a safeguarding matter any level may be reached at once (a reason is still recorded)",
    )
    safeguarding_note = models.TextField("safeguarding timescales", blank=True)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def skip_allowed(self, safeguarding: bool) -> bool:
        return self.may_skip or (safeguarding and self.safeguarding_all_steps)


class LadderLevel(models.Model):
    """A level of a ladder: who is responsible, who is copied, how long they have and what must be done there."""

    ladder = models.ForeignKey(Ladder, on_delete=models.CASCADE, related_name="levels")
    number = models.PositiveSmallIntegerField(help_text="0 for an informal stage, then 1, 2, 3 ...")
    name = models.CharField(max_length=200)
    responsible = models.CharField("responsible", max_length=300, help_text="Role or person who acts at this level")
    copied = models.CharField("copied in", max_length=300, blank=True)
    time_amount = models.PositiveSmallIntegerField(
        "time allowed", null=True, blank=True, validators=[MaxValueValidator(365)], help_text="Empty: no time limit"
    )
    time_unit = models.CharField(max_length=10, choices=TimeUnit.choices, default=TimeUnit.WORKING)
    safeguarding_time_amount = models.PositiveSmallIntegerField(
        "time allowed for a safeguarding matter",
        null=True,
        blank=True,
        validators=[MaxValueValidator(365)],
        help_text="Empty: the same as above; 0: at once",
    )
    safeguarding_time_unit = models.CharField(max_length=10, choices=TimeUnit.choices, default=TimeUnit.WORKING)
    time_note = models.CharField(max_length=300, blank=True, help_text="Where the time allowed comes from")
    actions = models.TextField("what must be done", blank=True, help_text="One action a line")
    responses = models.JSONField(
        "possible responses", default=list, blank=True, help_text="A list of the responses the holder may record"
    )
    ask_child_views = models.BooleanField("ask for the child's views", default=True)
    consider_reviewing_officer = models.BooleanField("consider telling the reviewing officer", default=False)
    repeats = models.BooleanField(
        default=False, help_text="When its time runs out the level starts again (a reminder) rather than moving up"
    )

    class Meta:
        ordering = ["ladder", "number"]
        constraints = [models.UniqueConstraint(fields=["ladder", "number"], name="ladder_level_number_unique")]

    def __str__(self) -> str:
        return f"{self.label}: {self.name}"

    @property
    def label(self) -> str:
        return "Informal stage" if self.number == 0 else f"Level {self.number}"

    @property
    def action_lines(self) -> list[str]:
        return [line.strip() for line in self.actions.splitlines() if line.strip()]

    def time_for(self, safeguarding: bool) -> tuple[int | None, str]:
        if safeguarding and self.safeguarding_time_amount is not None:
            return self.safeguarding_time_amount, self.safeguarding_time_unit
        return self.time_amount, self.time_unit

    def time_text(self, safeguarding: bool = False) -> str:
        amount, unit = self.time_for(safeguarding)
        if amount is None:
            return "No time limit"
        if amount == 0:
            return "At once"
        label = TimeUnit(unit).label
        if amount == 1:
            label = label.removesuffix("s")
        return f"{amount} {label}"


class Escalation(TimeStampedModel):
    """A concern raised for a child, climbing a ladder until it is resolved."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="escalations")
    ladder = models.ForeignKey(Ladder, on_delete=models.PROTECT, related_name="escalations")
    failing_party = models.CharField(max_length=20, choices=FailingParty.choices)
    party_name = models.CharField(
        "who is failing", max_length=200, blank=True, help_text="The school, service or person, by name"
    )
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="escalations"
    )
    summary = models.TextField("what is not happening")
    evidence = models.TextField(blank=True)
    arose_on = models.DateField("date the concern arose")
    safeguarding = models.BooleanField("a safeguarding matter", default=False)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="escalations_raised", db_index=False
    )
    raised_on = models.DateField()
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="escalations_held", db_index=False
    )
    current_step = models.OneToOneField(
        "EscalationStep", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(null=True, blank=True, help_text="The current level's due date (copied from its step)")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_on", "-id"]
        indexes = [
            models.Index(fields=["child", "status"], name="escalation_child_status"),
            models.Index(fields=["holder", "due_on"], name="escalation_open_holder", condition=Q(status="open")),
            models.Index(fields=["due_on"], name="escalation_open_due", condition=Q(status="open")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", resolved_on__isnull=True) | Q(status="resolved", resolved_on__isnull=False),
                name="escalation_resolved_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"Escalation {self.pk}: {self.get_failing_party_display()} ({self.ladder.name})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def is_overdue(self, on: dt.date) -> bool:
        return self.is_open and self.due_on is not None and on > self.due_on


class EscalationStep(models.Model):
    """An escalation at one level: when it reached it, how (raised, moved up, skipped, a reminder), and its due date."""

    class How(models.TextChoices):
        RAISED = "raised", "Raised"
        MOVED = "moved", "Moved up"
        SKIPPED = "skipped", "Skipped to this level"
        REMINDER = "reminder", "Reminder (the level starts again)"

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="steps")
    level = models.ForeignKey(LadderLevel, on_delete=models.PROTECT, related_name="+")
    how = models.CharField(max_length=10, choices=How.choices)
    entered_on = models.DateField()
    due_on = models.DateField(null=True, blank=True)
    timescale_note = models.CharField(max_length=300, blank=True, help_text="How the due date was set")
    reason = models.TextField(blank=True, help_text="Why levels were skipped, or the timescale changed")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    responses = models.JSONField(default=list, blank=True, help_text="The responses chosen at this level")
    response_note = models.TextField(blank=True)
    proposed_at = models.DateTimeField(null=True, blank=True, help_text="When the product proposed moving it up")
    left_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["escalation", "entered_on", "id"]

    def __str__(self) -> str:
        return f"{self.level.label} from {self.entered_on:%d %B %Y}"


class Contact(models.Model):
    """Who was contacted about an escalation, how and when, and what they said."""

    class Method(models.TextChoices):
        PHONE = "phone", "Phone"
        EMAIL = "email", "E-mail"
        LETTER = "letter", "Letter"
        MEETING = "meeting", "Meeting"
        OTHER = "other", "Other"

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="contacts")
    step = models.ForeignKey(EscalationStep, on_delete=models.PROTECT, related_name="contacts")
    person = models.CharField("who", max_length=200)
    role = models.CharField(max_length=200, blank=True)
    method = models.CharField("how", max_length=10, choices=Method.choices)
    contacted_on = models.DateField("when")
    asked = models.TextField("what was asked", blank=True)
    response = models.TextField("what they said", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["escalation", "contacted_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_method_display()} with {self.person}"


class ChildView(models.Model):
    """The child's views at a step, or why they could not be obtained."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="child_views")
    step = models.ForeignKey(EscalationStep, on_delete=models.PROTECT, related_name="child_views")
    recorded_on = models.DateField()
    views = models.TextField(blank=True)
    not_obtained_reason = models.TextField("why the views could not be obtained", blank=True)
    how_obtained = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["escalation", "recorded_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(views="") | ~Q(not_obtained_reason=""), name="child_view_has_views_or_reason"
            )
        ]

    def __str__(self) -> str:
        return f"Child's views of {self.recorded_on:%d %B %Y}"


class EscalationPolicy(models.Model):
    """The escalation and delivery numbers an administrator may change. One row."""

    due_soon_working_days = models.PositiveSmallIntegerField(
        "tell the holder this many working days before a level is due",
        default=2,
        validators=[MaxValueValidator(20)],
    )
    email_max_attempts = models.PositiveSmallIntegerField(
        "e-mail attempts before giving up", default=5, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    email_backoff_minutes = models.PositiveSmallIntegerField(
        "minutes before the first retry (doubling each time)",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(1440)],
    )
    email_lease_minutes = models.PositiveSmallIntegerField(
        "minutes a worker holds a claimed e-mail before another may retry it",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(1440)],
    )
    email_batch_size = models.PositiveSmallIntegerField(
        "e-mails a worker claims at once", default=50, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "escalation and notification policy"
        verbose_name_plural = "escalation and notification policy"

    def __str__(self) -> str:
        return "Escalation and notification policy"


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", "By e-mail as it happens"
    DIGEST = "digest", "In one e-mail a day (daily digest)"
    NONE = "none", "Not by e-mail (in the service only)"


class NotificationPreference(models.Model):
    """How one person wants notifications e-mailed to them. No row: the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    due_soon = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.DIGEST)
    overdue = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    other = models.CharField(
        "escalations, decisions and alerts", max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE
    )
    modified_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Notification preference of {self.user_id}"


class Digest(models.Model):
    """One person's daily digest e-mail: claimed by one worker, sent once, or retried with its error kept."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False)
    day = models.DateField()
    notification_ids = models.JSONField(default=list)
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_per_person_and_day")]

    def __str__(self) -> str:
        return f"Digest for {self.user_id} on {self.day}"

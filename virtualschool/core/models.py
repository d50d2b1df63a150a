"""The pieces every domain app stands on: the base model, audit events and service policy."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models


class TimeStampedModel(models.Model):
    """When a row was made and last changed, and by whom (services fill in the people).

    The people are convenience stamps: the audit trail is the record of who did what. They carry no index and
    no database constraint, because a bulk import writes hundreds of thousands of rows and each would cost an
    index entry and a deferred foreign-key check (ADR 5). Accounts are never deleted, so they stay valid.
    """

    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        abstract = True


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    # Audit rows are evidence: the product offers no way to change or remove them.
    def update(self, **kwargs: Any) -> int:
        raise PermissionDenied("Audit events cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionDenied("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    """One thing a person (or the system on their behalf) did or saw."""

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"
        VIEW = "view", "Viewed"
        EXPORT = "export", "Exported"
        LOGIN = "login", "Signed in"
        LOGOUT = "logout", "Signed out"
        LOGIN_FAILED = "login_failed", "Failed sign-in"
        IMPORT = "import", "Imported"

    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
        db_index=False,  # the (actor, occurred_at) index serves lookups by actor
        # No database constraint, like the people stamps (ADR 5): accounts are never deleted (PROTECT still
        # guards it in Django), and an import would otherwise pay a deferred check on every event it writes.
        db_constraint=False,
    )
    actor_label = models.CharField(max_length=200, help_text="Who acted, kept even if the account is renamed")
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=255, blank=True)
    # The child a record concerns, so that a child's page can show every read and write about them.
    child_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)
    context = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.get_action_display().lower()} {self.object_type} {self.object_id}"


la_code_validator = RegexValidator(r"^\d{3}$", "A local authority code is three digits, like 835.")


class ServicePolicy(models.Model):
    """The authority's own numbers. One row; defaults come from the source policies (DUTIES.md)."""

    authority_name = models.CharField(max_length=200, default="Exemplar County Council")
    la_code = models.CharField("home local authority code", max_length=3, default="999", validators=[la_code_validator])
    roll_duty_working_days = models.PositiveSmallIntegerField(
        "working days to add or remove a child after care status is received",
        default=3,
        validators=[MinValueValidator(0)],
    )
    full_time_hours_school_age = models.DecimalField(
        "full-time education, school age (hours a week)", max_digits=4, decimal_places=1, default=25
    )
    full_time_hours_post16 = models.DecimalField(
        "full-time education, post-16 (hours a week)", max_digits=4, decimal_places=1, default=16
    )
    in_care_long_term_months = models.PositiveSmallIntegerField(
        "months in care that count as 'in care 12 months or more'", default=12
    )
    sdq_carer_threshold = models.PositiveSmallIntegerField(
        "a carer's SDQ total difficulties above this asks for a school SDQ",
        default=14,
        validators=[MaxValueValidator(40)],
    )
    sdq_school_due_months = models.PositiveSmallIntegerField(
        "months the school has to complete that SDQ, from the carer's",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "service policy"
        verbose_name_plural = "service policy"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="service_policy_single_row")]

    def __str__(self) -> str:
        return f"Service policy for {self.authority_name}"


class Term(models.TextChoices):
    AUTUMN = "autumn", "Autumn"
    SPRING = "spring", "Spring"
    SUMMER = "summer", "Summer"


class SchoolTerm(models.Model):
    """One term of the authority's term dates. School days are the weekdays in a term, outside its half term,
    that are not bank holidays or closure days (core.calendar.SchoolCalendar)."""

    academic_year = models.PositiveSmallIntegerField(help_text="The calendar year the academic year starts in")
    term = models.CharField(max_length=10, choices=Term.choices)
    start_date = models.DateField("first day of term")
    end_date = models.DateField("last day of term")
    half_term_start = models.DateField("first day of half term", null=True, blank=True)
    half_term_end = models.DateField("last day of half term", null=True, blank=True)

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "term"], name="school_term_one_per_year"),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="term_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(half_term_start__isnull=True, half_term_end__isnull=True)
                | models.Q(
                    half_term_start__isnull=False,
                    half_term_end__gte=models.F("half_term_start"),
                    half_term_start__gte=models.F("start_date"),
                    half_term_end__lte=models.F("end_date"),
                ),
                name="half_term_inside_term",
                violation_error_message=(
                    "Half term must start and end inside the term, and needs both its first and last day."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_term_display()} term {self.academic_year}/{str(self.academic_year + 1)[-2:]}"


class SchoolClosure(models.Model):
    """Days in term when schools are closed to pupils across the authority (training days, an extra bank holiday)."""

    start_date = models.DateField("first day closed")
    end_date = models.DateField("last day closed")
    reason = models.CharField(max_length=200, help_text="For example staff training day")

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="closure_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reason} ({self.start_date:%-d %B %Y} to {self.end_date:%-d %B %Y})"


class Notification(models.Model):
    """A message to one person: in the service's notification list, and by e-mail when the worker sends it.

    ``key`` names the event it is about (for example "suspension:123:recorded"): one person is told about one
    event once, however often the code that notices the event runs.
    """

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", "Due soon"
        OVERDUE = "overdue", "Overdue"
        ESCALATION = "escalation", "Escalation"
        DECISION = "decision", "Decision"
        ALERT = "alert", "Alert"
        SUMMARY = "summary", "Summary"
        PROPOSAL = "proposal", "Proposal"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications", db_index=False
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=200, help_text="The event, so that nobody is told of it twice")
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True, help_text="A path in the service, for example /children/4/")
    child_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # E-mail delivery is the worker's: it claims a row, sends it and stamps it, or counts a failed attempt.
    email_wanted = models.BooleanField(default=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.CharField(max_length=500, blank=True)
    # The claim (escalations.delivery): a worker stamps its token and a lease; another worker may take the row
    # only once the lease has run out (a crashed worker's claim). Released in the transaction that stamps
    # emailed_at, or counts a failure and sets when to try again; after the last attempt, email_failed_at.
    email_claim_token = models.CharField(max_length=32, blank=True)
    email_claimed_until = models.DateTimeField(null=True, blank=True)
    email_next_attempt_at = models.DateTimeField(null=True, blank=True)
    email_failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_event")]
        indexes = [
            models.Index(fields=["recipient", "read_at", "created_at"], name="notification_inbox"),
            models.Index(
                fields=["created_at"],
                name="notification_email_pending",
                condition=models.Q(email_wanted=True, emailed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} (to {self.recipient_id})"

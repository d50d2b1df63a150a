"""Pupil Premium Plus: grant years, the ledger of money, applications to the panel, votes and decisions.

Money is integer pence everywhere (``*_pence`` fields, ``PositiveBigIntegerField`` or ``BigIntegerField``); it
is never a float or a Decimal, and is formatted as £1,234.56 only when shown (``money.format_pence``).

The remaining budget is never stored: it is the sum of the grant year's ledger (ADR "pupil premium ledger").
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from virtualschool.core.models import TimeStampedModel

# Published per-child rates for looked-after children (DfE conditions of grant), by grant year label.
PUBLISHED_PP_PLUS_RATES_PENCE = {"2024-25": 257_000, "2025-26": 263_000}
# Early Years Pupil Premium: up to 570 funded hours a year at the published hourly rate (2024-25 68p, 2025-26 £1).
PUBLISHED_EYPP_RATES_PENCE = {"2024-25": 38_760, "2025-26": 57_000}


class YearBasis(models.TextChoices):
    FINANCIAL = "financial", "Financial year (April to March)"
    ACADEMIC = "academic", "Academic year (September to August)"


class AllocationModel(models.TextChoices):
    TERMLY_PEP = "termly_pep", "Termly payment to the school when that term's PEP is at least adequate"
    BANDS = "bands", "Requests in fixed bands"
    APPLICATIONS = "applications", "Individual applications to the panel"


class Fund(models.TextChoices):
    PP_PLUS = "pp_plus", "Pupil Premium Plus"
    EYPP = "eypp", "Early Years Pupil Premium"


class InterventionType(models.TextChoices):
    TUITION = "tuition", "Tuition"
    MENTORING = "mentoring", "Mentoring"
    THERAPEUTIC = "therapeutic", "Therapeutic support"
    RESOURCES = "resources", "Resources and equipment"
    TRIPS = "trips", "Trips and enrichment"
    TRAINING = "training", "Training for staff"
    ASSESSMENT = "assessment", "Specialist assessment"
    TRANSITION = "transition", "Transition support"
    OTHER = "other", "Other"


class PupilPremiumPolicy(models.Model):
    """The authority's PP+ numbers. One row; defaults from DUTIES.md "Funding" (source 002)."""

    year_basis = models.CharField(
        "grant years run by", max_length=10, choices=YearBasis.choices, default=YearBasis.FINANCIAL
    )
    allocation_model = models.CharField(
        "allocation model for a new grant year",
        max_length=20,
        choices=AllocationModel.choices,
        default=AllocationModel.APPLICATIONS,
    )
    panel_members = models.PositiveSmallIntegerField(
        "members on each panel", default=3, validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    decision_quorum = models.PositiveSmallIntegerField(
        "agreeing unconnected members a decision needs", default=2, validators=[MinValueValidator(1)]
    )
    decision_visible_after_days = models.PositiveSmallIntegerField(
        "days after the panel decides that leads and designated teachers see the decision", default=1
    )
    panel_interval_days = models.PositiveSmallIntegerField("days between panels", default=7)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Pupil Premium Plus policy"
        verbose_name_plural = "Pupil Premium Plus policy"

    def __str__(self) -> str:
        return "Pupil Premium Plus policy"


class GrantYear(TimeStampedModel):
    """One year of the grant: its rates, the children counted on the census date and the allocation model.

    The row is also the lock every movement of money takes (``select_for_update``) so that two approvals at
    the same moment cannot both spend the last pound.
    """

    label = models.CharField(max_length=20, unique=True, help_text="For example 2025-26")
    basis = models.CharField(max_length=10, choices=YearBasis.choices, default=YearBasis.FINANCIAL)
    starts_on = models.DateField()
    ends_on = models.DateField()
    census_date = models.DateField(help_text="The day the eligible children are counted")
    rate_per_child_pence = models.PositiveBigIntegerField("PP+ rate per child (pence)")
    eypp_rate_per_child_pence = models.PositiveBigIntegerField("EYPP rate per child (pence)", default=0)
    eligible_children = models.PositiveIntegerField(default=0, help_text="Counted on the census date")
    eypp_eligible_children = models.PositiveIntegerField(default=0, help_text="Counted on the census date")
    counted_at = models.DateTimeField(null=True, blank=True)
    allocation_model = models.CharField(
        max_length=20, choices=AllocationModel.choices, default=AllocationModel.APPLICATIONS
    )
    is_current = models.BooleanField(default=False)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gt=models.F("starts_on")), name="grant_year_ends_after"),
            models.UniqueConstraint(
                fields=["is_current"], condition=models.Q(is_current=True), name="one_current_year"
            ),
        ]

    def __str__(self) -> str:
        return f"Grant year {self.label}"

    @property
    def pp_total_pence(self) -> int:
        return self.rate_per_child_pence * self.eligible_children

    @property
    def eypp_total_pence(self) -> int:
        return self.eypp_rate_per_child_pence * self.eypp_eligible_children


class TopSlicePurpose(TimeStampedModel):
    """Money the Virtual School Head retains centrally, and what it is for."""

    grant_year = models.ForeignKey(GrantYear, on_delete=models.CASCADE, related_name="top_slices")
    fund = models.CharField(max_length=10, choices=Fund.choices, default=Fund.PP_PLUS)
    purpose = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    amount_pence = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["grant_year", "purpose"]
        constraints = [models.UniqueConstraint(fields=["grant_year", "fund", "purpose"], name="top_slice_unique")]

    def __str__(self) -> str:
        return self.purpose


class TermAllocation(TimeStampedModel):
    """The amount passed to schools for each eligible child in one term of the grant year."""

    grant_year = models.ForeignKey(GrantYear, on_delete=models.CASCADE, related_name="term_allocations")
    academic_year = models.PositiveSmallIntegerField(help_text="The year the term's academic year began")
    term = models.CharField(max_length=10, choices=[("autumn", "Autumn"), ("spring", "Spring"), ("summer", "Summer")])
    per_child_pence = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["grant_year", "academic_year", "term"]
        constraints = [
            models.UniqueConstraint(fields=["grant_year", "academic_year", "term"], name="term_allocation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.term.capitalize()} {self.academic_year}"


class FundingBand(TimeStampedModel):
    """A fixed amount a request may ask for when the year's model is 'requests in fixed bands'."""

    grant_year = models.ForeignKey(GrantYear, on_delete=models.CASCADE, related_name="bands")
    label = models.CharField(max_length=100)
    amount_pence = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["grant_year", "amount_pence"]
        constraints = [models.UniqueConstraint(fields=["grant_year", "amount_pence"], name="band_amount_unique")]

    def __str__(self) -> str:
        return self.label


class Panel(TimeStampedModel):
    """A weekly meeting of the PP+ panel: three members (policy) who decide that week's applications."""

    grant_year = models.ForeignKey(GrantYear, on_delete=models.PROTECT, related_name="panels")
    meets_on = models.DateField(unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="pp_panels")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-meets_on"]

    def __str__(self) -> str:
        return f"Panel of {self.meets_on:%-d %B %Y}"


class Application(TimeStampedModel):
    """A request for funding for one child or a group, for an intervention that serves their targets."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Waiting for the panel"
        DEFERRED = "deferred", "Deferred with questions"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    grant_year = models.ForeignKey(GrantYear, on_delete=models.PROTECT, related_name="applications")
    fund = models.CharField(max_length=10, choices=Fund.choices, default=Fund.PP_PLUS)
    children = models.ManyToManyField("children.Child", related_name="pp_applications")
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="pp_applications"
    )
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pp_applications")
    intervention_type = models.CharField(max_length=20, choices=InterventionType.choices)
    provider = models.CharField(max_length=200)
    description = models.TextField(help_text="What the money pays for and why it will help")
    amount_pence = models.PositiveBigIntegerField("amount requested (pence)")
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    panel = models.ForeignKey(Panel, null=True, blank=True, on_delete=models.PROTECT, related_name="applications")
    approved_amount_pence = models.PositiveBigIntegerField(null=True, blank=True)
    submitted_on = models.DateField()
    answer_to_questions = models.TextField(blank=True)

    class Meta:
        ordering = ["-submitted_on", "-pk"]
        indexes = [models.Index(fields=["grant_year", "status"]), models.Index(fields=["panel", "status"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="pp_app_dates"),
            models.CheckConstraint(condition=models.Q(amount_pence__gt=0), name="pp_app_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"PP+ application {self.pk}: {self.get_intervention_type_display()} from {self.provider}"


class FundedTarget(TimeStampedModel):
    """A SMART target an application serves: the golden thread from the plan to the pound.

    ``pep_target_id`` will reference the PEP app's SMART target (``peps`` target id) once that app provides
    one; until then the target's text, measure, deadline and owner are kept here. The review (achieved,
    partly, not achieved) is recorded here for now; the PEP review will fill it in later.
    """

    class Outcome(models.TextChoices):
        ACHIEVED = "achieved", "Achieved"
        PARTLY = "partly", "Partly achieved"
        NOT_ACHIEVED = "not_achieved", "Not achieved"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="targets")
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="pp_targets")
    text = models.TextField("target")
    measure = models.CharField(max_length=300, help_text="How we will know it has been met")
    deadline = models.DateField()
    owner = models.CharField(max_length=200, help_text="Who is responsible for it")
    pep_target_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Will reference the PEP app's SMART target when that app provides it"
    )
    outcome = models.CharField(max_length=15, choices=Outcome.choices, blank=True)
    reviewed_on = models.DateField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["application", "deadline", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class ConflictDeclaration(TimeStampedModel):
    """A panel member's declared connection to a child: they cannot vote on any application for that child."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pp_conflicts")
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="pp_conflicts")
    reason = models.TextField()
    declared_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "child"], name="conflict_unique")]

    def __str__(self) -> str:
        return f"Conflict declared on {self.declared_on:%-d %B %Y}"


class Outcome(models.TextChoices):
    APPROVE = "approve", "Approve"
    APPROVE_AMOUNT = "approve_amount", "Approve a different amount"
    DEFER = "defer", "Defer with questions"
    DECLINE = "decline", "Decline with reasons"


class Vote(TimeStampedModel):
    """One panel member's vote on one application at one panel."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="votes")
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="votes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pp_votes")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    amount_pence = models.PositiveBigIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True)
    cast_at = models.DateTimeField()

    class Meta:
        ordering = ["cast_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["application", "panel", "member"], name="one_vote_each")]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} by {self.member}"


class Decision(TimeStampedModel):
    """What the panel decided, when, who agreed and why. Leads and designated teachers see it from `visible_on`."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="decisions")
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    amount_pence = models.PositiveBigIntegerField(null=True, blank=True)
    reasons = models.TextField(blank=True)
    decided_at = models.DateTimeField()
    visible_on = models.DateField(help_text="The day the lead and designated teacher are told")
    decided_by = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="pp_decisions")
    published_at = models.DateTimeField(null=True, blank=True, help_text="When the notifications were sent")

    class Meta:
        ordering = ["-decided_at"]
        constraints = [models.UniqueConstraint(fields=["application", "panel"], name="one_decision_per_panel")]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} on {self.decided_at:%-d %B %Y}"


class LedgerEntry(models.Model):
    """One movement of money in a grant year. Rows are only ever added; a correction is a new row.

    ``income`` adds to the total and ``reduction`` takes from it (a recount); ``commit`` reserves money (an
    approval); ``release`` returns a commitment; ``pay`` turns committed money into spend; ``spend`` spends
    directly (a termly payment, a central cost). remaining = total − committed − spent, where
    total = income − reduction, committed = commit − release − pay and spent = pay + spend.
    """

    class Kind(models.TextChoices):
        INCOME = "income", "Grant income"
        REDUCTION = "reduction", "Grant reduced"
        COMMIT = "commit", "Commitment"
        RELEASE = "release", "Commitment released"
        PAY = "pay", "Payment against a commitment"
        SPEND = "spend", "Direct spend"

    grant_year = models.ForeignKey(GrantYear, on_delete=models.PROTECT, related_name="ledger")
    fund = models.CharField(max_length=10, choices=Fund.choices, default=Fund.PP_PLUS)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount_pence = models.PositiveBigIntegerField()
    occurred_on = models.DateField()
    description = models.CharField(max_length=300)
    child = models.ForeignKey(
        "children.Child", null=True, blank=True, on_delete=models.PROTECT, related_name="pp_ledger"
    )
    school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    intervention_type = models.CharField(max_length=20, choices=InterventionType.choices, blank=True)
    purpose = models.ForeignKey(TopSlicePurpose, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    application = models.ForeignKey(Application, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger")
    term = models.CharField(max_length=20, blank=True, help_text="For a termly payment, e.g. 2025-autumn")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name_plural = "ledger entries"
        indexes = [models.Index(fields=["grant_year", "fund", "kind"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_pence__gt=0), name="ledger_amount_positive"),
            models.UniqueConstraint(
                fields=["grant_year", "child", "term"],
                condition=~models.Q(term=""),
                name="one_termly_payment_per_child",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.amount_pence}p"

"""Personal Education Plans: one a term for each child in care, their sections, targets, meeting and QA.

Terms are the authority's (core.SchoolTerm through core.calendar): a PEP names its academic year and term and
never keeps term dates of its own. Every row a person edits carries `version`, the optimistic-concurrency
counter services compare before they save (docs/adr/0011-peps-versions-and-concurrency.md).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from virtualschool.children.models import Child
from virtualschool.core.calendar import academic_year_label
from virtualschool.core.models import Term, TimeStampedModel
from virtualschool.schools.models import School


class PepPolicy(models.Model):
    """The PEP timings and thresholds (one row; defaults from DUTIES.md, editable in the Django admin)."""

    initial_start_working_days = models.PositiveSmallIntegerField(
        "initial PEP started within (working days of entering care)", default=10
    )
    initial_meeting_working_days = models.PositiveSmallIntegerField(
        "initial PEP meeting held within (working days of entering care)", default=20
    )
    change_of_school_working_days = models.PositiveSmallIntegerField(
        "new PEP after a change of school within (working days)", default=10
    )
    peps_per_year = models.PositiveSmallIntegerField("PEPs a year (one each term)", default=3)
    in_person_meetings_per_year = models.PositiveSmallIntegerField("meetings held in person each year", default=1)
    out_of_area_max_virtual_of_three = models.PositiveSmallIntegerField(
        "out-of-authority children: most virtual meetings of the last three",
        default=2,
        validators=[MaxValueValidator(3)],
    )
    qa_ready_days = models.PositiveSmallIntegerField(
        "ready for quality assurance within (days of the meeting)", default=20
    )
    reviewing_officer_days_before_review = models.PositiveSmallIntegerField(
        "PEP with the reviewing officer at least (days before the care review)", default=3
    )
    first_care_review_days = models.PositiveSmallIntegerField(
        "first care review (days after entering care)", default=28
    )
    second_care_review_months = models.PositiveSmallIntegerField(
        "second care review (months after the first)", default=3
    )
    later_care_review_months = models.PositiveSmallIntegerField("later care reviews (every so many months)", default=6)
    careers_from_year = models.SmallIntegerField("careers guidance from national curriculum year", default=9)
    qa_sample_percent = models.PositiveSmallIntegerField(
        "termly QA round: share of PEPs sampled (%)",
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    due_soon_days = models.PositiveSmallIntegerField("show as due soon within (days)", default=28)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "PEP policy"
        verbose_name_plural = "PEP policy"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="pep_policy_single_row")]

    def __str__(self) -> str:
        return "PEP policy"


class PepType(models.TextChoices):
    INITIAL = "initial", "Initial"
    TERMLY = "termly", "Termly review"
    INTERIM = "interim", "Interim (change of education provision)"
    EMERGENCY = "emergency", "Emergency"


class PepStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    MEETING_HELD = "meeting_held", "Meeting held"
    SUBMITTED = "submitted", "Submitted for quality assurance"
    RETURNED = "returned", "Returned with feedback"
    APPROVED = "approved", "Approved"


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class MeetingMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIRTUAL = "virtual", "Virtual"


class KeyStage(models.TextChoices):
    EARLY_YEARS = "eyfs", "Early years"
    KS1 = "ks1", "Key stage 1"
    KS2 = "ks2", "Key stage 2"
    KS3 = "ks3", "Key stage 3"
    KS4 = "ks4", "Key stage 4"
    POST16 = "post16", "Post-16"


class Pep(TimeStampedModel):
    """One child's plan for one term (initial and termly: one a term; interim and emergency beside them)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="peps")
    academic_year = models.PositiveSmallIntegerField(help_text="The calendar year the academic year starts in")
    term = models.CharField(max_length=10, choices=Term.choices)
    pep_type = models.CharField("type", max_length=10, choices=PepType.choices, default=PepType.TERMLY)
    status = models.CharField(max_length=15, choices=PepStatus.choices, default=PepStatus.NOT_STARTED)
    rag = models.CharField("RAG rating", max_length=5, choices=Rag.choices, blank=True)
    plan_version = models.PositiveSmallIntegerField(
        "plan version", default=1, help_text="Goes up when an approved PEP is changed"
    )
    version = models.PositiveIntegerField(default=1, help_text="Optimistic-concurrency counter")
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.PROTECT, related_name="peps", help_text="School at the time"
    )
    key_stage = models.CharField(max_length=6, choices=KeyStage.choices, blank=True)
    reason = models.TextField("why this PEP", blank=True, help_text="For an interim or emergency PEP")

    started_on = models.DateField(null=True, blank=True)
    # The meeting
    meeting_date = models.DateField(null=True, blank=True)
    meeting_time = models.TimeField(null=True, blank=True)
    meeting_venue = models.CharField("venue", max_length=200, blank=True)
    meeting_mode = models.CharField("in person or virtual", max_length=10, choices=MeetingMode.choices, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    invitees = models.TextField(blank=True, help_text="One a line: name, role and e-mail address")
    attendees = models.TextField(blank=True, help_text="Who came, one a line")
    meeting_notes = models.TextField(blank=True)
    meeting_held_on = models.DateField(null=True, blank=True)
    next_meeting_date = models.DateField(null=True, blank=True)

    submitted_on = models.DateField(null=True, blank=True)
    approved_on = models.DateField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    returned_reason = models.TextField(blank=True)
    records_snapshot = models.JSONField(
        default=list, blank=True, help_text="Attendance, suspensions and timetables as they stood at submission"
    )
    sdq_snapshot = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["child", "-academic_year", "-created_at"]
        verbose_name = "PEP"
        verbose_name_plural = "PEPs"
        indexes = [
            models.Index(fields=["child", "academic_year", "term"], name="pep_child_term_idx"),
            models.Index(fields=["academic_year", "term", "status"], name="pep_term_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "academic_year", "term"],
                condition=models.Q(pep_type__in=["initial", "termly"]),
                name="pep_one_termly_per_term",
                violation_error_message="This child already has a PEP for that term.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="approved") | ~models.Q(rag="red"),
                name="pep_red_not_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_pep_type_display()} PEP, {self.term_label}"

    @property
    def term_label(self) -> str:
        return f"{self.get_term_display()} term {academic_year_label(self.academic_year)}"

    @property
    def is_locked(self) -> bool:
        return self.status == PepStatus.APPROVED


class SectionKind(models.TextChoices):
    DESIGNATED_TEACHER = "designated_teacher", "Designated teacher"
    SOCIAL_WORKER = "social_worker", "Social worker"
    CHILD_VOICE = "child_voice", "The child's views"
    CARER = "carer", "Carer"


class PepSection(TimeStampedModel):
    """One author's part of a PEP: their answers (the questions are in peps/sections.py) and whether done."""

    pep = models.ForeignKey(Pep, on_delete=models.CASCADE, related_name="sections")
    kind = models.CharField(max_length=20, choices=SectionKind.choices)
    answers = models.JSONField(default=dict, blank=True)
    completed = models.BooleanField(default=False)
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    completed_by_name = models.CharField(
        "completed by (name)", max_length=200, blank=True, help_text="For example the carer, when entered for them"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["pep", "kind"]
        constraints = [models.UniqueConstraint(fields=["pep", "kind"], name="pep_section_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} section"


class Attainment(TimeStampedModel):
    """Current attainment in one subject against the aspirational target, on the key stage's scale."""

    pep = models.ForeignKey(Pep, on_delete=models.CASCADE, related_name="attainment")
    subject = models.CharField(max_length=100)
    current = models.CharField("working at", max_length=20)
    target = models.CharField("aspirational target", max_length=20)
    on_track = models.BooleanField("on track for the target", null=True, blank=True)
    comment = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["pep", "subject"]
        constraints = [models.UniqueConstraint(fields=["pep", "subject"], name="pep_attainment_one_per_subject")]

    def __str__(self) -> str:
        return f"{self.subject}: {self.current} (target {self.target})"


class PriorAttainment(TimeStampedModel):
    """The result at the end of an earlier key stage (kept with the child, shown on every PEP)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="prior_attainment")
    key_stage = models.CharField(max_length=6, choices=KeyStage.choices)
    subject = models.CharField(max_length=100)
    result = models.CharField(max_length=20)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["child", "key_stage", "subject"]
        constraints = [
            models.UniqueConstraint(fields=["child", "key_stage", "subject"], name="prior_attainment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_key_stage_display()} {self.subject}: {self.result}"


class TargetOutcome(models.TextChoices):
    ACHIEVED = "achieved", "Achieved"
    PARTLY = "partly", "Partly achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"


class Target(TimeStampedModel):
    """A SMART target: what, how it is measured, from what to what, by when, whose, and the PP+ behind it."""

    pep = models.ForeignKey(Pep, on_delete=models.CASCADE, related_name="targets")
    description = models.TextField("target")
    measure = models.CharField("how it is measured", max_length=300, blank=True)
    baseline = models.CharField("starting point", max_length=200, blank=True)
    target_value = models.CharField("target value", max_length=200, blank=True)
    deadline = models.DateField("by when", null=True, blank=True)
    owner = models.CharField("who is responsible", max_length=200, blank=True)
    ppplus_pence = models.PositiveIntegerField("PP+ funding (pence)", null=True, blank=True)
    funding_note = models.CharField("what the funding pays for", max_length=300, blank=True)
    outcome = models.CharField("outcome at review", max_length=15, choices=TargetOutcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    reviewed_in = models.ForeignKey(
        Pep, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviewed_targets", db_index=False
    )
    reviewed_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["pep", "deadline", "pk"]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def ppplus_pounds(self) -> str:
        if self.ppplus_pence is None:
            return ""
        return f"£{self.ppplus_pence // 100:,}.{self.ppplus_pence % 100:02d}"


class Action(TimeStampedModel):
    """Something a named professional will do, by a date."""

    pep = models.ForeignKey(Pep, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField("action")
    owner = models.CharField("who will do it", max_length=200)
    due_on = models.DateField("by when")
    done_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["pep", "due_on", "pk"]

    def __str__(self) -> str:
        return self.description[:80]


class PepEvent(models.Model):
    """A step in a PEP's life (the timeline)."""

    pep = models.ForeignKey(Pep, on_delete=models.CASCADE, related_name="events")
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    actor_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=15, choices=PepStatus.choices)
    title = models.CharField(max_length=200)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["pep", "-occurred_at", "-id"]

    def __str__(self) -> str:
        return self.title


class PepVersion(models.Model):
    """An approved PEP as it stood: the whole document, kept when the plan is changed after approval."""

    pep = models.ForeignKey(Pep, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    approved_on = models.DateField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    rag = models.CharField(max_length=5, choices=Rag.choices)
    document = models.JSONField()
    superseded_on = models.DateField(null=True, blank=True)
    change_reason = models.TextField(blank=True, help_text="Why the approved plan was reopened")

    class Meta:
        ordering = ["pep", "-number"]
        constraints = [models.UniqueConstraint(fields=["pep", "number"], name="pep_version_unique")]

    def __str__(self) -> str:
        return f"Version {self.number}"


class Delegation(TimeStampedModel):
    """A designated teacher lets a colleague at the same school complete their part, for named children
    and/or named parts of the PEP."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="pep_delegations")
    delegator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    delegate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pep_delegations")
    children = models.ManyToManyField(Child, blank=True, related_name="+")
    parts = models.JSONField(default=list, blank=True, help_text="Parts of the PEP; empty for every part")
    revoked_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["school", "-created_at"]

    def __str__(self) -> str:
        return f"{self.delegator} to {self.delegate}"


class CareReview(TimeStampedModel):
    """The date of one of a child's statutory care reviews, held or booked, as the reviewing officer gave it.

    A recorded date is preferred to the computed schedule (28 days, 3 months, then every 6 months)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="care_reviews")
    review_date = models.DateField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["child", "review_date"]
        constraints = [models.UniqueConstraint(fields=["child", "review_date"], name="care_review_unique")]

    def __str__(self) -> str:
        return f"Care review {self.review_date:%d %B %Y}"


class ProposalStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    DISMISSED = "dismissed", "Dismissed"


class PepProposal(TimeStampedModel):
    """The product suggests an interim or emergency PEP; a lead accepts (making the PEP) or dismisses it."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="pep_proposals")
    pep_type = models.CharField(max_length=10, choices=PepType.choices)
    trigger = models.CharField(max_length=50)
    reason = models.TextField()
    raised_on = models.DateField()
    source_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    decided_on = models.DateField(null=True, blank=True)
    dismiss_reason = models.TextField(blank=True)
    pep = models.ForeignKey(Pep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-raised_on", "-id"]
        indexes = [models.Index(fields=["status", "child"], name="pep_proposal_open_idx")]

    def __str__(self) -> str:
        return f"{self.get_pep_type_display()} PEP proposed: {self.reason}"


class QaCriterion(models.TextChoices):
    CHILD_VOICE = "child_voice", "Voice of the child"
    SMART_TARGETS = "smart_targets", "SMART targets"
    ATTAINMENT = "attainment", "Attainment data"
    PPPLUS_LINK = "ppplus_link", "PP+ linked to targets"
    ATTENDANCE = "attendance", "Attendance and exclusions addressed"
    ACTIONS = "actions", "Actions named"


class QaRating(models.TextChoices):
    MET = "met", "Met"
    PARTLY = "partly", "Partly met"
    NOT_MET = "not_met", "Not met"


class QaGrade(models.TextChoices):
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "ri", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"


class QaRound(TimeStampedModel):
    """A term's quality assurance: a sample of PEPs shared across the team."""

    academic_year = models.PositiveSmallIntegerField()
    term = models.CharField(max_length=10, choices=Term.choices)
    sample_percent = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-academic_year", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["academic_year", "term"], name="qa_round_one_per_term")]

    def __str__(self) -> str:
        return f"QA round, {self.get_term_display()} term {academic_year_label(self.academic_year)}"


class QaReview(TimeStampedModel):
    """One quality assurance of one PEP: each criterion rated, an overall grade and feedback."""

    pep = models.ForeignKey(Pep, on_delete=models.CASCADE, related_name="qa_reviews")
    qa_round = models.ForeignKey(QaRound, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(max_length=10, choices=QaGrade.choices, blank=True)
    feedback = models.TextField("feedback to the designated teacher", blank=True)
    completed_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["pep", "-completed_on", "-id"]

    def __str__(self) -> str:
        return f"QA of {self.pep}"


class QaCriterionRating(models.Model):
    review = models.ForeignKey(QaReview, on_delete=models.CASCADE, related_name="ratings")
    criterion = models.CharField(max_length=20, choices=QaCriterion.choices)
    rating = models.CharField(max_length=10, choices=QaRating.choices)
    comment = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["review", "criterion"]
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="qa_rating_one_per_criterion")]

    def __str__(self) -> str:
        return f"{self.get_criterion_display()}: {self.get_rating_display()}"

"""Children on the Virtual School roll, their periods in care and what the care record says of them."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from virtualschool.core.calendar import add_months, national_curriculum_year, working_days_between
from virtualschool.core.models import TimeStampedModel

from . import codes


class Cohort(models.TextChoices):
    LOOKED_AFTER = "cla", "Looked after by this authority"
    PREVIOUSLY_LOOKED_AFTER = "plac", "Previously looked after (advice only)"
    OTHER_AUTHORITY = "ola", "Looked after by another authority (advice only)"


class Gender(models.TextChoices):
    MALE = "M", "Male"
    FEMALE = "F", "Female"
    OTHER = "O", "Other"
    UNKNOWN = "U", "Not known"


class SenStatus(models.TextChoices):
    NONE = "N", "No special educational needs"
    SEN_SUPPORT = "K", "SEN support"
    EHCP = "E", "Education, health and care plan"


class ClosureReason(models.TextChoices):
    RETURNED_HOME = "returned_home", "Returned home"
    ADOPTED = "adopted", "Adopted"
    SPECIAL_GUARDIANSHIP = "sgo", "Special guardianship order"
    CHILD_ARRANGEMENTS = "cao", "Child arrangements order"
    AGED_OUT = "aged_out", "Reached 18 / left care"
    MOVED_AUTHORITY = "moved_authority", "Moved to another authority's care"
    ADVICE_ENDED = "advice_ended", "Advice no longer needed"
    DUPLICATE = "duplicate", "Duplicate record"
    OTHER = "other", "Other"


class PermanenceOrder(models.TextChoices):
    ADOPTION = "adoption", "Adoption order"
    SPECIAL_GUARDIANSHIP = "sgo", "Special guardianship order"
    CHILD_ARRANGEMENTS = "cao", "Child arrangements order"
    ADOPTED_ABROAD = "abroad", "Adopted from state care outside England and Wales"


UNKNOWN_UPNS = frozenset({"UN1", "UN2", "UN3", "UN4", "UN5"})


def upn_problem(upn: str) -> str:
    """Why a UPN needs correcting, or "" when it is valid or a recognised 'unknown' code (UN1–UN5).

    Format and check letter are tested with python-stdnum. Its list of LA numbers predates authorities
    formed since 2019 (838 Dorset, 839 BCP, 940–943 …), so an unknown LA number alone is not an error.
    """
    from stdnum import exceptions
    from stdnum.gb import upn as stdnum_upn

    value = (upn or "").strip().upper()
    if not value or value in UNKNOWN_UPNS:
        return ""
    try:
        stdnum_upn.validate(value)
    except exceptions.InvalidLength:
        return "A UPN has 13 characters: a check letter, then 12 digits (the last may be a letter)."
    except exceptions.InvalidFormat:
        return "A UPN is a check letter, 11 digits and a final digit or letter."
    except exceptions.InvalidChecksum:
        return "The check letter does not match the rest of the UPN: check for a mistyped character."
    except exceptions.InvalidComponent:
        if stdnum_upn.calc_check_digit(value[1:]) != value[0]:
            return "The check letter does not match the rest of the UPN: check for a mistyped character."
    except exceptions.ValidationError:
        return "This is not a valid UPN."
    return ""


class Child(TimeStampedModel):
    """A child on the roll (or given advice). Fields follow the Virtual School's child-level record."""

    cohort = models.CharField(max_length=4, choices=Cohort.choices, default=Cohort.LOOKED_AFTER)
    social_care_reference = models.CharField(
        "social care reference", max_length=20, help_text="The child's id in the social care system"
    )
    first_name = models.CharField(max_length=100)
    middle_names = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField("used name or alias", max_length=100, blank=True)
    gender = models.CharField(max_length=1, choices=Gender.choices, default=Gender.UNKNOWN)
    date_of_birth = models.DateField()
    upn = models.CharField("UPN", max_length=13, blank=True, help_text="Stored in capitals without spaces")
    upn_needs_correction = models.BooleanField(
        "UPN needs correction", default=False, help_text="Set when the UPN fails its format or check-letter test"
    )
    ethnicity = models.CharField(max_length=4, blank=True, choices=sorted(codes.ETHNICITY.items()))
    english_additional_language = models.BooleanField("English as an additional language", null=True, blank=True)
    sen_status = models.CharField("SEND status", max_length=1, choices=SenStatus.choices, default=SenStatus.NONE)
    sen_primary_need = models.CharField(
        "primary need", max_length=4, blank=True, choices=sorted(codes.SEN_PRIMARY_NEED.items())
    )
    ehcp_review_date = models.DateField("EHCP annual review date", null=True, blank=True)
    uasc = models.BooleanField("unaccompanied asylum-seeking child", default=False)
    uasc_ceased_on = models.DateField("date UASC status ceased", null=True, blank=True)
    neet = models.BooleanField("not in education, employment or training", default=False)

    date_first_entered_care = models.DateField("date first entered care", null=True, blank=True)
    period_of_care_start = models.DateField(
        "date current period of care began", null=True, blank=True, help_text="Kept in step with care episodes"
    )

    allocated_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="caseload",
        verbose_name="Virtual School Lead",
        db_index=False,  # the (allocated_lead, closed_on) index serves it
    )
    social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocated_children",
        verbose_name="social worker or personal adviser",
        db_index=False,  # a partial index (children with one) serves it
    )
    reviewing_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviewed_children",
        verbose_name="independent reviewing officer",
        db_index=False,  # a partial index (children with one) serves it
    )
    supervising_social_worker_name = models.CharField(max_length=200, blank=True)
    supervising_social_worker_phone = models.CharField(max_length=40, blank=True)
    supervising_social_worker_email = models.EmailField(blank=True)
    carer_name = models.CharField(max_length=200, blank=True)
    carer_relationship = models.CharField(
        max_length=100, blank=True, help_text="For example foster carer, kinship carer, children's home"
    )
    carer_phone = models.CharField(max_length=40, blank=True)
    carer_email = models.EmailField(blank=True)
    carer_address = models.TextField(blank=True)

    # The roll duty: how long it took to add (or remove) the child once social care told us.
    care_status_received_on = models.DateField("date care status received", null=True, blank=True)
    added_to_roll_on = models.DateField("date added to the roll", null=True, blank=True)
    closure_notified_on = models.DateField("date closure received from social care", null=True, blank=True)
    closed_on = models.DateField("closure date", null=True, blank=True)
    removed_from_roll_on = models.DateField("date removed from the roll", null=True, blank=True)
    closure_reason = models.CharField(max_length=20, choices=ClosureReason.choices, blank=True)

    # Previously looked-after children: advice only, with consent.
    permanence_order = models.CharField(max_length=10, choices=PermanenceOrder.choices, blank=True)
    parental_responsibility_holder = models.CharField(max_length=200, blank=True)
    consent_given_on = models.DateField("date consent given", null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    # Looked after by another authority, at school here: advice only, with their Virtual School's contact.
    home_authority_name = models.CharField(max_length=200, blank=True)
    home_virtual_school_contact = models.CharField(max_length=200, blank=True)
    home_virtual_school_email = models.EmailField(blank=True)
    home_virtual_school_phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name_plural = "children"
        # Few indexes on purpose: each is paid for on every row an SSDA903 import writes. Name search is a
        # substring match that no b-tree index helps; UPNs are stored normalised, so an exact match uses one.
        # Allocations and closures are partial indexes: a child the 903 has just created has none, so its row
        # costs them nothing, and a lookup by a person (or a closure date range) implies the value is set.
        indexes = [
            models.Index(
                fields=["allocated_lead", "closed_on"],
                name="child_lead_closed_idx",
                condition=models.Q(allocated_lead__isnull=False),
            ),
            models.Index(
                fields=["social_worker"],
                name="child_social_worker_idx",
                condition=models.Q(social_worker__isnull=False),
            ),
            models.Index(
                fields=["reviewing_officer"],
                name="child_reviewing_officer_idx",
                condition=models.Q(reviewing_officer__isnull=False),
            ),
            models.Index(fields=["closed_on"], name="child_closed_on_idx", condition=models.Q(closed_on__isnull=False)),
            models.Index(fields=["upn"], name="child_upn_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["social_care_reference"], name="child_social_care_reference_unique"),
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True) | ~models.Q(closure_reason=""),
                name="child_closure_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.first_name
        return f"{first} {self.last_name}"

    @property
    def legal_name(self) -> str:
        return " ".join(p for p in [self.first_name, self.middle_names, self.last_name] if p)

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    @property
    def has_send(self) -> bool:
        return self.sen_status != SenStatus.NONE

    def upn_problem(self) -> str:
        return upn_problem(self.upn)

    @property
    def upn_is_unknown_code(self) -> bool:
        return self.upn.upper() in UNKNOWN_UPNS

    def age_on(self, on: dt.date) -> int:
        years = on.year - self.date_of_birth.year
        if (on.month, on.day) < (self.date_of_birth.month, self.date_of_birth.day):
            years -= 1
        return years

    def nc_year(self, on: dt.date) -> int:
        return national_curriculum_year(self.date_of_birth, on)

    def is_school_age(self, on: dt.date) -> bool:
        """Compulsory school age, taken as national curriculum years 1 to 11."""
        return 1 <= self.nc_year(on) <= 11

    def is_post16(self, on: dt.date) -> bool:
        return self.nc_year(on) >= 12

    def age_into_care(self) -> int | None:
        start = self.date_first_entered_care or self.period_of_care_start
        return self.age_on(start) if start else None

    def days_in_care(self, on: dt.date) -> int | None:
        if not self.period_of_care_start:
            return None
        end = self.closed_on or on
        return max((end - self.period_of_care_start).days, 0)

    def in_care_for_months(self, months: int, on: dt.date) -> bool:
        if not self.period_of_care_start or self.cohort != Cohort.LOOKED_AFTER:
            return False
        anniversary = add_months(self.period_of_care_start, months)
        return (self.closed_on or on) >= anniversary

    def roll_entry_working_days(self) -> int | None:
        if self.care_status_received_on and self.added_to_roll_on:
            return working_days_between(self.care_status_received_on, self.added_to_roll_on)
        return None

    def roll_exit_working_days(self) -> int | None:
        if self.closure_notified_on and self.removed_from_roll_on:
            return working_days_between(self.closure_notified_on, self.removed_from_roll_on)
        return None


class CareEpisode(TimeStampedModel):
    """One SSDA903 episode: a period under one legal status in one care placement."""

    # No index of its own: the unique (child, start_date) constraint's index already serves lookups by child,
    # and a second one only slows the SSDA903 import (250,000 episodes).
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="care_episodes", db_index=False)
    start_date = models.DateField("start date (DECOM)")
    end_date = models.DateField("end date (DEC)", null=True, blank=True)
    reason_new_episode = models.CharField("reason for new episode (RNE)", max_length=2, blank=True)
    legal_status = models.CharField(max_length=3, choices=sorted(codes.LEGAL_STATUS.items()))
    category_of_need = models.CharField("category of need (CIN)", max_length=2, blank=True)
    placement_type = models.CharField("placement type (PLACE)", max_length=3, blank=True)
    placement_provider = models.CharField(max_length=3, blank=True)
    reason_ended = models.CharField("reason episode ceased (REC)", max_length=4, blank=True)
    reason_place_change = models.CharField("reason for placement change", max_length=6, blank=True)
    home_postcode = models.CharField(max_length=10, blank=True)
    placement_postcode = models.CharField(max_length=10, blank=True)
    placement_urn = models.CharField("care placement Ofsted URN", max_length=10, blank=True)

    class Meta:
        ordering = ["child", "start_date"]
        constraints = [
            models.UniqueConstraint(fields=["child", "start_date"], name="care_episode_child_start_unique"),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="care_episode_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.legal_status} from {self.start_date:%d %B %Y}"

    @property
    def is_open(self) -> bool:
        return self.end_date is None


def _item_field(number: int) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        f"item {number}", null=True, blank=True, validators=[MaxValueValidator(2)], help_text="0, 1 or 2 as ticked"
    )


def _scale_field(label: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label, null=True, blank=True, validators=[MaxValueValidator(10)])


class SdqScore(TimeStampedModel):
    """A Strengths and Difficulties Questionnaire: the total difficulties score (0–40), or why there is none.

    One history for two sources. The SSDA903 return (OC2) gives a carer's total alone, recorded on the 31 March
    that ends the collection year. A questionnaire recorded here also keeps its five scale scores and, when
    entered item by item, the 25 answers as ticked (0, 1 or 2, before reverse-scoring), so it can be rescored.
    Only numbers are stored: the questionnaire's wording is copyright. Scoring and bands: children/sdq.py.
    """

    class Respondent(models.TextChoices):
        CARER = "carer", "Carer or parent"
        TEACHER = "teacher", "Teacher"
        YOUNG_PERSON = "self", "Young person (self-report)"

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="sdq_scores")
    recorded_on = models.DateField("date completed")
    respondent = models.CharField("completed by", max_length=10, choices=Respondent.choices, default=Respondent.CARER)
    completed_by_name = models.CharField(
        "name of who completed it", max_length=200, blank=True, help_text="For example 'Sam Carter, foster carer'"
    )
    total_score = models.PositiveSmallIntegerField(
        "total difficulties", null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(40)]
    )
    reason_not_recorded = models.CharField(max_length=4, blank=True, help_text="SSDA903 SDQ_REASON, e.g. SDQ1")
    source = models.CharField(max_length=40, blank=True, help_text="For example 'SSDA903 OC2'")

    emotional_score = _scale_field("emotional symptoms")
    conduct_score = _scale_field("conduct problems")
    hyperactivity_score = _scale_field("hyperactivity and inattention")
    peer_score = _scale_field("peer relationship problems")
    prosocial_score = _scale_field("prosocial behaviour")

    item_1 = _item_field(1)
    item_2 = _item_field(2)
    item_3 = _item_field(3)
    item_4 = _item_field(4)
    item_5 = _item_field(5)
    item_6 = _item_field(6)
    item_7 = _item_field(7)
    item_8 = _item_field(8)
    item_9 = _item_field(9)
    item_10 = _item_field(10)
    item_11 = _item_field(11)
    item_12 = _item_field(12)
    item_13 = _item_field(13)
    item_14 = _item_field(14)
    item_15 = _item_field(15)
    item_16 = _item_field(16)
    item_17 = _item_field(17)
    item_18 = _item_field(18)
    item_19 = _item_field(19)
    item_20 = _item_field(20)
    item_21 = _item_field(21)
    item_22 = _item_field(22)
    item_23 = _item_field(23)
    item_24 = _item_field(24)
    item_25 = _item_field(25)

    class Meta:
        ordering = ["child", "-recorded_on"]
        constraints = [
            models.UniqueConstraint(fields=["child", "recorded_on", "respondent"], name="sdq_one_per_day_respondent"),
            models.CheckConstraint(
                condition=models.Q(total_score__isnull=True) | models.Q(total_score__lte=40),
                name="sdq_total_at_most_40",
            ),
            # A questionnaire recorded here has all five scales, and its total is theirs.
            models.CheckConstraint(
                condition=models.Q(
                    emotional_score__isnull=True,
                    conduct_score__isnull=True,
                    hyperactivity_score__isnull=True,
                    peer_score__isnull=True,
                    prosocial_score__isnull=True,
                )
                | models.Q(
                    emotional_score__isnull=False,
                    conduct_score__isnull=False,
                    hyperactivity_score__isnull=False,
                    peer_score__isnull=False,
                    prosocial_score__isnull=False,
                    total_score__isnull=False,
                    emotional_score__lte=10,
                    conduct_score__lte=10,
                    hyperactivity_score__lte=10,
                    peer_score__lte=10,
                    prosocial_score__lte=10,
                    total_score=models.F("emotional_score")
                    + models.F("conduct_score")
                    + models.F("hyperactivity_score")
                    + models.F("peer_score"),
                ),
                name="sdq_scales_whole_and_total_is_their_sum",
            ),
            models.CheckConstraint(
                condition=models.Q(**{f"item_{n}__lte": 2 for n in range(1, 26)}),
                name="sdq_items_0_to_2",
            ),
        ]

    def __str__(self) -> str:
        score = self.total_score if self.total_score is not None else f"not recorded ({self.reason_not_recorded})"
        return f"{self.get_respondent_display()} SDQ of {self.recorded_on.day} {self.recorded_on:%B %Y}: {score}"

    @property
    def item_scores(self) -> list[int | None]:
        """The 25 answers as ticked, item 1 first (None where left blank or not entered)."""
        return [getattr(self, f"item_{n}") for n in range(1, 26)]

    @property
    def scale_scores(self) -> dict[str, int] | None:
        """The five scale scores by scale key, or None for a total alone (from the SSDA903 return)."""
        if self.emotional_score is None:
            return None
        return {
            "emotional": self.emotional_score,
            "conduct": self.conduct_score,
            "hyperactivity": self.hyperactivity_score,
            "peer": self.peer_score,
            "prosocial": self.prosocial_score,
        }

    @property
    def entered_as(self) -> str:
        """How it was recorded: 'items' (the 25 answers), 'scales' (five scale scores) or 'total' (a total alone)."""
        if any(v is not None for v in self.item_scores):
            return "items"
        if self.emotional_score is not None:
            return "scales"
        return "total"

    @property
    def is_questionnaire(self) -> bool:
        """Recorded here from the questionnaire itself (scales or items), not a total from a return."""
        return self.emotional_score is not None

"""Where a child learns: current and past education placements, and how they were admitted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models

from virtualschool.children.models import Child
from virtualschool.core.models import TimeStampedModel
from virtualschool.schools.models import OfstedRating, School


class SettingType(models.TextChoices):
    SCHOOL = "school", "School"
    EARLY_YEARS = "early_years", "Early years setting"
    COLLEGE = "college", "College or post-16 provider"
    ALTERNATIVE_PROVISION = "ap", "Alternative provision (no URN)"
    TUITION = "tuition", "Tuition"
    EMPLOYMENT_TRAINING = "training", "Apprenticeship, employment or training"
    NONE = "none", "No education provision"


# Settings that need no URN (a school, early years setting or college is found in the register).
SETTINGS_WITHOUT_URN = frozenset(
    {SettingType.ALTERNATIVE_PROVISION, SettingType.TUITION, SettingType.EMPLOYMENT_TRAINING, SettingType.NONE}
)


class AdmissionRoute(models.TextChoices):
    NORMAL = "normal", "Application to the school or admission authority"
    LA_DIRECTION = "la_direction", "Direction by the local authority"
    ESFA_DIRECTION = "esfa_direction", "Direction by the ESFA (academy)"
    REGIONAL_DIRECTOR = "regional_director", "Referral to the regional director (commissioner)"
    SECRETARY_OF_STATE = "secretary_of_state", "Referral to the Secretary of State"
    FAIR_ACCESS = "fair_access", "In-year fair access protocol"


class ChangeReason(models.TextChoices):
    CARE_PLACEMENT_MOVE = "care_move", "Care placement moved"
    PHASE_TRANSFER = "phase_transfer", "Normal transfer between phases"
    PERMANENT_EXCLUSION = "perm_exclusion", "Permanent exclusion"
    MANAGED_MOVE = "managed_move", "Managed move"
    NEEDS_NOT_MET = "needs_not_met", "Needs not being met"
    CHILD_OR_CARER_CHOICE = "choice", "Choice of the child or carer"
    EHCP_NAMED_SETTING = "ehcp", "EHCP named a new setting"
    OTHER = "other", "Other"


class EducationPlacement(TimeStampedModel):
    """A spell at one school or setting. An open placement (no end date) is the current one."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="education_placements")
    setting_type = models.CharField(max_length=12, choices=SettingType.choices, default=SettingType.SCHOOL)
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.PROTECT, related_name="placements")
    provider_name = models.CharField("provider name", max_length=200, blank=True, help_text="For a setting with no URN")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    reason_for_change = models.CharField(max_length=20, choices=ChangeReason.choices, blank=True)
    reason_detail = models.TextField(blank=True)
    hours_per_week = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    designated_teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ofsted_rating_at_start = models.CharField(
        "Ofsted judgement when placed", max_length=30, choices=OfstedRating.choices, blank=True
    )
    rationale_below_good = models.TextField(
        "rationale for a school below good",
        blank=True,
        help_text="Required when the school requires improvement or is inadequate",
    )
    exceptional_reason_inadequate = models.TextField(
        "exceptional, evidence-based reason for an inadequate school",
        blank=True,
        help_text="Required when the school is judged inadequate",
    )
    # Admissions
    application_date = models.DateField(null=True, blank=True)
    on_roll_date = models.DateField("date on roll", null=True, blank=True)
    admission_route = models.CharField(max_length=20, choices=AdmissionRoute.choices, blank=True)

    class Meta:
        ordering = ["child", "-start_date"]
        indexes = [models.Index(fields=["school", "end_date"]), models.Index(fields=["child", "end_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="placement_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["child"], condition=models.Q(end_date__isnull=True), name="one_current_placement_per_child"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.setting_name} from {self.start_date:%d %B %Y}"

    @property
    def setting_name(self) -> str:
        if self.school is not None:
            return self.school.name
        return self.provider_name or self.get_setting_type_display()

    def is_current(self, on: dt.date) -> bool:
        return self.start_date <= on and (self.end_date is None or self.end_date >= on)

    @property
    def admission_days(self) -> int | None:
        """Days from application to being on roll."""
        if self.application_date and self.on_roll_date:
            return (self.on_roll_date - self.application_date).days
        return None

    @staticmethod
    def full_time_hours(*, nc_year: int, school_age_hours: Decimal, post16_hours: Decimal) -> Decimal:
        """Hours a week that count as full-time for a pupil in national curriculum year `nc_year`."""
        return post16_hours if nc_year >= 12 else school_age_hours

    def is_part_time(self, *, nc_year: int, school_age_hours: Decimal, post16_hours: Decimal) -> bool:
        """Below full-time hours. Full time is a duty from compulsory school age (year 1), not in nursery or
        reception."""
        if self.hours_per_week is None or nc_year < 1:
            return False
        full_time = self.full_time_hours(nc_year=nc_year, school_age_hours=school_age_hours, post16_hours=post16_hours)
        return self.hours_per_week < full_time

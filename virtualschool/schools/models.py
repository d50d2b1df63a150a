"""The register of establishments (from Get Information About Schools) and who teaches there."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from virtualschool.core.models import TimeStampedModel


class OfstedRating(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"
    NOT_INSPECTED = "", "Not yet inspected"

    @classmethod
    def from_gias(cls, text: str) -> str:
        """Map a GIAS 'OfstedRating (name)' value; serious weaknesses and special measures are inadequate."""
        value = (text or "").strip().lower()
        if value in {"outstanding"}:
            return cls.OUTSTANDING
        if value in {"good"}:
            return cls.GOOD
        if value in {"requires improvement", "satisfactory"}:
            return cls.REQUIRES_IMPROVEMENT
        if value in {"inadequate", "serious weaknesses", "special measures"}:
            return cls.INADEQUATE
        return cls.NOT_INSPECTED


BELOW_GOOD = frozenset({OfstedRating.REQUIRES_IMPROVEMENT, OfstedRating.INADEQUATE})


class School(TimeStampedModel):
    """An establishment in the GIAS register (or added by hand with its URN)."""

    urn = models.PositiveIntegerField("URN", unique=True)
    la_code = models.CharField("LA code", max_length=3, blank=True, db_index=True)
    establishment_number = models.CharField(max_length=4, blank=True)
    name = models.CharField(max_length=255, db_index=True)
    type_name = models.CharField("type of establishment", max_length=120, blank=True)
    phase = models.CharField("phase of education", max_length=60, blank=True)
    status = models.CharField("establishment status", max_length=60, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    la_name = models.CharField("local authority", max_length=120, blank=True)
    ofsted_rating = models.CharField(max_length=30, choices=OfstedRating.choices, blank=True)
    ofsted_last_inspected = models.DateField("last Ofsted inspection", null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.urn})"

    @property
    def dfe_number(self) -> str:
        """LA code and establishment number, e.g. 835/4001 is written 8354001."""
        if self.la_code and self.establishment_number:
            return f"{self.la_code}{self.establishment_number}"
        return ""

    def is_in_area(self, home_la_code: str) -> bool:
        return bool(self.la_code) and self.la_code == home_la_code

    @property
    def is_below_good(self) -> bool:
        return self.ofsted_rating in BELOW_GOOD


class SchoolStaff(TimeStampedModel):
    """A designated teacher (or colleague) at a school: this is what scopes them to its children."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="school_roles")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="staff")
    is_designated_teacher = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "school"], name="school_staff_unique")]
        verbose_name_plural = "school staff"

    def __str__(self) -> str:
        return f"{self.user} at {self.school.name}"

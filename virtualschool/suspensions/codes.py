"""Code lists for suspensions and permanent exclusions, from the DfE school census.

Source: the school census schema in /work/shared/data/schemas/school-census/. The 2021 return
(school_census_schema_2020.diff.yml) renamed the fixed-period category FIXD to SUSP and replaced the reason list;
the 2022 return (school_census_schema_2021.diff.yml) replaced the single ``reason`` with ``reason1``, ``reason2``
and ``reason3``, so a suspension may give up to three reasons. The descriptions are those of the DfE's
"Common basic data set" for the exclusion reason codes in force since 2020/21.
"""

from __future__ import annotations

from django.db import models

MAX_REASONS = 3


class Category(models.TextChoices):
    """Census ``category``: SUSP (formerly FIXD) or PERM. Lunchtime suspensions (LNCH) are recorded as a
    suspension of one session."""

    SUSPENSION = "SUSP", "Suspension"
    PERMANENT = "PERM", "Permanent exclusion"


# Census ``reason1``–``reason3`` (school_census_schema_2021.diff.yml), in the schema's order.
REASONS: dict[str, str] = {
    "PP": "Physical assault against a pupil",
    "PA": "Physical assault against an adult",
    "VP": "Verbal abuse or threatening behaviour against a pupil",
    "VA": "Verbal abuse or threatening behaviour against an adult",
    "OW": "Use or threat of use of an offensive weapon or prohibited item",
    "BU": "Bullying",
    "RA": "Racist abuse",
    "LG": "Abuse against sexual orientation and gender identity",
    "DS": "Abuse relating to disability",
    "SM": "Sexual misconduct",
    "DA": "Drug and alcohol related",
    "DM": "Damage",
    "TH": "Theft",
    "DB": "Persistent or general disruptive behaviour",
    "MT": "Inappropriate use of social media or online technology",
    "PH": "Wilful and repeated transgression of protective measures in place to protect public health",
}
REASON_CHOICES = [(code, f"{label} ({code})") for code, label in REASONS.items()]


def reasons_text(codes: list[str]) -> str:
    return "; ".join(REASONS.get(code, code) for code in codes)


class LengthUnit(models.TextChoices):
    DAYS = "days", "School days"
    SESSIONS = "sessions", "Sessions (half days)"


class GovernorsOutcome(models.TextChoices):
    UPHELD = "upheld", "Upheld the exclusion"
    REINSTATED = "reinstated", "Reinstated the pupil"


class ReviewOutcome(models.TextChoices):
    """The decisions an independent review panel may reach (DfE exclusion guidance, 2024, paragraph 185)."""

    UPHELD = "upheld", "Upheld the governors' decision"
    RECONSIDER = "reconsider", "Recommended the governors reconsider"
    QUASHED = "quashed", "Quashed the decision and directed the governors to reconsider"

"""Scoring the Strengths and Difficulties Questionnaire (SDQ): scales, total difficulties and bands.

The questionnaire's wording is copyright, so nothing here (or anywhere in the product) names an item by what
it asks: items are known by their number in the standard 4–17 forms, scales by their published names. The
published scoring, and where each number comes from, is in docs/sdq-scoring.md:

- each item is recorded as ticked, 0, 1 or 2 (the first, middle or last answer column);
- items 7, 11, 14, 21 and 25 are worded positively and reverse-scored (2 becomes 0, 0 becomes 2);
- five scales of five items each, scored 0–10 as the sum of their items; a scale with one or two items left
  blank is prorated (the mean of the answered items × 5, rounded half up), one with three or more blank is not
  scored;
- total difficulties (0–40) is the sum of the four difficulty scales: prosocial behaviour is a strength and
  is left out.

This module is pure calculation (no database), so it is tested exhaustively with hypothesis.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError

ITEM_COUNT = 25
ITEM_SCORES = (0, 1, 2)
SCALE_MAX = 10
TOTAL_MAX = 40
# The fewest items of a scale that must be answered for it to be scored (the rest are prorated).
MIN_ANSWERED_PER_SCALE = 3
REVERSED_ITEMS = frozenset({7, 11, 14, 21, 25})

# Respondents, as stored on SdqScore.respondent.
CARER, TEACHER, SELF = "carer", "teacher", "self"
RESPONDENTS = (CARER, TEACHER, SELF)
TOTAL = "total"


@dataclass(frozen=True)
class Scale:
    key: str
    label: str
    items: tuple[int, ...]
    is_difficulty: bool = True

    @property
    def field(self) -> str:
        """The SdqScore field that stores this scale's score."""
        return f"{self.key}_score"

    @property
    def items_text(self) -> str:
        *first, last = (str(n) for n in self.items)
        return f"{', '.join(first)} and {last}"


SCALES = (
    Scale("emotional", "Emotional symptoms", (3, 8, 13, 16, 24)),
    Scale("conduct", "Conduct problems", (5, 7, 12, 18, 22)),
    Scale("hyperactivity", "Hyperactivity and inattention", (2, 10, 15, 21, 25)),
    Scale("peer", "Peer relationship problems", (6, 11, 14, 19, 23)),
    Scale("prosocial", "Prosocial behaviour", (1, 4, 9, 17, 20), is_difficulty=False),
)
SCALE_KEYS = tuple(s.key for s in SCALES)
DIFFICULTY_SCALES = tuple(s for s in SCALES if s.is_difficulty)
SCALE_BY_KEY = {s.key: s for s in SCALES}
MEASURE_LABELS = {**{s.key: s.label for s in SCALES}, TOTAL: "Total difficulties"}


def item_field(number: int) -> str:
    """The SdqScore field (and form field) that stores item `number` as ticked."""
    return f"item_{number}"


ITEM_FIELDS = tuple(item_field(n) for n in range(1, ITEM_COUNT + 1))
SCALE_FIELDS = tuple(s.field for s in SCALES)


def scored_value(item: int, ticked: int) -> int:
    """What a ticked answer (0, 1 or 2) adds to its scale: reversed for items 7, 11, 14, 21 and 25."""
    return 2 - ticked if item in REVERSED_ITEMS else ticked


def prorated(total: int, answered: int) -> int:
    """A scale score from `answered` items summing to `total`: mean × 5, rounded half up (as published).

    Integer arithmetic, so 2.5 always rounds to 3 (floating point and Python's round() would not).
    """
    return (10 * total + answered) // (2 * answered)


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def scales_from_items(items: Sequence[int | None]) -> dict[str, int]:
    """The five scale scores from the 25 items as ticked (item 1 first; None for an item left blank).

    Raises ValidationError naming each item to fix (keyed item_N) or each scale with too many blanks (keyed by
    its first blank item).
    """
    if len(items) != ITEM_COUNT:
        raise ValidationError(
            {"items": f"Give all {ITEM_COUNT} item scores in item order, item 1 first: {len(items)} were given."}
        )
    errors: dict[str, str] = {}
    for number, value in enumerate(items, start=1):
        if value is not None and (not _is_whole(value) or value not in ITEM_SCORES):
            errors[item_field(number)] = f"Item {number} must be 0, 1 or 2"
    if errors:
        raise ValidationError(errors)
    scores: dict[str, int] = {}
    for scale in SCALES:
        answered = [scored_value(n, v) for n in scale.items if (v := items[n - 1]) is not None]
        if len(answered) < MIN_ANSWERED_PER_SCALE:
            blank = [n for n in scale.items if items[n - 1] is None]
            errors[item_field(blank[0])] = (
                f"Enter at least {MIN_ANSWERED_PER_SCALE} of the 5 {scale.label.lower()} items "
                f"({scale.items_text}): {len(blank)} are blank"
            )
            continue
        scores[scale.key] = prorated(sum(answered), len(answered))
    if errors:
        raise ValidationError(errors)
    return scores


def check_scales(scales: Mapping[str, object]) -> dict[str, int]:
    """Five scale scores entered directly: each a whole number from 0 to 10 (ValidationError keyed by field)."""
    errors: dict[str, str] = {}
    clean: dict[str, int] = {}
    for scale in SCALES:
        value = scales.get(scale.key)
        if value is None:
            errors[scale.field] = f"Enter the {scale.label.lower()} score"
        elif not _is_whole(value) or not 0 <= value <= SCALE_MAX:  # type: ignore[operator]
            errors[scale.field] = f"The {scale.label.lower()} score must be a whole number from 0 to {SCALE_MAX}"
        else:
            clean[scale.key] = int(value)  # type: ignore[call-overload]
    unknown = set(scales) - set(SCALE_KEYS)
    if unknown:
        errors["scales"] = f"Unknown scales {', '.join(sorted(unknown))}: the scales are {', '.join(SCALE_KEYS)}"
    if errors:
        raise ValidationError(errors)
    return clean


def total_difficulties(scales: Mapping[str, int]) -> int:
    """The sum of the four difficulty scales (0–40); prosocial behaviour is not a difficulty."""
    return sum(scales[s.key] for s in DIFFICULTY_SCALES)


# ---------------------------------------------------------------------------------------------------------
# Bands
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    key: str
    label: str
    rank: int  # 0 closest to average; higher is further from it (more difficulty, or fewer strengths)


FOUR_BANDS = (
    Band("close_to_average", "Close to average", 0),
    Band("slightly_raised", "Slightly raised", 1),
    Band("high", "High", 2),
    Band("very_high", "Very high", 3),
)
FOUR_BANDS_PROSOCIAL = (
    Band("close_to_average", "Close to average", 0),
    Band("slightly_lowered", "Slightly lowered", 1),
    Band("low", "Low", 2),
    Band("very_low", "Very low", 3),
)
THREE_BANDS = (
    Band("normal", "Normal", 0),
    Band("borderline", "Borderline", 1),
    Band("abnormal", "Abnormal", 2),
)

Range = tuple[int, int]

# The published cut-offs, as inclusive score ranges for each band in order: the four-band categorisation
# (close to average, slightly raised, high, very high; for prosocial behaviour close to average, slightly
# lowered, low, very low) and the original three bands (normal, borderline, abnormal). Prosocial ranges run
# from the highest scores down, because a high prosocial score is a strength. Sources: docs/sdq-scoring.md.
FOUR_BAND_CUTOFFS: dict[tuple[str, str], tuple[Range, Range, Range, Range]] = {
    (CARER, TOTAL): ((0, 13), (14, 16), (17, 19), (20, 40)),
    (CARER, "emotional"): ((0, 3), (4, 4), (5, 6), (7, 10)),
    (CARER, "conduct"): ((0, 2), (3, 3), (4, 5), (6, 10)),
    (CARER, "hyperactivity"): ((0, 5), (6, 7), (8, 8), (9, 10)),
    (CARER, "peer"): ((0, 2), (3, 3), (4, 4), (5, 10)),
    (CARER, "prosocial"): ((8, 10), (7, 7), (6, 6), (0, 5)),
    (TEACHER, TOTAL): ((0, 11), (12, 15), (16, 18), (19, 40)),
    (TEACHER, "emotional"): ((0, 3), (4, 4), (5, 5), (6, 10)),
    (TEACHER, "conduct"): ((0, 2), (3, 3), (4, 4), (5, 10)),
    (TEACHER, "hyperactivity"): ((0, 5), (6, 7), (8, 8), (9, 10)),
    (TEACHER, "peer"): ((0, 2), (3, 4), (5, 5), (6, 10)),
    (TEACHER, "prosocial"): ((6, 10), (5, 5), (4, 4), (0, 3)),
    (SELF, TOTAL): ((0, 14), (15, 17), (18, 19), (20, 40)),
    (SELF, "emotional"): ((0, 4), (5, 5), (6, 6), (7, 10)),
    (SELF, "conduct"): ((0, 3), (4, 4), (5, 5), (6, 10)),
    (SELF, "hyperactivity"): ((0, 5), (6, 6), (7, 7), (8, 10)),
    (SELF, "peer"): ((0, 2), (3, 3), (4, 4), (5, 10)),
    (SELF, "prosocial"): ((7, 10), (6, 6), (5, 5), (0, 4)),
}
THREE_BAND_CUTOFFS: dict[tuple[str, str], tuple[Range, Range, Range]] = {
    (CARER, TOTAL): ((0, 13), (14, 16), (17, 40)),
    (CARER, "emotional"): ((0, 3), (4, 4), (5, 10)),
    (CARER, "conduct"): ((0, 2), (3, 3), (4, 10)),
    (CARER, "hyperactivity"): ((0, 5), (6, 6), (7, 10)),
    (CARER, "peer"): ((0, 2), (3, 3), (4, 10)),
    (CARER, "prosocial"): ((6, 10), (5, 5), (0, 4)),
    (TEACHER, TOTAL): ((0, 11), (12, 15), (16, 40)),
    (TEACHER, "emotional"): ((0, 4), (5, 5), (6, 10)),
    (TEACHER, "conduct"): ((0, 2), (3, 3), (4, 10)),
    (TEACHER, "hyperactivity"): ((0, 5), (6, 6), (7, 10)),
    (TEACHER, "peer"): ((0, 3), (4, 4), (5, 10)),
    (TEACHER, "prosocial"): ((6, 10), (5, 5), (0, 4)),
    (SELF, TOTAL): ((0, 15), (16, 19), (20, 40)),
    (SELF, "emotional"): ((0, 5), (6, 6), (7, 10)),
    (SELF, "conduct"): ((0, 3), (4, 4), (5, 10)),
    (SELF, "hyperactivity"): ((0, 5), (6, 6), (7, 10)),
    (SELF, "peer"): ((0, 3), (4, 5), (6, 10)),
    (SELF, "prosocial"): ((6, 10), (5, 5), (0, 4)),
}


def measure_max(measure: str) -> int:
    return TOTAL_MAX if measure == TOTAL else SCALE_MAX


def _band(bands: Sequence[Band], ranges: Sequence[Range], measure: str, score: int) -> Band:
    if not _is_whole(score) or not 0 <= score <= measure_max(measure):
        raise ValueError(f"{MEASURE_LABELS.get(measure, measure)} score {score!r} is out of range")
    for band, (low, high) in zip(bands, ranges, strict=True):
        if low <= score <= high:
            return band
    raise AssertionError(f"The cut-off table leaves {measure} {score} without a band")  # the tests prove it cannot


def four_band(respondent: str, measure: str, score: int) -> Band:
    """The four-band category of a scale or total difficulties score, for who completed the SDQ."""
    bands = FOUR_BANDS_PROSOCIAL if measure == "prosocial" else FOUR_BANDS
    return _band(bands, FOUR_BAND_CUTOFFS[(respondent, measure)], measure, score)


def three_band(respondent: str, measure: str, score: int) -> Band:
    """The original three-band category (normal, borderline, abnormal)."""
    return _band(THREE_BANDS, THREE_BAND_CUTOFFS[(respondent, measure)], measure, score)


@dataclass(frozen=True)
class MeasureResult:
    """One scale (or the total) of an SDQ: its score and where that falls in the published bands."""

    key: str
    label: str
    score: int
    band: Band
    three_band: Band

    @property
    def is_difficulty(self) -> bool:
        return self.key != "prosocial"


def results(respondent: str, scales: Mapping[str, int], total: int | None = None) -> list[MeasureResult]:
    """The five scales then total difficulties, each with its bands (total computed when not given)."""
    total = total_difficulties(scales) if total is None else total
    measures = [(s.key, scales[s.key]) for s in SCALES] + [(TOTAL, total)]
    return [
        MeasureResult(
            key=key,
            label=MEASURE_LABELS[key],
            score=score,
            band=four_band(respondent, key, score),
            three_band=three_band(respondent, key, score),
        )
        for key, score in measures
    ]


def total_result(respondent: str, total: int) -> MeasureResult:
    """Total difficulties alone (all an SSDA903 return holds), with its bands."""
    return MeasureResult(
        key=TOTAL,
        label=MEASURE_LABELS[TOTAL],
        score=total,
        band=four_band(respondent, TOTAL, total),
        three_band=three_band(respondent, TOTAL, total),
    )

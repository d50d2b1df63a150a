"""SDQ scoring: hand-worked questionnaires (the arithmetic is in each test) and properties of every answer set."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from virtualschool.children import sdq

ticked = st.sampled_from(sdq.ITEM_SCORES)
full_answers = st.lists(ticked, min_size=25, max_size=25)


@st.composite
def answers_with_blanks(draw: st.DrawFn) -> list[int | None]:
    """25 answers with at most two blanks in each scale, so every scale can be scored."""
    items: list[int | None] = draw(full_answers)  # type: ignore[arg-type]
    for scale in sdq.SCALES:
        for number in draw(st.lists(st.sampled_from(scale.items), max_size=2, unique=True)):
            items[number - 1] = None
    return items


def answers(**by_item: int | None) -> list[int | None]:
    """25 answers, all ticked 0 except those given as item_N=value."""
    items: list[int | None] = [0] * 25
    for name, value in by_item.items():
        items[int(name.removeprefix("item_")) - 1] = value
    return items


# ---------------------------------------------------------------------------------------------------------
# Hand-worked cases
# ---------------------------------------------------------------------------------------------------------


def test_all_answers_in_the_first_column_score_only_the_five_reversed_items():
    # Ticked 0 everywhere: an ordinary item adds 0, a reversed one (7, 11, 14, 21, 25) adds 2 - 0 = 2.
    # Emotional 0; conduct has item 7 = 2; hyperactivity has 21 and 25 = 4; peer has 11 and 14 = 4; prosocial 0.
    scales = sdq.scales_from_items([0] * 25)

    assert scales == {"emotional": 0, "conduct": 2, "hyperactivity": 4, "peer": 4, "prosocial": 0}
    assert sdq.total_difficulties(scales) == 0 + 2 + 4 + 4 == 10


def test_all_answers_in_the_last_column():
    # Ticked 2 everywhere: emotional 5 × 2 = 10; conduct 4 × 2 + (2 - 2) = 8; hyperactivity 3 × 2 + 0 + 0 = 6;
    # peer 3 × 2 + 0 + 0 = 6; prosocial 10. Total difficulties 10 + 8 + 6 + 6 = 30.
    scales = sdq.scales_from_items([2] * 25)

    assert scales == {"emotional": 10, "conduct": 8, "hyperactivity": 6, "peer": 6, "prosocial": 10}
    assert sdq.total_difficulties(scales) == 30


def test_all_answers_in_the_middle_column_score_five_on_every_scale():
    # 1 reversed is still 1, so each scale is 5 × 1 = 5 and the total 4 × 5 = 20.
    scales = sdq.scales_from_items([1] * 25)

    assert set(scales.values()) == {5}
    assert sdq.total_difficulties(scales) == 20


def test_a_carer_questionnaire_worked_by_hand():
    items = answers(
        item_1=2, item_4=1, item_9=2, item_17=2, item_20=1,  # prosocial 2 + 1 + 2 + 2 + 1 = 8
        item_3=1, item_8=2, item_13=2, item_16=1, item_24=0,  # emotional 1 + 2 + 2 + 1 + 0 = 6
        item_5=2, item_7=0, item_12=1, item_18=1, item_22=0,  # conduct 2 + (2 - 0) + 1 + 1 + 0 = 6
        item_2=2, item_10=1, item_15=2, item_21=1, item_25=0,  # hyperactivity 2 + 1 + 2 + (2 - 1) + (2 - 0) = 8
        item_6=1, item_11=2, item_14=1, item_19=2, item_23=0,  # peer 1 + (2 - 2) + (2 - 1) + 2 + 0 = 4
    )  # fmt: skip

    scales = sdq.scales_from_items(items)
    measures = {m.key: m for m in sdq.results(sdq.CARER, scales)}

    assert scales == {"emotional": 6, "conduct": 6, "hyperactivity": 8, "peer": 4, "prosocial": 8}
    # Total 6 + 6 + 8 + 4 = 24: carer cut-offs put 20–40 at very high (and 17–40 abnormal in three bands).
    assert measures["total"].score == 24
    assert (measures["total"].band.key, measures["total"].three_band.key) == ("very_high", "abnormal")
    # Carer bands: emotional 5–6 high; conduct 6–10 very high; hyperactivity 8 high; peer 4 high;
    # prosocial 8–10 close to average.
    assert {k: m.band.key for k, m in measures.items() if k != "total"} == {
        "emotional": "high",
        "conduct": "very_high",
        "hyperactivity": "high",
        "peer": "high",
        "prosocial": "close_to_average",
    }


def test_the_same_scores_band_differently_for_a_teacher_and_the_young_person():
    # Total 16: carer 14–16 slightly raised; teacher 16–18 high; self-report 15–17 slightly raised.
    assert sdq.four_band(sdq.CARER, "total", 16).key == "slightly_raised"
    assert sdq.four_band(sdq.TEACHER, "total", 16).key == "high"
    assert sdq.four_band(sdq.SELF, "total", 16).key == "slightly_raised"
    # Prosocial 5: carer 0–5 very low; teacher 5 slightly lowered; self 5 low.
    assert sdq.four_band(sdq.CARER, "prosocial", 5).key == "very_low"
    assert sdq.four_band(sdq.TEACHER, "prosocial", 5).key == "slightly_lowered"
    assert sdq.four_band(sdq.SELF, "prosocial", 5).key == "low"


@pytest.mark.parametrize(
    ("respondent", "edges"),
    [
        # The first score of each band above close to average: slightly raised, high, very high.
        (sdq.CARER, (14, 17, 20)),
        (sdq.TEACHER, (12, 16, 19)),
        (sdq.SELF, (15, 18, 20)),
    ],
)
def test_total_difficulties_bands_change_at_the_published_cut_offs(respondent, edges):
    keys = ["close_to_average", "slightly_raised", "high", "very_high"]
    for rank, edge in enumerate(edges, start=1):
        assert sdq.four_band(respondent, "total", edge - 1).key == keys[rank - 1]
        assert sdq.four_band(respondent, "total", edge).key == keys[rank]


def test_the_three_band_totals_for_a_carer_are_the_ones_the_903_guidance_uses():
    # 0–13 normal, 14–16 borderline, 17–40 abnormal.
    assert [sdq.three_band(sdq.CARER, "total", s).key for s in (13, 14, 16, 17, 40)] == [
        "normal",
        "borderline",
        "borderline",
        "abnormal",
        "abnormal",
    ]


def test_one_blank_item_is_prorated_from_the_other_four():
    # Emotional items 3, 8, 13, 16 ticked 2, 1, 1, 0 and item 24 blank: 4 from 4 items, 4 / 4 × 5 = 5.
    items = answers(item_3=2, item_8=1, item_13=1, item_16=0, item_24=None)

    assert sdq.scales_from_items(items)["emotional"] == 5


def test_two_blank_items_are_prorated_from_the_other_three():
    # Emotional 2, 1, 2 with 16 and 24 blank: 5 from 3 items, 5 / 3 × 5 = 8.33, which rounds to 8.
    items = answers(item_3=2, item_8=1, item_13=2, item_16=None, item_24=None)

    assert sdq.scales_from_items(items)["emotional"] == 8


def test_prorating_rounds_a_half_up():
    # Emotional 1, 1, 0, 0 with item 24 blank: 2 / 4 × 5 = 2.5, which the published scoring rounds up to 3
    # (Python's round() would give 2).
    items = answers(item_3=1, item_8=1, item_13=0, item_16=0, item_24=None)

    assert sdq.scales_from_items(items)["emotional"] == 3


def test_a_reversed_item_is_reversed_before_prorating():
    # Conduct: item 7 ticked 0 scores 2; items 5 and 12 ticked 0; 18 and 22 blank. 2 / 3 × 5 = 3.33, so 3.
    items = answers(item_5=0, item_7=0, item_12=0, item_18=None, item_22=None)

    assert sdq.scales_from_items(items)["conduct"] == 3


def test_three_blank_items_leave_the_scale_unscored_and_say_which_items():
    items = answers(item_6=None, item_11=None, item_19=None)

    with pytest.raises(ValidationError) as caught:
        sdq.scales_from_items(items)

    assert caught.value.message_dict == {
        "item_6": ["Enter at least 3 of the 5 peer relationship problems items (6, 11, 14, 19 and 23): 3 are blank"]
    }


@pytest.mark.parametrize("bad", [3, -1, 10, "1", 1.0, True])
def test_an_item_that_is_not_0_1_or_2_is_named(bad):
    with pytest.raises(ValidationError) as caught:
        sdq.scales_from_items(answers(item_7=bad))

    assert caught.value.message_dict == {"item_7": ["Item 7 must be 0, 1 or 2"]}


def test_the_wrong_number_of_items_is_refused():
    with pytest.raises(ValidationError) as caught:
        sdq.scales_from_items([1] * 24)

    assert "24 were given" in caught.value.message_dict["items"][0]


def test_scale_scores_entered_directly_must_be_whole_numbers_from_0_to_10():
    with pytest.raises(ValidationError) as caught:
        sdq.check_scales({"emotional": 11, "conduct": 2, "hyperactivity": None, "peer": 1.5, "prosocial": 8})

    assert caught.value.message_dict == {
        "emotional_score": ["The emotional symptoms score must be a whole number from 0 to 10"],
        "hyperactivity_score": ["Enter the hyperactivity and inattention score"],
        "peer_score": ["The peer relationship problems score must be a whole number from 0 to 10"],
    }


# ---------------------------------------------------------------------------------------------------------
# Properties of every possible answer set
# ---------------------------------------------------------------------------------------------------------


def test_every_item_belongs_to_exactly_one_scale_of_five():
    numbers = [n for scale in sdq.SCALES for n in scale.items]

    assert sorted(numbers) == list(range(1, 26))
    assert all(len(scale.items) == 5 for scale in sdq.SCALES)
    assert {7, 11, 14, 21, 25} == sdq.REVERSED_ITEMS


@given(answers_with_blanks())
def test_each_scale_is_0_to_10_and_the_total_is_the_four_difficulty_scales(items):
    scales = sdq.scales_from_items(items)
    total = sdq.total_difficulties(scales)

    assert all(0 <= score <= 10 for score in scales.values())
    assert total == scales["emotional"] + scales["conduct"] + scales["hyperactivity"] + scales["peer"]
    assert 0 <= total <= 40


@given(full_answers)
def test_with_every_item_answered_a_scale_is_the_sum_of_its_scored_items(items):
    scales = sdq.scales_from_items(items)

    for scale in sdq.SCALES:
        expected = sum(2 - items[n - 1] if n in (7, 11, 14, 21, 25) else items[n - 1] for n in scale.items)
        assert scales[scale.key] == expected


@given(full_answers)
def test_answering_every_item_the_other_way_round_mirrors_every_scale(items):
    # Ticking 2 - x for every item flips each scored value (reversed or not), so each scale becomes 10 - score.
    scales = sdq.scales_from_items(items)
    mirrored = sdq.scales_from_items([2 - v for v in items])

    assert all(mirrored[key] == 10 - score for key, score in scales.items())


@given(full_answers, st.integers(1, 25))
def test_ticking_further_right_raises_an_ordinary_item_and_lowers_a_reversed_one(items, number):
    if items[number - 1] == 2:
        return
    scale = next(s for s in sdq.SCALES if number in s.items)
    before = sdq.scales_from_items(items)[scale.key]
    raised = list(items)
    raised[number - 1] = items[number - 1] + 1

    after = sdq.scales_from_items(raised)[scale.key]

    assert after == (before - 1 if number in sdq.REVERSED_ITEMS else before + 1)


@given(answers_with_blanks())
def test_a_prorated_scale_is_the_mean_of_its_answered_items_times_five_rounded_half_up(items):
    scales = sdq.scales_from_items(items)

    for scale in sdq.SCALES:
        scored = [sdq.scored_value(n, items[n - 1]) for n in scale.items if items[n - 1] is not None]
        exact = sum(scored) * 5 / len(scored)
        assert abs(scales[scale.key] - exact) <= 0.5
        if exact % 1 == 0.5:
            assert scales[scale.key] == exact + 0.5


@given(full_answers, st.data())
def test_three_or_more_blanks_in_any_scale_stop_the_scoring(items, data):
    scale = data.draw(st.sampled_from(sdq.SCALES))
    blanks = data.draw(st.lists(st.sampled_from(scale.items), min_size=3, max_size=5, unique=True))
    with_blanks: list[int | None] = list(items)
    for number in blanks:
        with_blanks[number - 1] = None

    with pytest.raises(ValidationError) as caught:
        sdq.scales_from_items(with_blanks)

    assert list(caught.value.message_dict) == [f"item_{min(blanks)}"]


@pytest.mark.parametrize("table", [sdq.FOUR_BAND_CUTOFFS, sdq.THREE_BAND_CUTOFFS])
def test_every_cut_off_row_covers_each_possible_score_exactly_once(table):
    for (respondent, measure), ranges in table.items():
        covered = sorted(score for low, high in ranges for score in range(low, high + 1))
        assert covered == list(range(sdq.measure_max(measure) + 1)), (respondent, measure)
    measures = [*sdq.SCALE_KEYS, sdq.TOTAL]
    assert set(table) == {(r, m) for r in sdq.RESPONDENTS for m in measures}


@given(
    st.sampled_from(sdq.RESPONDENTS),
    st.sampled_from([*sdq.SCALE_KEYS, sdq.TOTAL]),
    st.integers(0, 40),
    st.integers(0, 40),
)
def test_bands_move_one_way_with_the_score(respondent, measure, first, second):
    top = sdq.measure_max(measure)
    low, high = sorted((min(first, top), min(second, top)))
    for band in (sdq.four_band, sdq.three_band):
        low_rank, high_rank = band(respondent, measure, low).rank, band(respondent, measure, high).rank
        # More difficulty is never closer to average; for prosocial behaviour, more strength never is further.
        assert low_rank <= high_rank if measure != "prosocial" else low_rank >= high_rank


def test_a_score_out_of_range_has_no_band():
    with pytest.raises(ValueError, match="out of range"):
        sdq.four_band(sdq.CARER, "emotional", 11)

"""Recording SDQs (who may, what is checked, what is audited) and the school SDQ a carer's score asks for."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from virtualschool.children import sdq
from virtualschool.children.models import SdqScore
from virtualschool.children.selectors import (
    school_sdq_due,
    sdq_due_for_child,
    sdq_due_for_children,
    sdq_scores_for_child,
)
from virtualschool.children.services import child_close, sdq_delete, sdq_record, sdq_respondents_for
from virtualschool.children.tests.factories import SdqScoreFactory
from virtualschool.core.models import AuditEvent
from virtualschool.core.services import policy_update

pytestmark = pytest.mark.django_db

# Ava (child_a) was born on 1 May 2016, Ben (child_b) on 1 February 2011.
ON = dt.date(2026, 10, 5)
SCALES_15 = {"emotional": 4, "conduct": 3, "hyperactivity": 6, "peer": 2, "prosocial": 7}  # total 4 + 3 + 6 + 2


def scales_totalling(total: int) -> dict[str, int]:
    emotional = min(total, 10)
    rest = total - emotional
    conduct = min(rest, 10)
    rest -= conduct
    hyperactivity = min(rest, 10)
    return {"emotional": emotional, "conduct": conduct, "hyperactivity": hyperactivity, "peer": rest - hyperactivity,
            "prosocial": 8}  # fmt: skip


def record(actor, child, respondent=sdq.CARER, on=ON, **kwargs):
    if "items" not in kwargs and "scales" not in kwargs:
        kwargs["scales"] = SCALES_15
    return sdq_record(actor=actor, child=child, respondent=respondent, completed_on=on, **kwargs)


def test_a_lead_records_the_25_items_and_the_product_scores_and_audits_them(world):
    items = [1] * 25  # every scale 5, total 20

    saved = record(world.lead, world.child_a, items=items, completed_by_name="Sam Carter, foster carer")

    saved.refresh_from_db()
    assert saved.scale_scores == {"emotional": 5, "conduct": 5, "hyperactivity": 5, "peer": 5, "prosocial": 5}
    assert (saved.total_score, saved.entered_as, saved.item_scores) == (20, "items", items)
    assert saved.completed_by_name == "Sam Carter, foster carer"
    event = AuditEvent.objects.get(object_type="children.sdqscore", object_id=str(saved.pk))
    assert (event.action, event.actor, event.child_id) == ("create", world.lead, world.child_a.pk)
    assert event.changes["item_7"] == [None, 1]
    assert event.changes["total_score"] == [None, 20]


def test_five_scale_scores_are_enough_and_the_total_is_their_difficulty_sum(world):
    saved = record(world.lead, world.child_a, scales=SCALES_15)

    assert saved.total_score == 15
    assert saved.entered_as == "scales"
    assert saved.item_scores == [None] * 25


def test_the_childs_social_worker_records_any_respondent_and_the_designated_teacher_only_the_teachers(world):
    assert sdq_respondents_for(world.sw_a, world.child_a) == ["carer", "teacher", "self"]
    assert sdq_respondents_for(world.dt_a, world.child_a) == ["teacher"]
    assert sdq_respondents_for(world.dt_b, world.child_a) == []
    assert sdq_respondents_for(world.sw_b, world.child_a) == []
    for role in ("manager", "send", "iro_a", "panel", "admin"):
        assert sdq_respondents_for(world.users()[role], world.child_a) == [], role

    record(world.sw_a, world.child_a, sdq.CARER)
    record(world.dt_a, world.child_a, sdq.TEACHER)
    with pytest.raises(PermissionDenied, match="teacher's SDQ only"):
        record(world.dt_a, world.child_a, sdq.CARER, on=ON - dt.timedelta(days=1))
    for outsider in (world.dt_b, world.sw_b, world.iro_a, world.manager):
        with pytest.raises(PermissionDenied):
            record(outsider, world.child_a, sdq.TEACHER, on=ON - dt.timedelta(days=2))
    assert SdqScore.objects.count() == 2


def test_refused_input_names_each_field_and_writes_nothing(world):
    events = AuditEvent.objects.count()
    items = [1] * 25
    items[6] = 3

    with pytest.raises(ValidationError) as caught:
        record(world.lead, world.child_a, items=items, on=timezone.localdate() + dt.timedelta(days=1))

    assert caught.value.message_dict == {
        "recorded_on": ["The date the SDQ was completed must be today or in the past"],
        "item_7": ["Item 7 must be 0, 1 or 2"],
    }
    assert SdqScore.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_the_self_report_is_for_young_people_aged_11_to_17(world):
    with pytest.raises(ValidationError) as caught:
        record(world.lead, world.child_a, sdq.SELF)  # Ava is 10 on 5 October 2026

    assert caught.value.message_dict["recorded_on"] == [
        f"The young person's self-report SDQ is for ages 11 to 17: {world.child_a.display_name} was 10 on "
        "5 October 2026"
    ]
    assert record(world.lead, world.child_b, sdq.SELF).respondent == "self"  # Ben is 15


def test_a_carer_or_teacher_sdq_is_for_ages_4_to_17(world):
    with pytest.raises(ValidationError, match="for ages 4 to 17"):
        record(world.lead, world.child_a, on=dt.date(2019, 6, 1))  # Ava was 3


def test_one_sdq_a_day_from_each_respondent(world):
    record(world.lead, world.child_a)

    with pytest.raises(ValidationError) as caught:
        record(world.lead, world.child_a)

    assert "already has a carer or parent SDQ completed on 5 October 2026" in caught.value.messages[0]
    assert record(world.lead, world.child_a, sdq.TEACHER).pk  # a teacher's the same day is another SDQ


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"items": [1] * 25, "scales": SCALES_15}, "not both"),
        ({"items": None, "scales": None}, "one of them"),
    ],
)
def test_items_or_scales_but_not_both_and_not_neither(world, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        sdq_record(actor=world.lead, child=world.child_a, respondent="carer", completed_on=ON, **kwargs)


def test_the_database_refuses_a_total_that_is_not_the_sum_of_the_scales(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        SdqScore.objects.create(
            child=world.child_a, recorded_on=ON, total_score=30, **{f"{k}_score": v for k, v in SCALES_15.items()}
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        SdqScore.objects.create(child=world.child_a, recorded_on=ON, total_score=4, emotional_score=4)


def test_the_database_refuses_an_item_above_2(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        SdqScore.objects.create(
            child=world.child_a,
            recorded_on=ON,
            total_score=15,
            item_3=3,
            **{f"{k}_score": v for k, v in SCALES_15.items()},
        )


def test_the_virtual_school_removes_an_sdq_recorded_in_error_and_the_audit_keeps_it(world):
    saved = record(world.sw_a, world.child_a)
    with pytest.raises(PermissionDenied):
        sdq_delete(actor=world.sw_a, record=saved, reason="Wrong child")
    with pytest.raises(ValidationError, match="why"):
        sdq_delete(actor=world.lead, record=saved, reason=" ")

    sdq_delete(actor=world.lead, record=saved, reason="Recorded against the wrong child")

    assert not SdqScore.objects.filter(pk=saved.pk).exists()
    event = AuditEvent.objects.get(object_type="children.sdqscore", action="delete")
    assert event.changes["total_score"] == [15, None]
    assert event.context == {"reason": "Recorded against the wrong child"}


def test_a_total_from_the_903_return_is_corrected_in_the_return_not_removed_here(world):
    imported = SdqScoreFactory(child=world.child_a)

    with pytest.raises(ValidationError, match="SSDA903"):
        sdq_delete(actor=world.lead, record=imported, reason="Wrong")


def test_the_history_holds_903_totals_and_questionnaires_newest_first_and_is_scoped(world):
    SdqScoreFactory(child=world.child_a, recorded_on=dt.date(2026, 3, 31), total_score=11)
    record(world.lead, world.child_a, on=dt.date(2026, 6, 1))
    record(world.lead, world.child_a, sdq.TEACHER, on=dt.date(2026, 6, 20))

    shown = list(sdq_scores_for_child(user=world.dt_a, child=world.child_a))

    assert [(s.recorded_on, s.entered_as) for s in shown] == [
        (dt.date(2026, 6, 20), "scales"),
        (dt.date(2026, 6, 1), "scales"),
        (dt.date(2026, 3, 31), "total"),
    ]
    assert list(sdq_scores_for_child(user=world.dt_b, child=world.child_a)) == []


# ---------------------------------------------------------------------------------------------------------
# The school SDQ a carer's total above the threshold asks for
# ---------------------------------------------------------------------------------------------------------


def test_a_carer_total_above_14_makes_a_school_sdq_due_one_month_later(world):
    carer = record(world.sw_a, world.child_a, scales=scales_totalling(15), on=dt.date(2026, 10, 5))

    due = sdq_due_for_child(user=world.dt_a, child=world.child_a)

    assert due is not None
    assert (due.carer_sdq_id, due.carer_total, due.threshold) == (carer.pk, 15, 14)
    assert due.due_on == dt.date(2026, 11, 5)
    assert due.status(dt.date(2026, 11, 5)) == "due"
    assert due.status(dt.date(2026, 11, 6)) == "overdue"


def test_a_carer_total_of_exactly_14_asks_for_nothing(world):
    record(world.sw_a, world.child_a, scales=scales_totalling(14))

    assert sdq_due_for_child(user=world.lead, child=world.child_a) is None


def test_a_teacher_sdq_on_or_after_the_carers_answers_it(world):
    record(world.lead, world.child_a, sdq.TEACHER, on=dt.date(2026, 9, 1))  # before the carer's: does not count
    record(world.sw_a, world.child_a, scales=scales_totalling(22), on=dt.date(2026, 9, 10))
    assert sdq_due_for_child(user=world.lead, child=world.child_a).is_outstanding

    record(world.dt_a, world.child_a, sdq.TEACHER, on=dt.date(2026, 10, 15))

    due = sdq_due_for_child(user=world.lead, child=world.child_a)
    assert due.school_completed_on == dt.date(2026, 10, 15)
    assert due.status(dt.date(2026, 12, 1)) == "completed_late"  # due 10 October


def test_the_latest_carer_sdq_decides(world):
    record(world.sw_a, world.child_a, scales=scales_totalling(20), on=dt.date(2026, 5, 1))
    record(world.sw_a, world.child_a, scales=scales_totalling(9), on=dt.date(2026, 9, 1))

    assert sdq_due_for_child(user=world.lead, child=world.child_a) is None


def test_a_total_from_the_903_return_does_not_start_the_clock(world):
    SdqScoreFactory(child=world.child_a, recorded_on=dt.date(2026, 3, 31), total_score=30)

    assert sdq_due_for_child(user=world.lead, child=world.child_a) is None
    assert sdq_due_for_children(user=world.lead) == []


def test_the_threshold_and_the_months_are_the_authoritys_policy(world):
    policy_update(actor=world.head, sdq_carer_threshold=12, sdq_school_due_months=2)
    record(world.sw_a, world.child_a, scales=scales_totalling(13), on=dt.date(2026, 1, 31))

    due = sdq_due_for_child(user=world.lead, child=world.child_a)

    assert (due.threshold, due.due_on) == (12, dt.date(2026, 3, 31))


def test_one_month_from_31_january_is_the_end_of_february(world):
    record(world.sw_a, world.child_a, scales=scales_totalling(18), on=dt.date(2026, 1, 31))

    assert sdq_due_for_child(user=world.lead, child=world.child_a).due_on == dt.date(2026, 2, 28)


def test_the_cohort_list_agrees_with_each_child_and_is_scoped(world):
    record(world.sw_a, world.child_a, scales=scales_totalling(18), on=dt.date(2026, 9, 1))
    record(world.sw_b, world.child_b, scales=scales_totalling(25), on=dt.date(2026, 8, 1))
    record(world.lead, world.child_b, sdq.TEACHER, on=dt.date(2026, 8, 20))

    cohort = sdq_due_for_children(user=world.lead)

    assert [d.child_id for d in cohort] == [world.child_b.pk, world.child_a.pk]  # soonest due first
    for due in cohort:
        child = world.child_a if due.child_id == world.child_a.pk else world.child_b
        assert due == sdq_due_for_child(user=world.lead, child=child)
    assert [d.child_id for d in sdq_due_for_children(user=world.lead, outstanding_only=True)] == [world.child_a.pk]
    assert [d.child_id for d in sdq_due_for_children(user=world.dt_a)] == [world.child_a.pk]
    assert sdq_due_for_children(user=world.panel) == []


def test_the_cohort_list_leaves_out_closed_children_unless_asked(world):
    record(world.sw_a, world.child_a, scales=scales_totalling(18), on=dt.date(2026, 9, 1))
    child_close(actor=world.lead, child=world.child_a, closed_on=dt.date(2026, 9, 30), reason="returned_home")

    assert sdq_due_for_children(user=world.lead) == []
    assert len(sdq_due_for_children(user=world.lead, include_closed=True)) == 1


def test_the_rule_reads_any_history_it_is_given():
    rows = [
        SdqScore(pk=1, child_id=7, respondent="carer", recorded_on=dt.date(2026, 4, 2), total_score=16,
                 **{f"{k}_score": v for k, v in scales_totalling(16).items()}),
        SdqScore(pk=2, child_id=7, respondent="teacher", recorded_on=dt.date(2026, 4, 30), total_score=10),
    ]  # fmt: skip

    due = school_sdq_due(rows, threshold=14, months=1)

    assert (due.due_on, due.school_completed_on, due.status(dt.date(2026, 6, 1))) == (
        dt.date(2026, 5, 2),
        dt.date(2026, 4, 30),
        "completed",
    )


def test_an_account_that_has_been_closed_records_nothing(world):
    world.sw_a.is_active = False
    world.sw_a.save()

    assert sdq_respondents_for(world.sw_a, world.child_a) == []
    with pytest.raises(PermissionDenied, match="record an SDQ for this child"):
        record(world.sw_a, world.child_a)


history_rows = st.lists(
    st.tuples(
        st.sampled_from(["carer", "teacher", "self"]),
        st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)),
        st.integers(0, 40),
        st.booleans(),  # a questionnaire recorded here, or a total from the return
    ),
    max_size=8,
)


def as_history(rows) -> list[SdqScore]:
    history = []
    for pk, (who, on, total, questionnaire) in enumerate(rows, start=1):
        scales = {"emotional_score": min(total, 10), "conduct_score": min(max(total - 10, 0), 10),
                  "hyperactivity_score": min(max(total - 20, 0), 10), "peer_score": max(total - 30, 0),
                  "prosocial_score": 5} if questionnaire else {}  # fmt: skip
        history.append(SdqScore(pk=pk, child_id=1, respondent=who, recorded_on=on, total_score=total, **scales))
    return history


@given(history_rows, st.integers(0, 40), st.integers(1, 6))
def test_the_due_rule_holds_for_any_history(rows, threshold, months):
    history = as_history(rows)
    due = school_sdq_due(history, threshold=threshold, months=months)

    carers = [s for s in history if s.respondent == "carer" and s.is_questionnaire]
    if not carers or max(carers, key=lambda s: (s.recorded_on, s.pk)).total_score <= threshold:
        assert due is None
        return
    assert due.carer_total > threshold
    assert due.carer_completed_on == max(s.recorded_on for s in carers)
    assert 28 * months <= (due.due_on - due.carer_completed_on).days <= 31 * months
    answers = [s.recorded_on for s in history if s.respondent == "teacher" and s.recorded_on >= due.carer_completed_on]
    assert due.school_completed_on == (min(answers) if answers else None)
    # A higher threshold never asks for more; the rule never depends on the order it is given the history.
    assert school_sdq_due(list(reversed(history)), threshold=threshold, months=months) == due
    higher = school_sdq_due(history, threshold=due.carer_total, months=months)
    assert higher is None

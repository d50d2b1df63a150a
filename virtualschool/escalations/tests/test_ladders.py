"""The seeded ladders: every one in DUTIES.md is there with its levels, and each level's due dates are right."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from virtualschool.core.calendar import SchoolCalendar, TermDates
from virtualschool.escalations.ladder_seed import seed_ladders
from virtualschool.escalations.models import Ladder, LadderLevel
from virtualschool.escalations.selectors import level_due, levels_for

from .conftest import MONDAY

SLUGS = {
    "dorset-dispute-resolution",
    "childrens-home-regulation-5",
    "gloucestershire-school",
    "gloucestershire-social-worker",
    "gloucestershire-foster-carer-in-house",
    "gloucestershire-foster-carer-ifa",
    "gloucestershire-parent",
    "gloucestershire-send-in-area",
    "gloucestershire-send-out-of-area",
    "gloucestershire-health",
    "dorset-virtual-school-internal",
}


@pytest.mark.django_db
def test_the_migration_ships_every_ladder_of_the_source_policies():
    assert set(Ladder.objects.values_list("slug", flat=True)) == SLUGS
    assert {item["slug"] for item in seed_ladders()} == SLUGS
    parties = set(Ladder.objects.filter(slug__startswith="gloucestershire-").values_list("failing_party", flat=True))
    assert parties == {
        "school",
        "social_worker",
        "foster_carer",
        "foster_carer_ifa",
        "parent",
        "send_in_area",
        "send_out_of_area",
        "health",
    }
    for ladder in Ladder.objects.filter(slug__startswith="gloucestershire-"):
        last = ladder.levels.order_by("number").last()
        assert last.name == "Director of Children's Services informed", ladder.slug


@pytest.mark.django_db
def test_dorset_dispute_resolution_has_an_informal_stage_five_levels_of_five_working_days_then_cafcass():
    ladder = Ladder.objects.get(slug="dorset-dispute-resolution")
    levels = list(ladder.levels.order_by("number"))
    assert [lv.number for lv in levels] == [0, 1, 2, 3, 4, 5]
    assert [(lv.time_amount, lv.time_unit) for lv in levels[1:5]] == [(5, "working")] * 4
    assert levels[0].time_amount is None and levels[5].time_amount is None
    assert levels[5].name == "Referral to CAFCASS"
    assert [lv.copied for lv in levels[1:4]] == [
        "Service manager",
        "Head of locality",
        "Corporate Director for Care and Protection",
    ]
    assert ladder.may_skip and "reviewing officer" in ladder.skip_by


@pytest.mark.django_db
def test_dorset_levels_fall_due_five_working_days_apart_skipping_christmas_and_bank_holidays():
    ladder = Ladder.objects.get(slug="dorset-dispute-resolution")
    level = ladder.levels.get(number=1)
    assert level_due(level, MONDAY, False) == dt.date(2026, 11, 9)
    # Entered Monday 21 December 2026: Christmas Day (Fri) and the Boxing Day substitute (Mon 28th) do not count.
    assert level_due(level, dt.date(2026, 12, 21), False) == dt.date(2026, 12, 30)
    # Easter 2027: Good Friday 26 March and Easter Monday 29 March.
    assert level_due(level, dt.date(2027, 3, 24), False) == dt.date(2027, 4, 2)


@pytest.mark.django_db
def test_the_childrens_home_ladder_runs_at_weeks_0_2_3_4_6_8_then_fortnightly():
    ladder = Ladder.objects.get(slug="childrens-home-regulation-5")
    levels = list(ladder.levels.order_by("number"))
    starts, day = [], MONDAY
    for level in levels:
        starts.append((day - MONDAY).days // 7)
        day = level_due(level, day, False)
    assert starts == [0, 2, 3, 4, 6, 8, 10]
    assert levels[-1].repeats and levels[-1].time_amount == 2 and levels[-1].time_unit == "weeks"
    # Safeguarding: every step at once.
    assert ladder.safeguarding_all_steps
    assert all(level_due(lv, MONDAY, True) == MONDAY for lv in levels[:-1])


@pytest.mark.django_db
def test_gloucestershire_levels_use_the_services_default_and_faster_safeguarding_timescales():
    level = Ladder.objects.get(slug="gloucestershire-school").levels.get(number=1)
    assert level_due(level, MONDAY, False) == dt.date(2026, 11, 16)  # 10 working days
    assert level_due(level, MONDAY, True) == dt.date(2026, 11, 4)  # 2 working days
    assert "sets no time" in level.time_note


@pytest.mark.django_db
def test_dorset_internal_route_lists_the_managers_possible_responses():
    level = Ladder.objects.get(slug="dorset-virtual-school-internal").levels.get(number=1)
    assert len(level.responses) == 6
    assert "An additional PEP review" in level.responses
    assert "Involve the reviewing officer (QARO)" in level.responses


def test_a_level_in_school_days_skips_the_holidays_of_the_configured_calendar():
    calendar = SchoolCalendar(
        [
            TermDates(
                2026,
                "autumn",
                dt.date(2026, 9, 2),
                dt.date(2026, 12, 18),
                dt.date(2026, 10, 26),
                dt.date(2026, 10, 30),
                configured=True,
            )
        ]
    )
    level = LadderLevel(number=1, name="x", responsible="x", time_amount=3, time_unit="school")
    # Friday 23 October, then half term: the three school days are 2, 3 and 4 November.
    assert level_due(level, dt.date(2026, 10, 23), False, calendar) == dt.date(2026, 11, 4)


@pytest.mark.django_db
def test_each_ladders_projected_due_dates_chain_level_after_level(raise_concern, frozen):
    escalation = raise_concern("childrens-home-regulation-5")
    rows = levels_for(escalation)
    assert [r.due_on for r in rows] == [MONDAY + dt.timedelta(weeks=w) for w in (2, 3, 4, 6, 8, 10, 12)]
    assert rows[0].state == "current" and not rows[0].projected
    assert all(r.projected and r.state == "ahead" for r in rows[1:])


@pytest.mark.django_db
def test_load_ladders_brings_an_edited_ladder_back_to_the_seed_and_keeps_unknown_slugs_out():
    level = LadderLevel.objects.get(ladder__slug="dorset-dispute-resolution", number=2)
    level.time_amount = 9
    level.save()
    call_command("load_ladders", "dorset-dispute-resolution")
    level.refresh_from_db()
    assert level.time_amount == 5
    with pytest.raises(Exception, match="No seeded ladder"):
        call_command("load_ladders", "made-up")

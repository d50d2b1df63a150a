"""The demo plan: deterministic, the promised size, and every state the pages need to show."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from virtualschool.accounts.models import Role
from virtualschool.children.models import upn_problem
from virtualschool.demo.plan import plan_demo

TODAY = dt.date(2026, 11, 25)


@pytest.fixture(scope="module")
def plan():
    return plan_demo(seed=2026, size="full", today=TODAY)


def fingerprint(plan):
    return [(c.reference, c.values["first_name"], c.values["last_name"], c.dob) for c in plan.children]


def test_same_seed_and_date_give_the_same_children_and_schools(plan):
    again = plan_demo(seed=2026, size="full", today=TODAY)

    assert fingerprint(again) == fingerprint(plan)
    assert [s.values["name"] for s in again.schools] == [s.values["name"] for s in plan.schools]
    assert [u.full_name for u in again.users] == [u.full_name for u in plan.users]


def test_another_seed_gives_other_children(plan):
    other = plan_demo(seed=7, size="full", today=TODAY)

    assert fingerprint(other) != fingerprint(plan)


def test_full_demo_has_about_350_children_in_three_cohorts(plan):
    cohorts = Counter(c.cohort for c in plan.children)

    assert len(plan.children) == 350
    assert cohorts == {"cla": 320, "plac": 20, "ola": 10}
    assert len({c.reference for c in plan.children}) == 350


def test_full_demo_has_90_schools_in_and_out_of_area_in_every_phase(plan):
    in_area = [s for s in plan.schools if s.in_area]
    phases = {s.values["phase"] for s in plan.schools}
    ratings = Counter(s.rating for s in plan.schools)

    assert len(plan.schools) == 90
    assert len(in_area) == 60
    assert all(s.values["la_code"] == "999" for s in in_area)
    assert all(s.values["la_code"] != "999" for s in plan.schools if not s.in_area)
    assert {"Nursery", "Primary", "Secondary", "All-through", "16 plus", "Not applicable"} <= phases
    assert ratings["inadequate"] == 2
    assert ratings["requires_improvement"] >= 3
    assert all(990000 < s.urn < 1_000_000 for s in plan.schools)


def test_full_demo_has_staff_in_every_role(plan):
    roles = Counter(u.role for u in plan.users)
    usernames = {u.username for u in plan.users}

    assert set(roles) == set(Role.values)
    assert roles[Role.VIRTUAL_SCHOOL_LEAD] == 6
    assert roles[Role.SOCIAL_WORKER] == 12
    assert roles[Role.REVIEWING_OFFICER] == 4
    assert roles[Role.PANEL_MEMBER] == 3
    assert {"head", "lead1", "lead6", "data", "send", "manager", "admin", "dt1", "sw1", "iro1", "panel1"} <= usernames
    assert [u.is_staff for u in plan.users if u.username == "admin"] == [True]


def test_one_designated_teacher_covers_two_schools(plan):
    schools_per_teacher = Counter(username for username, _ in plan.memberships)

    assert schools_per_teacher["dt1"] == 2
    assert len(schools_per_teacher) >= 40


def test_realistic_mix_of_legal_status_send_and_uasc(plan):
    cla = [c for c in plan.children if c.cohort == "cla"]
    legal = Counter(c.legal_status for c in cla)
    send = Counter(c.values["sen_status"] for c in plan.children)

    assert legal.most_common(1)[0][0] == "C2"
    assert {"C1", "C2", "E1", "V2", "J1"} <= set(legal)
    assert 0.2 <= send["K"] / len(plan.children) <= 0.4
    assert 0.15 <= send["E"] / len(plan.children) <= 0.35
    assert 0.04 <= sum(c.values["uasc"] for c in cla) / len(cla) <= 0.08


def test_upns_are_valid_except_the_few_flagged_and_unknown(plan):
    problems = [c for c in plan.children if upn_problem(c.values["upn"])]
    unknown = [c for c in plan.children if c.values["upn"] == "UN1"]

    assert len(problems) == 4
    assert len(unknown) == 2


@pytest.mark.parametrize("today", [dt.date(2026, 9, 2), dt.date(2027, 2, 28), dt.date(2027, 8, 31)])
def test_care_episodes_chain_without_gaps_on_any_day_of_the_year(today):
    plan = plan_demo(seed=2026, size="full", today=today)

    for child in plan.children:
        for earlier, later in zip(child.episodes, child.episodes[1:], strict=False):
            assert earlier["end_date"] == later["start_date"], child.name
        for episode in child.episodes:
            assert episode["start_date"] <= today
            assert episode["end_date"] is None or episode["end_date"] >= episode["start_date"]

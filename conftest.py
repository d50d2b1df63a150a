"""Fixtures shared by every test: one user per role, and a small scoped world to test need-to-know."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from virtualschool.accounts.models import Role
from virtualschool.accounts.tests.factories import UserFactory
from virtualschool.children.models import SenStatus
from virtualschool.children.tests.factories import ChildFactory
from virtualschool.placements.tests.factories import EducationPlacementFactory
from virtualschool.schools.tests.factories import SchoolFactory, SchoolStaffFactory


@pytest.fixture
def make_user(db: Any):
    def _make(role: str = Role.VIRTUAL_SCHOOL_LEAD, **kwargs: Any):
        return UserFactory(role=role, **kwargs)

    return _make


@dataclass
class World:
    """Two schools, each with a designated teacher and a child; people allocated to one child only."""

    head: Any
    lead: Any
    data: Any
    send: Any
    manager: Any
    dt_a: Any
    dt_b: Any
    sw_a: Any
    sw_b: Any
    iro_a: Any
    panel: Any
    admin: Any
    school_a: Any
    school_b: Any
    child_a: Any
    child_b: Any

    def users(self) -> dict[str, Any]:
        return {
            "head": self.head,
            "lead": self.lead,
            "data": self.data,
            "send": self.send,
            "manager": self.manager,
            "dt_a": self.dt_a,
            "dt_b": self.dt_b,
            "sw_a": self.sw_a,
            "sw_b": self.sw_b,
            "iro_a": self.iro_a,
            "panel": self.panel,
            "admin": self.admin,
        }


@pytest.fixture
def world(db: Any) -> World:
    head = UserFactory(username="head", role=Role.VIRTUAL_SCHOOL_HEAD)
    lead = UserFactory(username="lead", role=Role.VIRTUAL_SCHOOL_LEAD)
    school_a = SchoolFactory(name="Alderley Primary", urn=900001, la_code="999", phase="Primary")
    school_b = SchoolFactory(name="Birchwood High", urn=900002, la_code="888", phase="Secondary")
    dt_a = SchoolStaffFactory(user__username="dt_a", school=school_a).user
    dt_b = SchoolStaffFactory(user__username="dt_b", school=school_b).user
    sw_a = UserFactory(username="sw_a", role=Role.SOCIAL_WORKER)
    sw_b = UserFactory(username="sw_b", role=Role.SOCIAL_WORKER)
    iro_a = UserFactory(username="iro_a", role=Role.REVIEWING_OFFICER)
    child_a = ChildFactory(
        first_name="Ava",
        last_name="Testchild",
        allocated_lead=lead,
        social_worker=sw_a,
        reviewing_officer=iro_a,
        sen_status=SenStatus.EHCP,
        sen_primary_need="SEMH",
        date_of_birth=dt.date(2016, 5, 1),
    )
    child_b = ChildFactory(
        first_name="Ben",
        last_name="Otherchild",
        allocated_lead=lead,
        social_worker=sw_b,
        date_of_birth=dt.date(2011, 2, 1),
    )
    EducationPlacementFactory(child=child_a, school=school_a, start_date=dt.date(2024, 9, 4))
    EducationPlacementFactory(child=child_b, school=school_b, start_date=dt.date(2024, 9, 4))
    return World(
        head=head,
        lead=lead,
        data=UserFactory(username="data", role=Role.DATA_SPECIALIST),
        send=UserFactory(username="send", role=Role.SEND_SPECIALIST),
        manager=UserFactory(username="manager", role=Role.SERVICE_MANAGER),
        dt_a=dt_a,
        dt_b=dt_b,
        sw_a=sw_a,
        sw_b=sw_b,
        iro_a=iro_a,
        panel=UserFactory(username="panel", role=Role.PANEL_MEMBER),
        admin=UserFactory(username="admin", role=Role.ADMINISTRATOR),
        school_a=school_a,
        school_b=school_b,
        child_a=child_a,
        child_b=child_b,
    )


# Who may see which of the world's children: the expectation every scoping test checks against.
EXPECTED_VISIBLE = {
    "head": {"child_a", "child_b"},
    "lead": {"child_a", "child_b"},
    "data": {"child_a", "child_b"},
    "manager": {"child_a", "child_b"},
    "send": {"child_a"},
    "dt_a": {"child_a"},
    "dt_b": {"child_b"},
    "sw_a": {"child_a"},
    "sw_b": {"child_b"},
    "iro_a": {"child_a"},
    "panel": set(),
    "admin": set(),
}


@pytest.fixture
def expected_visible() -> dict[str, set[str]]:
    return EXPECTED_VISIBLE

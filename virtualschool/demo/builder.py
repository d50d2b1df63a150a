"""Write the synthetic demo through the services, so its audit trail reads like real use.

The administrator sets up the service and its people, the data specialist registers the schools, and the
data specialist or the Virtual School Head puts each child on the roll with their care episodes and
education placements.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from virtualschool.accounts.models import Role, User
from virtualschool.accounts.services import user_create
from virtualschool.children.models import Child
from virtualschool.children.sdq_demo import write_sdq_demo
from virtualschool.children.services import care_episode_record, child_close, child_create
from virtualschool.core import audit, extensions
from virtualschool.core.calendar import academic_year_start
from virtualschool.core.models import AuditEvent
from virtualschool.core.services import policy_update, school_term_save
from virtualschool.placements.services import placement_create
from virtualschool.schools.models import School
from virtualschool.schools.services import school_create, school_staff_add

from . import catalogue as cat
from .plan import DemoPlan, UserPlan, plan_demo

# The order demo_logins shows one account per role in.
LOGIN_PER_ROLE = [
    ("head", Role.VIRTUAL_SCHOOL_HEAD),
    ("lead1", Role.VIRTUAL_SCHOOL_LEAD),
    ("data", Role.DATA_SPECIALIST),
    ("send", Role.SEND_SPECIALIST),
    ("manager", Role.SERVICE_MANAGER),
    ("dt1", Role.DESIGNATED_TEACHER),
    ("sw1", Role.SOCIAL_WORKER),
    ("iro1", Role.REVIEWING_OFFICER),
    ("panel1", Role.PANEL_MEMBER),
    ("admin", Role.ADMINISTRATOR),
]


@dataclass(frozen=True)
class DemoSummary:
    children: int
    schools: int
    users: int
    audit_events: int
    seconds: float


def demo_is_loaded() -> bool:
    """True when the demo's schools are already in the register."""
    return School.objects.filter(urn__gte=cat.DEMO_URN_FIRST, urn__lte=cat.DEMO_URN_LAST).exists()


def demo_usernames_taken(plan: DemoPlan) -> list[str]:
    """Demo usernames that already belong to someone (the demo then needs an empty database)."""
    wanted = [u.username for u in plan.users]
    return sorted(User.objects.filter(username__in=wanted).values_list("username", flat=True))


def _create_user(*, actor: Any, plan: UserPlan) -> User:
    """Open a demo account through the accounts service (audited there)."""
    return user_create(
        actor=actor,
        username=plan.username,
        email=plan.email,
        full_name=plan.full_name,
        role=plan.role,
        team=plan.team,
        phone=plan.phone,
    )


def _set_demo_password(*, actor: User, users: list[User]) -> None:
    """Give every demo account the published demo password, on the record.

    Accounts open with no password (people set their own from an invitation); the demo skips the e-mail.
    Hashing takes a noticeable fraction of a second, so every demo account shares one hash.
    """
    password_hash = make_password(cat.DEMO_PASSWORD)
    User.objects.filter(pk__in=[u.pk for u in users]).update(password=password_hash)
    audit.record_many(
        audit.build_event(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            object_type="accounts.user",
            object_id=user.pk,
            object_repr=user.username,
            changes={"password": ["not set", "set to the published demo password"]},
            context={"source": "load_demo"},
        )
        for user in users
    )


def write_demo(plan: DemoPlan) -> DemoSummary:
    """Write a planned demo into an empty database, in one transaction."""
    started = time.perf_counter()
    events_before = AuditEvent.objects.count()
    with transaction.atomic():
        users: dict[str, User] = {}
        # The first administrator has nobody to create them: the system does, on the record.
        admin = _create_user(actor=None, plan=plan.users[0])
        users[admin.username] = admin
        policy_update(actor=admin, authority_name=cat.AUTHORITY_NAME, la_code=cat.HOME_LA_CODE)
        this_year = academic_year_start(plan.today)
        for year in range(this_year - 2, this_year + 2):  # the demo's history, this year and next
            for term in cat.term_dates(year):
                school_term_save(actor=admin, academic_year=year, **term)
        for user_plan in plan.users[1:]:
            users[user_plan.username] = _create_user(actor=admin, plan=user_plan)
        _set_demo_password(actor=admin, users=list(users.values()))

        data = users["data"]
        schools = {s.urn: school_create(actor=data, **s.values) for s in plan.schools}
        for username, urn in plan.memberships:
            school_staff_add(actor=admin, user=users[username], school=schools[urn])
        teacher_at = {s.urn: users[s.designated_teacher] for s in plan.schools if s.designated_teacher}

        for child_plan in plan.children:
            actor = users[child_plan.actor]
            child = child_create(
                actor=actor,
                allocated_lead=users.get(child_plan.lead),
                social_worker=users.get(child_plan.social_worker),
                reviewing_officer=users.get(child_plan.reviewing_officer),
                **child_plan.values,
            )
            for episode in child_plan.episodes:
                care_episode_record(actor=actor, child=child, **episode)
            for placement in child_plan.placements:
                school = schools[placement.school_urn] if placement.school_urn else None
                placement_create(
                    actor=actor,
                    child=child,
                    school=school,
                    designated_teacher=teacher_at.get(placement.school_urn) if placement.school_urn else None,
                    **placement.values,
                )
            if child_plan.closure:
                closure = child_plan.closure
                child_close(
                    actor=actor,
                    child=child,
                    closed_on=closure["closed_on"],
                    reason=closure["reason"],
                    notified_on=closure.get("notified_on"),
                    removed_on=closure.get("removed_on"),
                )
        write_sdq_demo(users=users, today=plan.today, seed=plan.seed)
        # Each feature app adds its part of the story (attendance, PEPs, ...) through core.extensions.
        for _key, writer in extensions.demo_writers():
            writer(users=users, schools=schools, today=plan.today, seed=plan.seed)
    return DemoSummary(
        children=Child.objects.count(),
        schools=School.objects.count(),
        users=User.objects.count(),
        audit_events=AuditEvent.objects.count() - events_before,
        seconds=time.perf_counter() - started,
    )


def load_demo(*, seed: int = cat.DEFAULT_SEED, size: str = "full", today: dt.date | None = None) -> DemoSummary:
    """Plan the demo for today and write it."""
    plan = plan_demo(seed=seed, size=size, today=today or timezone.localdate())
    return write_demo(plan)


def demo_logins() -> list[tuple[str, str, str]]:
    """One demo account per role that exists in the database: (username, role label, full name)."""
    found = {u.username: u for u in User.objects.filter(username__in=[name for name, _ in LOGIN_PER_ROLE])}
    rows = []
    for username, role in LOGIN_PER_ROLE:
        user = found.get(username)
        if user is not None and user.role == role and user.is_active:
            rows.append((username, Role(role).label, user.full_name))
    return rows

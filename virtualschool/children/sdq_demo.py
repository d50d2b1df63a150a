"""SDQ histories for the synthetic demo, recorded through the SDQ service as the people involved would.

Deterministic for a seed. About one looked-after child in six of school age gets a history of carer SDQs, and
many a teacher's; three children show the school SDQ rule: one carer total above the threshold recorded ten
days ago (a school SDQ due, at a school of the demo designated teacher dt1), one recorded seven weeks ago and
never answered (overdue), one answered by the school (completed).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from virtualschool.core.calendar import add_months
from virtualschool.core.selectors import policy_get

from . import sdq
from .models import Child, Cohort, SdqScore
from .services import sdq_record

SHARE = 6  # one child in this many gets a history


def _answers(rng: random.Random, level: float) -> list[int | None]:
    """25 answers as ticked. `level` 0–1 is how much difficulty the person completing it describes."""
    items: list[int | None] = []
    for number in range(1, sdq.ITEM_COUNT + 1):
        prosocial = number in sdq.SCALE_BY_KEY["prosocial"].items
        # An answer showing difficulty ticks further right on most items, further left on reversed and prosocial.
        towards_difficulty = rng.random() < level
        high = rng.random() < 0.5
        difficulty_tick = 2 if high else 1
        if prosocial or number in sdq.REVERSED_ITEMS:
            tick = 2 - difficulty_tick if towards_difficulty else (2 if rng.random() < 0.7 else 1)
        else:
            tick = difficulty_tick if towards_difficulty else (0 if rng.random() < 0.75 else 1)
        items.append(tick)
    if rng.random() < 0.15:
        items[rng.randrange(sdq.ITEM_COUNT)] = None  # a carer skipped one: prorated
    return items


def _total(items: list[int | None]) -> int:
    return sdq.total_difficulties(sdq.scales_from_items(items))


def _answers_with_total(rng: random.Random, low: int, high: int, level: float) -> list[int | None]:
    for _ in range(500):
        items = _answers(rng, level)
        if low <= _total(items) <= high:
            return items
        level = min(1.0, level + 0.02) if _total(items) < low else max(0.0, level - 0.02)
    raise RuntimeError(f"no demo answers with a total from {low} to {high}")  # pragma: no cover


def _school_teachers(children: list[Child], today: dt.date, by_id: Mapping[int, Any]) -> dict[int, Any]:
    """Each child's designated teacher at their current school placement, when that teacher has an account."""
    rows = (
        Child.objects.filter(
            pk__in=[c.pk for c in children],
            education_placements__start_date__lte=today,
            education_placements__end_date__isnull=True,
        )
        .values_list("pk", "education_placements__designated_teacher_id")
        .order_by("pk")
    )
    return {pk: by_id[teacher] for pk, teacher in rows if teacher in by_id}


def _record(actor: Any, child: Child, respondent: str, on: dt.date, items: list[int | None], name: str) -> SdqScore:
    return sdq_record(
        actor=actor, child=child, respondent=respondent, completed_on=on, completed_by_name=name[:200], items=items
    )


def write_sdq_demo(*, users: Mapping[str, Any], today: dt.date, seed: int) -> int:
    """Record the demo's SDQs; returns how many. Call once, after the children and placements are written."""
    rng = random.Random(seed * 7919 + 25)
    today = min(today, timezone.localdate())  # a demo planned for a later day cannot record SDQs completed then
    policy = policy_get()
    threshold = policy.sdq_carer_threshold
    by_id = {user.pk: user for user in users.values()}
    data = users["data"]
    children = [
        child
        for child in Child.objects.filter(cohort=Cohort.LOOKED_AFTER, closed_on__isnull=True)
        .select_related("social_worker")
        .order_by("social_care_reference")
        if 5 <= child.age_on(today) <= 16 and child.period_of_care_start is not None
    ]
    teachers = _school_teachers(children, today, by_id)
    written = 0
    showcase = _showcase(children, today, teachers)
    for child, role in showcase.items():
        written += _showcase_history(rng, child, role, today, threshold, teachers.get(child.pk) or data, data)
    for index, child in enumerate(children):
        if child in showcase or index % SHARE:
            continue
        written += _ordinary_history(rng, child, today, teachers.get(child.pk), data)
    return written


def _showcase(children: list[Child], today: dt.date, teachers: Mapping[int, Any]) -> dict[Child, str]:
    """Three children who show the school SDQ rule; the first at a school of dt1, so dt1 sees it."""
    chosen: dict[Child, str] = {}
    # In care long enough for a carer SDQ four months ago; those in care over a year first (an earlier SDQ too).
    settled = sorted(
        (c for c in children if _earliest(c) <= add_months(today, -5)),
        key=lambda c: _earliest(c) > add_months(today, -14),
    )
    at_dt1 = [c for c in settled if getattr(teachers.get(c.pk), "username", "") == "dt1"]
    with_teacher = [c for c in settled if c.pk in teachers]
    for role, pool in (("due", at_dt1 or with_teacher), ("overdue", with_teacher), ("completed", with_teacher)):
        child = next((c for c in pool if c not in chosen and c.social_worker is not None), None)
        if child is not None:
            chosen[child] = role
    return chosen


def _earliest(child: Child) -> dt.date:
    start = child.period_of_care_start or child.date_of_birth
    return max(start, child.date_of_birth.replace(year=child.date_of_birth.year + 4) + dt.timedelta(days=1))


def _showcase_history(
    rng: random.Random, child: Child, role: str, today: dt.date, threshold: int, teacher: Any, data: Any
) -> int:
    worker = child.social_worker or data
    carer_name = child.carer_name or "Foster carer"
    written = 0
    earlier = add_months(today, -13)
    if earlier >= _earliest(child):
        _record(worker, child, sdq.CARER, earlier, _answers_with_total(rng, 8, threshold, 0.3), carer_name)
        written += 1
    carer_on = {"due": today - dt.timedelta(days=10), "overdue": today - dt.timedelta(days=50)}.get(
        role, add_months(today, -4)
    )
    if carer_on < _earliest(child):
        return written
    _record(worker, child, sdq.CARER, carer_on, _answers_with_total(rng, threshold + 3, threshold + 9, 0.6), carer_name)
    written += 1
    if role == "completed":
        school_on = carer_on + dt.timedelta(days=rng.randint(12, 26))
        name = f"{teacher.get_full_name()}, designated teacher"
        _record(teacher, child, sdq.TEACHER, school_on, _answers_with_total(rng, 10, 18, 0.45), name)
        written += 1
    return written


def _ordinary_history(rng: random.Random, child: Child, today: dt.date, teacher: Any | None, data: Any) -> int:
    """A carer SDQ about once a year for up to three years, sometimes answered by the school and the child."""
    worker = child.social_worker or data
    level = rng.choice([0.1, 0.2, 0.3, 0.45])
    written = 0
    for years_ago in (2, 1, 0):
        on = add_months(today, -12 * years_ago - rng.randint(1, 10))
        if on < _earliest(child) or on > today:
            continue
        level = min(0.9, max(0.0, level + rng.uniform(-0.15, 0.1)))  # most improve a little in stable care
        _record(worker, child, sdq.CARER, on, _answers(rng, level), child.carer_name or "Carer")
        written += 1
        if teacher is not None and rng.random() < 0.6:
            school_on = min(today, on + dt.timedelta(days=rng.randint(5, 25)))
            name = f"{teacher.get_full_name()}, designated teacher"
            _record(teacher, child, sdq.TEACHER, school_on, _answers(rng, max(0.0, level - 0.1)), name)
            written += 1
        if 11 <= child.age_on(on) <= 16 and rng.random() < 0.3:
            _record(worker, child, sdq.SELF, on, _answers(rng, level), child.display_name)
            written += 1
    return written

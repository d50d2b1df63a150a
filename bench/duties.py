"""Benchmark: every duty computed for a roll of 10,000 children, and one lead's overdue list over 1,000,000.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/any .venv/bin/python bench/duties.py
    .venv/bin/python bench/duties.py                       # SQLite, a fresh file in a temporary folder

On PostgreSQL the database vsm_bench_duties (on the server DATABASE_URL names; never the database it names) is
dropped, recreated and migrated. The roll: 10,000 synthetic children with 25 leads, each child with one to
three education placements (some with a gap between them, some part-time), care status and roll dates, and
for a third of them a carer's SDQ above the threshold, half answered by a school SDQ.

The PEP, attendance and suspension apps are not on main yet, so their event kinds are registered here as
in-memory sources (deterministic dates per child: PEP initiated and meetings held, QA, PEP shared before each
care review, suspensions and what followed). Every seeded rule is then measured, so the engine does all of its
work: the roll's sources read the database, the simulated ones cost what reading another app's rows would
cost after the query.

Timed (median of 3 after one warm-up, at 5,000 and 10,000 children to show how it grows):

1. compute: `engine.compute_all` — every rule for every child, nothing stored;
2. refresh: compute and store (first time: every instance inserted), then a refresh with nothing changed.

Then the duty instance table is filled to 500,000 and to 1,000,000 rows (100 clocks a child over 10,000
children, states as a real roll's: mostly met, some late, 5 % overdue), and one lead's overdue list —
`selectors.overdue_for(user=lead)`, every row fetched with its child and rule, as My work shows it — is timed
(median of 30 after 5 warm-ups) at each size.

PASS when computing every duty for 10,000 children takes under 5 s and the overdue list with 1,000,000
instances stored under 100 ms (medians). DEBUG is off, as in production.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_NAME = "vsm_bench_duties"
ROLL_SIZE = 10_000
LEADS = 25
COMPUTE_TARGET_S = 5.0
OVERDUE_TARGET_MS = 100.0
TODAY = dt.date(2026, 11, 26)


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        return urlunsplit((parts.scheme, parts.netloc, f"/{DATABASE_NAME}", "", ""))
    folder = Path(tempfile.mkdtemp(prefix="vsm-bench-duties-"))
    return f"sqlite:///{folder / (DATABASE_NAME + '.sqlite3')}"


def recreate_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin_url = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django
    from django.conf import settings

    django.setup()
    settings.DEBUG = False


def build_roll(seed: int) -> tuple[list[Any], list[int]]:
    """The synthetic roll; returns the leads and the children's ids."""
    from virtualschool.accounts.models import Role, User
    from virtualschool.children.models import Child, SdqScore
    from virtualschool.placements.models import EducationPlacement
    from virtualschool.schools.models import School

    rng = random.Random(seed)
    User.objects.create(username="head", email="head@bench.invalid", role=Role.VIRTUAL_SCHOOL_HEAD, full_name="Head")
    leads = User.objects.bulk_create(
        [
            User(
                username=f"lead{n}",
                email=f"lead{n}@bench.invalid",
                role=Role.VIRTUAL_SCHOOL_LEAD,
                full_name=f"Lead {n}",
            )
            for n in range(LEADS)
        ]
    )
    teachers = User.objects.bulk_create(
        [
            User(
                username=f"dt{n}", email=f"dt{n}@bench.invalid", role=Role.DESIGNATED_TEACHER, full_name=f"Teacher {n}"
            )
            for n in range(200)
        ]
    )
    schools = School.objects.bulk_create(
        [School(urn=800000 + n, name=f"School {n}", la_code="999" if n % 3 else "888") for n in range(200)]
    )
    children = []
    for n in range(ROLL_SIZE):
        entered = TODAY - dt.timedelta(days=rng.randrange(20, 2200))
        received = entered + dt.timedelta(days=rng.randrange(0, 3))
        children.append(
            Child(
                social_care_reference=f"B{n:06d}",
                first_name=f"Child{n}",
                last_name="Bench",
                date_of_birth=dt.date(2008, 9, 1) + dt.timedelta(days=rng.randrange(0, 5000)),
                period_of_care_start=entered,
                date_first_entered_care=entered,
                care_status_received_on=received,
                added_to_roll_on=received + dt.timedelta(days=rng.choice([0, 1, 2, 3, 4, 6])),
                allocated_lead=leads[n % LEADS],
            )
        )
    children = Child.objects.bulk_create(children, batch_size=2000)
    placements, sdqs = [], []
    for child in children:
        start = child.period_of_care_start
        for index in range(rng.choice([1, 1, 2, 3])):
            school_index = rng.randrange(len(schools))
            end = start + dt.timedelta(days=rng.randrange(100, 500))
            last = end >= TODAY
            placements.append(
                EducationPlacement(
                    child=child,
                    school=schools[school_index],
                    start_date=start,
                    end_date=None if last else end,
                    hours_per_week=rng.choice([32.5, 32.5, 32.5, 15]),
                    designated_teacher=teachers[school_index],
                )
            )
            if last:
                break
            start = end + dt.timedelta(days=rng.choice([1, 1, 1, 9]))
            if index == 2 or start >= TODAY:
                break
        if rng.random() < 0.33:
            on = TODAY - dt.timedelta(days=rng.randrange(10, 700))
            sdqs.append(SdqScore(child=child, recorded_on=on, respondent="carer", total_score=18, emotional_score=6,
                                 conduct_score=4, hyperactivity_score=6, peer_score=2, prosocial_score=7))  # fmt: skip
            if rng.random() < 0.5:
                sdqs.append(SdqScore(child=child, recorded_on=on + dt.timedelta(days=rng.randrange(5, 50)),
                                     respondent="teacher", total_score=12))  # fmt: skip
    EducationPlacement.objects.bulk_create(placements, batch_size=2000)
    SdqScore.objects.bulk_create(sdqs, batch_size=2000)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would have, after a load this size
    return leads, [c.pk for c in children]


def register_simulated_sources() -> None:
    """Stand-ins for the PEP, attendance, suspension and funding apps' sources: deterministic dates per child."""
    from virtualschool.duties import events

    def offsets(kind: str, spread: int, every: int, count: int):  # type: ignore[no-untyped-def]
        salt = sum(map(ord, kind))

        steps = [dt.timedelta(days=k * every) for k in range(count)]

        def source(child_ids, context):  # type: ignore[no-untyped-def]
            since, today = context.events_from, context.today  # as a real source, only what could count
            for child_id in child_ids:
                facts = context.children.get(child_id)
                if facts is None or facts.period_of_care_start is None:
                    continue
                base = facts.period_of_care_start + dt.timedelta(days=(child_id * 7 + salt) % spread)
                for k, step in enumerate(steps):
                    day = base + step
                    if day > today:
                        break
                    if day >= since:
                        yield child_id, day, f"{kind}:{k}"

        return source

    for kind, spread, every, count in (
        ("pep_initiated", 18, 400, 3),
        ("pep_meeting_held", 35, 110, 20),
        ("pep_meeting_held_in_person", 60, 330, 6),
        ("pep_meeting_scheduled", 30, 110, 20),
        ("pep_sections_completed", 28, 110, 20),
        ("pep_submitted_for_qa", 55, 110, 20),
        ("pep_qa_completed", 70, 110, 20),
        ("pep_shared_with_reviewing_officer", 26, 120, 20),
        ("pep_review_held", 40, 200, 10),
        ("designated_teacher_informed", 2, 400, 3),
        ("absence_recorded", 50, 90, 12),
        ("absence_followed_up", 50, 90, 12),
        ("attendance_below_threshold", 200, 300, 5),
        ("reduced_timetable_review_set", 20, 300, 5),
        ("suspension_started", 300, 420, 3),
        ("suspension_told_social_worker", 300, 420, 3),
        ("suspension_told_reviewing_officer", 301, 420, 3),
        ("suspension_paperwork_received", 302, 420, 3),
        ("suspension_provision_arranged", 306, 420, 3),
        ("exclusion_risk_raised", 500, 400, 2),
        ("ppplus_application_received", 90, 365, 6),
        ("ppplus_application_decided", 96, 365, 6),
        ("ppplus_decision_published", 97, 365, 6),
    ):
        events.register_event_source(kind, offsets(kind, spread, every, count), label=kind, app="bench")


CPU: list[float] = []  # this process's CPU time for each timed run (the machine is shared: see the README)


def timed(fn, runs: int, warmups: int) -> list[float]:  # type: ignore[no-untyped-def]
    for _ in range(warmups):
        fn()
    found = []
    CPU.clear()
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        fn()
        found.append(time.perf_counter() - started)
        CPU.append(time.process_time() - cpu)
    return found


def fill_instances(total: int, child_ids: list[int], rule_ids: list[int], leads: list[Any], postgres: bool) -> None:
    """Replace the stored instances by `total` synthetic ones (100 per child: rules cycled, weekly starts)."""
    from django.db import connection

    from virtualschool.duties.models import DutyInstance

    DutyInstance.objects.all().delete()
    per_child = total // len(child_ids)
    states = ["met_on_time"] * 80 + ["met_late"] * 10 + ["overdue"] * 5 + ["due"] * 2 + ["upcoming"] * 3
    rng = random.Random(7)
    base = dt.date(2022, 1, 3)

    def rows():  # type: ignore[no-untyped-def]
        for child_id in child_ids:
            for k in range(per_child):
                state = rng.choice(states)
                started = base + dt.timedelta(days=7 * k)
                due = started + dt.timedelta(days=14)
                met = due - dt.timedelta(days=2) if state == "met_on_time" else due + dt.timedelta(days=3)
                yield (child_id, rule_ids[k % len(rule_ids)], started, due,
                       met if state.startswith("met") else None, state, "", "", TODAY)  # fmt: skip

    columns = "child_id, rule_id, started_on, due_on, met_on, state, reference, met_reference, computed_on"
    if postgres:
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY duties_dutyinstance ({columns}) FROM STDIN") as copy,
        ):
            for row in rows():
                copy.write_row(row)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE duties_dutyinstance")
    else:
        batch = []
        for row in rows():
            batch.append(DutyInstance(child_id=row[0], rule_id=row[1], started_on=row[2], due_on=row[3],
                                      met_on=row[4], state=row[5], computed_on=row[8]))  # fmt: skip
            if len(batch) == 5000:
                DutyInstance.objects.bulk_create(batch)
                batch = []
        DutyInstance.objects.bulk_create(batch)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--list-runs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    url = database_url()
    engine_name = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    if engine_name == "PostgreSQL":
        recreate_postgres(url)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from virtualschool.duties import engine, selectors
    from virtualschool.duties.models import DutyInstance, DutyRule

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    leads, child_ids = build_roll(args.seed)
    register_simulated_sources()
    measured = len(engine.measured_rules())
    print(
        f"Duties on {engine_name} ({connection.settings_dict['NAME']}): {len(child_ids)} children, "
        f"{measured} of {DutyRule.objects.count()} rules measured, built in {time.perf_counter() - started:.1f} s; "
        f"load average {os.getloadavg()[0]:.1f}"
    )

    compute: dict[int, float] = {}
    for size in (ROLL_SIZE // 2, ROLL_SIZE):
        ids = child_ids[:size]
        found: list[Any] = []

        def run(ids: list[int] = ids, found: list[Any] = found) -> None:
            found[:] = engine.compute_all(ids, today=TODAY)

        compute[size] = statistics.median(timed(run, args.runs, 1))
        print(
            f"compute every duty, {size} children: median {compute[size]:.2f} s (CPU {statistics.median(CPU):.2f} s), "
            f"{len(found)} duty instances; load average {os.getloadavg()[0]:.1f}"
        )

    DutyInstance.objects.all().delete()
    t0 = time.perf_counter()
    first = engine.refresh(child_ids, today=TODAY, notify=False)
    stored = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = engine.refresh(child_ids, today=TODAY, notify=False)
    unchanged = time.perf_counter() - t0
    print(f"refresh, {ROLL_SIZE} children, nothing stored yet: {stored:.2f} s ({first.summary()})")
    print(f"refresh again, nothing changed: {unchanged:.2f} s ({again.created} new, {again.updated} changed)")

    rule_ids = list(DutyRule.objects.values_list("pk", flat=True))
    lead = leads[0]
    overdue: dict[int, float] = {}
    returned: dict[int, int] = {}
    for total in (500_000, 1_000_000):
        t0 = time.perf_counter()
        fill_instances(total, child_ids, rule_ids, leads, engine_name == "PostgreSQL")
        filled = time.perf_counter() - t0
        rows: list[Any] = []

        def overdue_list(rows: list[Any] = rows) -> None:
            rows[:] = selectors.overdue_for(user=lead)

        overdue[total] = statistics.median(timed(overdue_list, args.list_runs, 5)) * 1000
        returned[total] = len(rows)
        with CaptureQueriesContext(connection) as queries:
            overdue_list()
        print(
            f"overdue list for one lead, {DutyInstance.objects.count()} instances stored (filled in {filled:.0f} s): "
            f"median {overdue[total]:.1f} ms (CPU {statistics.median(CPU) * 1000:.1f} ms), {len(rows)} rows, "
            f"{len(queries)} queries; load average {os.getloadavg()[0]:.1f}"
        )

    half, full = ROLL_SIZE // 2, ROLL_SIZE
    print(
        f"growth: compute x{compute[full] / compute[half]:.2f} for x2 children; overdue list "
        f"x{overdue[1_000_000] / overdue[500_000]:.2f} for x2 instances stored "
        f"(x{returned[1_000_000] / max(returned[500_000], 1):.2f} rows returned)"
    )
    ok = compute[full] < COMPUTE_TARGET_S and overdue[1_000_000] < OVERDUE_TARGET_MS
    print(
        f"every duty for {full} children under {COMPUTE_TARGET_S:.0f} s: "
        f"{'yes' if compute[full] < COMPUTE_TARGET_S else 'NO'}; "
        f"overdue list with 1,000,000 stored under {OVERDUE_TARGET_MS:.0f} ms: "
        f"{'yes' if overdue[1_000_000] < OVERDUE_TARGET_MS else 'NO'}"
    )
    if engine_name == "SQLite":
        connection.close()
        shutil.rmtree(Path(connection.settings_dict["NAME"]).parent, ignore_errors=True)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

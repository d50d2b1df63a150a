"""Benchmark: the /suspensions/ overview for a roll of 5,000 children, and a child's Behaviour and exclusion tab.

    .venv/bin/python bench/suspensions.py                          # SQLite, a fresh file in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/any .venv/bin/python bench/suspensions.py
                                                                   # PostgreSQL: its own database

On PostgreSQL the database vsm_bench_suspensions (on the server DATABASE_URL names; never the database it names)
is dropped, recreated and migrated. The roll: 5,000 synthetic children at 100 schools, each with a placement
(one in ten below full-time hours), about 3,000 suspensions over the last fourteen months (dates worked out
with the school calendar, as the service does), 100 permanent exclusions, 300 reduced timetables with reviews
and 200 risks of permanent exclusion. Timed, after warm-ups (median of 10 each, and the SQL query count, which
must not grow with the roll):

- `selectors.overview(user=head)`: everything the overview lists (told late, paperwork, day 6, thresholds,
  patterns, risks, timetables overdue, part-time concerns);
- GET /suspensions/ as the head (the whole page);
- GET /suspensions/children/<id>/ for a child with six suspensions and a reduced timetable.

PASS when the overview's median is under 1 s, the page's under 2 s, the child's tab under 300 ms, and the query
counts are the same for half the roll. DEBUG is off, as in production.
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
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_NAME = "vsm_bench_suspensions"
ROLL_SIZE = 5_000
SELECTOR_TARGET_MS = 1000.0
PAGE_TARGET_MS = 2000.0
CHILD_TARGET_MS = 300.0


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        return urlunsplit((parts.scheme, parts.netloc, f"/{DATABASE_NAME}", "", ""))
    folder = Path(tempfile.mkdtemp(prefix="vsm-bench-suspensions-"))
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


def build_roll(seed: int, size: int) -> tuple[Any, Any]:
    """The children and their records; returns the head and a child with six suspensions."""
    from django.contrib.auth import get_user_model

    from virtualschool.children.models import Child
    from virtualschool.core.calendar import school_calendar
    from virtualschool.placements.models import EducationPlacement
    from virtualschool.schools.models import School
    from virtualschool.suspensions import assess
    from virtualschool.suspensions.codes import REASONS
    from virtualschool.suspensions.models import (
        ExclusionRisk,
        ReducedTimetable,
        ReducedTimetableReview,
        Suspension,
    )

    rng = random.Random(seed)
    today = dt.date.today()
    calendar = school_calendar()
    head = get_user_model().objects.create(
        username="bench-head", email="bench-head@example.gov.uk", full_name="Bench Head", role="vsh"
    )
    schools = School.objects.bulk_create(
        School(urn=800000 + n, name=f"Bench School {n}", la_code="999") for n in range(100)
    )
    children = Child.objects.bulk_create(
        (
            Child(
                social_care_reference=f"S{n:06d}",
                first_name=f"Child{n}",
                last_name=f"Surname{rng.randint(1, 500)}",
                date_of_birth=today - dt.timedelta(days=rng.randint(6 * 365, 16 * 365)),
            )
            for n in range(size)
        ),
        batch_size=1000,
    )
    school_of = {c.pk: rng.choice(schools) for c in children}
    EducationPlacement.objects.bulk_create(
        (
            EducationPlacement(
                child=c,
                school=school_of[c.pk],
                start_date=today - dt.timedelta(days=900),
                hours_per_week=Decimal(rng.choice((10, 15, 20))) if rng.random() < 0.1 else Decimal("32.5"),
            )
            for c in children
        ),
        batch_size=1000,
    )
    reasons = list(REASONS)
    rows = []
    suspended = rng.sample(children, size * 3 // 10)
    showcase = suspended[0]
    for child in suspended:
        for _ in range(6 if child is showcase else rng.choice((1, 1, 2, 3))):
            start = calendar.first_school_day_from(today - dt.timedelta(days=rng.randint(0, 420)))
            if start > today:
                start = calendar.latest_school_day(today)
            length = rng.choice((1, 1, 2, 3, 5, 8))
            dates = assess.suspension_dates(calendar, start=start, unit="days", length=length)
            told = start + dt.timedelta(days=rng.choice((0, 0, 0, 1)))
            rows.append(
                Suspension(
                    child=child,
                    school=school_of[child.pk],
                    decided_on=start,
                    start_date=start,
                    length_unit="days",
                    length=length,
                    end_date=dates.end_date,
                    school_days=dates.school_days,
                    full_time_from=dates.full_time_from,
                    reasons=rng.sample(reasons, rng.randint(1, 3)),
                    vs_told_on=told,
                    social_worker_told_on=told,
                    reviewing_officer_told_on=told if rng.random() < 0.8 else None,
                    paperwork_received_on=start + dt.timedelta(days=rng.randint(0, 4)) if rng.random() < 0.9 else None,
                )
            )
    for child in rng.sample(children, 100):
        start = calendar.latest_school_day(today - dt.timedelta(days=rng.randint(0, 300)))
        rows.append(
            Suspension(
                child=child,
                school=school_of[child.pk],
                category="PERM",
                decided_on=start,
                start_date=start,
                full_time_from=assess.permanent_exclusion_full_time_from(calendar, start),
                reasons=["PA"],
            )
        )
    Suspension.objects.bulk_create(rows, batch_size=1000)
    timetables = []
    for child in [showcase, *rng.sample(children, 299)]:
        start = today - dt.timedelta(days=rng.randint(0, 200))
        timetables.append(
            ReducedTimetable(
                child=child,
                school=school_of[child.pk],
                hours_per_week=Decimal(15),
                start_date=start,
                end_date=start + dt.timedelta(days=84),
                agreed_school=True,
                agreed_school_by="Designated teacher",
            )
        )
    timetables = ReducedTimetable.objects.bulk_create(timetables, batch_size=1000)
    ReducedTimetableReview.objects.bulk_create(
        ReducedTimetableReview(timetable=t, due_on=t.start_date + dt.timedelta(days=28)) for t in timetables
    )
    ExclusionRisk.objects.bulk_create(
        ExclusionRisk(
            child=c, raised_on=today - dt.timedelta(days=rng.randint(0, 90)), raised_by="Head", school_said="x"
        )
        for c in rng.sample(children, 200)
    )
    return head, showcase


def timed(call: Any, *, runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()  # warm-up
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            call()
            timings.append((time.perf_counter() - started) * 1000)
    return {"median": statistics.median(timings), "queries": len(queries)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    url = database_url()
    engine = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    if engine == "PostgreSQL":
        recreate_postgres(url)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from virtualschool.suspensions.models import Suspension
    from virtualschool.suspensions.selectors import overview

    call_command("migrate", verbosity=0)
    results = {}
    for size in (ROLL_SIZE // 2, ROLL_SIZE):
        if size != ROLL_SIZE // 2:
            call_command("flush", interactive=False, verbosity=0)
        started = time.perf_counter()
        head, showcase = build_roll(args.seed, size)
        count = Suspension.objects.count()
        print(
            f"Suspensions on {engine}: {size} children, {count} suspensions and exclusions, built in "
            f"{time.perf_counter() - started:.1f} s; load average {os.getloadavg()[0]:.1f}"
        )
        client = Client()
        client.force_login(head)
        page_url = reverse("suspensions:overview")
        child_url = reverse("suspensions:child", args=[showcase.pk])
        results[size] = {
            "selector": timed(lambda h=head: overview(user=h), runs=args.runs),
            "page": timed(lambda c=client, u=page_url: c.get(u), runs=args.runs),
            "child": timed(lambda c=client, u=child_url: c.get(u), runs=args.runs),
        }
        labels = {"selector": "overview selector", "page": "GET /suspensions/", "child": "child's tab (6 suspensions)"}
        for name, label in labels.items():
            r = results[size][name]
            print(f"  {label}: median {r['median']:.0f} ms, {r['queries']} queries")
    big, half = results[ROLL_SIZE], results[ROLL_SIZE // 2]
    ratio = big["selector"]["median"] / max(half["selector"]["median"], 0.001)
    print(f"overview selector, {ROLL_SIZE} children against {ROLL_SIZE // 2}: {ratio:.2f}× the time (linear is 2×)")
    same_queries = all(big[k]["queries"] == half[k]["queries"] for k in ("selector", "page"))
    ok = (
        big["selector"]["median"] < SELECTOR_TARGET_MS
        and big["page"]["median"] < PAGE_TARGET_MS
        and big["child"]["median"] < CHILD_TARGET_MS
        and same_queries
    )
    print(
        f"selector under {SELECTOR_TARGET_MS:.0f} ms, page under {PAGE_TARGET_MS:.0f} ms, child's tab under "
        f"{CHILD_TARGET_MS:.0f} ms, queries independent of the roll: "
        f"{'yes' if ok else 'NO'} (queries the same at both sizes: {'yes' if same_queries else 'NO'})"
    )
    if engine == "SQLite":
        connection.close()
        shutil.rmtree(Path(connection.settings_dict["NAME"]).parent, ignore_errors=True)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: cohort attendance figures over three years for 10,000 and for 85,000 children, on PostgreSQL.

    .venv/bin/python bench/attendance_figures.py   # targets: median < 300 ms (10,000), < 2 s (85,000)

Uses its own database, vsm_bench_attendance_figures, on the PostgreSQL server DATABASE_URL names (default
postgres://postgres@127.0.0.1:5432/): drops, recreates and migrates it, writes 85,000 children (10,000 of them
allocated to one lead) and then, directly in SQL (generating and importing 85,000 children x 3 years of marks
would take far longer than a benchmark should), fills the monthly summary for every month from September 2023
to this month and the marks themselves for the part month at the start of the period (the only marks the
query reads). The timed call is the dashboard's own selector, `counts_by_child` over the `roll_search`
queryset of the Head, then `group_figures`: for the 10,000 the lead filter, for the 85,000 the whole roll.
The period runs from the first Monday of December 2023 to today: three years, with a part month at the start
(answered from marks) and whole months after it (answered from the summary).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/"
DATABASE_NAME = "vsm_bench_attendance_figures"
SMALL, LARGE = 10_000, 85_000
TARGETS = {SMALL: 0.300, LARGE: 2.0}
RUNS = 7


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "") or DEFAULT_SERVER
    if not url.startswith(("postgres://", "postgresql://")):
        url = DEFAULT_SERVER
    return urlunsplit(urlsplit(url)._replace(path=f"/{DATABASE_NAME}"))


def prepare(url: str) -> None:
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)


def populate(start: dt.date, today: dt.date) -> tuple[object, object]:
    from django.db import connection

    from virtualschool.accounts.models import Role, User
    from virtualschool.children.models import Child

    head = User.objects.create(
        username="bench_head", email="head@bench.invalid", full_name="Bench Head", role=Role.VIRTUAL_SCHOOL_HEAD
    )
    lead = User.objects.create(
        username="bench_lead", email="lead@bench.invalid", full_name="Bench Lead", role=Role.VIRTUAL_SCHOOL_LEAD
    )
    started = time.perf_counter()
    Child.objects.bulk_create(
        (
            Child(
                social_care_reference=f"F{n:06d}",
                first_name="Bench",
                last_name=f"Child {n}",
                date_of_birth=dt.date(2010 + n % 8, 1 + n % 12, 1),
                upn=f"F{n:012d}",
                allocated_lead=lead if n < SMALL else None,
            )
            for n in range(LARGE)
        ),
        batch_size=5000,
    )
    edge_end = dt.date(start.year, 12, 31)  # the period starts in December
    with connection.cursor() as cursor:
        # Whole months: 20 school days (40 sessions) a month, absence varying by child so that some are
        # persistently absent. The part month at the start: the marks themselves, weekdays only.
        cursor.execute(
            """
            INSERT INTO attendance_attendancemonth (child_id, month, present, aea, authorised, unauthorised,
                                                    not_possible)
            SELECT c.id, m::date, 40 - (c.id %% 9) - (c.id %% 4), c.id %% 2, c.id %% 9 - (c.id %% 2), c.id %% 4, 0
            FROM children_child c
            CROSS JOIN generate_series(%s::date, %s::date, interval '1 month') m
            """,
            [dt.date(2023, 9, 1), today.replace(day=1)],
        )
        # The academic years, as the importer keeps them: the sums of their months.
        cursor.execute(
            """
            INSERT INTO attendance_attendanceyear (child_id, year, present, aea, authorised, unauthorised,
                                                   not_possible)
            SELECT child_id, CASE WHEN extract(month from month) >= 9 THEN extract(year from month)
                                  ELSE extract(year from month) - 1 END,
                   sum(present), sum(aea), sum(authorised), sum(unauthorised), sum(not_possible)
            FROM attendance_attendancemonth GROUP BY 1, 2
            """
        )
        cursor.execute(
            """
            INSERT INTO attendance_attendancemark (child_id, date, session, code, school_id)
            SELECT c.id, d::date, s, CASE WHEN (c.id + extract(day from d)::int) %% 11 = 0 THEN 'I' ELSE
                   CASE s WHEN 'AM' THEN '/' ELSE '\\' END END, NULL
            FROM children_child c
            CROSS JOIN generate_series(%s::date, %s::date, interval '1 day') d
            CROSS JOIN (VALUES ('AM'), ('PM')) sessions(s)
            WHERE extract(isodow from d) < 6
            ORDER BY 1, 2, 3
            """,
            [dt.date(start.year, start.month, 1), edge_end],
        )
        cursor.execute("VACUUM ANALYZE attendance_attendancemonth")
        cursor.execute("VACUUM ANALYZE attendance_attendanceyear")
        cursor.execute("VACUUM ANALYZE attendance_attendancemark")
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM attendance_attendancemonth")
        months = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM attendance_attendancemark")
        marks = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM attendance_attendanceyear")
        years = cursor.fetchone()[0]
    print(
        f"Populated {LARGE:,} children, {months:,} month and {years:,} year summary rows and {marks:,} marks "
        f"in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    return head, lead


def time_figures(head: object, lead_id: int | None, start: dt.date, today: dt.date, runs: int) -> tuple[float, int]:
    from virtualschool.attendance.figures import counts_by_child, group_figures, policy_get
    from virtualschool.placements.selectors import RollFilters, roll_search

    policy = policy_get()
    timings = []
    children = 0
    for _ in range(runs):
        began = time.perf_counter()
        qs = roll_search(user=head, filters=RollFilters(lead_id=lead_id, status="open"), home_la_code="999", on=today)
        group = group_figures(counts_by_child(qs, start, today, today=today), policy)
        timings.append(time.perf_counter() - began)
        children = group.children
    return statistics.median(timings), children


def main() -> int:
    url = database_url()
    print(f"Database {DATABASE_NAME}: recreating and migrating", flush=True)
    prepare(url)
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="config.settings.test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.utils import timezone

    today = timezone.localdate()
    start = dt.date(today.year - 3, 12, 4)  # the first Monday of December 2023
    while start.weekday() != 0:
        start += dt.timedelta(days=1)
    head, lead = populate(start, today)
    print(f"Period: {start:%d %B %Y} to {today:%d %B %Y}", flush=True)
    results = {}
    for size, lead_id in ((SMALL, lead.pk), (LARGE, None)):  # type: ignore[attr-defined]
        time_figures(head, lead_id, start, today, 1)  # warm the cache once
        median, children = time_figures(head, lead_id, start, today, RUNS)
        results[size] = median
        if children != size:
            raise SystemExit(f"The figures covered {children} children, not {size}.")
        print(f"  {size:>6,} children: median {median * 1000:,.0f} ms over {RUNS} runs "
              f"(target < {TARGETS[size] * 1000:,.0f} ms)", flush=True)  # fmt: skip
    growth = (results[LARGE] / results[SMALL]) / (LARGE / SMALL)
    print(
        f"Growth: {LARGE / SMALL:.1f} x the children took {results[LARGE] / results[SMALL]:.1f} x the time "
        f"({growth:.2f} of linear): {results[LARGE] / LARGE * 1e6:.1f} µs a child at 85,000, "
        f"{results[SMALL] / SMALL * 1e6:.1f} µs at 10,000"
    )
    ok = all(results[size] < TARGETS[size] for size in results)
    print("PASS" if ok else "FAIL: a target was not met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

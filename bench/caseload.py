"""Benchmark: the caseload page for a Virtual School Lead with 120 children on a roll of 2,000.

    .venv/bin/python bench/caseload.py                     # SQLite, a fresh file in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/any .venv/bin/python bench/caseload.py
                                                           # PostgreSQL: its own database, vsm_bench_caseload

On PostgreSQL the database vsm_bench_caseload (on the server DATABASE_URL names; never the database it names) is
dropped, recreated and migrated. The roll: 2,000 synthetic children across 90 schools, each with care episodes
and education placements (current and past). GET /children/caseload/ through django.test.Client, signed in
(force_login) as a lead with 120 children, 5 warm-ups then 50 timed requests: median, p90 and the number of SQL
queries per request. The same for a lead with 30 children: the query count must be the same (no N+1).
PASS when both medians are under 150 ms and the query counts match. DEBUG is off, as in production.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
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

DATABASE_NAME = "vsm_bench_caseload"
TARGET_MEDIAN_MS = 150.0
ROLL_SIZE = 2_000
SCHOOLS = 90
BIG_CASELOAD = 120
SMALL_CASELOAD = 30


def database_url() -> str:
    """Our own database: on the PostgreSQL server DATABASE_URL names, else a fresh SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        return urlunsplit((parts.scheme, parts.netloc, f"/{DATABASE_NAME}", "", ""))
    folder = Path(tempfile.mkdtemp(prefix="vsm-bench-caseload-"))
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
    settings.DEBUG = False  # as in production: no template debugging, no query log kept


def build_roll(seed: int) -> tuple[Any, Any]:
    """2,000 children across 90 schools; returns the leads with 120 and with 30 children."""
    from django.contrib.auth import get_user_model

    from virtualschool.children.models import CareEpisode, Child, SenStatus
    from virtualschool.placements.models import EducationPlacement, SettingType
    from virtualschool.schools.models import School

    rng = random.Random(seed)
    user_model = get_user_model()
    today = dt.date.today()
    ratings = ["outstanding", "good", "good", "good", "requires_improvement", ""]
    schools = School.objects.bulk_create(
        School(
            urn=980000 + n,
            la_code="999" if n < 60 else "998",
            establishment_number=f"{2000 + n:04d}",
            name=f"Bench School {n}",
            phase="Primary" if n % 3 else "Secondary",
            ofsted_rating=rng.choice(ratings),
        )
        for n in range(SCHOOLS)
    )
    leads = user_model.objects.bulk_create(
        user_model(username=f"bench-lead{n}", email=f"bench-lead{n}@example.gov.uk", full_name=f"Lead {n}", role="lead")
        for n in range(10)
    )
    workers = user_model.objects.bulk_create(
        user_model(username=f"bench-sw{n}", email=f"bench-sw{n}@example.gov.uk", full_name=f"Worker {n}", role="sw")
        for n in range(25)
    )
    owners = [leads[0]] * BIG_CASELOAD + [leads[1]] * SMALL_CASELOAD
    owners += [leads[2 + n % 8] for n in range(ROLL_SIZE - len(owners))]
    rng.shuffle(owners)
    children = []
    for n, lead in enumerate(owners):
        entered = today - dt.timedelta(days=rng.randint(30, 3000))
        children.append(
            Child(
                social_care_reference=f"B{n:06d}",
                first_name=f"Child{n}",
                last_name=f"Surname{rng.randint(1, 500)}",
                gender=rng.choice("MF"),
                date_of_birth=today - dt.timedelta(days=rng.randint(4 * 365, 17 * 365)),
                sen_status=rng.choice([SenStatus.NONE, SenStatus.NONE, SenStatus.SEN_SUPPORT, SenStatus.EHCP]),
                allocated_lead=lead,
                social_worker=rng.choice(workers),
                date_first_entered_care=entered,
                period_of_care_start=entered,
                care_status_received_on=entered,
                added_to_roll_on=entered + dt.timedelta(days=rng.randint(0, 6)),
            )
        )
    children = Child.objects.bulk_create(children, batch_size=500)
    episodes, placements = [], []
    for child in children:
        start: dt.date = child.period_of_care_start or today
        middle = start + dt.timedelta(days=(today - start).days // 2)
        episodes.append(
            CareEpisode(child=child, start_date=start, end_date=middle, reason_new_episode="S", legal_status="C1")
        )
        episodes.append(CareEpisode(child=child, start_date=middle, reason_new_episode="L", legal_status="C2"))
        first_school, second_school = rng.sample(schools, 2)
        placements.append(
            EducationPlacement(
                child=child,
                setting_type=SettingType.SCHOOL,
                school=first_school,
                start_date=start,
                end_date=middle,
                reason_for_change="care_move",
                hours_per_week=32.5,
                ofsted_rating_at_start=first_school.ofsted_rating,
            )
        )
        placements.append(
            EducationPlacement(
                child=child,
                setting_type=SettingType.SCHOOL,
                school=second_school,
                start_date=middle + dt.timedelta(days=1),
                hours_per_week=rng.choice([32.5, 32.5, 32.5, 15]),
                ofsted_rating_at_start=second_school.ofsted_rating,
            )
        )
    CareEpisode.objects.bulk_create(episodes, batch_size=1000)
    EducationPlacement.objects.bulk_create(placements, batch_size=1000)
    return leads[0], leads[1]


def measure(user: Any, *, runs: int, warmups: int) -> dict[str, float]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client()
    client.force_login(user)
    url = reverse("children:caseload")
    for _ in range(warmups):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}, not 200: the benchmark cannot run.")
    rows = len(set(re.findall(rb'href="/children/(\d+)/"', response.content)))
    timings, query_counts = [], set()
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        query_counts.add(len(queries))
    timings.sort()
    return {
        "median": statistics.median(timings),
        "p90": timings[round(0.9 * (len(timings) - 1))],
        "queries": max(query_counts),
        "query_counts_vary": len(query_counts) > 1,
        "rows": rows,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmups", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    url = database_url()
    engine = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    if engine == "PostgreSQL":
        recreate_postgres(url)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    big, small = build_roll(args.seed)
    print(
        f"Caseload page on {engine} ({connection.settings_dict['NAME']}): roll of {ROLL_SIZE} children, "
        f"{SCHOOLS} schools, built in {time.perf_counter() - started:.1f} s"
    )
    results = {
        BIG_CASELOAD: measure(big, runs=args.runs, warmups=args.warmups),
        SMALL_CASELOAD: measure(small, runs=args.runs, warmups=args.warmups),
    }
    print(f"{'caseload':>9}  {'children shown':>14}  {'median ms':>9}  {'p90 ms':>7}  {'queries':>7}")
    for size, r in results.items():
        print(f"{size:>9}  {r['rows']:>14}  {r['median']:>9.1f}  {r['p90']:>7.1f}  {r['queries']:>7}")
    same_queries = results[BIG_CASELOAD]["queries"] == results[SMALL_CASELOAD]["queries"] and not any(
        r["query_counts_vary"] for r in results.values()
    )
    fast = all(r["median"] < TARGET_MEDIAN_MS for r in results.values())
    print(
        f"median under {TARGET_MEDIAN_MS:.0f} ms: {'yes' if fast else 'NO'}; "
        f"same number of queries for {BIG_CASELOAD} and {SMALL_CASELOAD} children: {'yes' if same_queries else 'NO'}"
    )
    ok = fast and same_queries
    if engine == "SQLite":
        connection.close()
        shutil.rmtree(Path(connection.settings_dict["NAME"]).parent, ignore_errors=True)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

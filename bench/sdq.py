"""Benchmark: the school SDQs due across a roll of 5,000 children, and a child's SDQ page with its chart.

    .venv/bin/python bench/sdq.py                          # SQLite, a fresh file in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/any .venv/bin/python bench/sdq.py
                                                           # PostgreSQL: its own database, vsm_bench_sdq

On PostgreSQL the database vsm_bench_sdq (on the server DATABASE_URL names; never the database it names) is
dropped, recreated and migrated. The roll: 5,000 synthetic children, each with SDQ totals from two SSDA903
returns and two to six questionnaires (carer, teacher, self-report), about 30,000 SDQs in all, scored with
children/sdq.py. Timed, after warm-ups:

- `sdq_due_for_children(user=head)`: the cohort list the duties engine and PEPs read (median of 20, and its
  SQL query count, which must be 1 whatever the roll's size);
- GET /children/<id>/sdq/ for a child with ten SDQs, the history table and the matplotlib SVG chart: first with
  the cache emptied before each request (the chart drawn every time), then as repeat views draw it (from the
  cache, keyed by what the chart shows). Median and p90 of 30 each, and the query count.

PASS when the cohort median is under 1 s in one query and the page median, chart drawn, is under 300 ms.
DEBUG is off, as in production.
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

DATABASE_NAME = "vsm_bench_sdq"
ROLL_SIZE = 5_000
COHORT_TARGET_MS = 1000.0
PAGE_TARGET_MS = 300.0


def database_url() -> str:
    """Our own database: on the PostgreSQL server DATABASE_URL names, else a fresh SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        return urlunsplit((parts.scheme, parts.netloc, f"/{DATABASE_NAME}", "", ""))
    folder = Path(tempfile.mkdtemp(prefix="vsm-bench-sdq-"))
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


def _questionnaire(rng: random.Random, child: Any, respondent: str, on: dt.date) -> Any:
    from virtualschool.children import sdq
    from virtualschool.children.models import SdqScore

    level = rng.random() * 0.6
    items = [
        (2 - (1 if rng.random() < level else 0) * rng.choice((1, 2)))
        if n in sdq.REVERSED_ITEMS or n in sdq.SCALE_BY_KEY["prosocial"].items
        else (rng.choice((1, 2)) if rng.random() < level else 0)
        for n in range(1, 26)
    ]
    scales = sdq.scales_from_items(items)
    return SdqScore(
        child=child,
        recorded_on=on,
        respondent=respondent,
        total_score=sdq.total_difficulties(scales),
        completed_by_name="Bench respondent",
        **{s.field: scales[s.key] for s in sdq.SCALES},
        **dict(zip(sdq.ITEM_FIELDS, items, strict=True)),
    )


def build_roll(seed: int) -> tuple[Any, Any, int]:
    """The children and their SDQs; returns the Virtual School Head, a child with ten SDQs and the SDQ count."""
    from django.contrib.auth import get_user_model

    from virtualschool.children.models import Child, SdqScore

    rng = random.Random(seed)
    today = dt.date.today()
    head = get_user_model().objects.create(
        username="bench-head", email="bench-head@example.gov.uk", full_name="Bench Head", role="vsh"
    )
    children = Child.objects.bulk_create(
        (
            Child(
                social_care_reference=f"S{n:06d}",
                first_name=f"Child{n}",
                last_name=f"Surname{rng.randint(1, 500)}",
                date_of_birth=today - dt.timedelta(days=rng.randint(6 * 365, 16 * 365)),
                period_of_care_start=today - dt.timedelta(days=rng.randint(400, 2000)),
            )
            for n in range(ROLL_SIZE)
        ),
        batch_size=1000,
    )
    rows = []
    for number, child in enumerate(children):
        for years_ago in (1, 2):
            rows.append(
                SdqScore(
                    child=child,
                    recorded_on=dt.date(today.year - years_ago, 3, 31),
                    total_score=rng.randint(0, 30),
                    source="SSDA903 OC2",
                )
            )
        count = 8 if number == 0 else rng.randint(2, 6)
        returns = {today - dt.date(today.year - y, 3, 31) for y in (1, 2)}
        days = sorted(rng.sample([d for d in range(5, 700) if dt.timedelta(days=d) not in returns], count))
        for index, days_ago in enumerate(days):
            respondent = ["carer", "teacher", "carer", "self"][index % 4]
            rows.append(_questionnaire(rng, child, respondent, today - dt.timedelta(days=days_ago)))
    SdqScore.objects.bulk_create(rows, batch_size=1000)
    return head, children[0], len(rows)


def median_ms(timings: list[float]) -> float:
    return statistics.median(timings)


def measure_cohort(head: Any, *, runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from virtualschool.children.selectors import sdq_due_for_children
    from virtualschool.core.selectors import policy_get

    policy = policy_get()
    found = sdq_due_for_children(user=head, policy=policy)  # warm-up
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            found = sdq_due_for_children(user=head, policy=policy)
            timings.append((time.perf_counter() - started) * 1000)
    return {"median": median_ms(timings), "queries": len(queries), "due": len(found)}


def measure_page(head: Any, child: Any, *, runs: int, warmups: int, cold: bool) -> dict[str, Any]:
    """Time the page; `cold` empties the cache before each request, so the chart is drawn every time."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client()
    client.force_login(head)
    url = reverse("children:sdq", args=[child.pk])
    for _ in range(warmups):
        response = client.get(url)
        if response.status_code != 200 or b"<svg" not in response.content:
            raise SystemExit(f"GET {url} answered {response.status_code} without its chart: cannot run.")
    timings = []
    for _ in range(runs):
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "median": median_ms(timings),
        "p90": timings[round(0.9 * (len(timings) - 1))],
        "queries": len(queries),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--page-runs", type=int, default=30)
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
    head, child, sdqs = build_roll(args.seed)
    print(
        f"SDQ on {engine} ({connection.settings_dict['NAME']}): {ROLL_SIZE} children, {sdqs} SDQs, "
        f"built in {time.perf_counter() - started:.1f} s; load average {os.getloadavg()[0]:.1f}"
    )
    cohort = measure_cohort(head, runs=args.runs)
    cold = measure_page(head, child, runs=args.page_runs, warmups=5, cold=True)
    page = measure_page(head, child, runs=args.page_runs, warmups=5, cold=False)
    print(
        f"school SDQs due across the roll: median {cohort['median']:.0f} ms, {cohort['queries']} query, "
        f"{cohort['due']} children asked for one"
    )
    count = child.sdq_scores.count()
    for name, result in (("chart drawn", cold), ("chart from the cache", page)):
        print(
            f"child's SDQ page ({count} SDQs, {name}): median {result['median']:.0f} ms, p90 {result['p90']:.0f} ms, "
            f"{result['queries']} queries"
        )
    fast_page = cold["median"] < PAGE_TARGET_MS
    ok = cohort["median"] < COHORT_TARGET_MS and fast_page and cohort["queries"] == 1
    print(
        f"cohort under {COHORT_TARGET_MS:.0f} ms in one query: {'yes' if cohort['median'] < COHORT_TARGET_MS else 'NO'}"
        f"; page with the chart drawn under {PAGE_TARGET_MS:.0f} ms: {'yes' if fast_page else 'NO'}"
    )
    if engine == "SQLite":
        connection.close()
        shutil.rmtree(Path(connection.settings_dict["NAME"]).parent, ignore_errors=True)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: the escalations list for one lead among 50,000 escalations, and e-mail delivery by concurrent workers.

    .venv/bin/python bench/escalations.py                          # SQLite, a fresh file (one worker)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/any .venv/bin/python bench/escalations.py
                                                                   # PostgreSQL: its own database, vsm_bench_esc

On PostgreSQL the database vsm_bench_esc (on the server DATABASE_URL names; never the database it names) is
dropped, recreated and migrated. The data: a roll of 10,000 synthetic children shared among 50 leads, with
50,000 escalations on the seeded ladders (each with its step), a fifth of them open. Timed, after warm-ups:

- GET /escalations/?state=overdue as one lead (about 200 children, a thousand escalations), and the whole open
  list as the Virtual School Head (first page of 50): median and p90 of 20 each, and the query counts;
- delivering 10,000 notifications: two workers at once on PostgreSQL (threads with their own connections), one
  on SQLite, sending to a mail backend that only counts. It checks that every notification was sent exactly once
  and prints messages per second.

PASS when the lead's overdue page median is under 300 ms and every notification was sent exactly once.
DEBUG is off, as in production.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_NAME = "vsm_bench_esc"
ROLL = 10_000
LEADS = 50
ESCALATIONS = 50_000
NOTIFICATIONS = 10_000
PAGE_TARGET_MS = 300.0


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        return urlunsplit((parts.scheme, parts.netloc, f"/{DATABASE_NAME}", "", ""))
    folder = Path(tempfile.mkdtemp(prefix="vsm-bench-esc-"))
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


def build(seed: int) -> tuple[Any, list[Any]]:
    """The roll, the leads and the escalations; returns the head and the leads."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from virtualschool.children.models import Child
    from virtualschool.escalations.models import Escalation, EscalationStep, Ladder

    rng = random.Random(seed)
    today = dt.date.today()
    users = get_user_model()
    head = users.objects.create(username="bench-head", email="head@example.gov.uk", full_name="Bench Head", role="vsh")
    leads = users.objects.bulk_create(
        users(username=f"lead{n}", email=f"lead{n}@example.gov.uk", full_name=f"Lead {n}", role="lead")
        for n in range(LEADS)
    )
    children = Child.objects.bulk_create(
        (
            Child(
                social_care_reference=f"S{n:06d}",
                first_name=f"Child{n}",
                last_name=f"Surname{rng.randint(1, 500)}",
                date_of_birth=today - dt.timedelta(days=rng.randint(5 * 365, 17 * 365)),
                allocated_lead=leads[n % LEADS],
            )
            for n in range(ROLL)
        ),
        batch_size=2000,
    )
    ladders = list(Ladder.objects.prefetch_related("levels"))
    with transaction.atomic():
        escalations = []
        for n in range(ESCALATIONS):
            child = children[rng.randrange(ROLL)]
            ladder = ladders[n % len(ladders)]
            raised = today - dt.timedelta(days=rng.randint(0, 700))
            is_open = rng.random() < 0.2
            escalations.append(
                Escalation(
                    child=child,
                    ladder=ladder,
                    failing_party=ladder.failing_party,
                    summary="Synthetic concern",
                    arose_on=raised,
                    raised_by=child.allocated_lead,
                    raised_on=raised,
                    holder=child.allocated_lead,
                    due_on=raised + dt.timedelta(days=rng.randint(5, 40)) if is_open else None,
                    status="open" if is_open else "resolved",
                    resolved_on=None if is_open else raised + dt.timedelta(days=rng.randint(1, 60)),
                    outcome="" if is_open else "Resolved",
                )
            )
        escalations = Escalation.objects.bulk_create(escalations, batch_size=2000)
        steps = EscalationStep.objects.bulk_create(
            (
                EscalationStep(
                    escalation=e,
                    level=next(iter(e.ladder.levels.all())),
                    how="raised",
                    entered_on=e.raised_on,
                    due_on=e.due_on,
                    entered_by_id=e.raised_by_id,
                )
                for e in escalations
            ),
            batch_size=2000,
        )
        for escalation, step in zip(escalations, steps, strict=True):
            escalation.current_step = step
        Escalation.objects.bulk_update(escalations, ["current_step"], batch_size=2000)
    return head, leads


def measure_page(user: Any, params: dict[str, str], *, runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client()
    client.force_login(user)
    url = reverse("escalations:list")
    for _ in range(3):
        response = client.get(url, params)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}: cannot run.")
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            client.get(url, params)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "median": statistics.median(timings),
        "p90": timings[round(0.9 * (len(timings) - 1))],
        "queries": len(queries),
    }


def measure_delivery(leads: list[Any], workers: int) -> dict[str, Any]:
    from django.db import connections

    from virtualschool.core.models import Notification
    from virtualschool.escalations import delivery
    from virtualschool.escalations.selectors import policy_get

    policy = policy_get()
    policy.email_batch_size = 100
    policy.save()
    Notification.objects.bulk_create(
        (
            Notification(recipient=leads[n % len(leads)], kind="escalation", key=f"bench:{n}", subject=f"Bench {n}")
            for n in range(NOTIFICATIONS)
        ),
        batch_size=2000,
    )
    sent: Counter[str] = Counter()
    lock = threading.Lock()

    def send(message: Any) -> None:
        with lock:
            sent[message.subject] += 1

    def worker() -> None:
        try:
            delivery.deliver_pending(send=send)
        finally:
            connections.close_all()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "per_second": NOTIFICATIONS / seconds,
        "distinct": len(sent),
        "twice": sum(1 for count in sent.values() if count > 1),
        "left": Notification.objects.filter(emailed_at__isnull=True).count(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    url = database_url()
    postgres = url.startswith("postgres")
    if postgres:
        recreate_postgres(url)
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    head, leads = build(args.seed)
    print(
        f"Built {ROLL:,} children, {LEADS} leads, {ESCALATIONS:,} escalations in {time.perf_counter() - started:.1f} s"
    )
    lead_page = measure_page(leads[0], {"state": "overdue"}, runs=args.runs)
    head_page = measure_page(head, {}, runs=args.runs)
    print(
        f"Lead's overdue escalations: median {lead_page['median']:.1f} ms, p90 {lead_page['p90']:.1f} ms, "
        f"{lead_page['queries']} queries"
    )
    print(
        f"Head's open escalations (first 50): median {head_page['median']:.1f} ms, p90 {head_page['p90']:.1f} ms, "
        f"{head_page['queries']} queries"
    )
    workers = 2 if postgres else 1
    sent = measure_delivery(leads, workers)
    print(
        f"Delivery of {NOTIFICATIONS:,} notifications by {workers} worker{'s' if workers > 1 else ''}: "
        f"{sent['seconds']:.1f} s ({sent['per_second']:.0f} a second), {sent['distinct']:,} sent, "
        f"{sent['twice']} sent twice, {sent['left']} left unsent"
    )
    ok = (
        lead_page["median"] < PAGE_TARGET_MS
        and sent["distinct"] == NOTIFICATIONS
        and sent["twice"] == 0
        and sent["left"] == 0
    )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

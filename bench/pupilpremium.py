"""Benchmark: the PP+ panel pack for 200 applications (page and PDF) and the budget summary of a 5,000-row year.

    .venv/bin/python bench/pupilpremium.py                     # SQLite, a fresh file in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/any .venv/bin/python bench/pupilpremium.py
                                                               # PostgreSQL: its own database, vsm_bench_pupilpremium

On PostgreSQL the database vsm_bench_pupilpremium (on the server DATABASE_URL names; never the database it names)
is dropped, recreated and migrated. The data: a grant year of 2,000 eligible children; 600 children each with
two earlier decided applications (two targets each, reviewed, and a payment); a panel with 200 applications (one
child, two targets each); a ledger of 5,000 transactions (income, commitments, releases, payments and direct
spend by child, school, intervention type and central purpose). Timed through django.test.Client signed in as
the Virtual School Head, DEBUG off: GET /pupil-premium/ (the budget summary: balances of both funds and the
breakdown, all sums of the ledger) 5 warm-ups then 30 timed; the panel pack page 2 warm-ups then 7 timed; the
pack as a PDF (WeasyPrint) 1 warm-up then 3 timed. Medians printed. PASS when the summary is under 200 ms, the
pack page under 1 s and the PDF under 10 s.
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

DATABASE_NAME = "vsm_bench_pupilpremium"
SUMMARY_TARGET_MS = 200.0
PACK_TARGET_MS = 1_000.0
PDF_TARGET_MS = 10_000.0
PACK_APPLICATIONS = 200
LEDGER_ROWS = 5_000


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        return urlunsplit((parts.scheme, parts.netloc, f"/{DATABASE_NAME}", "", ""))
    folder = Path(tempfile.mkdtemp(prefix="vsm-bench-pp-"))
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


def build(seed: int) -> tuple[Any, Any, Any]:
    """The year, its ledger and the panel; returns (head, year, panel)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from virtualschool.children.models import Child
    from virtualschool.pupilpremium.models import (
        Application,
        Decision,
        FundedTarget,
        GrantYear,
        InterventionType,
        LedgerEntry,
        Panel,
        TopSlicePurpose,
    )
    from virtualschool.schools.models import School

    rng = random.Random(seed)
    users = get_user_model().objects
    head = users.create(username="bench-head", email="h@example.gov.uk", full_name="Bench Head", role="vsh")
    leads = [
        users.create(username=f"bench-lead{n}", email=f"l{n}@example.gov.uk", full_name=f"Lead {n}", role="lead")
        for n in range(8)
    ]
    members = [
        users.create(username=f"bench-panel{n}", email=f"p{n}@example.gov.uk", full_name=f"Panel {n}", role="panel")
        for n in range(3)
    ]
    schools = School.objects.bulk_create(
        School(name=f"Bench School {n}", urn=800_000 + n, la_code="999", phase="Primary") for n in range(60)
    )
    today = dt.date.today()
    children = Child.objects.bulk_create(
        Child(
            social_care_reference=f"PP{n:06d}",
            first_name=f"Child{n}",
            last_name=f"Surname{rng.randint(1, 500)}",
            date_of_birth=today - dt.timedelta(days=rng.randint(6 * 365, 15 * 365)),
            allocated_lead=rng.choice(leads),
        )
        for n in range(2_000)
    )
    year = GrantYear.objects.create(
        label="2025-26",
        starts_on=dt.date(2025, 4, 1),
        ends_on=dt.date(2026, 3, 31),
        census_date=dt.date(2025, 3, 31),
        rate_per_child_pence=263_000,
        eypp_rate_per_child_pence=57_000,
        eligible_children=2_000,
        eypp_eligible_children=80,
        is_current=True,
    )
    purposes = [
        TopSlicePurpose.objects.create(grant_year=year, purpose=p, amount_pence=20_000_000)
        for p in ("Designated teacher training", "Tuition programme", "Educational psychology")
    ]
    panel = Panel.objects.create(grant_year=year, meets_on=today)
    panel.members.set(members)
    old_panel = Panel.objects.create(grant_year=year, meets_on=today - dt.timedelta(days=7))
    old_panel.members.set(members)
    kinds = InterventionType.values
    now = timezone.now()

    def application(child: Any, status: str, on_panel: Any, days_ago: int) -> Application:
        return Application(
            grant_year=year,
            school=rng.choice(schools),
            applicant=child.allocated_lead,
            intervention_type=rng.choice(kinds),
            provider=f"Provider {rng.randint(1, 40)}",
            description="Weekly sessions towards the PEP targets. " * 3,
            amount_pence=rng.randint(100, 2_000) * 100,
            starts_on=today - dt.timedelta(days=days_ago),
            ends_on=today - dt.timedelta(days=days_ago - 60),
            status=status,
            panel=on_panel,
            approved_amount_pence=None,
            submitted_on=today - dt.timedelta(days=days_ago),
        )

    pack_children = children[:PACK_APPLICATIONS]
    history_children = children[: PACK_APPLICATIONS * 3]
    current = Application.objects.bulk_create(application(c, "submitted", panel, 3) for c in pack_children)
    past = Application.objects.bulk_create(
        application(c, "approved", old_panel, days) for c in history_children for days in (200, 120)
    )
    links = Application.children.through
    links.objects.bulk_create(
        [links(application_id=a.pk, child_id=c.pk) for a, c in zip(current, pack_children, strict=True)]
        + [
            links(application_id=a.pk, child_id=c.pk)
            for a, c in zip(past, [c for c in history_children for _ in (1, 2)], strict=True)
        ]
    )
    owner = {a.pk: c for a, c in zip(current, pack_children, strict=True)}
    owner.update(zip([a.pk for a in past], [c for c in history_children for _ in (1, 2)], strict=True))
    FundedTarget.objects.bulk_create(
        FundedTarget(
            application_id=a.pk,
            child_id=owner[a.pk].pk,
            text=f"Target {n} for the child's reading and attendance this term",
            measure="Teacher assessment at the next PEP",
            deadline=today + dt.timedelta(days=60),
            owner="Class teacher",
            outcome="" if a.status == "submitted" else rng.choice(["achieved", "partly", "not_achieved"]),
        )
        for a in [*current, *past]
        for n in (1, 2)
    )
    Decision.objects.bulk_create(
        Decision(
            application_id=a.pk,
            panel=old_panel,
            outcome="approve",
            amount_pence=a.amount_pence,
            reasons="Agreed",
            decided_at=now,
            visible_on=today,
        )
        for a in past
    )
    rows = [
        LedgerEntry(
            grant_year=year,
            kind="income",
            amount_pence=year.pp_total_pence,
            occurred_on=year.starts_on,
            description="Grant",
            recorded_at=now,
        ),
        LedgerEntry(
            grant_year=year,
            fund="eypp",
            kind="income",
            amount_pence=year.eypp_total_pence,
            occurred_on=year.starts_on,
            description="EYPP",
            recorded_at=now,
        ),
    ]
    for n, a in enumerate(past):
        if len(rows) >= LEDGER_ROWS:
            break
        child = owner[a.pk]
        rows.append(
            LedgerEntry(
                grant_year=year,
                kind="commit",
                amount_pence=a.amount_pence,
                occurred_on=today,
                description="Commit",
                child=child,
                school=a.school,
                intervention_type=a.intervention_type,
                application=a,
                recorded_at=now,
            )
        )
        rows.append(
            LedgerEntry(
                grant_year=year,
                kind="pay",
                amount_pence=a.amount_pence // 2,
                occurred_on=today,
                description="Pay",
                child=child,
                school=a.school,
                intervention_type=a.intervention_type,
                application=a,
                recorded_at=now,
            )
        )
        if n % 5 == 0:
            rows.append(
                LedgerEntry(
                    grant_year=year,
                    kind="release",
                    amount_pence=a.amount_pence // 4,
                    occurred_on=today,
                    description="Release",
                    child=child,
                    school=a.school,
                    intervention_type=a.intervention_type,
                    application=a,
                    recorded_at=now,
                )
            )
    while len(rows) < LEDGER_ROWS:
        rows.append(
            LedgerEntry(
                grant_year=year,
                kind="spend",
                amount_pence=rng.randint(1_000, 20_000),
                occurred_on=today,
                description="Central spend",
                purpose=rng.choice(purposes),
                intervention_type="training",
                recorded_at=now,
            )
        )
    LedgerEntry.objects.bulk_create(rows[:LEDGER_ROWS], batch_size=1000)
    return head, year, panel


def time_get(client: Any, url: str, *, warmups: int, runs: int, must: bytes) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmups):
        response = client.get(url)
        if response.status_code != 200 or must not in response.content[:200_000]:
            raise SystemExit(f"GET {url} answered {response.status_code}: cannot run.")
    timings = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        queries = len(captured)
    return statistics.median(timings), queries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
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

    from virtualschool.pupilpremium.models import LedgerEntry
    from virtualschool.pupilpremium.selectors import balances

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    head, year, panel = build(args.seed)
    position = balances(year)["pp_plus"]
    print(
        f"PP+ on {engine} ({connection.settings_dict['NAME']}): {LedgerEntry.objects.count()} ledger rows, "
        f"{panel.applications.count()} applications on the panel, built in {time.perf_counter() - started:.1f} s; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(f"  PP+ remaining £{position.remaining // 100:,}.{position.remaining % 100:02d} (exact pence)")
    client = Client()
    client.force_login(head)
    summary, summary_q = time_get(client, reverse("pupilpremium:budget"), warmups=5, runs=30, must=b"Remaining")
    pack, pack_q = time_get(
        client, reverse("pupilpremium:panel-pack", args=[panel.pk]), warmups=2, runs=7, must=b"Panel pack"
    )
    pdf, _ = time_get(client, reverse("pupilpremium:panel-pack-pdf", args=[panel.pk]), warmups=1, runs=3, must=b"%PDF")
    size = len(client.get(reverse("pupilpremium:panel-pack-pdf", args=[panel.pk])).content)
    print(f"budget summary ({LEDGER_ROWS} transactions): median {summary:.0f} ms, {summary_q} queries")
    print(f"panel pack page ({PACK_APPLICATIONS} applications): median {pack:.0f} ms, {pack_q} queries")
    print(f"panel pack PDF ({PACK_APPLICATIONS} applications, {size // 1024} KB): median {pdf:.0f} ms")
    ok = summary < SUMMARY_TARGET_MS and pack < PACK_TARGET_MS and pdf < PDF_TARGET_MS
    print(
        f"summary under {SUMMARY_TARGET_MS:.0f} ms: {'yes' if summary < SUMMARY_TARGET_MS else 'NO'}; "
        f"pack under {PACK_TARGET_MS:.0f} ms: {'yes' if pack < PACK_TARGET_MS else 'NO'}; "
        f"PDF under {PDF_TARGET_MS:.0f} ms: {'yes' if pdf < PDF_TARGET_MS else 'NO'}"
    )
    if engine == "SQLite":
        connection.close()
        shutil.rmtree(Path(connection.settings_dict["NAME"]).parent, ignore_errors=True)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

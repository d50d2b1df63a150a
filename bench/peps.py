"""Benchmark: a PEP page with four years of history, the PDF of a full PEP, and the QA dashboard for 2,000 children.

    .venv/bin/python bench/peps.py                          # SQLite, a fresh file in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/any .venv/bin/python bench/peps.py
                                                            # PostgreSQL: its own database, vsm_bench_peps

On PostgreSQL the database vsm_bench_peps (on the server DATABASE_URL names; never the database it names) is
dropped, recreated and migrated. The data: 2,000 synthetic children in care, each with this term's PEP (sections
answered, three subjects of attainment, two SMART targets, an action; most held and submitted, a fifth
quality-assured with every criterion rated); one child with a single term of PEPs and one with twelve terms
(four years), every PEP full. Timed, after warm-ups, with DEBUG off as in production:

- GET /peps/<id>/ for the latest PEP of the child with one term and of the child with twelve: the SQL query
  count (which must be the same for both: the page does not grow with history) and the median of 30 (target
  under 150 ms for the four-year child);
- GET /peps/<id>/pep.pdf for the four-year child's PEP, WeasyPrint rendering the whole document: median of 5
  (target under 2 s);
- GET /peps/qa/ for the term as the Virtual School Head over the 2,000 children: median of 20 (target 300 ms).

PASS when all three are under target and the two query counts are equal.
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

DATABASE_NAME = "vsm_bench_peps"
ROLL_SIZE = 2_000
PAGE_TARGET_MS = 150.0
PDF_TARGET_MS = 2000.0
DASHBOARD_TARGET_MS = 300.0


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        return urlunsplit((parts.scheme, parts.netloc, f"/{DATABASE_NAME}", "", ""))
    folder = Path(tempfile.mkdtemp(prefix="vsm-bench-peps-"))
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


def _full_pep(child: Any, year: int, term: str, school: Any, rng: random.Random, *, status: str) -> list[Any]:
    """One PEP row and everything that hangs from it (unsaved children returned for bulk creation)."""
    from virtualschool.peps.models import Action, Attainment, Pep, PepEvent, PepSection, Target
    from virtualschool.peps.sections import SECTION_QUESTIONS

    today = dt.date.today()
    held = today - dt.timedelta(days=rng.randint(10, 40))
    pep = Pep.objects.create(
        child=child, academic_year=year, term=term, pep_type="termly", status=status, school=school, key_stage="ks2",
        started_on=held - dt.timedelta(days=20), meeting_date=held, meeting_time=dt.time(14, 0),
        meeting_venue="School, room 2", meeting_mode="in_person", meeting_held_on=held,
        invitees="Designated teacher, dt@example.org\nSocial worker, sw@example.org\nCarer, carer@example.org",
        attendees="Child\nDesignated teacher\nSocial worker\nCarer\nLead", meeting_notes="Notes of the meeting. " * 20,
        next_meeting_date=held + dt.timedelta(days=80),
        submitted_on=held + dt.timedelta(days=rng.randint(5, 25)) if status in ("submitted", "approved") else None,
        records_snapshot=[{"key": "attendance", "title": "Attendance", "start": "2026-09-01", "end": "2026-12-18",
                           "lines": [{"label": "Attendance", "value": "93.1 %"}], "concerns": [], "url": ""}],
        sdq_snapshot={"recorded_on": "2026-10-01", "respondent": "Carer", "total": 12, "band": "Close to average"},
    )  # fmt: skip
    rows: list[Any] = [
        PepSection(
            pep=pep, kind=kind, completed=True, completed_on=held,
            answers={q.name: f"{q.label}: an answer of a few sentences. " * 3 for q in questions},
        )
        for kind, questions in SECTION_QUESTIONS.items()
    ]  # fmt: skip
    rows += [
        Attainment(pep=pep, subject=s, current="Expected", target="Greater depth", on_track=True, comment="Good")
        for s in ("English", "Mathematics", "Science")
    ]
    rows += [
        Target(
            pep=pep, description=f"Target {n}: read fluently at the expected standard", measure="Reading age",
            baseline="8y 2m", target_value="9y 6m", deadline=today + dt.timedelta(days=90), owner="Class teacher",
            ppplus_pence=45000, funding_note="Tuition", outcome="achieved" if n == 1 else "",
        )
        for n in (1, 2, 3)
    ]  # fmt: skip
    rows += [Action(pep=pep, description="Book tuition", owner="Designated teacher", due_on=today)]
    from django.utils import timezone

    rows += [
        PepEvent(pep=pep, occurred_at=timezone.now(), status=s, title=t, actor_name="Bench")
        for s, t in (("not_started", "PEP created"), ("in_progress", "PEP started"), ("meeting_held", "Meeting held"))
    ]
    return [pep, *rows]


def _save(rows: list[Any]) -> None:
    from collections import defaultdict

    by_model: dict[Any, list[Any]] = defaultdict(list)
    for row in rows:
        if row.pk is None:
            by_model[type(row)].append(row)
    for model, batch in by_model.items():
        model.objects.bulk_create(batch, batch_size=1000)


def build(seed: int) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from virtualschool.children.models import Child
    from virtualschool.core.calendar import school_calendar
    from virtualschool.peps.models import Pep, QaCriterion, QaCriterionRating, QaReview
    from virtualschool.placements.models import EducationPlacement
    from virtualschool.schools.models import School

    rng = random.Random(seed)
    today = dt.date.today()
    users = get_user_model().objects
    head = users.create(username="bench-head", email="head@example.gov.uk", full_name="Bench Head", role="vsh")
    leads = [
        users.create(username=f"lead{n}", email=f"lead{n}@example.gov.uk", full_name=f"Lead {n}", role="lead")
        for n in range(6)
    ]
    schools = School.objects.bulk_create(
        School(urn=500000 + n, la_code="999" if n % 4 else "888", name=f"Bench School {n}", phase="Primary")
        for n in range(60)
    )
    children = Child.objects.bulk_create(
        (
            Child(
                social_care_reference=f"P{n:06d}", first_name=f"Child{n}", last_name=f"Surname{n % 400}",
                date_of_birth=today - dt.timedelta(days=rng.randint(6 * 365, 15 * 365)),
                period_of_care_start=today - dt.timedelta(days=rng.randint(400, 2000)),
                allocated_lead=leads[n % len(leads)],
            )
            for n in range(ROLL_SIZE + 2)
        ),
        batch_size=1000,
    )  # fmt: skip
    EducationPlacement.objects.bulk_create(
        EducationPlacement(child=c, school=schools[i % len(schools)], start_date=today - dt.timedelta(days=400))
        for i, c in enumerate(children)
    )
    calendar = school_calendar()
    current = calendar.term_for(today)
    short, long = children[-2], children[-1]
    rows: list[Any] = []
    for child in children[:ROLL_SIZE]:
        status = rng.choice(["in_progress", "meeting_held", "submitted", "submitted", "approved"])
        rows += _full_pep(
            child, current.academic_year, current.term, schools[child.pk % len(schools)], rng, status=status
        )
    _save(rows)
    # Histories: one term, and twelve terms (four years).
    latest: dict[str, Any] = {}
    for name, child, terms in (("one term", short, 1), ("four years", long, 12)):
        term = current
        chain = []
        for _ in range(terms):
            chain.append(term)
            term = calendar.previous_term(term)
        for number, t in enumerate(reversed(chain)):
            made = _full_pep(
                child,
                t.academic_year,
                t.term,
                schools[0],
                rng,
                status="approved" if number < terms - 1 else "meeting_held",
            )
            _save(made)
            latest[name] = made[0]
    reviews = []
    for pep in Pep.objects.filter(status__in=["submitted", "approved"]).order_by("pk")[::5]:
        reviews.append(QaReview(pep=pep, reviewer=head, grade=rng.choice(["good", "good", "ri", "inadequate"]),
                                feedback="Feedback", completed_on=today))  # fmt: skip
    reviews = QaReview.objects.bulk_create(reviews, batch_size=1000)
    QaCriterionRating.objects.bulk_create(
        (
            QaCriterionRating(review=r, criterion=c, rating=rng.choice(["met", "met", "partly", "not_met"]))
            for r in reviews
            for c in QaCriterion.values
        ),
        batch_size=2000,
    )
    return {"head": head, "latest": latest, "term": current, "peps": Pep.objects.count(), "qa": len(reviews)}


def time_get(client: Any, url: str, *, runs: int, warmups: int, content: bytes) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmups):
        response = client.get(url)
        if response.status_code != 200 or content not in response.content:
            raise SystemExit(f"GET {url} answered {response.status_code} without {content!r}: cannot run.")
    timings = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        queries = len(captured)
    timings.sort()
    return {"median": statistics.median(timings), "p90": timings[round(0.9 * (len(timings) - 1))], "queries": queries}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
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

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    data = build(args.seed)
    print(
        f"PEPs on {engine} ({connection.settings_dict['NAME']}): {ROLL_SIZE} children, {data['peps']} PEPs, "
        f"{data['qa']} quality-assured, built in {time.perf_counter() - started:.1f} s; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    client = Client()
    client.force_login(data["head"])
    pages = {
        name: time_get(client, f"/peps/{pep.pk}/", runs=args.runs, warmups=5, content=b"Timeline")
        for name, pep in data["latest"].items()
    }
    for name, result in pages.items():
        print(
            f"PEP page, {name} of history: median {result['median']:.0f} ms, p90 {result['p90']:.0f} ms, "
            f"{result['queries']} queries"
        )
    pdf = time_get(client, f"/peps/{data['latest']['four years'].pk}/pep.pdf", runs=5, warmups=1, content=b"%PDF")
    print(f"PDF of a full PEP: median {pdf['median']:.0f} ms, p90 {pdf['p90']:.0f} ms")
    term = data["term"]
    board = time_get(
        client, f"/peps/qa/?period={term.academic_year}-{term.term}", runs=20, warmups=3, content=b"Criteria most often"
    )
    print(f"QA dashboard, {ROLL_SIZE} children: median {board['median']:.0f} ms, {board['queries']} queries")
    same = pages["one term"]["queries"] == pages["four years"]["queries"]
    checks = {
        "page queries the same for 1 and 12 terms": same,
        f"page under {PAGE_TARGET_MS:.0f} ms": pages["four years"]["median"] < PAGE_TARGET_MS,
        f"PDF under {PDF_TARGET_MS / 1000:.0f} s": pdf["median"] < PDF_TARGET_MS,
        f"QA dashboard under {DASHBOARD_TARGET_MS:.0f} ms": board["median"] < DASHBOARD_TARGET_MS,
    }
    print("; ".join(f"{label}: {'yes' if ok else 'NO'}" for label, ok in checks.items()))
    if engine == "SQLite":
        connection.close()
        shutil.rmtree(Path(connection.settings_dict["NAME"]).parent, ignore_errors=True)
    ok = all(checks.values())
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: import one academic year of attendance marks for 10,000 children (3.8 million rows) on PostgreSQL.

    .venv/bin/python bench/attendance_import.py    # targets: >= 0.5 x bare COPY rows/s, < 300 MB, re-import no slower

Uses its own database, vsm_bench_attendance, on the PostgreSQL server DATABASE_URL names (default
postgres://postgres@127.0.0.1:5432/): drops, recreates and migrates it, writes 10,000 children with UPNs and
school placements, and generates a long-shape file (upn,date,session,code) of 190 school days x 2 sessions for
each. Then, in the same run:

- bare COPY: the same file streamed with COPY into a plain table with the same key (upn, date, session);
- first import: `manage.py import_attendance FILE --system --json` as a child process into empty mark tables
  (marks, monthly summary and audit emptied before each run);
- re-import: the same file again into the imported data (nothing changes, nothing is written).

Each is run three times; medians are reported. Peak memory is the child process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/"
DATABASE_NAME = "vsm_bench_attendance"
CHILDREN = 10_000
SCHOOL_DAYS = 190
TARGET_RATIO = 0.5
TARGET_PEAK_MB = 300
RUNS = 3


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "") or DEFAULT_SERVER
    if not url.startswith(("postgres://", "postgresql://")):
        url = DEFAULT_SERVER
    return urlunsplit(urlsplit(url)._replace(path=f"/{DATABASE_NAME}"))


def environment(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=env.get("SECRET_KEY", "bench-only-not-a-secret"),
        ALLOWED_HOSTS="localhost",
        EMAIL_HOST="localhost",
    )
    return env


def recreate_database(url: str) -> None:
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


SETUP = """
import datetime as dt
from virtualschool.children.models import Child
from virtualschool.placements.models import EducationPlacement
from virtualschool.schools.models import School
schools = School.objects.bulk_create(
    [School(urn=700000 + n, name=f"Bench School {n}", la_code="999") for n in range(200)]
)
children = Child.objects.bulk_create([
    Child(social_care_reference=f"B{n:06d}", first_name="Bench", last_name=f"Child {n}",
          date_of_birth=dt.date(2012 + n % 5, 1 + n % 12, 1), upn=f"X{n:012d}",
          period_of_care_start=dt.date(2020, 1, 6), added_to_roll_on=dt.date(2020, 1, 7))
    for n in range({children})
], batch_size=2000)
EducationPlacement.objects.bulk_create([
    EducationPlacement(child=c, school=schools[n % 200], start_date=dt.date(2021, 9, 1))
    for n, c in enumerate(children)
], batch_size=2000)
"""


def school_days(count: int) -> list[dt.date]:
    import holidays

    bank = holidays.country_holidays("GB", subdiv="ENG", years=[2025, 2026])
    days, day = [], dt.date(2025, 9, 3)
    while len(days) < count:
        if day.weekday() < 5 and day not in bank:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def generate(path: Path) -> int:
    rng = random.Random(4)
    days = [d.isoformat() for d in school_days(SCHOOL_DAYS)]
    codes = ["I", "I", "M", "N", "O", "C2", "B", "L", "U", "G"]
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("upn,date,session,code\n")
        for n in range(CHILDREN):
            upn = f"X{n:012d}"
            rate = 0.2 if n % 8 == 0 else 0.04
            lines = []
            for day in days:
                if rng.random() < rate:
                    code = rng.choice(codes)
                    lines.append(f"{upn},{day},AM,{code}\n{upn},{day},PM,{code}\n")
                else:
                    lines.append(f"{upn},{day},AM,/\n{upn},{day},PM,\\\n")
            out.write("".join(lines))
            rows += 2 * len(days)
    return rows


def bare_copy(url: str, path: Path) -> float:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_bare_marks")
        conn.execute(
            "CREATE TABLE bench_bare_marks (upn text, date date, session text, code text, "
            "PRIMARY KEY (upn, date, session))"
        )
        started = time.perf_counter()
        statement = "COPY bench_bare_marks FROM STDIN WITH (FORMAT csv, HEADER true)"
        with conn.transaction(), conn.cursor() as cursor, cursor.copy(statement) as copy, path.open("rb") as handle:
            while block := handle.read(1024 * 1024):
                copy.write(block)
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE bench_bare_marks")
    return seconds


def empty_marks(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE attendance_attendancemark, attendance_attendancemonth, core_auditevent")
        conn.execute("VACUUM ANALYZE attendance_attendancemark")
        conn.execute("VACUUM ANALYZE attendance_attendancemonth")


def run_import(env: dict[str, str], path: Path) -> tuple[float, float, dict]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_attendance", str(path), "--system", "--json"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"import_attendance failed with status {status}")
    return seconds, usage.ru_maxrss / 1024, json.loads(output)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args()
    url = database_url()
    env = environment(url)
    print(f"Database {DATABASE_NAME}: recreating and migrating", flush=True)
    recreate_database(url)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SETUP.replace("{children}", str(CHILDREN))],
        cwd=ROOT,
        env=env,
        check=True,
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "marks.csv"
        started = time.perf_counter()
        rows = generate(path)
        print(
            f"Generated {rows:,} rows ({path.stat().st_size / 1e6:.0f} MB) for {CHILDREN:,} children "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        copies, firsts, agains, peaks = [], [], [], []
        summary: dict = {}
        for run in range(args.runs):
            copies.append(bare_copy(url, path))
            empty_marks(url)
            seconds, peak, summary = run_import(env, path)
            firsts.append(seconds)
            peaks.append(peak)
            print(
                f"run {run + 1}: bare COPY {copies[-1]:.1f} s, first import {seconds:.1f} s "
                f"(created {summary['created']:,}, rejected {summary['rejected']}), peak {peak:.0f} MB; "
                f"steps {summary['seconds']}",
                flush=True,
            )
            if summary["created"] != rows:
                raise SystemExit(f"The import created {summary['created']} marks, not {rows}.")
        for run in range(args.runs):
            seconds, peak, again = run_import(env, path)
            agains.append(seconds)
            peaks.append(peak)
            print(f"re-import {run + 1}: {seconds:.1f} s (unchanged {again['unchanged']:,}, created "
                  f"{again['created']}, updated {again['updated']}, audit events {again['audit_events']}), "
                  f"peak {peak:.0f} MB; steps {again['seconds']}", flush=True)  # fmt: skip
            if again["created"] or again["updated"] or again["audit_events"]:
                raise SystemExit("The same file again changed something.")
    copy_s, first_s, again_s = (statistics.median(v) for v in (copies, firsts, agains))
    copy_rate, first_rate, again_rate = rows / copy_s, rows / first_s, rows / again_s
    ratio = first_rate / copy_rate
    peak = max(peaks)
    print("\nMedians")
    print(f"  bare COPY into (upn, date, session) key: {copy_s:.1f} s, {copy_rate:,.0f} rows/s")
    print(f"  first import:                            {first_s:.1f} s, {first_rate:,.0f} rows/s")
    print(f"  re-import, nothing changed:              {again_s:.1f} s, {again_rate:,.0f} rows/s")
    print(f"  import / bare COPY speed: {ratio:.2f} (target >= {TARGET_RATIO})")
    print(f"  re-import / first import time: {again_s / first_s:.2f} (target <= 1.0)")
    print(f"  peak memory of the import process: {peak:.0f} MB (target < {TARGET_PEAK_MB} MB)")
    ok = ratio >= TARGET_RATIO and peak < TARGET_PEAK_MB and again_s <= first_s
    print("PASS" if ok else "FAIL: a target was not met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

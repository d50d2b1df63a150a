"""Benchmark: SSDA903 import of 100,000 children and 250,000 episodes into PostgreSQL.

    .venv/bin/python bench/import_903.py       # targets: >= 20,000 episode rows/s, < 500 MB, re-import as fast

Uses its own database, vsm_bench_903, on the PostgreSQL server DATABASE_URL names (default
postgres://postgres@127.0.0.1:5432/; never the database the URL names): drops, recreates and migrates it,
generates the files with bench/generate_903.py, then times `manage.py import_903 … --json` run as a child
process: three first imports, each into a freshly recreated database, then three re-imports of the same files
into the last one (nothing changes). Peak memory is the child process's maximum resident set size (os.wait4).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from generate_903 import generate  # noqa: E402

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/"
DATABASE_NAME = "vsm_bench_903"
TARGET_ROWS_PER_SECOND = 20_000
TARGET_PEAK_MB = 500
BENCH_USER = "bench_903"


def environment(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        # Production settings (DEBUG off), with harmless values for what a command does not use.
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=env.get("SECRET_KEY", "bench-only-not-a-secret"),
        ALLOWED_HOSTS="localhost",
        EMAIL_HOST="localhost",
    )
    return env


def database_url() -> str:
    """Our own database on the PostgreSQL server that DATABASE_URL names."""
    url = os.environ.get("DATABASE_URL", "") or DEFAULT_SERVER
    if not url.startswith(("postgres://", "postgresql://")):
        url = DEFAULT_SERVER  # the benchmark measures PostgreSQL, whatever the suite runs on
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{DATABASE_NAME}"))


def recreate_database(url: str) -> None:
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def fresh_database(url: str, env: dict[str, str]) -> None:
    recreate_database(url)
    manage(env, "migrate", "--noinput", "-v0")
    manage(
        env,
        "shell",
        "-c",
        "from virtualschool.accounts.models import User, Role; "
        f"User.objects.create_user(username='{BENCH_USER}', email='bench@example.gov.uk', "
        "full_name='Benchmark data specialist', role=Role.DATA_SPECIALIST)",
    )


def timed_import(env: dict[str, str], files: Path) -> tuple[float, float, dict]:
    """Run one import as a child process: (seconds, peak resident MB, its JSON summary)."""
    command = [sys.executable, "manage.py", "import_903", "--user", BENCH_USER, "--json",
               "--header", str(files / "header.csv"), "--episodes", str(files / "episodes.csv")]  # fmt: skip
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode()
    if process.returncode != 0:
        raise SystemExit(f"import_903 failed with exit code {process.returncode}: {output[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, json.loads(output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--files", type=Path, help="reuse files generated earlier in this folder")
    args = parser.parse_args()
    url = database_url()
    env = environment(url)
    print(f"database {url}", flush=True)

    with tempfile.TemporaryDirectory() as scratch:
        files = args.files or Path(scratch)
        if not (files / "episodes.csv").exists():
            print(f"Generating {args.children:,} children …", flush=True)
            generate(files, args.children)
        episode_rows = sum(1 for _ in (files / "episodes.csv").open()) - 1

        first: list[tuple[float, float]] = []
        for run in range(1, args.runs + 1):
            fresh_database(url, env)
            seconds, peak, summary = timed_import(env, files)
            assert summary["episodes"]["created"] == episode_rows, summary
            first.append((seconds, peak))
            print(f"first import {run}: {seconds:6.2f} s, peak {peak:5.0f} MB, {episode_rows / seconds:8,.0f} rows/s")
        again: list[tuple[float, float]] = []
        for run in range(1, args.runs + 1):
            seconds, peak, summary = timed_import(env, files)
            assert summary["episodes"]["unchanged"] == episode_rows and summary["audit_events"] == 0, summary
            again.append((seconds, peak))
            print(f"re-import {run}:    {seconds:6.2f} s, peak {peak:5.0f} MB, {episode_rows / seconds:8,.0f} rows/s")

    first_s = statistics.median(s for s, _ in first)
    again_s = statistics.median(s for s, _ in again)
    peak = max(p for _, p in first + again)
    rate = episode_rows / first_s
    print()
    print(f"episode rows: {episode_rows:,}")
    print(f"first import (median of {args.runs}): {first_s:.2f} s = {rate:,.0f} episode rows/s "
          f"(target >= {TARGET_ROWS_PER_SECOND:,})")  # fmt: skip
    print(f"re-import, unchanged (median of {args.runs}): {again_s:.2f} s = {episode_rows / again_s:,.0f} rows/s")
    print(f"re-import / first import: {again_s / first_s:.2f} (target <= 1)")
    print(f"peak resident memory: {peak:.0f} MB (target < {TARGET_PEAK_MB})")
    ok = rate >= TARGET_ROWS_PER_SECOND and peak < TARGET_PEAK_MB and again_s <= first_s
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

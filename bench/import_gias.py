"""Time the GIAS import: a first import of 50,000 schools, then the same file again (nothing changed).

    .venv/bin/python bench/import_gias.py [--rows 50000] [--runs 3] [--database-url postgres://…/vsm_bench_gias]

Each run drops and recreates its own database (vsm_bench_gias by default; a sqlite:/// URL works too), migrates
it, imports the synthetic extract from bench/generate_gias.py and imports it again. Prints the median of the
runs and rows per second. DEBUG is off, as in production.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/vsm_bench_gias"
# "Well under a minute" for 50,000 rows, on PostgreSQL and on SQLite.
TARGET_SECONDS = 30.0


def recreate_database(url: str) -> None:
    """Start from an empty database every run, so the first import really is the first."""
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        path = Path(parts.path)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    # Not DATABASE_URL: this drops the database it is given, so it only takes one named for it.
    parser.add_argument("--database-url", default=os.environ.get("BENCH_GIAS_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--file", type=Path, help="an existing extract to time instead of a generated one")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from generate_gias import generate

    from virtualschool.core.models import AuditEvent
    from virtualschool.schools.importers import gias_import
    from virtualschool.schools.models import School

    settings.DEBUG = False
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file or Path(tmp) / "edubasealldata.csv"
        if args.file is None:
            generate(path, rows=args.rows)
        size_mb = path.stat().st_size / 1_000_000
        first: list[float] = []
        again: list[float] = []
        # Wall time depends on what else the machine is doing; the importer's own CPU time much less so.
        first_cpu: list[float] = []
        again_cpu: list[float] = []
        for run in range(1, args.runs + 1):
            connection.close()
            recreate_database(args.database_url)
            call_command("migrate", verbosity=0)
            start, cpu = time.perf_counter(), time.process_time()
            report = gias_import(actor=None, path=path)
            first.append(time.perf_counter() - start)
            first_cpu.append(time.process_time() - cpu)
            created, events = report.created, AuditEvent.objects.count()
            start, cpu = time.perf_counter(), time.process_time()
            second = gias_import(actor=None, path=path)
            again.append(time.perf_counter() - start)
            again_cpu.append(time.process_time() - cpu)
            assert second.unchanged == created and second.created == second.updated == 0, second.summary()
            print(
                f"run {run}: first {first[-1]:.2f} s (CPU {first_cpu[-1]:.2f} s; {created} created, "
                f"{report.rejected} rejected, {events} audit events), re-import {again[-1]:.2f} s "
                f"(CPU {again_cpu[-1]:.2f} s; {second.unchanged} unchanged)"
            )
        rows = School.objects.count()
    vendor = connection.vendor
    m_first, m_again = statistics.median(first), statistics.median(again)
    print(f"\nGIAS import, {rows} rows ({size_mb:.0f} MB, {vendor}), median of {args.runs}:")
    c_first, c_again = statistics.median(first_cpu), statistics.median(again_cpu)
    print(f"  first import     {m_first:6.2f} s  {rows / m_first:8,.0f} rows/s  (importer CPU {c_first:.2f} s)")
    print(f"  unchanged again  {m_again:6.2f} s  {rows / m_again:8,.0f} rows/s  (importer CPU {c_again:.2f} s)")
    print(f"  load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory of this process (Django, file and both imports): {peak_mb:.0f} MB")
    if max(m_first, m_again) > TARGET_SECONDS:
        print(f"FAIL: an import took longer than {TARGET_SECONDS:.0f} s")
        return 1
    print(f"PASS: both under {TARGET_SECONDS:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

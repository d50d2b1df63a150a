"""Run every benchmark in bench/ in turn and say which passed: `make bench`.

A benchmark is any bench/*.py script except this one, helpers whose name starts with "_" and the data
generators (generate_*.py), which the benchmarks call themselves. Each runs as its own process with the same
environment (so DATABASE_URL chooses PostgreSQL for those that use it). Exits non-zero when any failed.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def benchmarks() -> list[Path]:
    return [
        path
        for path in sorted(BENCH.glob("*.py"))
        if path.name != Path(__file__).name and not path.name.startswith(("_", "generate_"))
    ]


def main() -> int:
    results: list[tuple[str, int, float]] = []
    for script in benchmarks():
        print(f"\n=== {script.name} ===", flush=True)
        started = time.perf_counter()
        code = subprocess.run([sys.executable, str(script)], cwd=BENCH.parent, check=False).returncode
        results.append((script.name, code, time.perf_counter() - started))
    print("\n=== summary ===")
    for name, code, seconds in results:
        print(f"{'PASS' if code == 0 else 'FAIL'}  {name}  ({seconds:.0f} s)")
    return 0 if all(code == 0 for _, code, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())

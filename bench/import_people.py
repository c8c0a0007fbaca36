"""Import benchmark: 100,000 people from a CSV into a fresh PostgreSQL database.

Run from the repository root with ``.venv/bin/python bench/import_people.py``.
It writes a people CSV (names, unique emails, phones, job titles, locations,
tags), creates ``rolodex_bench_import`` on postgresql://postgres@127.0.0.1:5432,
runs ``rolodex import people FILE --json`` in a child process (events on, as
for any write) and reports the elapsed time, rows/s and the child's peak RSS
(from ``getrusage(RUSAGE_CHILDREN)``), against the targets: under 30 s and
under 300 MB. It checks that every row arrived, once, with its event, then
drops the database. ``--rows N`` changes the size, ``--batch-size`` is passed
on, ``--json PATH`` also writes the figures. The exit code is 0 whatever the
figures; it is 1 only when the run itself fails.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
DB_NAME = "rolodex_bench_import"
DB_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
TARGET_SECONDS, TARGET_MB = 30.0, 300.0
FIRST = ["Ada", "Grace", "Alan", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "Tim"]
LAST = ["Lovelace", "Hopper", "Turing", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie"]
TITLES = ["Engineer", "Designer", "Founder", "Sales", "Recruiter", "Analyst", "CTO", "PM"]
CITIES = ["London", "Paris", "Berlin", "Lisbon", "New York", "Toronto", "Tokyo", "Sydney"]
TAGS = ["lead", "customer", "partner", "vip", "newsletter"]


def write_csv(path: Path, rows: int) -> None:
    rnd = random.Random(7)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["First name", "Last name", "Email", "Phone", "Job title", "Location", "Tags"])
        for i in range(rows):
            first, last = rnd.choice(FIRST), rnd.choice(LAST)
            w.writerow(
                [
                    first,
                    last,
                    f"{first}.{last}.{i}@example.com".lower(),
                    f"+1 555 {rnd.randrange(10**7):07d}",
                    rnd.choice(TITLES),
                    rnd.choice(CITIES),
                    ", ".join(rnd.sample(TAGS, rnd.randrange(3))),
                ]
            )


def admin(sql: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


@contextlib.contextmanager
def fresh_database() -> Iterator[str]:
    admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{DB_NAME}"')
    try:
        yield DB_URL
    finally:
        admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def count(sql: str) -> int:
    with psycopg.connect(DB_URL) as conn:
        row = conn.execute(sql).fetchone()
        return int(row[0]) if row else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    args = parser.parse_args()
    rolodex = Path(sys.executable).with_name("rolodex")
    with tempfile.TemporaryDirectory() as tmp, fresh_database() as url:
        path = Path(tmp) / "people.csv"
        write_csv(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        print(f"Wrote {args.rows:,} people ({size_mb:.1f} MB); importing ...", flush=True)
        # Migrate first, so that the timed run is the import alone.
        subprocess.run([str(rolodex), "migrate", "-d", url], check=True, capture_output=True)
        cmd = [str(rolodex), "import", "people", str(path), "-d", url, "--json"]
        if args.batch_size:
            cmd += ["--batch-size", str(args.batch_size)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("ROLODEX_")}
        started = time.monotonic()
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
        wall = time.monotonic() - started
        if done.returncode != 0:
            print(done.stdout, done.stderr, sep="\n", file=sys.stderr)
            return 1
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        summary = json.loads(done.stdout)
        people = count("SELECT count(*) FROM person")
        events = count("SELECT count(*) FROM event WHERE type = 'person.created'")
    ok = people == events == summary["created"] == args.rows and summary["rejected"] == 0
    figures = {
        "rows": args.rows,
        "fileMegabytes": round(size_mb, 1),
        "importSeconds": summary["elapsedSeconds"],
        "processSeconds": round(wall, 2),
        "rowsPerSecond": round(args.rows / summary["elapsedSeconds"]),
        "peakRssMegabytes": round(peak_mb, 1),
        "people": people,
        "events": events,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(figures, indent=2))
    verdict = {
        f"under {TARGET_SECONDS:.0f} s": wall < TARGET_SECONDS,
        f"under {TARGET_MB:.0f} MB": peak_mb < TARGET_MB,
        "every row once, with its event": ok,
    }
    for name, passed in verdict.items():
        print(f"{'PASS' if passed else 'FAIL'}  {name}")
    if args.json:
        args.json.write_text(json.dumps({**figures, "targets": verdict}, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

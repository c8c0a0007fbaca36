"""GET by id right after a bulk load, before and after a manual ``VACUUM ANALYZE``.

Run from the repository root with ``.venv/bin/python bench/fresh_stats.py``.
It creates a fresh ``rolodex_bench_fresh`` database, starts ``rolodex serve``
(one granian worker) on it, seeds 100 companies and 10,000 people through
the REST batch route, and, with no ``VACUUM ANALYZE``, times 2,000 GETs by id
from one client; then it runs ``VACUUM ANALYZE`` and times them again. For
each phase it prints req/s, p50 and p99, and how many sequential and index
scans of the people table the GETs caused (``pg_stat_user_tables``), which
shows a plan that fell back to scanning. The exit code is 1 only when the
run itself fails.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Import bench/rest.py as bench.rest.
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psycopg  # noqa: E402
from bench import rest  # noqa: E402

DB_NAME = "rolodex_bench_fresh"
DB_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
GETS = 2000


def analyzed() -> bool:
    """Whether ``person`` has statistics (from ANALYZE, the keeper or autovacuum)."""
    with psycopg.connect(DB_URL, autocommit=True) as conn:
        row = conn.execute(
            "SELECT coalesce(last_analyze, last_autoanalyze) IS NOT NULL"
            " FROM pg_stat_user_tables WHERE relname = 'person'"
        ).fetchone()
    return bool(row and row[0])


def scans() -> tuple[int, int]:
    """Sequential and index scans of ``person`` so far (statistics flushed first)."""
    with psycopg.connect(DB_URL, autocommit=True) as conn:
        with contextlib.suppress(psycopg.Error):  # PostgreSQL 15+: see our own counts
            conn.execute("SELECT pg_stat_force_next_flush()")
        row = conn.execute(
            "SELECT coalesce(seq_scan, 0), coalesce(idx_scan, 0)"
            " FROM pg_stat_user_tables WHERE relname = 'person'"
        ).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def make_key() -> str:
    """Migrate the database and mint a key with the CLI (serve shows none in a log)."""
    subprocess.run(rest.rolodex_cmd("migrate", "--database", DB_URL), check=True, cwd=ROOT)
    out = subprocess.run(
        rest.rolodex_cmd("keys", "create", "--name", "bench", "--database", DB_URL),
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    return out.strip().splitlines()[-1].strip()


def time_gets(client: httpx.Client, ids: list[str], label: str) -> dict[str, Any]:
    seq0, idx0 = scans()
    times = []
    for n in range(GETS):
        t0 = time.perf_counter()
        resp = client.get(f"/rest/people/{ids[(n * 7919) % len(ids)]}")
        times.append((time.perf_counter() - t0) * 1000)
        if resp.status_code != 200:
            raise rest.BenchError(f"GET by id: {resp.status_code} {resp.text[:300]}")
    time.sleep(1.5)  # servers report their scan counts at most once a second
    seq1, idx1 = scans()
    times.sort()
    row = {
        "phase": label,
        "rps": GETS / (sum(times) / 1000),
        "p50_ms": statistics.median(times),
        "p99_ms": times[int(len(times) * 0.99) - 1],
        "seq_scans": seq1 - seq0,
        "index_scans": idx1 - idx0,
        "analyzed": analyzed(),
    }
    print(
        f"  {label:<34} {row['rps']:>8,.0f} req/s  p50 {row['p50_ms']:.2f} ms"
        f"  p99 {row['p99_ms']:.2f} ms  seq scans {row['seq_scans']:,}"
        f"  index scans {row['index_scans']:,}"
        f"  ({'analyzed' if row['analyzed'] else 'never analyzed'})",
        flush=True,
    )
    return row


def run(settle: float) -> list[dict[str, Any]]:
    port = rest.free_port()
    cmd = rest.rolodex_cmd("serve", "--port", str(port), "--database", DB_URL)
    rows = []
    with tempfile.TemporaryDirectory(prefix="rolodex-bench-") as tmp, rest.bench_database(DB_NAME):
        key = make_key()
        with rest.serve("rolodex serve", cmd, port, "/healthz", Path(tmp) / "r.log"):
            base = f"http://127.0.0.1:{port}"
            headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
            with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
                t0 = time.perf_counter()
                ids = rest.seed(client)
                print(f"  seeded {len(ids):,} people in {time.perf_counter() - t0:.1f} s")
                rows.append(time_gets(client, ids, "right after the seed"))
                if settle > 0:
                    time.sleep(settle)  # a measurement pause, not a wait for a condition
                    rows.append(time_gets(client, ids, f"{settle:g} s later"))
                with psycopg.connect(DB_URL, autocommit=True) as conn:
                    conn.execute("VACUUM ANALYZE")
                rows.append(time_gets(client, ids, "after VACUUM ANALYZE"))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument(
        "--settle",
        type=float,
        default=0,
        help="also measure this many seconds after the seed (e.g. 35: one statistics pass)",
    )
    args = parser.parse_args()
    print(f"GET /rest/people/{{id}}, {GETS:,} sequential requests from one client")
    try:
        run(args.settle)
    except rest.FAILURES as exc:
        print(f"\nThe benchmark run failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

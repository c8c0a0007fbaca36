"""What a bulk update costs: ``PATCH /rest/batch/people`` of 1,000 people, beside a batch create.

Run from the repository root with ``.venv/bin/python bench/bulk.py``. It
creates a fresh PostgreSQL database (``rolodex_bench_bulk``), starts
``rolodex serve`` (one granian worker), seeds 100 companies and 10,000 people
(bench/rest.py's seed), settles the database, then times, in turns,
``--runs`` (10) bulk updates of 1,000 of those people (each changing
``jobTitle`` and ``location``, so every record is written and gets its
``person.updated`` event) and as many batch creates of 1,000 new people, the
baseline. It prints the median and p90 of each, and PASS or FAIL for the bulk
update's median against 300 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import orjson  # noqa: E402
import psycopg  # noqa: E402
from bench import rest  # noqa: E402

DB_NAME = "rolodex_bench_bulk"
DB_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
TARGET_MS = 300.0
SIZE = 1000


def run(runs: int) -> None:
    rest.DB_NAME, rest.DB_URL = DB_NAME, DB_URL  # read_key and seed use them
    with tempfile.TemporaryDirectory(prefix="rolodex-bench-") as tmp_name:
        tmp = Path(tmp_name)
        with rest.bench_database(DB_NAME):
            port = rest.free_port()
            cmd = rest.rolodex_cmd("serve", "--port", str(port), "--database", DB_URL)
            print(f"rolodex: 1 granian worker, port {port}, database {DB_NAME}", flush=True)
            with rest.serve("rolodex serve", cmd, port, "/healthz", tmp / "rolodex.log") as log:
                key, base = rest.read_key(log), f"http://127.0.0.1:{port}"
                headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
                with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
                    ids = rest.seed(client)
                    with psycopg.connect(DB_URL, autocommit=True) as conn:
                        conn.execute("VACUUM ANALYZE")
                        conn.execute("CHECKPOINT")
                    print(f"  seeded {len(ids):,} people", flush=True)
                    updates, creates = [], []
                    for r in range(runs):
                        chunk = ids[(r % 10) * SIZE : (r % 10 + 1) * SIZE]
                        body = orjson.dumps(
                            [
                                {"id": i, "jobTitle": f"Title {r}-{n % 7}", "location": f"C{r}"}
                                for n, i in enumerate(chunk)
                            ]
                        )
                        t0 = time.perf_counter()
                        resp = client.patch("/rest/batch/people", content=body)
                        updates.append((time.perf_counter() - t0) * 1000)
                        if resp.status_code != 200:
                            raise rest.BenchError(f"bulk update: {resp.status_code} {resp.text}")
                        creates += rest.time_batches(client, 1)
    print()
    print(f"{'request':<44} {'median ms':>10} {'p90 ms':>8}")
    for label, times in (
        (f"PATCH /rest/batch/people ({SIZE} updates)", updates),
        (f"POST /rest/batch/people ({SIZE} creates)", creates),
    ):
        print(f"{label:<44} {statistics.median(times):>10.1f} {rest.p90(times):>8.1f}")
    median = statistics.median(updates)
    verdict = "PASS" if median <= TARGET_MS else "FAIL"
    print(f"\nbulk update of {SIZE}: median {median:.1f} ms (target <= {TARGET_MS:.0f}): {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n", 1)[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    try:
        run(args.runs)
    except (rest.BenchError, httpx.HTTPError, psycopg.Error, OSError) as exc:
        print(f"\nThe benchmark run failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

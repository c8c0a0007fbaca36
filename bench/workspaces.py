"""Provisioning benchmark on PostgreSQL: the operator routes against their 50 ms target.

Run from the repository root with ``.venv/bin/python bench/workspaces.py``
(``--count N`` workspaces, 200 by default; ``--json PATH`` to also write the
figures). It creates a fresh ``rolodex_bench_workspaces`` database, starts
``rolodex serve``, mints an operator key with ``rolodex keys create
--operator``, then times, one request at a time over one connection:

- ``POST /rest/workspaces`` (with its first key), N times;
- ``GET /rest/workspaces?limit=50`` and ``GET /rest/workspaces/{id}``;
- ``POST /rest/workspaces/{id}/keys``;
- ``PATCH /rest/workspaces/{id}`` suspending and resuming;
- ``DELETE /rest/workspaces/{id}`` of workspaces holding 100 people each.

Each line prints p50, p99 and max in ms and PASS when p99 is under 50 ms.
For comparison it also times the CLI doing the same as the first route
(``rolodex workspaces create --with-key``: a process start, the schema
check and the work). The database is dropped at the end; the exit code is 0
whatever the figures, and 1 only when the run fails.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.rest import BenchError, bench_database, free_port, rolodex_cmd, serve  # noqa: E402

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
DB_NAME = "rolodex_bench_workspaces"
DB_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
TARGET_MS = 50.0
PEOPLE_PER_DELETED = 100


def timed(call: Callable[[], httpx.Response], status: int) -> float:
    t0 = time.perf_counter()
    r = call()
    ms = (time.perf_counter() - t0) * 1000
    if r.status_code != status:
        raise BenchError(f"expected {status}, got {r.status_code}: {r.text[:300]}")
    return ms


def line(name: str, samples: list[float]) -> dict[str, Any]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    row = {
        "route": name,
        "n": len(samples),
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(p99, 2),
        "max_ms": round(ordered[-1], 2),
        "pass": p99 < TARGET_MS,
    }
    verdict = "PASS" if row["pass"] else "FAIL"
    print(
        f"  {name:<44} n={row['n']:<4} p50 {row['p50_ms']:7.2f}  p99 {row['p99_ms']:7.2f}  "
        f"max {row['max_ms']:7.2f} ms  {verdict} (p99 < {TARGET_MS:.0f} ms)",
        flush=True,
    )
    return row


def run(count: int) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    with bench_database(DB_NAME), tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        cmd = rolodex_cmd("serve", "--port", str(port), "--database", DB_URL)
        with serve("rolodex serve", cmd, port, "/healthz", Path(tmp) / "rolodex.log"):
            made = subprocess.run(
                rolodex_cmd("keys", "create", "--name", "ops", "--operator", "-d", DB_URL),
                capture_output=True,
                text=True,
                check=True,
            )
            operator = made.stdout.strip().splitlines()[-1]
            headers = {"Authorization": f"Bearer {operator}"}
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base, headers=headers, timeout=30) as op:
                for _ in range(5):  # warm the connection and the statement caches
                    op.post("/rest/workspaces", json={"name": f"warm-{uuid.uuid4().hex}"})
                created: list[dict[str, Any]] = []
                samples = []
                for i in range(count):
                    t0 = time.perf_counter()
                    r = op.post("/rest/workspaces", json={"name": f"customer-{i}"})
                    samples.append((time.perf_counter() - t0) * 1000)
                    if r.status_code != 201:
                        raise BenchError(r.text[:300])
                    created.append(r.json()["data"]["createWorkspace"])
                rows.append(line("POST /rest/workspaces (+ first key)", samples))
                rows.append(
                    line(
                        "GET /rest/workspaces?limit=50",
                        [
                            timed(lambda: op.get("/rest/workspaces?limit=50"), 200)
                            for _ in range(50)
                        ],
                    )
                )
                ids = [w["id"] for w in created]
                rows.append(
                    line(
                        "GET /rest/workspaces/{id}",
                        [timed(lambda i=i: op.get(f"/rest/workspaces/{i}"), 200) for i in ids],
                    )
                )
                rows.append(
                    line(
                        "POST /rest/workspaces/{id}/keys",
                        [
                            timed(lambda i=i: op.post(f"/rest/workspaces/{i}/keys", json={}), 201)
                            for i in ids
                        ],
                    )
                )
                patch = []
                for i in ids[:50]:
                    for status in ("suspended", "active"):
                        body = {"status": status}
                        patch.append(
                            timed(
                                lambda i=i, b=body: op.patch(f"/rest/workspaces/{i}", json=b), 200
                            )
                        )
                rows.append(line("PATCH /rest/workspaces/{id} (suspend, resume)", patch))
                doomed = created[: min(50, len(created))]
                for w in doomed:
                    people = [{"name": f"p{n}"} for n in range(PEOPLE_PER_DELETED)]
                    auth = {"Authorization": f"Bearer {w['key']['key']}"}
                    r = op.post("/rest/batch/people", json=people, headers=auth)
                    if r.status_code >= 300:
                        raise BenchError(r.text[:300])
                deletes, background = [], 0
                for w in doomed:
                    t0 = time.perf_counter()
                    r = op.delete(f"/rest/workspaces/{w['id']}")
                    deletes.append((time.perf_counter() - t0) * 1000)
                    if r.status_code not in (200, 202):
                        raise BenchError(r.text[:300])
                    background += r.status_code == 202
                rows.append(
                    line(f"DELETE /rest/workspaces/{{id}} ({PEOPLE_PER_DELETED} people)", deletes)
                )
                print(f"    {background} of {len(doomed)} deletions finished in the background")
            cli = []
            for i in range(3):
                t0 = time.perf_counter()
                subprocess.run(
                    rolodex_cmd("workspaces", "create", f"cli-{i}", "--with-key", "-d", DB_URL),
                    capture_output=True,
                    check=True,
                )
                cli.append((time.perf_counter() - t0) * 1000)
            print(
                f"  for comparison, rolodex workspaces create --with-key (a new process): "
                f"median {statistics.median(cli):.0f} ms",
                flush=True,
            )
    return {"routes": rows, "cli_create_ms": round(statistics.median(cli), 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=200, help="workspaces to create")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    print(f"workspaces: {args.count} created through the API, one request at a time")
    try:
        figures = run(args.count)
    except (BenchError, subprocess.CalledProcessError) as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

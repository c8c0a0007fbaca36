"""Aggregates beside a plain list: ``GET /rest/people/aggregate`` over a large workspace.

Run from the repository root with ``.venv/bin/python bench/aggregates.py``.
It creates a fresh ``rolodex_bench_aggregates`` database, mints a key with
the CLI, inserts 1,000 companies and ``--people`` people (1,000,000) straight
into the tables with ``INSERT ... SELECT`` (then ``VACUUM ANALYZE``), serves
Rolodex (one granian worker) and times, from one client, taking turns: a
plain list of 60 (the baseline), the workspace's count, a group-by count on
``jobTitle`` (8 groups), on ``companyId`` (1,000 groups, with their labels),
on ``createdAt:month``, two-level ``jobTitle,createdAt:month``, and a
filtered group-by (``jobTitle[in]`` of two titles, by ``companyId``, with
``countNotEmpty:email``). It prints p50 and p99 per case. The exit code is 1
only when the run itself fails.
"""

from __future__ import annotations

import argparse
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

DB_NAME = "rolodex_bench_aggregates"
DB_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
COMPANIES = 1000
SEED_COMPANIES = """
INSERT INTO company (workspace_id, id, name, custom, created_at, updated_at)
SELECT %(ws)s, (lpad(to_hex(g), 8, '0') || '-0000-7000-8000-000000000001')::uuid,
       'Company ' || g, '{}'::jsonb, now(), now()
FROM generate_series(1, %(n)s) AS g
"""
# Ids in creation order (as UUIDv7 ids are); creation times over about a year.
SEED_PEOPLE = """
INSERT INTO person (workspace_id, id, name, first_name, last_name, email, job_title,
                    company_id, custom, created_at, updated_at)
SELECT %(ws)s, (lpad(to_hex(g), 8, '0') || '-0000-7000-8000-000000000000')::uuid,
       'Person ' || g, 'First' || g, 'Last' || g,
       'person' || g || '@example.com', (%(titles)s::text[])[1 + g %% 8],
       (lpad(to_hex(1 + g %% %(companies)s), 8, '0') || '-0000-7000-8000-000000000001')::uuid,
       '{}'::jsonb, now() - interval '365 days' + g * (interval '365 days' / %(n)s),
       now()
FROM generate_series(1, %(n)s) AS g
"""
CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("list of 60 (baseline)", "/rest/people", {"limit": 60}),
    ("count, no groups", "/rest/people/aggregate", {}),
    ("group_by=jobTitle", "/rest/people/aggregate", {"group_by": "jobTitle"}),
    ("group_by=companyId (labels)", "/rest/people/aggregate", {"group_by": "companyId"}),
    ("group_by=createdAt:month", "/rest/people/aggregate", {"group_by": "createdAt:month"}),
    (
        "group_by=jobTitle,createdAt:month",
        "/rest/people/aggregate",
        {"group_by": "jobTitle,createdAt:month"},
    ),
    (
        "jobTitle[in] two, by companyId",
        "/rest/people/aggregate",
        {
            "group_by": "companyId",
            "filter": "jobTitle[in]:[Engineer,CTO]",
            "metrics": "count,countNotEmpty:email",
        },
    ),
]


def make_key() -> str:
    """Migrate the database and mint a key with the CLI."""
    subprocess.run(rest.rolodex_cmd("migrate", "--database", DB_URL), check=True, cwd=ROOT)
    out = subprocess.run(
        rest.rolodex_cmd("keys", "create", "--name", "bench", "--database", DB_URL),
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    return out.strip().splitlines()[-1].strip()


def seed(people: int) -> None:
    with psycopg.connect(DB_URL, autocommit=True) as conn:
        row = conn.execute("SELECT id FROM workspace ORDER BY created_at LIMIT 1").fetchone()
        if row is None:
            raise rest.BenchError("no workspace after minting a key")
        conn.execute(SEED_COMPANIES, {"ws": row[0], "n": COMPANIES})
        params = {"ws": row[0], "titles": rest.JOB_TITLES, "n": people, "companies": COMPANIES}
        conn.execute(SEED_PEOPLE, params)
        conn.execute("VACUUM ANALYZE company")
        conn.execute("VACUUM ANALYZE person")


def time_cases(client: httpx.Client, requests: int) -> list[dict[str, Any]]:
    times: dict[str, list[float]] = {label: [] for label, _, _ in CASES}
    groups: dict[str, int] = {}
    for _label, path, params in CASES:  # warm each statement up
        client.get(path, params=params).raise_for_status()
    for _ in range(requests):
        for label, path, params in CASES:
            t0 = time.perf_counter()
            r = client.get(path, params=params)
            times[label].append((time.perf_counter() - t0) * 1000)
            if r.status_code != 200:
                raise rest.BenchError(f"{label}: {r.status_code} {r.text[:300]}")
            body = r.json()["data"]
            groups[label] = len(body.get("groups", []))
    rows = []
    for label, path, _ in CASES:
        ts = sorted(times[label])
        rows.append(
            {
                "case": label,
                "p50_ms": statistics.median(ts),
                "p99_ms": ts[max(0, int(len(ts) * 0.99) - 1)],
                "groups": groups[label] if path.endswith("aggregate") else None,
            }
        )
    return rows


def run(people: int, requests: int) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="rolodex-bench-") as tmp, rest.bench_database(DB_NAME):
        key = make_key()
        t0 = time.perf_counter()
        seed(people)
        print(f"  seeded {people:,} people in {time.perf_counter() - t0:.1f} s (VACUUM ANALYZE)")
        port = rest.free_port()
        cmd = rest.rolodex_cmd("serve", "--port", str(port), "--database", DB_URL)
        with rest.serve("rolodex serve", cmd, port, "/healthz", Path(tmp) / "serve.log"):
            headers = {"Authorization": f"Bearer {key}"}
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base, headers=headers, timeout=300) as client:
                rows = time_cases(client, requests)
    base_ms = rows[0]["p50_ms"]
    for row in rows:
        groups = "" if row["groups"] is None else f"  {row['groups']:>5} groups"
        print(
            f"  {row['case']:<36} p50 {row['p50_ms']:8.2f} ms  p99 {row['p99_ms']:8.2f} ms"
            f"  {row['p50_ms'] / base_ms:7.1f}x{groups}",
            flush=True,
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20, help="turns of every case")
    args = parser.parse_args()
    print(f"GET /rest/people/aggregate over {args.people:,} people, beside a list of 60")
    try:
        run(args.people, args.requests)
    except rest.FAILURES as exc:
        print(f"\nThe benchmark run failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

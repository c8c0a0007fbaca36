"""A list filtered across a relation beside one filtered on an indexed own field.

Run from the repository root with ``.venv/bin/python bench/relation_filters.py``.
On PostgreSQL (database ``rolodex_bench_relfilter``) it makes one workspace
with 1,000 companies (``Company 0`` ... ``Company 999``) and ``--people``
people (1,000,000 by default), each at one of the companies and with one of
eight job titles, seeded inside PostgreSQL as bench/scale.py seeds (the first
company and person go through the API; the rest copy their stored actor and
custom document), then ``ANALYZE``. It starts one ``rolodex serve`` and
times, in turns, ``--requests`` lists of 60 people each of
``filter=company.name[eq]:Company 7`` (about one person in 1,000) and
``filter=jobTitle[eq]:Designer`` (one in 8, on the ``ix_person_job_title``
index), after 10 unmeasured ones, and prints their p50 and p99 and the
ratio of the p50s against the target: within 2x.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psycopg  # noqa: E402
from bench import rest, scale  # noqa: E402

DB_NAME = "rolodex_bench_relfilter"
DB_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
COMPANIES = 1000
CHUNK = 100_000
TARGET_RATIO = 2.0

COMPANY_SQL = """
INSERT INTO company (workspace_id, id, name, custom, created_at, updated_at,
                     created_by, updated_by)
SELECT %(ws)s::uuid, gen_random_uuid(), 'Company ' || n, %(custom)s::jsonb,
       now() - n * interval '1 second', now() - n * interval '1 second',
       %(actor)s::jsonb, %(actor)s::jsonb
FROM generate_series(0, %(last)s::int) AS n
"""

PEOPLE_SQL = f"""
INSERT INTO person (workspace_id, id, name, first_name, last_name, email, job_title,
                    company_id, custom, created_at, updated_at, created_by, updated_by)
SELECT %(ws)s::uuid, gen_random_uuid(), 'Person ' || n, 'Person', n::text,
       'p' || n || '@example.com', (ARRAY{scale.TITLES!r})[1 + n %% {len(scale.TITLES)}],
       c.id, %(custom)s::jsonb,
       now() - n * interval '1 second', now() - n * interval '1 second',
       %(actor)s::jsonb, %(actor)s::jsonb
FROM generate_series(%(start)s::int, %(stop)s::int) AS n
JOIN company c ON c.workspace_id = %(ws)s::uuid
              AND c.name = 'Company ' || (n %% {COMPANIES})
"""


def seed(base: str, key: str, ws: str, people: int) -> float:
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=base, headers=headers) as client:
        for path, body in (("/rest/companies", {"name": "First"}), ("/rest/people", {})):
            got = client.post(path, json={"name": "First", **body})
            if got.status_code != 201:
                raise rest.BenchError(f"POST {path}: {got.status_code} {got.text[:300]}")
    t0 = time.perf_counter()
    with psycopg.connect(DB_URL, autocommit=True) as conn:
        params: dict[str, Any] = {"ws": ws}
        for table in ("company", "person"):
            row = conn.execute(
                f"SELECT created_by::text, custom::text FROM {table} WHERE workspace_id = %s",
                (ws,),
            ).fetchone()
            assert row is not None
            params[table] = {"actor": row[0], "custom": row[1]}
        conn.execute(COMPANY_SQL, {"ws": ws, "last": COMPANIES - 1, **params["company"]})
        conn.execute("ANALYZE company")
        for start in range(1, people, CHUNK):
            stop = min(people - 1, start + CHUNK - 1)
            with conn.transaction():
                conn.execute(
                    PEOPLE_SQL, {"ws": ws, "start": start, "stop": stop, **params["person"]}
                )
            print(f"  {stop + 1:,} people, {time.perf_counter() - t0:.0f} s", flush=True)
        conn.execute("ANALYZE person")
    return time.perf_counter() - t0


def run(people: int, requests: int) -> None:
    with psycopg.connect(rest.ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DB_NAME}"')
    try:
        scale.DB_URL = DB_URL  # scale.cli's commands name it
        scale.cli("migrate", "--database", DB_URL)
        made = json.loads(scale.cli("workspaces", "create", "relf", "--json", "--database", DB_URL))
        ws = str(made.get("id") or made["workspace"]["id"])
        out = scale.cli(
            "keys", "create", "--name", "b", "--workspace", "relf", "--database", DB_URL
        )
        key = out.strip().splitlines()[-1].strip()
        with tempfile.TemporaryDirectory(prefix="rolodex-bench-") as tmp_name:
            port = rest.free_port()
            cmd = rest.rolodex_cmd("serve", "--port", str(port), "--database", DB_URL)
            log_path = Path(tmp_name) / "rolodex.log"
            with rest.serve("rolodex serve", cmd, port, "/healthz", log_path):
                base = f"http://127.0.0.1:{port}"
                took = seed(base, key, ws, people)
                print(f"seeded {COMPANIES:,} companies and {people:,} people in {took:.0f} s")
                lines = {
                    "company.name[eq]:Company 7": "company.name[eq]:Company 7",
                    "jobTitle[eq]:Designer": "jobTitle[eq]:Designer",
                }
                times: dict[str, list[float]] = {k: [] for k in lines}
                headers = {"Authorization": f"Bearer {key}"}
                with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
                    for i in range(requests + 10):
                        for name, expr in lines.items():
                            url = "/rest/people?limit=60&filter=" + quote(expr, safe="")
                            t0 = time.perf_counter()
                            got = client.get(url)
                            ms = (time.perf_counter() - t0) * 1000
                            if got.status_code != 200:
                                raise rest.BenchError(f"{name}: {got.status_code} {got.text}")
                            if i >= 10:
                                times[name].append(ms)
    finally:
        with psycopg.connect(rest.ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    print(f"\n{'list of 60 people, filter=':<34} {'p50 ms':>8} {'p99 ms':>8}")
    p50 = {}
    for name, ts in times.items():
        ts.sort()
        p50[name] = statistics.median(ts)
        p99 = ts[min(len(ts) - 1, int(len(ts) * 0.99))]
        print(f"{name:<34} {p50[name]:>8.1f} {p99:>8.1f}")
    ratio = p50["company.name[eq]:Company 7"] / p50["jobTitle[eq]:Designer"]
    verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
    print(f"\nrelation filter / own indexed field: {ratio:.2f}x (target <= 2x): {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n", 1)[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    try:
        run(args.people, args.requests)
    except (rest.BenchError, httpx.HTTPError, psycopg.Error, OSError) as exc:
        print(f"\nThe benchmark run failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

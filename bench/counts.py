"""List latency with ``count=exact`` against the bounded default and ``count=none``.

Run from the repository root with ``.venv/bin/python bench/counts.py``.
It creates a fresh ``rolodex_bench_counts`` database, mints a key with the
CLI, and inserts ``--people`` people (200,000) straight into the ``person``
table with one ``INSERT ... SELECT`` (then ``VACUUM ANALYZE``). It serves
Rolodex (one granian worker) with the default count bound (10,000) and
times, from one client, taking turns so that drift hits every case alike:
the unfiltered list of 60 and a filtered one (``jobTitle[eq]``, an eighth of
the people) with ``count=exact``, the default (``estimate``) and
``count=none``, a filter matching one person, and ``email[like]:%42%``
with ``count=exact`` and the default. It prints p50 and p99 per
case with the total each returned (and whether it was exact), then serves
again with bounds of 1,000 and 100,000 to show what the bound costs. The
exit code is 1 only when the run itself fails.
"""

from __future__ import annotations

import argparse
import os
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

DB_NAME = "rolodex_bench_counts"
DB_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
SEED_SQL = """
INSERT INTO person (workspace_id, id, name, first_name, last_name, email, job_title,
                    location, custom, created_at, updated_at)
SELECT %(ws)s, (lpad(to_hex(g), 8, '0') || '-0000-7000-8000-000000000000')::uuid,
       'Person ' || g, 'First' || g, 'Last' || g,
       'person' || g || '@example.com', (%(titles)s::text[])[1 + g %% 8], 'City ' || (g %% 50),
       '{}'::jsonb, now() + g * interval '1 second', now() + g * interval '1 second'
FROM generate_series(1, %(n)s) AS g
"""
# Ids in creation order, as the server's UUIDv7 ids are, so that the primary
# key's order follows the table's as it does in a real workspace.
FILTER = "jobTitle[eq]:Engineer"


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
        conn.execute(SEED_SQL, {"ws": row[0], "titles": rest.JOB_TITLES, "n": people})
        conn.execute("VACUUM ANALYZE person")


def cases() -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for label, extra in (("unfiltered", {}), (FILTER, {"filter": FILTER})):
        for mode in ("exact", None, "none"):
            params = {"limit": 60, **extra, **({"count": mode} if mode else {})}
            out.append((f"{label}, count={mode or 'default'}", params))
    out.append(("name[eq] (one match), default", {"limit": 60, "filter": "name[eq]:Person 42"}))
    # A substring filter: its trigram index yields a bitmap, built whole before
    # any LIMIT applies, so the bound saves less here.
    like = {"limit": 60, "filter": "email[like]:%42%"}
    out += [("email[like]:%42%, count=exact", {**like, "count": "exact"})]
    out += [("email[like]:%42%, count=default", like)]
    return out


def time_cases(
    client: httpx.Client, chosen: list[tuple[str, dict[str, Any]]], requests: int
) -> list[dict[str, Any]]:
    times: dict[str, list[float]] = {label: [] for label, _ in chosen}
    last: dict[str, dict[str, Any]] = {}
    for _label, params in chosen:  # warm each statement up
        client.get("/rest/people", params=params).raise_for_status()
    for _ in range(requests):
        for label, params in chosen:
            t0 = time.perf_counter()
            r = client.get("/rest/people", params=params)
            times[label].append((time.perf_counter() - t0) * 1000)
            if r.status_code != 200:
                raise rest.BenchError(f"{label}: {r.status_code} {r.text[:300]}")
            last[label] = r.json()
    rows = []
    for label, _ in chosen:
        ts = sorted(times[label])
        body = last[label]
        exact = body.get("totalCountIsExact", body["totalCount"] is not None or None)
        rows.append(
            {
                "case": label,
                "p50_ms": statistics.median(ts),
                "p99_ms": ts[max(0, int(len(ts) * 0.99) - 1)],
                "total": body["totalCount"],
                "exact": exact,
            }
        )
    return rows


def show(rows: list[dict[str, Any]], baseline: float | None = None) -> None:
    for row in rows:
        total = "-" if row["total"] is None else f"{row['total']:,}"
        kind = {True: "exact", False: "estimate", None: "not counted"}[row["exact"]]
        ratio = f"  {row['p50_ms'] / baseline:.2f}x" if baseline else ""
        print(
            f"  {row['case']:<40} p50 {row['p50_ms']:6.2f} ms  p99 {row['p99_ms']:6.2f} ms"
            f"  totalCount {total:>9} ({kind}){ratio}",
            flush=True,
        )


def serve_and_time(
    key: str, tmp: Path, bound: int | None, chosen: list[tuple[str, dict[str, Any]]], n: int
) -> list[dict[str, Any]]:
    port = rest.free_port()
    cmd = rest.rolodex_cmd("serve", "--port", str(port), "--database", DB_URL)
    saved = os.environ.get("ROLODEX_COUNT_LIMIT")
    if bound is not None:
        os.environ["ROLODEX_COUNT_LIMIT"] = str(bound)
    try:
        with rest.serve("rolodex serve", cmd, port, "/healthz", tmp / f"r{bound}.log"):
            headers = {"Authorization": f"Bearer {key}"}
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
                return time_cases(client, chosen, n)
    finally:
        if saved is None:
            os.environ.pop("ROLODEX_COUNT_LIMIT", None)
        else:
            os.environ["ROLODEX_COUNT_LIMIT"] = saved


def run(people: int, requests: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="rolodex-bench-") as tmp, rest.bench_database(DB_NAME):
        key = make_key()
        t0 = time.perf_counter()
        seed(people)
        print(f"  seeded {people:,} people in {time.perf_counter() - t0:.1f} s (VACUUM ANALYZE)")
        print(f"\ndefault bound (10,000), {requests} turns, one client:")
        rows = serve_and_time(key, Path(tmp), None, cases(), requests)
        show(rows, baseline=rows[0]["p50_ms"])
        print("  (ratios: p50 against the unfiltered count=exact)")
        out["default"] = rows
        unfiltered = [c for c in cases() if c[0] == "unfiltered, count=default"]
        for bound in (1_000, 100_000):
            print(f"\nROLODEX_COUNT_LIMIT={bound:,}:")
            rows = serve_and_time(key, Path(tmp), bound, unfiltered, requests)
            show(rows)
            out[str(bound)] = rows
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=200, help="turns of every case")
    args = parser.parse_args()
    print(f"GET /rest/people?limit=60 over {args.people:,} people, by count mode")
    try:
        run(args.people, args.requests)
    except rest.FAILURES as exc:
        print(f"\nThe benchmark run failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

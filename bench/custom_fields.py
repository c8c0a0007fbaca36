"""What custom fields cost: a filtered list of people with 20 custom fields, against
the same list with none.

Run from the repository root with ``.venv/bin/python bench/custom_fields.py``.
On a fresh PostgreSQL database (``rolodex_bench_custom``) and one server (one
granian worker), it seeds two workspaces with 1,000 companies and 100,000
people each, then measures ``GET /rest/people?limit=60&filter=...`` with wrk:

- **baseline:** a workspace with no custom fields; the filter is on an
  indexed standard field (``companyId[eq]:<a company>``, 100 matching people);
- **custom:** a workspace whose people have 20 custom fields of mixed types
  (values in every record's JSON document); the filter is on an indexed custom
  NUMBER field (``score[eq]:<n>``, 100 matching people).

One server and one database for both, measured in turns (three rounds by
default), so that both sides see the same process, tables and machine state.
It prints the median run of each side and the ratio custom / baseline of p50
latency (target: within 1.5x). ``--quick`` makes the wrk runs 3 s and seeds
20,000 people per workspace.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psycopg  # noqa: E402
from bench import rest  # noqa: E402

rest.DB_NAME = "rolodex_bench_custom"
rest.DB_URL = f"postgresql://postgres@127.0.0.1:5432/{rest.DB_NAME}"
COMPANIES = 1000
TARGET = 1.5
FIELDS: list[dict[str, Any]] = [
    {"name": "score", "type": "NUMBER", "isIndexed": True},
    *({"name": f"note{i}", "type": "TEXT"} for i in range(6)),
    *({"name": f"amount{i}", "type": "NUMBER"} for i in range(4)),
    {"name": "tier", "type": "SELECT", "options": ["GOLD", "SILVER", "BRONZE"]},
    {"name": "segments", "type": "MULTI_SELECT", "options": ["A", "B", "C"]},
    {"name": "vip", "type": "BOOLEAN"},
    {"name": "renewal", "type": "DATE"},
    {"name": "lastSeen", "type": "DATE_TIME"},
    {"name": "homepage", "type": "LINK"},
    {"name": "revenue", "type": "CURRENCY"},
    {"name": "rating", "type": "RATING"},
    {"name": "extra", "type": "JSON"},
]


def custom_values(n: int) -> dict[str, Any]:
    return {
        "score": n % 1000,
        **{f"note{i}": f"note {i} for person {n}" for i in range(6)},
        **{f"amount{i}": (n * (i + 1)) % 10_000 / 4 for i in range(4)},
        "tier": ("GOLD", "SILVER", "BRONZE")[n % 3],
        "segments": [("A", "B", "C")[n % 3]],
        "vip": n % 7 == 0,
        "renewal": f"2026-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
        "lastSeen": f"2026-11-{n % 28 + 1:02d}T10:00:00.000Z",
        "homepage": f"https://person{n}.example",
        "revenue": {"amount": n % 5000, "currencyCode": "EUR"},
        "rating": n % 5 + 1,
        "extra": {"source": "bench", "n": n},
    }


def seed(client: httpx.Client, people: int, custom: bool) -> list[str]:
    if custom:
        for f in FIELDS:
            r = client.post("/rest/metadata/fields", json={"objectName": "person", **f})
            if r.status_code != 201:
                raise rest.BenchError(f"creating field {f['name']}: {r.text[:300]}")
    companies = [{"name": f"Company {c}", "domain": f"c{c}.example"} for c in range(COMPANIES)]
    company_ids = rest.post_batch(client, "companies", companies)
    for start in range(0, people, 1000):
        batch = []
        for n in range(start, start + 1000):
            p = rest.person(n, company_ids[n % COMPANIES])
            batch.append({**p, **custom_values(n)} if custom else p)
        rest.post_batch(client, "people", batch)
    return company_ids


def cli(*argv: str) -> str:
    cmd = rest.rolodex_cmd(*argv)
    done = subprocess.run(cmd, cwd=rest.ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise rest.BenchError(f"rolodex {' '.join(argv)}: {done.stderr[-500:]}")
    return done.stdout.strip().splitlines()[-1]


def prepare(base: str, key: str, args: argparse.Namespace, custom: bool) -> tuple[str, str]:
    """Seed one workspace; the list path to measure in it."""
    label = "custom" if custom else "baseline"
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    with httpx.Client(base_url=base, headers=headers, timeout=300) as client:
        company_ids = seed(client, args.people, custom)
        flt = "score[eq]:500" if custom else f"companyId[eq]:{company_ids[500]}"
        r = client.get("/rest/people", params={"limit": 60, "filter": flt})
        print(
            f"  {label}: {args.people:,} people, filter {flt}: {r.json()['totalCount']} match",
            flush=True,
        )
    return label, f"/rest/people?limit=60&filter={flt.replace('[', '%5B').replace(']', '%5D')}"


def run(tmp: Path, args: argparse.Namespace) -> dict[str, list[rest.WrkResult]]:
    """Both workspaces on one server and database; measured in turns, ``args.rounds`` each."""
    with rest.bench_database():
        port = rest.free_port()
        cmd = rest.rolodex_cmd("serve", "--port", str(port), "--database", rest.DB_URL)
        with rest.serve("rolodex serve", cmd, port, "/healthz", tmp / "serve.log") as log:
            base = f"http://127.0.0.1:{port}"
            cli("workspaces", "create", "With custom fields", "--database", rest.DB_URL)
            custom_key = cli(
                "keys", "create", "--name", "bench", "--workspace", "With custom fields",
                "--database", rest.DB_URL,
            )  # fmt: skip
            base_key = rest.read_key(log)
            targets = [
                (*prepare(base, base_key, args, custom=False), base_key),
                (*prepare(base, custom_key, args, custom=True), custom_key),
            ]
            # What autovacuum and the checkpointer would do soon after a bulk load
            # (hint bits, the visibility map, statistics, dirty pages); done here
            # so that it does not land in the middle of one of the measurements.
            with psycopg.connect(rest.DB_URL, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")
                conn.execute("CHECKPOINT")
            results: dict[str, list[rest.WrkResult]] = {"baseline": [], "custom": []}
            for _ in range(args.rounds):
                for label, path, key in targets:
                    result = rest.measure(f"list 60, {label}", base + path, args, key)
                    results[label].append(result)
            return results


def median_run(runs: list[rest.WrkResult]) -> rest.WrkResult:
    return sorted(runs, key=lambda r: r.p50_ms)[len(runs) // 2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="3 s runs, 20,000 people")
    parser.add_argument("--rounds", type=int, default=3, help="measurements of each, in turns")
    args = parser.parse_args()
    args.seconds, args.warmup = (3, 1) if args.quick else (8, 2)
    args.people = 20_000 if args.quick else 100_000
    try:
        rest.ensure_wrk()
        with tempfile.TemporaryDirectory(prefix="rolodex-bench-") as tmp_name:
            results = run(Path(tmp_name), args)
    except rest.BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    base, custom = median_run(results["baseline"]), median_run(results["custom"])
    ratio = custom.p50_ms / base.p50_ms
    print(f"\nmedian of {args.rounds} runs each")
    print(f"{'run':<24}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for row in (base, custom):
        print(f"{row.endpoint:<24}{row.rps:>10,.0f}{row.p50_ms:>10.2f}{row.p99_ms:>10.2f}")
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    print(
        f"\n{verdict}  custom / baseline p50 = {ratio:.2f}x (target <= {TARGET}x); "
        f"req/s ratio {base.rps / custom.rps:.2f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

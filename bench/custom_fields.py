"""What custom fields cost: a filtered list of people with 20 custom fields, against
the same list with none.

Run from the repository root with ``.venv/bin/python bench/custom_fields.py``.
Twice, each time on a fresh PostgreSQL database (``rolodex_bench_custom``) with
one granian worker, it seeds 1,000 companies and 100,000 people, then measures
``GET /rest/people?limit=60&filter=...`` with wrk:

- **baseline:** no custom fields; the filter is on an indexed standard field
  (``companyId[eq]:<a company>``, 100 matching people);
- **custom:** the same people with 20 custom fields of mixed types (values in
  every record's JSON document); the filter is on an indexed custom NUMBER
  field (``score[eq]:<n>``, 100 matching people).

It prints req/s, p50 and p99 and the ratio custom / baseline (target: within
1.5x). ``--quick`` makes the wrk runs 3 s and seeds 20,000 people.
"""

from __future__ import annotations

import argparse
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


def one_run(tmp: Path, args: argparse.Namespace, custom: bool) -> rest.WrkResult:
    with rest.bench_database():
        port = rest.free_port()
        exe = [str(rest.BIN / "rolodex")] if (rest.BIN / "rolodex").exists() else []
        cmd = [*(exe or [sys.executable, "-m", "rolodex.cli.main"]), "serve"]
        cmd += ["--port", str(port), "--database", rest.DB_URL]
        label = "custom" if custom else "baseline"
        with rest.serve(
            f"rolodex serve ({label})", cmd, port, "/healthz", tmp / f"{label}.log"
        ) as log:
            key, base = rest.read_key(log), f"http://127.0.0.1:{port}"
            headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
            with httpx.Client(base_url=base, headers=headers, timeout=300) as client:
                company_ids = seed(client, args.people, custom)
                with psycopg.connect(rest.DB_URL, autocommit=True) as conn:
                    conn.execute("ANALYZE")
                flt = "score[eq]:500" if custom else f"companyId[eq]:{company_ids[500]}"
                r = client.get("/rest/people", params={"limit": 60, "filter": flt})
                print(
                    f"  {label}: {args.people:,} people, filter {flt}: "
                    f"{r.json()['totalCount']} match",
                    flush=True,
                )
            path = f"/rest/people?limit=60&filter={flt.replace('[', '%5B').replace(']', '%5D')}"
            return rest.measure(f"list 60, {label}", base + path, args, key)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="3 s runs, 20,000 people")
    args = parser.parse_args()
    args.seconds, args.warmup = (3, 1) if args.quick else (8, 2)
    args.people = 20_000 if args.quick else 100_000
    try:
        rest.ensure_wrk()
        with tempfile.TemporaryDirectory(prefix="rolodex-bench-") as tmp_name:
            tmp = Path(tmp_name)
            base = one_run(tmp, args, custom=False)
            custom = one_run(tmp, args, custom=True)
    except rest.BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    ratio = custom.p50_ms / base.p50_ms
    print(f"\n{'run':<24}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
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

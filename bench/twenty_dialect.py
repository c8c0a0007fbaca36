"""The Twenty dialect beside the default one: GET by id and a list, in one run.

Run from the repository root with ``.venv/bin/python bench/twenty_dialect.py``.
It serves Rolodex (one granian worker) on a fresh ``rolodex_bench_twenty``
PostgreSQL database, seeds 10,000 people as bench/rest.py does, and measures
with wrk, alternating so drift in the machine's load hits both alike:

- ``GET /rest/people/{id}`` and ``GET /twenty/rest/people/{id}`` over a pool of ids;
- ``GET /rest/people?limit=60`` and ``GET /twenty/rest/people?limit=60``.

It prints req/s, p50 and p99 and the ratio Twenty / default of the best p50s
(target: at most 1.2). The exit code is 0 whatever the figures; 1 only when
the run fails. ``--quick`` makes the wrk runs 3 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psycopg  # noqa: E402
from bench import rest  # noqa: E402

DB_NAME = "rolodex_bench_twenty"
DB_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
TARGET = 1.2


def lua_get(tmp: Path, prefix: str, ids: list[str]) -> Path:
    path = tmp / f"get{prefix.replace('/', '_')}.lua"
    listed = ",\n".join(f'  "{i}"' for i in ids)
    path.write_text(
        f"local ids = {{\n{listed}\n}}\n"
        "function init(args) math.randomseed(os.time()) end\n"
        "request = function()\n"
        f'  return wrk.format("GET", "{prefix}/rest/people/" .. ids[math.random(#ids)])\n'
        "end\n"
    )
    return path


def run(args: argparse.Namespace) -> None:
    rest.ensure_wrk()
    rest.DB_NAME, rest.DB_URL = DB_NAME, DB_URL
    with tempfile.TemporaryDirectory(prefix="rolodex-bench-") as tmp_name:
        tmp = Path(tmp_name)
        with rest.bench_database(DB_NAME):
            port = rest.free_port()
            cmd = rest.rolodex_cmd("serve", "--port", str(port), "--database", DB_URL)
            print(f"rolodex: 1 granian worker, port {port}, database {DB_NAME}", flush=True)
            with rest.serve("rolodex serve", cmd, port, "/healthz", tmp / "rolodex.log") as log:
                key, base = rest.read_key(log), f"http://127.0.0.1:{port}"
                headers = {"Authorization": f"Bearer {key}"}
                with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
                    t0 = time.perf_counter()
                    ids = rest.seed(client)
                    with psycopg.connect(DB_URL, autocommit=True) as conn:
                        conn.execute("VACUUM ANALYZE")
                        conn.execute("CHECKPOINT")
                    print(f"  seeded {len(ids):,} people: {time.perf_counter() - t0:.1f} s")
                    same = client.get(f"/twenty/rest/people/{ids[0]}")
                    if same.status_code != 200:
                        raise rest.BenchError(f"the Twenty dialect answered {same.status_code}")
                pool = ids[:: max(1, len(ids) // 1000)][:1000]
                twenty_list = f"{base}/twenty/rest/people?limit=60"
                cases = [
                    ("GET /rest/people/{id}", base, lua_get(tmp, "", pool)),
                    ("GET /twenty/rest/people/{id}", base, lua_get(tmp, "/twenty", pool)),
                    ("GET /rest/people?limit=60", f"{base}/rest/people?limit=60", None),
                    ("GET /twenty/rest/people?limit=60", twenty_list, None),
                ]
                rows = []
                for _ in range(2):
                    for label, url, lua in cases:
                        rows.append(rest.measure(label, url, args, key, lua))
    if any(r.non_2xx for r in rows):
        raise rest.BenchError(f"non-2xx responses: {[(r.endpoint, r.non_2xx) for r in rows]}")
    print()
    print(f"{'endpoint':<36} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8}")
    for r in rows:
        print(f"{r.endpoint:<36} {r.rps:>10,.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f}")
    best = {label: min(r.p50_ms for r in rows if r.endpoint == label) for label, _, _ in cases}
    for default, other in ((cases[0][0], cases[1][0]), (cases[2][0], cases[3][0])):
        ratio = best[other] / best[default]
        verdict = "met" if ratio <= TARGET else "missed"
        print(f"{other} / default p50: {ratio:.2f} (target <= {TARGET}: {verdict})")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="3 s wrk runs instead of 8 s")
    args = parser.parse_args()
    args.seconds, args.warmup = (3.0 if args.quick else 8.0), 2.0
    try:
        run(args)
    except (rest.BenchError, httpx.HTTPError, psycopg.Error, OSError) as exc:
        print(f"\nThe benchmark run failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

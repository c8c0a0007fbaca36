"""Idempotency-Key replay benchmark: a replayed POST against a GET by id, in one run.

Run from the repository root with ``.venv/bin/python bench/idempotency.py``. It
serves Rolodex (one granian worker) on a fresh ``rolodex_bench_idempotency``
PostgreSQL database, seeds 10,000 people as bench/rest.py does, sends one
``POST /rest/people`` with an ``Idempotency-Key``, and then measures with wrk,
alternating so drift in the machine's load hits both alike:

- ``GET /rest/people/{id}`` over a pool of ids;
- the same POST again and again: every one a replay of the stored answer.

It prints req/s, p50 and p99 and the ratio replay / GET of the p50s (target:
at most 1, the replay at least as fast). The exit code is 0 whatever the
figures; 1 only when the run fails. ``--quick`` makes the wrk runs 3 s.
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

DB_NAME = "rolodex_bench_idempotency"
DB_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
GET_LABEL = "GET /rest/people/{id}"
REPLAY_LABEL = "POST /rest/people (replayed key)"
BODY = '{"name":"Replayed Person","jobTitle":"Engineer","email":"replayed@example.com"}'
KEY = "bench-replay-0001"


def lua_replay(tmp: Path, key: str) -> Path:
    path = tmp / "replay.lua"
    path.write_text(
        f'wrk.method = "POST"\nwrk.path = "/rest/people"\nwrk.body = \'{BODY}\'\n'
        f'wrk.headers["Authorization"] = "Bearer {key}"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Idempotency-Key"] = "{KEY}"\n'
    )
    return path


def run(args: argparse.Namespace) -> None:
    rest.ensure_wrk()
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
                    t0 = time.perf_counter()
                    ids = rest.seed(client)
                    with psycopg.connect(DB_URL, autocommit=True) as conn:
                        conn.execute("VACUUM ANALYZE")
                        conn.execute("CHECKPOINT")
                    print(f"  seeded {len(ids):,} people: {time.perf_counter() - t0:.1f} s")
                    first = client.post(
                        "/rest/people", content=BODY, headers={"Idempotency-Key": KEY}
                    )
                    again = client.post(
                        "/rest/people", content=BODY, headers={"Idempotency-Key": KEY}
                    )
                    if (
                        first.status_code != 201
                        or again.headers.get("idempotent-replayed") != "true"
                    ):
                        raise rest.BenchError(f"no replay: {first.status_code} {again.headers}")
                pool = ids[:: max(1, len(ids) // 1000)][:1000]
                get_lua, replay_lua = rest.lua_get_by_id(tmp, pool), lua_replay(tmp, key)
                rows = []
                for _ in range(2):
                    rows.append(rest.measure(GET_LABEL, base, args, key, get_lua))
                    rows.append(rest.measure(REPLAY_LABEL, base, args, key, replay_lua))
    gets = [r for r in rows if r.endpoint == GET_LABEL]
    replays = [r for r in rows if r.endpoint == REPLAY_LABEL]
    if any(r.non_2xx for r in rows):
        raise rest.BenchError(f"non-2xx responses: {[(r.endpoint, r.non_2xx) for r in rows]}")
    get_p50 = min(r.p50_ms for r in gets)
    replay_p50 = min(r.p50_ms for r in replays)
    print()
    print(f"{'endpoint':<36} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8}")
    for r in rows:
        print(f"{r.endpoint:<36} {r.rps:>10,.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f}")
    ratio = replay_p50 / get_p50
    verdict = "met" if ratio <= 1.0 else "missed"
    print(f"\nreplay p50 / GET by id p50 (best of 2 each): {ratio:.2f} (target <= 1.00: {verdict})")


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

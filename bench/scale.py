"""How cost grows with a workspace: the same requests on 10,000 and on 1,000,000 people.

Run from the repository root with ``.venv/bin/python bench/scale.py``.
On PostgreSQL (database ``rolodex_bench_scale``) it makes two workspaces,
``scale-10k`` and ``scale-1m``, and fills them with 10,000 and 1,000,000
people inside PostgreSQL (``INSERT ... SELECT`` over ``generate_series``, in
chunks of 100,000, through every index of the table, as an import would), in
the shape the server writes them (each workspace's first person is created
through the API, and the seed copies its stored actor and custom document).
Then ``ANALYZE``, as the statistics keeper (``kit/analyze.py``) runs it after
a bulk load, and no ``VACUUM`` (``--vacuum`` adds one). It starts one
``rolodex serve`` (one granian worker) and measures, in both workspaces:

- GET by id (at random among 1,000 ids), the unfiltered list of 60,
  ``email[eq]``, ``email[like]:%42%``, ``jobTitle[eq]``, ``order_by=name``,
  ``createdAt`` descending, a deep cursor page (60,000 records in at 1M,
  9,000 at 10k: page 1,000 and page 150 of 60) and the GraphQL page of 60 with
  ``totalCount``;
- the unfiltered list with ``count=none`` and the GraphQL page without
  ``totalCount``, and ``email[like]`` with ``count=none``, to show what the
  count costs (a server that does not know ``count`` answers 400: the line
  says so);

at one client (``--requests`` sequential requests in each workspace, taking
turns between the two so that the machine's load weighs on both alike: p50,
p99, slowest) and at 32 connections (wrk, req/s, p50, p99; the two sizes one
after the other). It prints a table of 10k against 1M with
the ratio of the p50s, and the targets: every line at 1M within 2x of the same
line at 10k (one client's p50), no request at one client slower than 100 ms.

``--keep`` keeps the database (and reuses it when its seed is complete), so a
second run skips the seed. ``--quick``: 3 s wrk runs, 100 requests a client.
``--json PATH`` also writes the figures. The exit code is 0 whatever the
figures; it is 1 only when the run itself fails.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import orjson  # noqa: E402
import psycopg  # noqa: E402
from bench import rest  # noqa: E402

DB_NAME = "rolodex_bench_scale"
DB_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
SIZES = {"scale-10k": 10_000, "scale-1m": 1_000_000}
CHUNK = 100_000
TARGET_RATIO, TARGET_ONE_CLIENT_MS = 2.0, 100.0
TITLES = ["Engineer", "Designer", "Founder", "Sales", "Recruiter", "Analyst", "CTO", "PM"]
FIRST = ["Ada", "Grace", "Alan", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "Tim"]
LAST = ["Lovelace", "Hopper", "Turing", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie"]
GRAPHQL_COUNTED = (
    "{ people(first: 60) { totalCount edges { node { id name email jobTitle } } "
    "pageInfo { endCursor hasNextPage } } }"
)
GRAPHQL_UNCOUNTED = GRAPHQL_COUNTED.replace("totalCount ", "")

# One person per generate_series row: names and titles repeat, emails are unique,
# createdAt runs back one second per person. The parameters: the workspace, the first
# and last n, and the actor and custom document of the person made through the API.
SEED_SQL = f"""
INSERT INTO person (workspace_id, id, name, first_name, last_name, email, phone, job_title,
                    location, custom, created_at, updated_at, created_by, updated_by)
SELECT %(ws)s::uuid, gen_random_uuid(), f || ' ' || l, f, l,
       lower(f) || '.' || lower(l) || '.' || n || '@company' || (n %% 1000) || '.example',
       '+1 555 ' || lpad(n::text, 7, '0'),
       (ARRAY{TITLES!r})[1 + n %% {len(TITLES)}],
       'City ' || (n %% 300), %(custom)s::jsonb,
       now() - n * interval '1 second', now() - n * interval '1 second',
       %(actor)s::jsonb, %(actor)s::jsonb
FROM generate_series(%(start)s::int, %(stop)s::int) AS n,
     LATERAL (SELECT (ARRAY{FIRST!r})[1 + n %% {len(FIRST)}] AS f,
                     (ARRAY{LAST!r})[1 + (n / {len(FIRST)}) %% {len(LAST)}] AS l) AS names
"""


@dataclass
class Line:
    """One measured request at one workspace size."""

    name: str
    size: str
    one_p50: float | None = None
    one_p99: float | None = None
    one_max: float | None = None
    rps: float | None = None
    p50: float | None = None
    p99: float | None = None
    errors: int = 0
    note: str = ""
    samples: list[float] = field(default_factory=list, repr=False)


@dataclass
class Workspace:
    name: str
    size: int
    id: str
    key: str = ""
    ids: list[str] = field(default_factory=list)
    email: str = ""
    deep_cursor: str = ""
    deep_at: int = 0


# --- the database and its seed ---------------------------------------------------------


def cli(*argv: str) -> str:
    done = subprocess.run(rest.rolodex_cmd(*argv), capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise rest.BenchError(f"rolodex {' '.join(argv[:2])} failed: {done.stderr[-1500:]}")
    return done.stdout


def seeded(conn: psycopg.Connection[Any]) -> dict[str, str]:
    """The workspaces already holding their full seed (name to id), if any."""
    try:
        rows = conn.execute("SELECT id::text, name FROM workspace").fetchall()
    except psycopg.Error:
        return {}
    out = {}
    for wid, name in rows:
        if name in SIZES:
            # A planner estimate is enough to tell a finished seed from a cut one.
            n = conn.execute(
                "SELECT count(*) FROM (SELECT 1 FROM person WHERE workspace_id = %s "
                "AND deleted_at IS NULL LIMIT %s) AS s",
                (wid, SIZES[name]),
            ).fetchone()
            if n and n[0] >= SIZES[name]:
                out[name] = wid
    return out


def prepare(args: argparse.Namespace) -> dict[str, str]:
    """The database with both workspaces seeded: reused with ``--keep``, else made."""
    with psycopg.connect(rest.ADMIN_URL, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,))
        if exists.fetchone() and args.keep:
            with psycopg.connect(DB_URL, autocommit=True) as conn:
                found = seeded(conn)
            if len(found) == len(SIZES):
                print(f"reusing the seed in {DB_NAME} (--keep)", flush=True)
                return found
        admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DB_NAME}"')
    cli("migrate", "--database", DB_URL)
    out = {}
    for name in SIZES:
        made = json.loads(cli("workspaces", "create", name, "--json", "--database", DB_URL))
        out[name] = str(made.get("id") or made["workspace"]["id"])
    return out


def seed(base: str, ws: Workspace) -> float:
    """``ws.size`` people in ``ws``: one through the API, the rest in PostgreSQL."""
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {ws.key}"}) as client:
        got = client.post("/rest/people", json={"name": "Ada Lovelace", "jobTitle": "Engineer"})
        if got.status_code != 201:
            raise rest.BenchError(f"POST /rest/people: {got.status_code} {got.text[:300]}")
    t0 = time.perf_counter()
    with psycopg.connect(DB_URL, autocommit=True) as conn:
        row = conn.execute(
            "SELECT created_by::text, custom::text FROM person WHERE workspace_id = %s", (ws.id,)
        ).fetchone()
        assert row is not None
        for start in range(1, ws.size, CHUNK):
            stop = min(ws.size - 1, start + CHUNK - 1)
            with conn.transaction():
                values = {"ws": ws.id, "start": start, "stop": stop}
                conn.execute(SEED_SQL, {**values, "actor": row[0], "custom": row[1]})
            print(f"  {ws.name}: {stop + 1:,} people, {time.perf_counter() - t0:.0f} s", flush=True)
        conn.execute("ANALYZE person")
    return time.perf_counter() - t0


def mint_key(name: str) -> str:
    out = cli("keys", "create", "--name", "scale", "--workspace", name, "--database", DB_URL)
    return out.strip().splitlines()[-1].strip()


def sample(ws: Workspace) -> None:
    """Ids to GET, an email to look up and a cursor 1,000 pages (at 1M) deep."""
    from rolodex.metadata.registry import standard
    from rolodex.records.ordering import encode_cursor, order_fields

    with psycopg.connect(DB_URL, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT id::text, email FROM person TABLESAMPLE SYSTEM (5) WHERE workspace_id = %s "
            "AND email IS NOT NULL LIMIT 1000",
            (ws.id,),
        ).fetchall()
        ws.ids = [r[0] for r in rows]
        ws.email = rows[len(rows) // 2][1].upper()  # eq ignores case
        ws.deep_at = min(60_000, ws.size * 9 // 10)
        row = conn.execute(
            "SELECT id::text FROM person WHERE workspace_id = %s AND deleted_at IS NULL "
            "ORDER BY id OFFSET %s LIMIT 1",
            (ws.id, ws.deep_at),
        ).fetchone()
        assert row is not None
    keys = order_fields(standard().objects["person"], [])
    ws.deep_cursor = encode_cursor(keys, {"id": row[0]})


# --- requests ----------------------------------------------------------------------------


def requests_of(ws: Workspace) -> list[tuple[str, str, str | None]]:
    """(line, path, GraphQL query or None) for each measured request."""

    def listing(params: str) -> str:
        return f"/rest/people?limit=60&{params}" if params else "/rest/people?limit=60"

    def flt(expr: str) -> str:
        return "filter=" + quote(expr, safe="")

    return [
        ("GET by id", "/rest/people/{id}", None),
        ("list of 60, unfiltered", listing(""), None),
        ("list of 60, count=none", listing("count=none"), None),
        ("email[eq]", listing(flt(f"email[eq]:{ws.email}")), None),
        ("email[like]:%42%", listing(flt("email[like]:%42%")), None),
        ("email[like]:%42%, count=none", listing(flt("email[like]:%42%") + "&count=none"), None),
        ("jobTitle[eq]", listing(flt("jobTitle[eq]:Designer")), None),
        ("order_by=name", listing("order_by=name"), None),
        ("createdAt DESC", listing("order_by=" + quote("createdAt[desc]", safe="")), None),
        (
            "cursor page (deep)",
            listing("starting_after=" + ws.deep_cursor),
            None,
        ),
        ("GraphQL page, totalCount", "/graphql", GRAPHQL_COUNTED),
        ("GraphQL page, no count", "/graphql", GRAPHQL_UNCOUNTED),
    ]


def one_client(
    clients: list[httpx.Client],
    spaces: list[Workspace],
    lines: list[Line],
    requests: list[tuple[str, str | None]],
    n: int,
) -> None:
    """``n`` sequential requests in each workspace, after 10 unmeasured ones, taking
    turns between the workspaces (so a change in the machine's load weighs on both
    sizes alike): p50, p99 and the slowest of each."""
    rng = random.Random(7)
    times: list[list[float]] = [[] for _ in spaces]
    for i in range(n + 10):
        for k, (client, ws, line, (path, query)) in enumerate(
            zip(clients, spaces, lines, requests, strict=True)
        ):
            if line.note:
                continue
            url = path.replace("{id}", rng.choice(ws.ids))
            t0 = time.perf_counter()
            if query is None:
                got = client.get(url)
            else:
                got = client.post(url, content=orjson.dumps({"query": query}))
            took = (time.perf_counter() - t0) * 1000
            if got.status_code >= 400 or (query and "errors" in got.json()):
                line.note = f"{got.status_code}: {got.text[:120]}"
                line.errors += 1
            elif i >= 10:
                times[k].append(took)
    for line, measured in zip(lines, times, strict=True):
        if line.note or not measured:
            continue
        measured.sort()
        line.samples = measured
        line.one_p50 = statistics.median(measured)
        line.one_p99 = measured[min(len(measured) - 1, int(len(measured) * 0.99))]
        line.one_max = measured[-1]


def lua(tmp: Path, tag: str, ws: Workspace, path: str, query: str | None) -> Path:
    """A wrk script for one line: random ids, a GraphQL POST, or a fixed GET."""
    script = tmp / f"{tag}.lua"
    head = f'wrk.headers["Authorization"] = "Bearer {ws.key}"\n'
    if "{id}" in path:
        listed = ",".join(f'"{i}"' for i in ws.ids)
        body = (
            f"local ids = {{{listed}}}\n"
            "request = function()\n"
            f'  return wrk.format("GET", "{path.split("{id}")[0]}" .. ids[math.random(#ids)])\n'
            "end\n"
        )
    elif query is not None:
        body = (
            'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            f"wrk.body = {json.dumps(json.dumps({'query': query}))}\n"
        )
    else:
        body = ""
    script.write_text(head + body)
    return script


def many_clients(
    tmp: Path, base: str, ws: Workspace, line: Line, path: str, query: str | None, seconds: float
) -> None:
    script = lua(tmp, f"{ws.name}-{len(line.name)}-{abs(hash(line.name))}", ws, path, query)
    url = base + ("/" if "{id}" in path or query else path)
    if query:
        url = base + path
    rest.run_wrk(line.name, url, 1.0, script, "")  # warm-up
    got = rest.run_wrk(line.name, url, seconds, script, "")
    line.rps, line.p50, line.p99 = got.rps, got.p50_ms, got.p99_ms
    line.errors += got.non_2xx + got.socket_errors


# --- report --------------------------------------------------------------------------------


def fmt(v: float | None, unit: str = "") -> str:
    return "-" if v is None else (f"{v:,.0f}" if unit == "rps" else f"{v:.1f}")


def report(lines: dict[tuple[str, str], Line], names: list[str]) -> list[dict[str, Any]]:
    small, large = list(SIZES)
    print(
        f"\n{'request':<30} {'1 client p50 / p99 ms':>28} {'ratio':>6}  "
        f"{'32 connections: req/s, p50, p99 ms':>44}"
    )
    print(f"{'':<30} {'10k':>13} {'1M':>14} {'':>6}  {'10k':>21} {'1M':>22}")
    targets = []
    for name in names:
        a, b = lines[(name, small)], lines[(name, large)]
        if a.one_p50 is None or b.one_p50 is None:
            note = a.note or b.note
            print(f"{name:<30} not measured: {note}")
            continue
        ratio = b.one_p50 / a.one_p50
        print(
            f"{name:<30} {fmt(a.one_p50):>6} / {fmt(a.one_p99):<6}"
            f"{fmt(b.one_p50):>7} / {fmt(b.one_p99):<6} {ratio:>5.2f}x  "
            f"{fmt(a.rps, 'rps'):>7} {fmt(a.p50):>6} {fmt(a.p99):>6}  "
            f"{fmt(b.rps, 'rps'):>7} {fmt(b.p50):>6} {fmt(b.p99):>6}"
            + (f"  ({a.errors + b.errors} errors)" if a.errors + b.errors else "")
        )
        targets.append((f"{name}: 1M p50 within 2x of 10k", ratio, TARGET_RATIO))
        slowest = max(a.one_max or 0.0, b.one_max or 0.0)
        targets.append((f"{name}: slowest at one client < 100 ms", slowest, TARGET_ONE_CLIENT_MS))
    print("\ntargets")
    out = []
    for label, value, limit in targets:
        ok = value <= limit if limit == TARGET_RATIO else value < limit
        shown = f"{value:.2f}x" if limit == TARGET_RATIO else f"{value:.1f} ms"
        print(f"  {'PASS' if ok else 'FAIL'}  {label:<58} {shown}")
        out.append({"target": label, "value": value, "limit": limit, "pass": ok})
    return out


# --- main ------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    rest.ensure_wrk()
    rest.DB_URL = DB_URL  # rest.read_key and friends read it
    ids = prepare(args)
    spaces = [Workspace(name, size, ids[name]) for name, size in SIZES.items()]
    with psycopg.connect(DB_URL, autocommit=True) as conn:
        done = seeded(conn)
    seed_s: dict[str, float] = {}
    lines: dict[tuple[str, str], Line] = {}
    names: list[str] = []
    with tempfile.TemporaryDirectory(prefix="rolodex-scale-") as tmp_name:
        tmp = Path(tmp_name)
        port = rest.free_port()
        cmd = rest.rolodex_cmd("serve", "--port", str(port), "--database", DB_URL)
        print(f"rolodex: 1 granian worker, port {port}, database {DB_NAME}", flush=True)
        try:
            with rest.serve("rolodex serve", cmd, port, "/healthz", tmp / "rolodex.log"):
                base = f"http://127.0.0.1:{port}"
                for ws in spaces:
                    ws.key = mint_key(ws.name)
                    if ws.name not in done:
                        seed_s[ws.name] = seed(base, ws)
                        print(f"  seeded {ws.name} in {seed_s[ws.name]:.1f} s", flush=True)
                    sample(ws)
                if args.vacuum:  # a reused seed too: what this run measures
                    with psycopg.connect(DB_URL, autocommit=True) as conn:
                        conn.execute("VACUUM ANALYZE person")
                print("measuring: " + ", ".join(f"{w.name} ({w.size:,})" for w in spaces))
                clients = [
                    httpx.Client(
                        base_url=base,
                        headers={
                            "Authorization": f"Bearer {w.key}",
                            "Content-Type": "application/json",
                        },
                        timeout=60,
                    )
                    for w in spaces
                ]
                each = [requests_of(w) for w in spaces]
                for row in zip(*each, strict=True):
                    name = row[0][0]
                    names.append(name)
                    pair = [Line(name, w.name) for w in spaces]
                    for w, line in zip(spaces, pair, strict=True):
                        lines[(name, w.name)] = line
                    one_client(clients, spaces, pair, [(r[1], r[2]) for r in row], args.requests)
                    for w, line, (_, path, query) in zip(spaces, pair, row, strict=True):
                        if line.one_p50 is not None:
                            many_clients(tmp, base, w, line, path, query, args.seconds)
                        print(
                            f"  {name:<30} {w.name:<10} 1 client p50 {fmt(line.one_p50)} ms, "
                            f"p99 {fmt(line.one_p99)} ms; 32: {fmt(line.rps, 'rps')} req/s, "
                            f"p99 {fmt(line.p99)} ms {line.note}",
                            flush=True,
                        )
                for c in clients:
                    c.close()
        finally:
            if not args.keep:
                with psycopg.connect(rest.ADMIN_URL, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    print(
        f"\none client: {args.requests} sequential requests after 10 unmeasured; "
        f"32 connections: wrk -t1 -c32 -d{args.seconds:g}s after a 1 s warm-up. "
        f"Seed: INSERT ... SELECT, then {'VACUUM ' if args.vacuum else ''}ANALYZE."
    )
    targets = report(lines, names)
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seed_seconds": seed_s,
        "lines": [asdict(v) | {"samples": None} for v in lines.values()],
        "targets": targets,
    }


def main() -> int:
    global DB_NAME, DB_URL
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the seeded database")
    parser.add_argument("--vacuum", action="store_true", help="VACUUM ANALYZE after the seed")
    parser.add_argument("--quick", action="store_true", help="3 s wrk runs, 100 requests a client")
    parser.add_argument("--requests", type=int, default=0, help="requests at one client (300)")
    parser.add_argument("--db", default=DB_NAME, help="the database's name (rolodex_bench_scale)")
    parser.add_argument("--large", type=int, default=1_000_000, help="people in the large one")
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write figures as JSON")
    args = parser.parse_args()
    SIZES["scale-1m"] = args.large
    DB_NAME, DB_URL = args.db, f"postgresql://postgres@127.0.0.1:5432/{args.db}"
    args.seconds = 3.0 if args.quick else 6.0
    args.requests = args.requests or (100 if args.quick else 300)
    try:
        figures = run(args)
    except rest.FAILURES as exc:
        print(f"\nThe benchmark run failed: {exc}", file=sys.stderr)
        return 1
    if args.json:
        args.json.write_bytes(orjson.dumps(figures, option=orjson.OPT_INDENT_2))
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())

"""What many tenants cost: 1,000 workspaces with custom fields of their own, on one server.

Run from the repository root with ``.venv/bin/python bench/tenants.py``.
On a fresh PostgreSQL database (``rolodex_bench_tenants``) it provisions
``--workspaces`` (1,000) workspaces, each with a key, ``--fields`` (3) custom
fields on people whose names are its own (so no two workspaces share a GraphQL
schema) and a few people, then starts one ``rolodex serve`` (one granian
worker) and measures with wrk, for REST (``GET /rest/people?limit=20``) and
GraphQL (``people(first: 20)`` with the custom fields):

- **warm:** every request in one workspace;
- **tenants:** requests going round all the workspaces, one after the other,
  so each per-workspace cache is asked for every workspace in turn.

Warm and tenants runs alternate ``--rounds`` (3) times and each keeps its
lowest p99. Before the runs, two sequential passes ask every workspace for
the same page, so each schema is built and each page prepared once, as a
workspace's own queries are in a running server.

It prints req/s, p50 and p99 of each, the server worker's RSS after the
tenants' runs, and the time of a full ``gc.collect()`` in a process holding
the schemas the server's cache may hold (``--schema-cache``, the server's
``ROLODEX_GRAPHQL_SCHEMA_CACHE``) against one holding one schema per
workspace, and the same schemas built sharing nothing (as before schemas
shared their parts; ``--unshared`` runs the server that way too, for the
before figures). ``--quick``: 3 s runs, 300 workspaces.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import rest  # noqa: E402

from rolodex.config import GRAPHQL_SCHEMA_CACHE  # noqa: E402

rest.DB_NAME = "rolodex_bench_tenants"
rest.DB_URL = f"postgresql://postgres@127.0.0.1:5432/{rest.DB_NAME}"
RSS_TARGET_MB = 300
P99_TARGET = 1.5
FIELD_TYPES = ("TEXT", "NUMBER", "BOOLEAN", "DATE", "TEXT")


def field_names(i: int, fields: int) -> list[tuple[str, str]]:
    return [(f"t{i}f{j}", FIELD_TYPES[j % len(FIELD_TYPES)]) for j in range(fields)]


def value(kind: str, n: int) -> Any:
    return {"TEXT": f"v{n}", "NUMBER": n, "BOOLEAN": n % 2 == 0, "DATE": "2026-01-02"}[kind]


async def provision(count: int, fields: int) -> list[tuple[str, list[str]]]:
    """``count`` workspaces with a key, custom fields and five people each (in process)."""
    from rolodex.auth import service as auth
    from rolodex.auth.schemas import SYSTEM
    from rolodex.kit.db import Database
    from rolodex.metadata.registry import RegistryCache
    from rolodex.metadata.service import FieldService
    from rolodex.records.service import RecordService

    db = Database(rest.DB_URL, pool_size=2)
    await db.open()
    out = []
    try:
        for i in range(count):
            async with db.transaction() as conn:
                ws = await auth.create_workspace(conn, f"tenant-{i}")
                _, secret = await auth.create_key(conn, ws, "bench", None)
                registry = await RegistryCache(0, size=1).get(conn, ws)
                names = field_names(i, fields)
                for name, kind in names:
                    body = {"objectName": "person", "name": name, "type": kind}
                    await FieldService(conn, registry, ws, SYSTEM).create(body)
                    registry = await RegistryCache(0, size=1).get(conn, ws)
            async with db.transaction() as conn:
                service = RecordService(conn, registry, ws, SYSTEM)
                person = registry.object("person")
                for n in range(5):
                    body = {"name": f"Person {n}", **{k: value(t, n) for k, t in names}}
                    await service.create(person, body)
            out.append((secret, [name for name, _ in names]))
            if (i + 1) % 100 == 0:
                print(f"  {i + 1} workspaces", flush=True)
    finally:
        await db.close()
    return out


def page_query(names: list[str]) -> str:
    """A workspace's GraphQL page: the same text in the passes and under wrk, so the
    passes leave its prepared document cached, as a workspace's own queries are."""
    selection = " ".join(["id", "name", *names])
    return "{ people(first: 20) { edges { node { " + selection + " } } } }"


def lua(tmp: Path, tag: str, tenants: list[tuple[str, list[str]]], graphql: bool) -> Path:
    """Requests going round ``tenants``: a REST list, or a GraphQL page with the fields."""
    path = tmp / f"{tag}.lua"
    rows = []
    for key, names in tenants:
        body = json.dumps({"query": page_query(names)})
        rows.append(f"  {{{json.dumps(key)}, {json.dumps(body)}}}")
    method = (
        'wrk.format("POST", "/graphql", {["Authorization"] = "Bearer " .. t[1],'
        ' ["Content-Type"] = "application/json"}, t[2])'
        if graphql
        else 'wrk.format("GET", "/rest/people?limit=20", {["Authorization"] = "Bearer " .. t[1]})'
    )
    path.write_text(
        "local tenants = {\n" + ",\n".join(rows) + "\n}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #tenants + 1\n"
        "  local t = tenants[i]\n"
        f"  return {method}\n"
        "end\n"
    )
    return path


def passes(base: str, tenants: list[tuple[str, list[str]]]) -> list[float]:
    """Mean GraphQL latency (ms) of two sequential passes over every workspace: the
    first builds each schema and prepares each page's document, the second finds them."""
    import httpx

    out = []
    with httpx.Client(base_url=base, timeout=60) as client:
        for _ in range(2):
            started = time.perf_counter()
            for key, names in tenants:
                query = page_query(names)
                headers = {"Authorization": f"Bearer {key}"}
                got = client.post("/graphql", json={"query": query}, headers=headers)
                if got.status_code != 200 or "errors" in got.json():
                    raise rest.BenchError(f"GraphQL: {got.text[:300]}")
            out.append((time.perf_counter() - started) * 1000 / len(tenants))
        print(f"  GraphQL, one client: {out[0]:.1f} ms cold, {out[1]:.1f} ms warm", flush=True)
    return out


def worker_rss_mb(port: int) -> float:
    """The largest RSS among the processes of the server listening on ``port``."""
    done = subprocess.run(
        ["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True, check=False
    )
    pids = {int(p.split("=")[1]) for p in done.stdout.replace(",", " ").split() if "pid=" in p}
    group = {os.getpgid(p) for p in pids}
    best = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) not in group:
                continue
            status = (entry / "status").read_text()
        except (OSError, ProcessLookupError):
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                best = max(best, int(line.split()[1]) / 1024)
    return best


def gc_ms() -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        gc.collect()
        best = min(best, time.perf_counter() - start)
    return best * 1000


async def gc_figures(count: int, bound: int) -> dict[str, float]:
    """Full-collection time with the schemas a bounded cache keeps, and with all of them."""
    from rolodex.api.graphql import schema_parts
    from rolodex.api.graphql.schema import build_schema
    from rolodex.api.graphql.schema_cache import SchemaCache
    from rolodex.kit.db import Database
    from rolodex.metadata.registry import RegistryCache

    db = Database(rest.DB_URL, pool_size=1)
    await db.open()
    registries = RegistryCache(3600, size=count)
    cache = SchemaCache(max_shapes=bound, max_workspaces=count)
    started = time.perf_counter()
    async with db.connect() as conn:
        rows = await conn.raw.fetch("SELECT id FROM workspace ORDER BY created_at")
        spaces = [(uuid.UUID(str(r["id"])), await registries.get(conn, r["id"])) for r in rows]
    await db.close()
    load_ms = (time.perf_counter() - started) * 1000 / len(spaces)
    out = {"none": gc_ms()}
    started = time.perf_counter()
    for ws, registry in spaces:
        cache.get(ws, registry)
    out["build_ms"] = (time.perf_counter() - started) * 1000 / len(spaces)
    out["registry_ms"] = load_ms
    out["bounded"] = gc_ms()
    del cache
    everything = [build_schema(registry) for _, registry in spaces]
    out["all"] = gc_ms()
    del everything
    gc.collect()
    # The same schemas with nothing shared between them (ROLODEX_GRAPHQL_SHARED_PARTS=0).
    schema_parts.SHARE, sharing = False, schema_parts.SHARE
    started = time.perf_counter()
    unshared = [build_schema(registry) for _, registry in spaces]
    out["unshared_build_ms"] = (time.perf_counter() - started) * 1000 / len(spaces)
    out["unshared"] = gc_ms()
    schema_parts.SHARE = sharing
    del unshared
    return out


def run(tmp: Path, args: argparse.Namespace) -> dict[str, Any]:
    os.environ["ROLODEX_GRAPHQL_SCHEMA_CACHE"] = str(args.schema_cache)
    os.environ["ROLODEX_GRAPHQL_SHARED_PARTS"] = "0" if args.unshared else "1"
    results: dict[str, Any] = {}
    with rest.bench_database():
        port = rest.free_port()
        cmd = rest.rolodex_cmd("serve", "--port", str(port), "--database", rest.DB_URL)
        with rest.serve("rolodex serve", cmd, port, "/healthz", tmp / "serve.log"):
            base = f"http://127.0.0.1:{port}"
            started = time.perf_counter()
            tenants = asyncio.run(provision(args.workspaces, args.fields))
            print(f"  provisioned in {time.perf_counter() - started:.0f} s", flush=True)
            results["rss_start_mb"] = worker_rss_mb(port)
            results["passes"] = passes(base, tenants)
            for graphql in (False, True):
                api = "graphql" if graphql else "rest"
                # Warm and tenants alternate, ``--rounds`` times; each keeps its
                # lowest p99, so a burst of load from outside skews neither side.
                for _ in range(args.rounds):
                    for label, group in (("warm", tenants[:1]), ("tenants", tenants)):
                        script = lua(tmp, f"{api}_{label}", group, graphql)
                        url = base + ("/graphql" if graphql else "/rest/people")
                        got = rest.measure(f"{api} {label}", url, args, script=script)
                        if got.non_2xx or got.socket_errors:
                            raise rest.BenchError(f"{api} {label}: {got}")
                        best = results.get(f"{api}_{label}")
                        if best is None or got.p99_ms < best.p99_ms:
                            results[f"{api}_{label}"] = got
                results[f"rss_after_{api}_mb"] = worker_rss_mb(port)
        # The server is stopped; the database is still there to read registries from.
        results["gc"] = asyncio.run(gc_figures(args.workspaces, args.schema_cache))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="3 s runs, 300 workspaces")
    parser.add_argument("--workspaces", type=int, default=None)
    parser.add_argument("--fields", type=int, default=3, help="custom fields per workspace")
    parser.add_argument(
        "--schema-cache", type=int, default=GRAPHQL_SCHEMA_CACHE, help="the server's bound"
    )
    parser.add_argument("--rounds", type=int, default=3, help="alternated warm/tenants runs")
    parser.add_argument(
        "--unshared",
        action="store_true",
        help="the server builds every schema whole (ROLODEX_GRAPHQL_SHARED_PARTS=0), as before",
    )
    args = parser.parse_args()
    args.seconds, args.warmup = (3, 1) if args.quick else (8, 2)
    if args.workspaces is None:
        args.workspaces = 300 if args.quick else 1000
    try:
        rest.ensure_wrk()
        with tempfile.TemporaryDirectory(prefix="rolodex-bench-") as tmp_name:
            r = run(Path(tmp_name), args)
    except rest.BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    print(
        f"\n{args.workspaces:,} workspaces x {args.fields} custom fields, "
        f"schema cache {args.schema_cache}, parts {'not ' if args.unshared else ''}shared"
    )
    print(f"best p99 of {args.rounds} alternated runs each")
    print(f"{'run':<18}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for api in ("rest", "graphql"):
        for label in ("warm", "tenants"):
            row = r[f"{api}_{label}"]
            print(f"{api + ' ' + label:<18}{row.rps:>10,.0f}{row.p50_ms:>10.2f}{row.p99_ms:>10.2f}")
    rss = max(r["rss_after_rest_mb"], r["rss_after_graphql_mb"])
    print(
        f"server RSS: {r['rss_start_mb']:.0f} MB at start, {r['rss_after_rest_mb']:.0f} MB after "
        f"REST, {r['rss_after_graphql_mb']:.0f} MB after GraphQL"
    )
    g = r["gc"]
    kept = min(args.schema_cache, args.workspaces + 1)  # the first-start workspace too
    print(
        f"full gc.collect(): {g['none']:.1f} ms with no schema, {g['bounded']:.1f} ms with the "
        f"{kept} a bounded cache keeps, {g['all']:.1f} ms with {args.workspaces + 1:,}"
    )
    print(
        f"full gc.collect() with the same {args.workspaces + 1:,} schemas sharing nothing "
        f"(as before): {g['unshared']:.1f} ms"
    )
    print(
        f"schema build {g['build_ms']:.1f} ms per workspace ({g['unshared_build_ms']:.1f} ms "
        f"sharing nothing); registry read {g['registry_ms']:.1f} ms"
    )
    for api in ("rest", "graphql"):
        ratio = r[f"{api}_tenants"].p99_ms / r[f"{api}_warm"].p99_ms
        verdict = "PASS" if ratio <= P99_TARGET else "FAIL"
        print(f"{verdict}  {api} p99 tenants / warm = {ratio:.2f}x (target <= {P99_TARGET}x)")
    verdict = "PASS" if rss <= RSS_TARGET_MB else "FAIL"
    print(f"{verdict}  server RSS {rss:.0f} MB (target <= {RSS_TARGET_MB} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

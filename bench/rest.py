"""REST benchmark: Rolodex on PostgreSQL against a bare-endpoint ceiling, in one run.

Run from the repository root with ``.venv/bin/python bench/rest.py`` (``make bench``).
It serves bench/ceiling.py and measures it with wrk, then serves Rolodex (one
granian worker) on a fresh ``rolodex_bench`` database, seeds 10,000 people and
100 companies, and measures GET by id, a filtered list, single creates and
1,000-record batches. It prints a table with ratios to the ceiling and the
targets. The exit code is 0 whatever the figures; it is 1 only when the run
itself fails. ``--quick`` makes the wrk runs 3 s; ``--json PATH`` also writes
the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import math
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import orjson
import psycopg

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
DB_NAME = "rolodex_bench"
DB_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
CONNECTIONS = 32
PEOPLE, COMPANIES, BATCH, BATCH_RUNS, ID_POOL = 10_000, 100, 1000, 20, 1000
JOB_TITLES = ["Engineer", "Designer", "Founder", "Sales", "Recruiter", "Analyst", "CTO", "PM"]
FIRST = ["Ada", "Grace", "Alan", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "Tim"]
LAST = ["Lovelace", "Hopper", "Turing", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie"]
CITIES = ["London", "Paris", "Berlin", "Lisbon", "New York", "Toronto", "Tokyo", "Sydney"]
GET_LABEL, POST_LABEL = "GET /rest/people/{id}", "POST /rest/people"
LIST_LABEL = "GET /rest/people?filter=…&limit=60"
LIST_PATH = "/rest/people?filter=" + quote("jobTitle[eq]:Engineer", safe="") + "&limit=60"
# Targets: GET by id vs the ceiling, p99 at 32 connections, median 1,000-record batch.
TARGET_RATIO, TARGET_P99_MS, TARGET_BATCH_MS = 0.25, 20.0, 300.0


Args = argparse.Namespace
Lua = Path | Callable[[str], Path] | None  # a wrk script, or a maker of a fresh one per run


class BenchError(Exception):
    """The run itself failed (as opposed to a figure missing its target)."""


# What makes a bench run fail (not a figure): each script's main reports these and exits 1.
FAILURES = (BenchError, httpx.HTTPError, psycopg.Error, OSError, subprocess.SubprocessError)


@dataclass
class WrkResult:
    endpoint: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    socket_errors: int
    ratio: float | None = None


# --- tools and processes ---------------------------------------------------------------


def ensure_wrk() -> str:
    """The wrk executable, installed with apt-get when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        raise BenchError("wrk is not installed; install it (e.g. `apt-get install -y wrk`).")
    print("wrk is missing; installing it with apt-get ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "wrk"]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip()[-500:]
            raise BenchError(f"`{' '.join(cmd)}` failed, so wrk cannot be installed:\n{tail}")
    found = shutil.which("wrk")
    if not found:
        raise BenchError("apt-get ran but wrk is still not on PATH.")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(name: str, cmd: list[str], port: int, health: str, log: Path) -> Iterator[Path]:
    """Run a server in its own process group until it answers ``health``; stop it after."""
    env = {**os.environ, "ROLODEX_RATE_LIMIT": "0"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise BenchError(f"{name} exited with {proc.returncode}:\n{_tail(log)}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}{health}", timeout=1).status_code < 500:
                    break
            if time.monotonic() > deadline:
                raise BenchError(f"{name} did not answer within 60 s:\n{_tail(log)}")
            time.sleep(0.2)
        yield log
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    # The group holds granian's workers too; terminate, then kill what is left.
    for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(wait)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # stray workers of an exited master
            return
        except subprocess.TimeoutExpired:
            continue


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:]


@contextlib.contextmanager
def bench_database(name: str | None = None) -> Iterator[str]:
    """A fresh, empty database (``rolodex_bench`` unless named), dropped afterwards.

    Yields the server's version.
    """
    name = name or DB_NAME
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True)
    except psycopg.Error as exc:
        raise BenchError(f"Cannot reach PostgreSQL at {ADMIN_URL}: {exc}") from exc
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield str(admin.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Seeded:
    """A served database holding the standard seed: how to reach it, and what is in it."""

    key: str
    base: str
    client: httpx.Client
    ids: list[str]


@contextlib.contextmanager
def seeded(tmp: Path) -> Iterator[Seeded]:
    """One ``rolodex serve`` on the open bench database, after the standard seed
    (``seed``) and what autovacuum would do shortly after a bulk load (done here so
    that it does not happen in the middle of a measurement)."""
    port = free_port()
    cmd = rolodex_cmd("serve", "--port", str(port), "--database", DB_URL)
    print(f"rolodex: 1 granian worker, port {port}, database {DB_NAME}", flush=True)
    with serve("rolodex serve", cmd, port, "/healthz", tmp / "rolodex.log") as log:
        key, base = read_key(log), f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
            t0 = time.perf_counter()
            ids = seed(client)
            with psycopg.connect(DB_URL, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")
                conn.execute("CHECKPOINT")
            took = time.perf_counter() - t0
            print(f"  seeded {len(ids):,} people, {COMPANIES} companies, vacuumed: {took:.1f} s")
            yield Seeded(key, base, client, ids)


@contextlib.contextmanager
def seeded_server(tmp: Path, check: Callable[[httpx.Client], None]) -> Iterator[tuple[str, str]]:
    """``seeded`` on a fresh database, checked by ``check``: its key and base URL."""
    with bench_database(), seeded(tmp) as s:
        check(s.client)
        yield s.key, s.base


# --- wrk -------------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not m:
        raise BenchError(f"Unexpected wrk time {text!r}")
    return float(m[1]) * _UNITS_MS[m[2]]


def parse_wrk(endpoint: str, text: str) -> WrkResult:
    """Requests/s, p50/p99 (from --latency) and error counts from wrk's report."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    p50 = re.search(r"^\s+50%\s+(\S+)", text, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M)
    total = re.search(r"(\d+) requests in", text)
    if not (rps and p50 and p99 and total):
        raise BenchError(f"Could not read wrk's report:\n{text}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    errors = sum(int(g) for g in sock.groups()) if sock else 0
    bad = int(non_2xx[1]) if non_2xx else 0
    return WrkResult(endpoint, float(rps[1]), _ms(p50[1]), _ms(p99[1]), int(total[1]), bad, errors)


def run_wrk(endpoint: str, url: str, seconds: float, script: Path | None, key: str) -> WrkResult:
    cmd = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "--latency", "--timeout", "5s"]
    if key:
        cmd += ["-H", f"Authorization: Bearer {key}"]
    if script:
        cmd += ["-s", str(script)]
    done = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}): {done.stderr.strip()}")
    result = parse_wrk(endpoint, done.stdout)
    if result.requests == 0:
        raise BenchError(f"wrk completed no requests against {url}")
    return result


def measure(endpoint: str, url: str, args: Args, key: str = "", script: Lua = None) -> WrkResult:
    """A short warm-up run, then the measured one; ``script`` may make a fresh file per run."""

    def lua(run: str) -> Path | None:
        return script(run) if callable(script) else script

    run_wrk(endpoint, url, args.warmup, lua("warm"), key)
    result = run_wrk(endpoint, url, args.seconds, lua("main"), key)
    print(f"  {endpoint:<36} {result.rps:>10,.0f} req/s  p99 {result.p99_ms:.2f} ms", flush=True)
    return result


def lua_get_by_id(tmp: Path, ids: list[str]) -> Path:
    path = tmp / "get_by_id.lua"
    listed = ",\n".join(f'  "{i}"' for i in ids)
    path.write_text(
        f"local ids = {{\n{listed}\n}}\n"
        "function init(args) math.randomseed(os.time()) end\n"
        "request = function()\n"
        '  return wrk.format("GET", "/rest/people/" .. ids[math.random(#ids)])\n'
        "end\n"
    )
    return path


def lua_create(tmp: Path, key: str, tag: str) -> Path:
    """Creates with a unique email each: a per-run tag, a per-thread random salt, a counter."""
    path = tmp / f"create_{tag}.lua"
    path.write_text(
        "local counter, salt = 0, 0\n"
        f'local tag = "{tag}{os.getpid()}{time.time_ns() % 10**9}"\n'
        f'wrk.headers["Authorization"] = "Bearer {key}"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        "function init(args) math.randomseed(os.time()); salt = math.random(1, 1000000000) end\n"
        "request = function()\n"
        "  counter = counter + 1\n"
        '  local body = string.format(\'{"name":"Bench Person %d","jobTitle":"Engineer",'
        '"email":"bench-%s-%d-%d@example.com"}\', counter, tag, salt, counter)\n'
        '  return wrk.format("POST", "/rest/people", nil, body)\n'
        "end\n"
    )
    return path


# --- Rolodex ---------------------------------------------------------------------------


def read_key(log: Path) -> str:
    """A new key with every scope in the default workspace of the served database.

    ``serve`` shows its first-start key on a terminal only, never in its log, so
    the bench makes its own with ``rolodex keys create`` (key alone on the last line).
    """
    done = subprocess.run(
        rolodex_cmd("keys", "create", "--name", "bench", "--database", DB_URL),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BenchError(f"rolodex keys create failed: {done.stderr}\n{_tail(log)}")
    return done.stdout.strip().splitlines()[-1].strip()


def post_batch(client: httpx.Client, plural: str, records: list[dict[str, Any]]) -> list[str]:
    resp = client.post(f"/rest/batch/{plural}", content=orjson.dumps(records))
    if resp.status_code != 201:
        raise BenchError(f"POST /rest/batch/{plural}: {resp.status_code} {resp.text[:500]}")
    data = resp.json()["data"]
    return [r["id"] for r in next(iter(data.values()))]


def person(n: int, company: str | None = None, tag: str = "") -> dict[str, Any]:
    """The n-th seeded person: names, titles, cities and companies vary with n."""
    first, last = FIRST[n % len(FIRST)], LAST[(n // len(FIRST)) % len(LAST)]
    return {
        "name": f"{first} {last}",
        "email": f"{first}.{last}.{tag}{n}@company{n % COMPANIES}.example".lower(),
        "jobTitle": JOB_TITLES[n % len(JOB_TITLES)],
        "location": CITIES[n % len(CITIES)],
        "phone": f"+1 555 {n:07d}",
        "companyId": company,
    }


def seed(client: httpx.Client) -> list[str]:
    """100 companies and 10,000 people spread over them; returns the people's ids."""
    companies = [
        {"name": f"Company {c}", "domain": f"company{c}.example", "employees": 10 + c}
        for c in range(COMPANIES)
    ]
    company_ids = post_batch(client, "companies", companies)
    ids: list[str] = []
    for start in range(0, PEOPLE, BATCH):
        batch = [person(n, company_ids[n % COMPANIES]) for n in range(start, start + BATCH)]
        ids += post_batch(client, "people", batch)
    return ids


def time_batches(client: httpx.Client, runs: int) -> list[float]:
    """Milliseconds for each of ``runs`` sequential 1,000-person batch creates."""
    times = []
    for r in range(runs):
        body = orjson.dumps([person(i, tag=f"b{time.time_ns()}-{r}-") for i in range(BATCH)])
        t0 = time.perf_counter()
        resp = client.post("/rest/batch/people", content=body)
        times.append((time.perf_counter() - t0) * 1000)
        if resp.status_code != 201:
            raise BenchError(f"Batch create: {resp.status_code} {resp.text[:500]}")
    return times


# --- report ----------------------------------------------------------------------------


def machine(pg_version: str) -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    wrk_v = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    import granian

    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": model[1].strip() if model else "unknown",
        "python": platform.python_version(),
        "postgresql": pg_version,
        "granian": granian.__version__,
        "wrk": (wrk_v.stdout or wrk_v.stderr).split("\n", 1)[0].split(" Copyright")[0].strip(),
    }


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def report(rows: list[WrkResult], batch: list[float]) -> list[dict[str, Any]]:
    print(f"\n{'endpoint':<36} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'ceiling':>8} non-2xx")
    for r in rows:
        ratio = f"{r.ratio:.0%}" if r.ratio is not None else "-"
        print(
            f"{r.endpoint:<36} {r.rps:>10,.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} {ratio:>8} "
            f"{r.non_2xx + r.socket_errors:>7}"
        )
    med = statistics.median(batch)
    print(f"batch create, 1,000 people: median {med:.0f} ms, p90 {p90(batch):.0f} ms")
    print(f"  ({len(batch)} sequential POST /rest/batch/people)")
    by_id = rows[1]
    targets = [
        ("GET by id >= 25% of ceiling req/s", by_id.ratio or 0.0, TARGET_RATIO, ">="),
        *((f"{r.endpoint} p99 < 20 ms", r.p99_ms, TARGET_P99_MS, "<") for r in rows[1:]),
        ("batch of 1,000, median < 300 ms", med, TARGET_BATCH_MS, "<"),
    ]
    out = []
    print("\ntargets")
    for name, value, limit, op in targets:
        ok = value >= limit if op == ">=" else value < limit
        shown = f"{value:.0%}" if op == ">=" else f"{value:.2f} ms"
        print(f"  {'PASS' if ok else 'FAIL'}  {name:<50} {shown}")
        out.append({"target": name, "value": value, "limit": limit, "pass": ok})
    return out


# --- main ------------------------------------------------------------------------------


def bench_ceiling(tmp: Path, args: Args) -> WrkResult:
    port = free_port()
    cmd = [str(BIN / "granian"), "--interface", "asgi", "--workers", "1", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--log-level", "warning", "--http", "1", "--no-ws"]
    cmd += ["bench.ceiling:app"]  # the same HTTP settings as ``rolodex serve``
    print(f"ceiling: bench/ceiling.py on granian, 1 worker, port {port}", flush=True)
    with serve("ceiling", cmd, port, "/person", tmp / "ceiling.log"):
        return measure("ceiling (bare endpoint)", f"http://127.0.0.1:{port}/person", args)


def rolodex_cmd(*argv: str) -> list[str]:
    """The ``rolodex`` command of this checkout's environment, with ``argv``."""
    exe = [str(BIN / "rolodex")] if (BIN / "rolodex").exists() else []
    return [*(exe or [sys.executable, "-m", "rolodex.cli.main"]), *argv]


def bench_rolodex(tmp: Path, args: Args) -> tuple[list[WrkResult], list[float]]:
    with seeded(tmp) as server:
        key, base, ids = server.key, server.base, server.ids
        pool = ids[:: max(1, len(ids) // ID_POOL)][:ID_POOL]
        rows = [
            measure(GET_LABEL, base, args, key, lua_get_by_id(tmp, pool)),
            measure(LIST_LABEL, base + LIST_PATH, args, key),
            measure(POST_LABEL, base, args, key, lambda run: lua_create(tmp, key, run)),
        ]
        return rows, time_batches(server.client, BATCH_RUNS)


def run(args: Args) -> dict[str, Any]:
    ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="rolodex-bench-") as tmp_name:
        ceiling = bench_ceiling(Path(tmp_name), args)
        with bench_database() as pg_version:
            rows, batch = bench_rolodex(Path(tmp_name), args)
    info = machine(pg_version)
    ceiling.ratio = 1.0
    for r in rows:
        r.ratio = r.rps / ceiling.rps
    print(
        f"\nwrk -t1 -c{CONNECTIONS} -d{args.seconds:g}s --latency, each after a "
        f"{args.warmup:g} s warm-up; GET by id picks at random among {ID_POOL:,} known ids "
        f"(wrk Lua script); {PEOPLE:,} people and {COMPANIES} companies seeded."
    )
    targets = report([ceiling, *rows], batch)
    print(
        f"\nmachine: {info['nproc']} cores ({info['cpu']}), Python {info['python']}, "
        f"PostgreSQL {info['postgresql']}, granian {info['granian']}, {info['wrk']}"
    )
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": info,
        "wrk": {"threads": 1, "connections": CONNECTIONS, "seconds": args.seconds},
        "seed": {"people": PEOPLE, "companies": COMPANIES, "get_by_id_pool": ID_POOL},
        "rows": [asdict(r) for r in (ceiling, *rows)],
        "batch_ms": {"median": statistics.median(batch), "p90": p90(batch), "runs": batch},
        "targets": targets,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="3 s wrk runs instead of 8 s")
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write figures as JSON")
    args = parser.parse_args()
    args.seconds, args.warmup = (3.0 if args.quick else 8.0), 2.0
    try:
        figures = run(args)
    except FAILURES as exc:
        print(f"\nThe benchmark run failed: {exc}", file=sys.stderr)
        return 1
    if args.json:
        args.json.write_bytes(orjson.dumps(figures, option=orjson.OPT_INDENT_2))
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

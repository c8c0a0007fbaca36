"""What a batch create costs: 1,000 people with 100 custom fields, old code against new.

Run from the repository root with ``.venv/bin/python bench/batch_insert.py``.
For each side it creates a fresh PostgreSQL database (``rolodex_bench_batch``),
starts ``rolodex serve`` (one granian worker), defines 100 custom fields of
mixed types on person, and times ``--runs`` (10) sequential
``POST /rest/batch/people`` of 1,000 people with every custom field set, then
the same with no custom values. The "old" side runs the code of git ref
``--old`` (default ``main``, exported with ``git archive``) on the same
machine in the same run; the "new" side runs this checkout. It prints the
median and p90 of each, with the median CPU time one batch cost the server
process and the PostgreSQL backends (CPU time is what a loaded machine
distorts least; it waits for the background fan-out of each batch's events
before the next); then the CPU per single create, over 1,000 creates in a
row (the fan-out of their events included). PASS or FAIL is for the new
median of the batch with custom fields against 300 ms. ``--quick`` makes it
4 runs.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import orjson  # noqa: E402
import psycopg  # noqa: E402
from bench import rest  # noqa: E402

rest.DB_NAME = "rolodex_bench_batch"
rest.DB_URL = f"postgresql://postgres@127.0.0.1:5432/{rest.DB_NAME}"

TARGET_MS = 300.0
BATCH = 1000
SINGLES = 1000
TYPES = ["TEXT", "NUMBER", "BOOLEAN", "DATE", "DATE_TIME", "SELECT", "LINK", "CURRENCY", "RATING"]


def fields() -> list[dict[str, Any]]:
    """100 custom fields, cycling through the common types; the first ten are indexed."""
    out = []
    for i in range(100):
        t = TYPES[i % len(TYPES)]
        f: dict[str, Any] = {"name": f"{t.lower().replace('_', '')}{i}", "type": t}
        if t == "SELECT":
            f["options"] = ["GOLD", "SILVER", "BRONZE"]
        if i < 10:
            f["isIndexed"] = True
        out.append(f)
    return out


def value(f: dict[str, Any], n: int) -> Any:
    t = f["type"]
    return {
        "TEXT": f"{f['name']} of person {n}",
        "NUMBER": n % 1000,
        "BOOLEAN": n % 2 == 0,
        "DATE": f"2026-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
        "DATE_TIME": f"2026-11-{n % 28 + 1:02d}T10:00:00.000Z",
        "SELECT": ("GOLD", "SILVER", "BRONZE")[n % 3],
        "LINK": f"https://p{n}.example",
        "CURRENCY": {"amount": n % 5000, "currencyCode": "EUR"},
        "RATING": n % 5 + 1,
    }[t]


def batch_body(tag: str, custom: list[dict[str, Any]]) -> bytes:
    people = []
    for n in range(BATCH):
        p = rest.person(n, tag=tag)
        p.update({f["name"]: value(f, n) for f in custom})
        people.append(p)
    return orjson.dumps(people)


def cpu_ms(pids: list[int]) -> float:
    """CPU time (user + system) of the processes ``pids`` so far, in milliseconds."""
    total = 0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total * 1000 / tick


def server_pids(port: int) -> list[int]:
    """The server's processes: the one whose command line names ``port``, and every
    process in its group (granian's workers)."""
    stats: dict[int, list[str]] = {}
    master = None
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if f"--port\0{port}\0".encode() in (entry / "cmdline").read_bytes():
                    master = int(entry.name)
    if master is None:
        raise rest.BenchError(f"no process serving port {port}")
    group = stats[master][2]
    return [pid for pid, fields in stats.items() if fields[2] == group]


def backend_pids() -> list[int]:
    with psycopg.connect(rest.DB_URL, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (rest.DB_NAME,),
        ).fetchall()
    return [int(r[0]) for r in rows]


def settle() -> None:
    """Wait until the server has fanned out every event: ``serve`` does it in the
    background, and it would otherwise land in the next batch's figures."""
    deadline = time.monotonic() + 120
    with psycopg.connect(rest.DB_URL, autocommit=True) as conn:
        while conn.execute("SELECT 1 FROM event WHERE NOT fanned_out LIMIT 1").fetchone():
            if time.monotonic() > deadline:
                raise rest.BenchError("events not fanned out within 120 s")
            time.sleep(0.05)


def time_side(base: str, key: str, runs: int) -> dict[str, list[float]]:
    """Milliseconds per batch (wall, server CPU, PostgreSQL CPU), with all 100 custom
    fields set (``custom``) and with none (``plain``)."""
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    custom = fields()
    out: dict[str, list[float]] = {k: [] for k in ("custom", "plain", "custom_cpu", "plain_cpu")}
    out.update({"custom_pg": [], "plain_pg": []})
    server = server_pids(int(base.rsplit(":", 1)[1]))
    with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
        for f in custom:
            r = client.post("/rest/metadata/fields", json={"objectName": "person", **f})
            if r.status_code != 201:
                raise rest.BenchError(f"creating field {f['name']}: {r.text[:300]}")
        client.post("/rest/batch/people", content=batch_body("warm", custom))  # warm caches
        settle()
        for label, defs in (("custom", custom), ("plain", [])):
            for r in range(runs):
                body = batch_body(f"{label}{r}-{time.time_ns()}-", defs)
                backends = backend_pids()
                cpu0, pg0 = cpu_ms(server), cpu_ms(backends)
                t0 = time.perf_counter()
                resp = client.post("/rest/batch/people", content=body)
                out[label].append((time.perf_counter() - t0) * 1000)
                out[f"{label}_cpu"].append(cpu_ms(server) - cpu0)
                out[f"{label}_pg"].append(cpu_ms(backends) - pg0)
                settle()
                if resp.status_code != 201:
                    raise rest.BenchError(f"batch: {resp.status_code} {resp.text[:500]}")
        out.update(time_singles(client, server))
    return out


def time_singles(client: httpx.Client, server: list[int]) -> dict[str, list[float]]:
    """Wall, server CPU and PostgreSQL CPU in ms per single create (``SINGLES`` in a row,
    no custom values), and the fan-out of their events after them."""
    bodies = [orjson.dumps(rest.person(n, tag=f"s{time.time_ns()}-")) for n in range(SINGLES)]
    backends = backend_pids()
    cpu0, pg0, t0 = cpu_ms(server), cpu_ms(backends), time.perf_counter()
    for body in bodies:
        resp = client.post("/rest/people", content=body)
        if resp.status_code != 201:
            raise rest.BenchError(f"create: {resp.status_code} {resp.text[:500]}")
    wall = (time.perf_counter() - t0) * 1000
    settle()
    return {
        "single": [wall / SINGLES],
        "single_cpu": [(cpu_ms(server) - cpu0) / SINGLES],
        "single_pg": [(cpu_ms(backends) - pg0) / SINGLES],
    }


@contextlib.contextmanager
def old_source(ref: str) -> Iterator[Path]:
    """The ``src`` directory of git ``ref``, exported to a temporary directory."""
    with tempfile.TemporaryDirectory(prefix="rolodex-old-") as tmp:
        archive = Path(tmp) / "src.tar"
        done = subprocess.run(
            ["git", "archive", "-o", str(archive), ref, "src"], cwd=ROOT, capture_output=True
        )
        if done.returncode != 0:
            raise rest.BenchError(f"git archive {ref}: {done.stderr.decode()[-500:]}")
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        yield Path(tmp) / "src"


def create_key() -> str:
    cmd = rest.rolodex_cmd("keys", "create", "--name", "bench", "--database", rest.DB_URL)
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise rest.BenchError(f"rolodex keys create: {done.stderr[-500:]}")
    return done.stdout.strip().splitlines()[-1]


def run_side(tmp: Path, label: str, src: Path, runs: int) -> dict[str, list[float]]:
    old_path = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(src)  # the server (a subprocess) imports rolodex from here
    try:
        with rest.bench_database():
            port = rest.free_port()
            cmd = rest.rolodex_cmd("serve", "--port", str(port), "--database", rest.DB_URL)
            with rest.serve(label, cmd, port, "/healthz", tmp / f"{label}.log"):
                return time_side(f"http://127.0.0.1:{port}", create_key(), runs)
    finally:
        if old_path is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old_path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--old", default="main", help="git ref of the old code (default main)")
    parser.add_argument("--runs", type=int, default=10, help="batches of each kind per side")
    parser.add_argument("--quick", action="store_true", help="4 runs")
    args = parser.parse_args()
    runs = 4 if args.quick else args.runs
    try:
        with tempfile.TemporaryDirectory(prefix="rolodex-bench-") as tmp_name:
            tmp = Path(tmp_name)
            with old_source(args.old) as old_src:
                results = {"old": run_side(tmp, "old", old_src, runs)}
            results["new"] = run_side(tmp, "new", ROOT / "src", runs)
    except rest.BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    print(f"\n{BATCH:,} people per batch, {runs} sequential batches of each; old = {args.old}")
    print(
        f"{'side':<6}{'custom fields':>15}{'median ms':>11}{'p90 ms':>9}"
        f"{'server CPU':>12}{'PG CPU':>8}"
    )
    for side, by_kind in results.items():
        for kind, label in (("plain", "none"), ("custom", "100")):
            times = by_kind[kind]
            cpu = statistics.median(by_kind[f"{kind}_cpu"])
            pg = statistics.median(by_kind[f"{kind}_pg"])
            print(
                f"{side:<6}{label:>15}{statistics.median(times):>11.1f}{rest.p90(times):>9.1f}"
                f"{cpu:>12.0f}{pg:>8.0f}"
            )
    print(f"\nsingle creates: {SINGLES:,} sequential POST /rest/people, ms per create")
    print(f"{'side':<6}{'wall':>8}{'server CPU':>12}{'PG CPU':>8}{'total CPU':>11}")
    for side, r in results.items():
        cpu, pg = r["single_cpu"][0], r["single_pg"][0]
        print(f"{side:<6}{r['single'][0]:>8.2f}{cpu:>12.3f}{pg:>8.3f}{cpu + pg:>11.3f}")
    new = statistics.median(results["new"]["custom"])
    old = statistics.median(results["old"]["custom"])
    verdict = "PASS" if new < TARGET_MS else "FAIL"
    print(
        f"\n{verdict}  batch of {BATCH:,} with 100 custom fields: {new:.0f} ms "
        f"(target < {TARGET_MS:.0f} ms; old {old:.0f} ms, {old / new:.2f}x)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

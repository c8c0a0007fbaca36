"""Fan-out benchmark on PostgreSQL: creates while 0, 100 and 1,000 webhooks receive them.

Run from the repository root with ``.venv/bin/python bench/fanout.py``
(``--quick`` for 3 s runs and 0/1,000 webhooks only, ``--json PATH`` to also
write the figures, ``--old REF`` for the old code, default ``main``).

For each side and each number of webhooks (all on one workspace, all taking
``person.created``, all pointing at one local aiohttp receiver that answers
200 at once, in a thread at nice 10, ``--receiver-nice``, as it stands in for
machines elsewhere) it creates a fresh ``rolodex_bench_fanout`` database, starts
``rolodex serve`` (one granian worker, rate limiter off), creates the
webhooks, then:

- **first delivery**: posts one batch of 500 people (500 events, so
  500 x webhooks deliveries to make) and times from sending it to the
  receiver's first request;
- **creates**: ``wrk -c32`` single ``POST /rest/people`` for ``--seconds``,
  while the dispatcher fans out and delivers: req/s and p99;
- **RSS**: the peak resident memory of the largest server process (the
  granian worker) and, apart, of its dispatcher child, sampled every 250 ms
  over the whole run.

Sides, in the same run: ``old`` is git ref ``--old`` served as it was (its
dispatcher in the server's event loop, fan-out in unbounded batches); ``new``
is this checkout's ``serve`` (the dispatcher in a supervised child process,
bounded fan-out); ``new, in-process`` is this checkout with
``--dispatcher inprocess`` (bounded fan-out, but on the request loop).
Targets (issue 19): creates at 1,000 webhooks within 1.2x of none, the first
delivery within 2 s, RSS under 300 MB. The exit code is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from aiohttp import web  # noqa: E402
from bench import rest  # noqa: E402
from bench.batch_insert import old_source  # noqa: E402

rest.DB_NAME = "rolodex_bench_fanout"
rest.DB_URL = f"postgresql://postgres@127.0.0.1:5432/{rest.DB_NAME}"
BACKLOG = 500
FIRST_WAIT = 120.0  # seconds to wait for the first delivery before giving up on it
TARGET_RATIO, TARGET_FIRST_S, TARGET_RSS_MB = 1.2, 2.0, 300.0


class Receiver:
    """An aiohttp server in a thread of its own: counts requests, notes the first one's time."""

    def __init__(self, nice: int = 0) -> None:
        self.nice = nice
        self.port = rest.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.count = 0
        self.first: float | None = None
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    async def _hook(self, request: web.Request) -> web.Response:
        await request.read()
        if self.first is None:
            self.first = time.perf_counter()
        self.count += 1
        return web.Response(text="ok")

    def _run(self) -> None:
        if self.nice and hasattr(os, "setpriority"):
            # Linux: a thread's own id names it here. The receiver stands in
            # for machines elsewhere; at a lower priority it takes less of the
            # server's CPU on a small machine.
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), self.nice)
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_post("/{tail:.*}", self._hook)
        runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", self.port, backlog=1024)
        self._loop.run_until_complete(site.start())
        self._ready.set()
        self._loop.run_forever()

    def __enter__(self) -> Receiver:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def reset(self) -> None:
        self.count, self.first = 0, None


class Memory:
    """Peak RSS (MB): the largest server process, the dispatcher child, the whole group."""

    def __init__(self, group: int) -> None:
        self.group = group
        self.server = 0.0
        self.dispatcher = 0.0
        self.total = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.25):
            server = dispatcher = total = 0.0
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                    if int(stat[2]) != self.group:  # the process group (field 5)
                        continue
                    rss = int(stat[21]) * os.sysconf("SC_PAGE_SIZE") / 2**20
                    cmdline = (entry / "cmdline").read_bytes()
                except (OSError, ValueError, IndexError):
                    continue
                total += rss
                if b"\0worker\0" in cmdline:
                    dispatcher += rss
                else:
                    server = max(server, rss)
            self.server = max(self.server, server)
            self.dispatcher = max(self.dispatcher, dispatcher)
            self.total = max(self.total, total)

    def __enter__(self) -> Memory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(2)


def create_key() -> str:
    cmd = rest.rolodex_cmd("keys", "create", "--name", "bench", "--database", rest.DB_URL)
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise rest.BenchError(f"rolodex keys create: {done.stderr[-500:]}")
    return done.stdout.strip().splitlines()[-1]


def serve_group(port: int) -> int:
    """The process group of the server listening on ``port`` (its own session)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            if b"serve" in cmdline and str(port).encode() in cmdline:
                return int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2])
    raise rest.BenchError(f"no server process found on port {port}")


def one_config(
    tmp: Path, label: str, hooks: int, rx: Receiver, args: argparse.Namespace, extra: list[str]
) -> dict[str, Any]:
    with rest.bench_database():
        port = rest.free_port()
        cmd = rest.rolodex_cmd("serve", "--port", str(port), "--database", rest.DB_URL, *extra)
        log = tmp / f"{label.replace(' ', '_').replace(',', '')}_{hooks}.log"
        with rest.serve(label, cmd, port, "/healthz", log), Memory(serve_group(port)) as mem:
            base = f"http://127.0.0.1:{port}"
            key = create_key()
            headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
            with httpx.Client(base_url=base, headers=headers, timeout=300) as client:
                for i in range(hooks):
                    body = {"targetUrl": f"{rx.url}/h{i}", "operations": ["person.created"]}
                    r = client.post("/rest/webhooks", json=body)
                    if r.status_code != 201:
                        raise rest.BenchError(f"creating a webhook: {r.status_code} {r.text}")
                rx.reset()
                people = [{"name": f"Backlog {i}"} for i in range(BACKLOG)]
                t0 = time.perf_counter()
                r = client.post("/rest/batch/people", json=people)
                if r.status_code != 201:
                    raise rest.BenchError(f"batch: {r.status_code} {r.text[:300]}")
                first = None
                if hooks:
                    deadline = time.perf_counter() + FIRST_WAIT
                    while rx.first is None and time.perf_counter() < deadline:
                        time.sleep(0.01)
                    first = (rx.first - t0) if rx.first is not None else None
            before = rx.count
            script = rest.lua_create(tmp, key, f"{hooks}{label[:3]}")
            rest.run_wrk("warm-up", base, args.warmup, script, "")
            t1 = time.perf_counter()
            result = rest.run_wrk("creates", base, args.seconds, script, "")
            sent = (rx.count - before) / (time.perf_counter() - t1 + args.warmup)
    row = {
        "side": label,
        "webhooks": hooks,
        "creates_per_s": result.rps,
        "p99_ms": result.p99_ms,
        "errors": result.non_2xx + result.socket_errors,
        "first_delivery_s": first,
        "deliveries_per_s": sent,
        "server_rss_mb": mem.server,
        "dispatcher_rss_mb": mem.dispatcher,
        "group_rss_mb": mem.total,
    }
    shown = f"{first:.2f} s" if first is not None else (f"> {FIRST_WAIT:.0f} s" if hooks else "-")
    print(
        f"  {label:<18} {hooks:>5} webhooks  {result.rps:>7,.0f} creates/s  "
        f"p99 {result.p99_ms:>7.1f} ms  first delivery {shown:>8}  "
        f"{sent:>7,.0f} deliveries/s  RSS server {mem.server:.0f} MB, "
        f"dispatcher {mem.dispatcher:.0f} MB",
        flush=True,
    )
    return row


@contextlib.contextmanager
def pythonpath(src: Path) -> Iterator[None]:
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(src)  # the server (a subprocess) imports rolodex from here
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old


def report(rows: list[dict[str, Any]]) -> None:
    print(
        "\nside                webhooks  creates/s  vs none  p99 ms  first delivery"
        "  RSS MB (server / dispatcher)"
    )
    for side in dict.fromkeys(r["side"] for r in rows):
        mine = [r for r in rows if r["side"] == side]
        none = next((r for r in mine if r["webhooks"] == 0), None)
        for r in mine:
            ratio = none["creates_per_s"] / r["creates_per_s"] if none else float("nan")
            r["slowdown"] = ratio
            first = (
                f"{r['first_delivery_s']:.2f} s"
                if r["first_delivery_s"] is not None
                else (f"> {FIRST_WAIT:.0f} s" if r["webhooks"] else "-")
            )
            rss = f"{r['server_rss_mb']:.0f} / {r['dispatcher_rss_mb']:.0f}"
            print(
                f"{side:<18} {r['webhooks']:>9} {r['creates_per_s']:>10,.0f} "
                f"{ratio:>7.2f}x {r['p99_ms']:>7.1f} {first:>15} {rss:>12}"
            )
    new = [r for r in rows if r["side"] == "new"]
    top = max(new, key=lambda r: r["webhooks"], default=None)
    if top is None or top["webhooks"] == 0:
        return
    checks = [
        (
            f"creates at {top['webhooks']} webhooks within {TARGET_RATIO}x of none",
            top["slowdown"],
            top["slowdown"] <= TARGET_RATIO,
        ),
        (
            f"first delivery within {TARGET_FIRST_S} s",
            top["first_delivery_s"],
            top["first_delivery_s"] is not None and top["first_delivery_s"] <= TARGET_FIRST_S,
        ),
        (
            f"server RSS under {TARGET_RSS_MB:.0f} MB",
            top["server_rss_mb"],
            top["server_rss_mb"] < TARGET_RSS_MB,
        ),
        (
            f"dispatcher RSS under {TARGET_RSS_MB:.0f} MB",
            top["dispatcher_rss_mb"],
            top["dispatcher_rss_mb"] < TARGET_RSS_MB,
        ),
    ]
    print()
    for name, value, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {value}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--old", default="main", help="git ref of the old code (default main)")
    parser.add_argument("--no-old", action="store_true", help="measure this checkout only")
    parser.add_argument("--quick", action="store_true", help="3 s runs; 0 and 1,000 webhooks")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--webhooks", default="", help="comma-separated counts (0,100,1000)")
    parser.add_argument("--sides", default="old,new,inprocess", help="which sides to run")
    parser.add_argument(
        "--receiver-nice", type=int, default=10, help="the receiver thread's nice (default 10)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.warmup = 3.0, 1.0
    counts = [0, 1000] if args.quick else [0, 100, 1000]
    if args.webhooks:
        counts = [int(n) for n in args.webhooks.split(",")]
    wanted = set(args.sides.split(","))
    if args.no_old:
        wanted.discard("old")
    rest.ensure_wrk()
    os.environ["ROLODEX_WEBHOOK_ALLOW_PRIVATE"] = "1"
    rows: list[dict[str, Any]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="rolodex-fanout-") as tmp_name:
            tmp = Path(tmp_name)
            with Receiver(args.receiver_nice) as rx:
                print(f"receiver: aiohttp on {rx.url}; {BACKLOG}-event batch, wrk -c32", flush=True)
                sides: list[tuple[str, Path, list[str]]] = []
                with contextlib.ExitStack() as stack:
                    if "old" in wanted:
                        old = stack.enter_context(old_source(args.old))
                        sides.append((f"old ({args.old})", old, []))
                    if "new" in wanted:
                        sides.append(("new", ROOT / "src", []))
                    if "inprocess" in wanted:
                        sides.append(
                            ("new, in-process", ROOT / "src", ["--dispatcher", "inprocess"])
                        )
                    for label, src, extra in sides:
                        with pythonpath(src):
                            for hooks in counts:
                                rows.append(one_config(tmp, label, hooks, rx, args, extra))
    except rest.BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    report(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

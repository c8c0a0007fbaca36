"""Soak under faults: REST writes while servers, workers, the receiver and the database fail.

Run from the repository root with ``.venv/bin/python bench/soak.py`` (``--seconds``
sets how long the faults go on; ``--json PATH`` also writes the figures).

What runs, all on this machine:

- a fresh PostgreSQL database ``rolodex_soak`` (dropped at the end), reached by
  every Rolodex process through a TCP proxy in this process, so the database
  can be made unreachable (every connection cut, new ones refused) for a while;
- two ``rolodex serve`` processes (each with its dispatcher) and one
  ``rolodex worker``, on the same database;
- a webhook receiver (aiohttp, in this process) subscribed to ``person.*``;
- writers: concurrent clients that create a person and then update its
  ``jobTitle`` to ``v1``, ``v2``, ... one write after another, against either
  server, so each record's writes have a known order.

While the faults go on, at random: a server or the worker is killed with
SIGKILL and started again; the receiver goes down (connection refused), fails
(HTTP 500) or slows past the delivery timeout; and once, in the middle, the
database is unreachable for a few seconds. Then every fault stops and the
script waits for the deliveries to drain.

It prints writes acknowledged, events, deliveries, duplicates, lost and
phantom events, order violations and the time to drain. *Lost*: an event in
the outbox, or an acknowledged write, that was never delivered. *Phantom*: a
delivered event that is not in the outbox (a write that did not commit).
*Order violation*: an event of a record delivered for the first time after a
later event of the same record. Duplicates are allowed (delivery is at least
once; a worker killed after sending and before recording sends again). The
exit code is 1 when lost, phantom or order violations are not all 0, or the
run itself fails; the short run in the test suite relies on it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ADMIN_URL = os.environ.get("ROLODEX_SOAK_ADMIN", "postgresql://postgres@127.0.0.1:5432/test")
PG_HOST, PG_PORT = "127.0.0.1", 5432


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rolodex_cmd(*args: str) -> list[str]:
    script = BIN / "rolodex"
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-m", "rolodex.cli.main", *args]


# -- the database, behind a proxy that can be cut -------------------------------
class Proxy:
    """A TCP proxy to PostgreSQL; ``cut()`` drops every connection and refuses new ones."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.server: asyncio.AbstractServer | None = None
        self.pipes: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(
            self._serve, "127.0.0.1", self.port, reuse_address=True
        )

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(PG_HOST, PG_PORT)
        except OSError:
            writer.close()
            return
        self.pipes.update((writer, up_writer))

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while chunk := await src.read(65536):
                    dst.write(chunk)
                    await dst.drain()
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                dst.close()

        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(pump(reader, up_writer), pump(up_reader, writer))
        self.pipes.discard(writer)
        self.pipes.discard(up_writer)

    async def cut(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        for pipe in list(self.pipes):
            with contextlib.suppress(Exception):
                pipe.transport.abort()
        self.pipes.clear()


# -- the receiver ---------------------------------------------------------------
@dataclass
class Receiver:
    """Records each delivery; its mode decides the answer: ok, fail, slow or down."""

    port: int
    slow_seconds: float
    mode: str = "ok"
    deliveries: int = 0
    first_seen: dict[str, tuple[str, int]] = field(default_factory=dict)  # eventId -> (rid, v)
    latest: dict[str, int] = field(default_factory=dict)  # record -> highest version seen
    violations: list[tuple[str, int, int]] = field(default_factory=list)
    runner: web.AppRunner | None = None
    site: web.TCPSite | None = None

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        if self.mode == "fail":
            return web.Response(status=500, text="failing on purpose")
        if self.mode == "slow":
            await asyncio.sleep(self.slow_seconds)
        payload = json.loads(body)
        self.deliveries += 1
        event_id = payload["eventId"]
        if event_id in self.first_seen:
            return web.json_response({"received": True, "duplicate": True})
        rid = payload["recordId"]
        version = int(str((payload.get("data") or {}).get("jobTitle") or "v0")[1:])
        self.first_seen[event_id] = (rid, version)
        if version < self.latest.get(rid, -1):
            self.violations.append((rid, version, self.latest[rid]))
        self.latest[rid] = max(version, self.latest.get(rid, -1))
        return web.json_response({"received": True})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await self.up()

    async def up(self) -> None:
        assert self.runner is not None
        if self.site is None:
            self.site = web.TCPSite(self.runner, "127.0.0.1", self.port, reuse_address=True)
            await self.site.start()

    async def down(self) -> None:
        if self.site is not None:
            await self.site.stop()
            self.site = None

    async def set_mode(self, mode: str) -> None:
        self.mode = mode
        if mode == "down":
            await self.down()
        else:
            await self.up()


# -- Rolodex processes ----------------------------------------------------------
class Process:
    """One ``rolodex serve`` or ``rolodex worker``, killable with SIGKILL and restartable."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.argv, self.env, self.log = name, argv, env, log
        self.proc: subprocess.Popen[bytes] | None = None
        self.kills = 0

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.argv,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
            self.kills += 1

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


async def wait_up(url: str, deadline: float = 30.0) -> None:
    end = time.monotonic() + deadline
    async with httpx.AsyncClient(timeout=1) as c:
        while time.monotonic() < end:
            with contextlib.suppress(httpx.HTTPError):
                if (await c.get(url + "/healthz")).status_code == 200:
                    return
            await asyncio.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


# -- writers --------------------------------------------------------------------
@dataclass
class Writes:
    acknowledged: set[tuple[str, int]] = field(default_factory=set)
    failed: int = 0


async def writer(urls: list[str], key: str, stop: asyncio.Event, writes: Writes, n: int) -> None:
    """Create a person, then update it four times, one write after another, and again."""
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(headers=headers, timeout=5) as c:
        serial = 0
        while not stop.is_set():
            serial += 1
            rid: str | None = None
            for version in range(5):
                if stop.is_set():
                    return
                base = random.choice(urls)
                try:
                    if rid is None:
                        r = await c.post(
                            f"{base}/rest/people",
                            json={"name": f"Soak {n}-{serial}", "jobTitle": "v0"},
                        )
                    else:
                        r = await c.patch(
                            f"{base}/rest/people/{rid}", json={"jobTitle": f"v{version}"}
                        )
                except httpx.HTTPError:
                    r = None
                if r is None or r.status_code >= 300:
                    # The write may still commit (a timed-out request goes on in the
                    # server), so nothing more is written to this record: its
                    # acknowledged writes stay strictly one after another.
                    writes.failed += 1
                    await asyncio.sleep(0.05)
                    break
                if rid is None:
                    rid = r.json()["data"]["createPerson"]["id"]
                writes.acknowledged.add((rid, version))


# -- the run --------------------------------------------------------------------
async def run(args: argparse.Namespace) -> dict[str, Any]:
    db_name = f"rolodex_soak_{os.getpid()}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db_name}"')
    proxy = Proxy(free_port())
    await proxy.start()
    direct_url = f"postgresql://postgres@{PG_HOST}:{PG_PORT}/{db_name}"
    proxied_url = f"postgresql://postgres@127.0.0.1:{proxy.port}/{db_name}"
    workdir = Path(args.workdir or f"/tmp/rolodex-soak-{os.getpid()}")
    workdir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROLODEX_")}
    env.update(
        ROLODEX_DATABASE_URL=proxied_url,
        ROLODEX_RATE_LIMIT="0",
        ROLODEX_WEBHOOK_ALLOW_PRIVATE="1",
        ROLODEX_WEBHOOK_SCHEDULE=",".join(["0"] + ["0.5"] * 400),
        ROLODEX_WEBHOOK_TIMEOUT=str(args.slow / 2),
        ROLODEX_WEBHOOK_LEASE="4",
        ROLODEX_WEBHOOK_POLL="0.5",
        ROLODEX_WEBHOOK_JITTER="0",
        ROLODEX_POOL_SIZE="4",
    )
    receiver = Receiver(free_port(), slow_seconds=args.slow)
    processes: list[Process] = []
    result: dict[str, Any] = {}
    try:
        subprocess.run(
            rolodex_cmd("migrate", "--database", direct_url),
            env=env,
            check=True,
            capture_output=True,
        )
        out = subprocess.run(
            rolodex_cmd("keys", "create", "--name", "soak", "--database", direct_url),
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        key = out.stdout.strip().splitlines()[-1].strip()
        await receiver.start()
        ports = [free_port(), free_port()]
        urls = [f"http://127.0.0.1:{p}" for p in ports]
        for i, port in enumerate(ports):
            argv = rolodex_cmd("serve", "--port", str(port), "--database", proxied_url)
            processes.append(Process(f"serve{i}", argv, env, workdir / f"serve{i}.log"))
        processes.append(
            Process(
                "worker",
                rolodex_cmd("worker", "--database", proxied_url),
                env,
                workdir / "worker.log",
            )
        )
        for p in processes:
            p.start()
        for url in urls:
            await wait_up(url)
        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {key}"}) as c:
            r = await c.post(
                f"{urls[0]}/rest/webhooks",
                json={
                    "targetUrl": f"http://127.0.0.1:{receiver.port}/hook",
                    "operations": ["person.*"],
                    "name": "soak",
                },
            )
            r.raise_for_status()

        stop = asyncio.Event()
        writes = Writes()
        writers = [
            asyncio.create_task(writer(urls, key, stop, writes, n)) for n in range(args.writers)
        ]
        started = time.monotonic()
        outage_at = started + args.seconds / 2
        outage_done = False
        faults = {"kills": 0, "receiver": 0, "outage_seconds": 0.0}
        rng = random.Random(args.seed)
        while time.monotonic() - started < args.seconds:
            await asyncio.sleep(rng.uniform(0.5, 2.0))
            if not outage_done and time.monotonic() >= outage_at:
                await proxy.cut()
                await asyncio.sleep(args.outage)
                await proxy.start()
                outage_done = True
                faults["outage_seconds"] = args.outage
                continue
            if rng.random() < 0.5:
                victim = rng.choice(processes)
                victim.kill()
                faults["kills"] += 1
                await asyncio.sleep(rng.uniform(0.1, 0.6))
                victim.start()
            else:
                await receiver.set_mode(rng.choice(["ok", "ok", "down", "fail", "slow"]))
                faults["receiver"] += 1
        stop.set()
        await asyncio.gather(*writers)
        await receiver.set_mode("ok")
        for p in processes:
            if p.proc is None or p.proc.poll() is not None:
                p.start()
        for url in urls:
            await wait_up(url)
        chaos_end = time.monotonic()

        def outbox() -> set[str]:
            with psycopg.connect(direct_url) as conn:
                rows = conn.execute("SELECT id FROM event WHERE object_name = 'person'").fetchall()
            return {str(r[0]) for r in rows}

        drained_in: float | None = None
        events = outbox()
        while time.monotonic() - chaos_end < args.drain:
            if events <= receiver.first_seen.keys():
                drained_in = time.monotonic() - chaos_end
                break
            await asyncio.sleep(0.25)
        events = outbox()
        delivered_pairs = set(receiver.first_seen.values())
        lost_writes = writes.acknowledged - delivered_pairs
        lost_events = events - receiver.first_seen.keys()
        phantom = receiver.first_seen.keys() - events
        result = {
            "seconds": args.seconds,
            "writes_acknowledged": len(writes.acknowledged),
            "writes_failed": writes.failed,
            "events": len(events),
            "deliveries": receiver.deliveries,
            "delivered_events": len(receiver.first_seen),
            "duplicates": receiver.deliveries - len(receiver.first_seen),
            "lost": len(lost_events | {f"write:{r}:{v}" for r, v in lost_writes}),
            "lost_writes": len(lost_writes),
            "lost_events": len(lost_events),
            "phantom": len(phantom),
            "order_violations": len(receiver.violations),
            "drain_seconds": None if drained_in is None else round(drained_in, 2),
            "kills": faults["kills"],
            "receiver_changes": faults["receiver"],
            "database_outage_seconds": faults["outage_seconds"],
        }
    finally:
        for p in processes:
            p.stop()
        with contextlib.suppress(Exception):
            await receiver.down()
            if receiver.runner is not None:
                await receiver.runner.cleanup()
        await proxy.cut()
        with contextlib.suppress(Exception), psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300.0, help="how long faults go on")
    parser.add_argument("--writers", type=int, default=8, help="concurrent writers")
    parser.add_argument("--outage", type=float, default=12.0, help="database outage, seconds")
    parser.add_argument("--slow", type=float, default=3.0, help="a slow receiver's delay")
    parser.add_argument("--drain", type=float, default=120.0, help="longest wait to drain")
    parser.add_argument("--seed", type=int, default=None, help="seed the faults' choices")
    parser.add_argument("--workdir", help="where the processes' logs go")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    width = max(len(k) for k in result)
    for k, v in result.items():
        print(f"{k:<{width}}  {v}")
    ok = not (result["lost"] or result["phantom"] or result["order_violations"])
    ok = ok and result["drain_seconds"] is not None
    print("PASS" if ok else "FAIL: events were lost, phantom, out of order or not drained")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Webhook delivery benchmark on PostgreSQL: throughput, latency, backlog drain, memory.

Run from the repository root with ``.venv/bin/python bench/webhooks.py``
(``--quick`` for smaller runs, ``--json PATH`` to also write the figures).

- **ceiling**: a bare aiohttp sender posting prebuilt, pre-signed bodies to the
  receiver, 64 in flight: what this machine can send at all.
- **throughput**: 20,000 deliveries spread over 1, 10 and 100 webhooks
  (distinct URLs on one receiver), sent by one ``rolodex worker`` from a
  backlog of events that is not yet fanned out (fan-out included).
- **latency**: records created through the record service at 200 events/s
  while a worker runs; commit-to-receipt p50 / p99.
- **drain**: a 100,000-event backlog to one webhook; time, and the worker's
  resident memory sampled every second.

The receiver is an aiohttp server in this process; the worker is a separate
process, as in production. Each run uses a fresh ``rolodex_bench_webhooks``
database, dropped at the end. The exit code is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import psycopg
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from rolodex.auth import service as auth  # noqa: E402
from rolodex.auth.schemas import Actor  # noqa: E402
from rolodex.events import outbox  # noqa: E402
from rolodex.kit.db import Database  # noqa: E402
from rolodex.kit.migrate import upgrade  # noqa: E402
from rolodex.metadata.registry import RegistryCache  # noqa: E402
from rolodex.records.service import RecordService  # noqa: E402
from rolodex.webhooks import signing  # noqa: E402
from rolodex.webhooks.service import WebhookService  # noqa: E402

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
DB_NAME = "rolodex_bench_webhooks"
DB_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
BIN = Path(sys.executable).parent
ACTOR = Actor("apiKey", str(uuid.uuid4()), "bench")
TARGET_RATE, TARGET_P99_MS = 2000.0, 250.0


class Receiver:
    """Counts deliveries and notes when each event id arrived."""

    def __init__(self) -> None:
        self.count = 0
        self.first = 0.0
        self.last = 0.0
        self.seen: dict[str, float] = {}
        self.track = False
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def handle(self, request: web.Request) -> web.Response:
        await request.read()
        now = time.time()
        if not self.count:
            self.first = now
        self.count += 1
        self.last = now
        if self.track:
            self.seen.setdefault(request.headers.get("X-Rolodex-Event-Id", ""), now)
        return web.Response(text="ok")

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/{tail:.*}", self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def reset(self) -> None:
        self.count, self.first, self.last, self.seen = 0, 0.0, 0.0, {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def admin(sql: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def fresh_database() -> None:
    admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{DB_NAME}"')
    upgrade(DB_URL)


def reset_tables() -> None:
    with psycopg.connect(DB_URL, autocommit=True) as conn:
        conn.execute("TRUNCATE webhook, webhook_delivery, webhook_attempt, event")


def worker(env_extra: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROLODEX_")}
    env.update({"ROLODEX_WEBHOOK_ALLOW_PRIVATE": "1", **(env_extra or {})})
    return subprocess.Popen(
        [str(BIN / "rolodex"), "worker", "--database", DB_URL],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def person(i: int) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "name": f"Person {i}",
        "firstName": "Person",
        "lastName": str(i),
        "email": f"person{i}@example.com",
        "phone": "+1-555-0100",
        "jobTitle": "Engineer",
        "location": "Lisbon",
        "tags": ["bench"],
        "companyId": None,
        "ownerId": None,
        "createdAt": "2025-10-31T10:30:45.123Z",
        "updatedAt": "2025-10-31T10:30:45.123Z",
        "deletedAt": None,
        "createdBy": ACTOR.to_dict(),
        "updatedBy": ACTOR.to_dict(),
    }


async def setup(db: Database, webhooks: int, url: str) -> uuid.UUID:
    async with db.transaction() as conn:
        ws = await auth.create_workspace(conn, f"bench-{uuid.uuid4().hex[:6]}")
        registry = await RegistryCache(0).get(conn, ws)
        svc = WebhookService(conn, registry, ws)
        for i in range(webhooks):
            body = {"targetUrl": f"{url}/hook/{i}", "operations": ["person.created"]}
            await svc.create(body)
    return ws


async def backlog(db: Database, ws: uuid.UUID, count: int) -> None:
    """``count`` person.created events, as the record service writes them."""
    for start in range(0, count, 2000):
        events = [
            outbox.make("person", outbox.CREATED, person(i), ACTOR, changes=["name"])
            for i in range(start, min(count, start + 2000))
        ]
        async with db.transaction() as conn:
            await outbox.write(conn, ws, events)


async def ceiling(receiver: Receiver, posts: int) -> float:
    body = json.dumps({"event": "person.created", "data": person(0)}).encode()
    headers = signing.headers(
        fmt="rolodex",
        secrets=[signing.generate_secret()],
        body=body,
        msg_id=str(uuid.uuid4()),
        event_name="person.created",
        delivery_id=str(uuid.uuid4()),
        attempt=1,
    )
    receiver.reset()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        queue = iter(range(posts))

        async def one() -> None:
            for _ in queue:
                async with session.post(f"{receiver.url}/ceiling", data=body, headers=headers) as r:
                    await r.read()

        t0 = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(64)))
        return posts / (time.perf_counter() - t0)


async def wait_for(receiver: Receiver, total: int, timeout: float, proc: Any = None) -> list[float]:
    samples: list[float] = []
    deadline = time.monotonic() + timeout
    while receiver.count < total and time.monotonic() < deadline:
        await asyncio.sleep(1)
        if proc is not None:
            samples.append(rss_mb(proc.pid))
    return samples


async def throughput(db: Database, receiver: Receiver, webhooks: int, total: int) -> dict[str, Any]:
    reset_tables()
    ws = await setup(db, webhooks, receiver.url)
    await backlog(db, ws, total // webhooks)
    receiver.reset()
    proc = worker()
    t0 = time.time()
    try:
        await wait_for(receiver, total, 300)
    finally:
        proc.terminate()
        proc.wait(30)
    rate = receiver.count / max(receiver.last - receiver.first, 1e-9)
    return {
        "webhooks": webhooks,
        "deliveries": receiver.count,
        "per_s": round(rate),
        "first_receipt_s": round(receiver.first - t0, 2),
    }


async def latency(db: Database, receiver: Receiver, seconds: float, rate: float) -> dict[str, Any]:
    reset_tables()
    ws = await setup(db, 1, receiver.url)
    receiver.reset()
    receiver.track = True
    proc = worker()
    await asyncio.sleep(3)  # the worker is up and listening
    committed: dict[str, float] = {}
    async with db.connect() as conn:
        registry = await RegistryCache(0).get(conn, ws)
    obj = registry.object("person")
    t0 = time.perf_counter()
    n = 0
    try:
        while time.perf_counter() - t0 < seconds:
            due = t0 + n / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            async with db.transaction() as conn:
                svc = RecordService(conn, registry, ws, ACTOR)
                await svc.create(obj, {"name": f"Latency {n}"})
                event_id = str(svc_last_event(conn))
            committed[event_id] = time.time()
            n += 1
        await wait_for(receiver, n, 30)
    finally:
        proc.terminate()
        proc.wait(30)
        receiver.track = False
    waits = sorted(
        (receiver.seen[e] - t) * 1000 for e, t in committed.items() if e in receiver.seen
    )
    return {
        "events": n,
        "delivered": len(waits),
        "p50_ms": round(statistics.median(waits), 1),
        "p99_ms": round(waits[int(len(waits) * 0.99) - 1], 1),
        "max_ms": round(waits[-1], 1),
    }


_last: dict[int, str] = {}


def svc_last_event(conn: Any) -> str:
    return _last.pop(id(conn), "")


async def drain(db: Database, receiver: Receiver, count: int) -> dict[str, Any]:
    reset_tables()
    ws = await setup(db, 1, receiver.url)
    await backlog(db, ws, count)
    receiver.reset()
    proc = worker()
    t0 = time.time()
    try:
        samples = await wait_for(receiver, count, 900, proc)
    finally:
        proc.terminate()
        proc.wait(30)
    return {
        "events": count,
        "delivered": receiver.count,
        "seconds": round(receiver.last - t0, 1),
        "per_s": round(receiver.count / max(receiver.last - t0, 1e-9)),
        "rss_mb_first": round(samples[1] if len(samples) > 1 else 0, 1),
        "rss_mb_max": round(max(samples or [0]), 1),
        "rss_mb_last": round(samples[-1] if samples else 0, 1),
    }


def patch_outbox() -> None:
    """Remember the id of the event each latency transaction writes (bench only)."""
    original = outbox.write

    async def write(conn: Any, ws: Any, events: Any) -> None:
        if events:
            _last[id(conn)] = str(events[-1].id)
        await original(conn, ws, events)

    outbox.write = write  # type: ignore[assignment]  # the record service calls outbox.write


async def main(args: argparse.Namespace) -> dict[str, Any]:
    os.environ["ROLODEX_WEBHOOK_ALLOW_PRIVATE"] = "1"  # the receiver is on loopback
    fresh_database()
    receiver = Receiver()
    await receiver.start()
    db = Database(DB_URL)
    await db.open()
    results: dict[str, Any] = {}
    try:
        total = 5000 if args.quick else 20000
        results["ceiling_per_s"] = round(await ceiling(receiver, total))
        print(f"ceiling (bare aiohttp, prebuilt bodies): {results['ceiling_per_s']} posts/s")
        results["throughput"] = []
        for hooks in (1, 10, 100):
            row = await throughput(db, receiver, hooks, total)
            row["share_of_ceiling"] = round(row["per_s"] / results["ceiling_per_s"], 3)
            results["throughput"].append(row)
            print(f"throughput: {row}")
        patch_outbox()
        results["latency"] = await latency(db, receiver, 5 if args.quick else 15, 200)
        print(f"latency at 200 events/s: {results['latency']}")
        results["drain"] = await drain(db, receiver, 10000 if args.quick else 100000)
        print(f"drain: {results['drain']}")
    finally:
        await db.close()
        if receiver.runner is not None:
            await receiver.runner.cleanup()
        admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    best = max(r["per_s"] for r in results["throughput"])
    print(f"target {TARGET_RATE:.0f} deliveries/s: {'PASS' if best >= TARGET_RATE else 'FAIL'}")
    p99 = results["latency"]["p99_ms"]
    print(f"target p99 < {TARGET_P99_MS:.0f} ms: {'PASS' if p99 < TARGET_P99_MS else 'FAIL'}")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs")
    parser.add_argument("--json", help="also write the figures to this file")
    ns = parser.parse_args()
    figures = asyncio.run(main(ns))
    if ns.json:
        Path(ns.json).write_text(json.dumps(figures, indent=2))

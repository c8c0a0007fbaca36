"""Fan-out in bounded batches: the bound per transaction, nothing lost or doubled across them."""

from __future__ import annotations

import asyncio
import os
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from rolodex.kit.db import Database
from rolodex.metadata.registry import RegistryCache
from rolodex.webhooks import fanout
from rolodex.webhooks.config import WebhookConfig
from rolodex.webhooks.repository import delivery
from tests import factories
from tests.conftest import LiveServer
from tests.webhooks.helpers import eventually, make_hook
from tests.webhooks.receiver import Receiver, Reply, Request


@pytest.fixture
def quiet_server(db_url: str) -> Iterator[LiveServer]:
    """A server with no dispatcher: events wait, unfanned, for the test to fan them out."""
    os.environ["ROLODEX_DISPATCHER"] = "0"
    try:
        with LiveServer(db_url) as live:
            yield live
    finally:
        del os.environ["ROLODEX_DISPATCHER"]


def _people(c: httpx.Client, count: int, updates: int) -> list[str]:
    r = c.post("/rest/batch/people", json=[{"name": f"Fan {i}"} for i in range(count)])
    assert r.status_code == 201, r.text
    ids = [p["id"] for p in r.json()["data"]["createPeople"]]
    for n in range(updates):
        for pid in ids:
            r = c.patch(f"/rest/people/{pid}", json={"jobTitle": f"Title {n}"})
            assert r.status_code == 200, r.text
    return ids


async def _rows(db: Database) -> list[dict[str, Any]]:
    t = delivery
    sql = db.sql(
        "test.deliveries",
        lambda: sa.select(t.c.webhook_id, t.c.event_id, t.c.event_seq, t.c.id).order_by(t.c.id),
    )
    async with db.connect() as conn:
        return [dict(r) for r in await conn.fetch(sql, {})]


def test_a_fan_out_transaction_stays_within_its_bound(
    db_url: str, api_key: str, quiet_server: LiveServer
) -> None:
    hooks = 5
    with factories.http(quiet_server.url, api_key) as c:
        for i in range(hooks):
            make_hook(c, f"http://127.0.0.1:9/h{i}", operations=["person.*"])
        _people(c, 8, 2)  # 8 created + 16 updated
    events = [e for e in factories.events(db_url) if e["type"].startswith("person.")]
    assert len(events) == 24
    config = WebhookConfig(fanout_rows=12, insert_chunk=4)

    async def run() -> tuple[list[tuple[int, int]], list[dict[str, Any]]]:
        db = Database(db_url)
        await db.open()
        try:
            registries = RegistryCache(0.0)
            batches = []
            while True:
                done, made, _ = await fanout.fan_out_once(db, registries, config)
                if not done:
                    break
                batches.append((done, made))
            return batches, await _rows(db)
        finally:
            await db.close()

    batches, rows = asyncio.run(run())
    # Each transaction stops once it reaches the bound (events are fanned out
    # whole), so it never makes more than fanout_rows + one event's webhooks - 1.
    assert all(made <= config.fanout_rows + hooks - 1 for _, made in batches), batches
    assert all(made == done * hooks for done, made in batches), batches
    assert len(batches) >= len(events) * hooks // (config.fanout_rows + hooks)
    assert sum(done for done, _ in batches) == len(events)
    # Every (webhook, event) exactly once, and each webhook's queue in sequence order.
    pairs = Counter((str(r["webhook_id"]), str(r["event_id"])) for r in rows)
    assert len(pairs) == hooks * len(events) and set(pairs.values()) == {1}
    by_hook: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        by_hook[str(r["webhook_id"])].append(int(r["event_seq"]))
    for seqs in by_hook.values():
        assert seqs == sorted(seqs) and len(seqs) == len(events)


def test_many_webhooks_across_small_batches_lose_and_double_nothing(
    db_url: str, api_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Smaller than one event's webhooks: every transaction takes a single event.
    monkeypatch.setenv("ROLODEX_WEBHOOK_FANOUT_ROWS", "7")
    monkeypatch.setenv("ROLODEX_WEBHOOK_INSERT_CHUNK", "3")
    hooks, people, updates = 30, 4, 3
    received: dict[tuple[str, str], list[str]] = defaultdict(list)  # (path, record) -> events
    rows: dict[tuple[str, str], set[str]] = defaultdict(set)  # (path, event) -> delivery ids
    lock = threading.Lock()

    def respond(req: Request, _n: int) -> Reply:
        body = req.json()
        with lock:
            received[(req.path, body["recordId"])].append(body["eventId"])
            rows[(req.path, body["eventId"])].add(req.header("X-Rolodex-Delivery-Id") or "")
        return Reply()

    with Receiver(respond) as rx, LiveServer(db_url) as live:
        with factories.http(live.url, api_key) as c:
            for i in range(hooks):
                make_hook(c, f"{rx.url}/h{i}", operations=["person.*"])
            _people(c, people, updates)
        total = hooks * people * (1 + updates)
        eventually(lambda: len(rows) >= total, timeout=60)
        # Per-webhook send slots are dropped once idle: none left for 30 webhooks.
        dispatcher = live.app.state.webhook_dispatcher
        eventually(lambda: not dispatcher._sems and not dispatcher._per_hook, timeout=10)
    seq = {str(e["id"]): e["seq"] for e in factories.events(db_url)}
    # One delivery per (webhook, event): a request may come twice (at least
    # once, when an attempt outlives its timeout on a busy machine), never
    # as two deliveries.
    assert len(rows) == total and {len(ids) for ids in rows.values()} == {1}
    for events in received.values():
        first = list(dict.fromkeys(events))  # each event where it first arrived
        assert len(first) == 1 + updates
        assert [seq[e] for e in first] == sorted(seq[e] for e in first)

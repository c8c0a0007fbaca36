"""A worker outlives a database outage in the middle of delivering, without a restart.

The worker reaches PostgreSQL through a TCP proxy that the test cuts while
deliveries are in flight, for longer than the writer ever retried before,
then restores. Writes keep going straight to the database meanwhile, so the
fan-out has new events to find when it is back.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
import pytest
import sqlalchemy as sa

from rolodex.kit.db import Conn, Database
from rolodex.webhooks.config import WebhookConfig
from rolodex.webhooks.dispatcher import Dispatcher
from rolodex.webhooks.repository import delivery
from tests import factories
from tests.conftest import LiveServer
from tests.webhooks.helpers import eventually, make_hook
from tests.webhooks.proxy import TcpProxy
from tests.webhooks.receiver import Receiver, Reply, Request

T = TypeVar("T")
OUTAGE = 8.0  # seconds; the writer used to give up after ten tries half a second apart


class Worker:
    """A dispatcher on its own event loop in a thread, as ``rolodex worker`` runs one."""

    def __init__(self, db_url: str, config: WebhookConfig) -> None:
        self.db_url = db_url
        self.config = config
        self.loop = asyncio.new_event_loop()
        self.dispatcher: Dispatcher | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self.loop.run_until_complete(self._main())

    async def _main(self) -> None:
        db = Database(self.db_url)
        await db.open()
        self.dispatcher = Dispatcher(db, config=self.config)
        self._stop = asyncio.Event()
        await self.dispatcher.start()
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            await self.dispatcher.stop(grace=1)
            await db.close()

    def __enter__(self) -> Worker:
        self._thread.start()
        assert self._ready.wait(15), "the worker did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._stop is not None
        self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    def look(self, fn: Callable[[Dispatcher], T]) -> T:
        """``fn(dispatcher)`` run on the worker's loop, so it sees a consistent state."""
        d = self.dispatcher
        assert d is not None

        async def call() -> T:
            return fn(d)

        return asyncio.run_coroutine_threadsafe(call(), self.loop).result(10)


def _through(db_url: str, port: int) -> str:
    parts = urlsplit(db_url)
    user = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return parts._replace(netloc=f"{user}127.0.0.1:{port}").geturl()


def _leased(db_url: str) -> list[dict[str, Any]]:
    """Deliveries still pending or leased to anyone."""

    async def work(conn: Conn) -> list[dict[str, Any]]:
        stmt = sa.select(delivery.c.id, delivery.c.status, delivery.c.lease_owner).where(
            sa.or_(delivery.c.status == "pending", delivery.c.lease_owner.is_not(None))
        )
        return [dict(r) for r in await conn.fetch(conn.db.compile(stmt), {})]

    return factories.run_db(db_url, work, write=False)


def test_a_database_outage_during_delivery_delays_but_loses_nothing(
    backend: str,
    db_url: str,
    api_key: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite is a local file: only PostgreSQL can go away")
    monkeypatch.setenv("ROLODEX_DISPATCHER", "0")  # the API writes; the worker delivers
    caplog.set_level(logging.WARNING, logger="rolodex.webhooks")
    parts = urlsplit(db_url)
    cut_at: list[float] = []

    with TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432) as proxy:

        def respond(_req: Request, n: int) -> Reply:
            if n == 0:  # the first delivery is on the wire: the database goes away
                proxy.cut()
                cut_at.append(time.monotonic())
            return Reply(delay=0.1)

        with (
            Receiver(respond) as rx,
            LiveServer(db_url) as live,
            factories.http(live.url, api_key) as c,
        ):
            make_hook(c, rx.url, operations=["person.*"])
            people = [factories.person(c, name=f"Person {i}")["id"] for i in range(6)]
            for round_ in range(3):
                for pid in people:
                    r = c.patch(f"/rest/people/{pid}", json={"jobTitle": f"Role {round_}"})
                    assert r.status_code == 200, r.text
            config = WebhookConfig(lease=2.0)
            with Worker(_through(db_url, proxy.port), config) as worker:
                eventually(lambda: proxy.is_cut, timeout=20)
                _write_during_outage(c, people)
                while time.monotonic() < cut_at[0] + OUTAGE:
                    alive = worker.look(lambda d: [t.get_name() for t in d._tasks if t.done()])
                    assert alive == [], f"dispatcher loops ended: {alive}"
                    time.sleep(0.2)
                attempts = proxy.attempts_while_cut
                proxy.restore()

                events = [e for e in factories.events(db_url) if e["type"].startswith("person.")]
                wanted = {str(e["id"]) for e in events}

                def all_delivered() -> bool:
                    return wanted <= {b["eventId"] for b in rx.bodies()}

                eventually(all_delivered, timeout=60, every=0.1)
                eventually(lambda: _leased(db_url) == [], timeout=20)
                held = worker.look(lambda d: (dict(d._in_flight), dict(d._per_hook), d._sends))
                assert held == ({}, {}, set()), "the worker still holds leases it does not work on"
                ended = worker.look(lambda d: [t.get_name() for t in d._tasks if t.done()])
                assert ended == [], f"dispatcher loops ended: {ended}"

    bodies = rx.bodies()
    received = [b["eventId"] for b in bodies]
    assert len(received) == len(set(received)), "an event was delivered twice"
    for pid in people:
        expected = [str(e["id"]) for e in events if str(e["record_id"]) == pid]
        got = [b["eventId"] for b in bodies if b["recordId"] == pid]
        assert got == expected, f"events of {pid} out of order"
    # Bounded backoff: a handful of reconnection attempts a second, not a tight loop.
    assert attempts < 15 * OUTAGE, attempts
    logged = [r for r in caplog.records if r.name == "rolodex.webhooks"]
    assert any("recording delivery results failed" in r.getMessage() for r in logged)
    assert any("recording delivery results works again" in r.getMessage() for r in logged)
    assert len(logged) < 40, [r.getMessage() for r in logged]


def _write_during_outage(c: httpx.Client, people: list[str]) -> None:
    """More events while the worker cannot see the database: the fan-out finds them later."""
    for pid in people:
        r = c.patch(f"/rest/people/{pid}", json={"location": "During the outage"})
        assert r.status_code == 200, r.text


def test_a_batch_the_database_refuses_gives_its_leases_back(db_url: str, api_key: str) -> None:
    """Not an outage but a batch that cannot be written: its deliveries go back to the queue."""
    from rolodex.webhooks import fanout
    from tests.webhooks.test_workers import backlog

    with Receiver() as rx:
        backlog(db_url, api_key, rx.url, 1)

        async def work() -> tuple[Any, Any]:
            db = Database(db_url)
            await db.open()
            try:
                d = Dispatcher(db)  # not started: the test drives it
                await fanout.fan_out_once(db, d.registries, d.config)
                (row,) = await d._claim(10)
                await d._start_send(row)
                result = await asyncio.wait_for(d._results.get(), 10)
                del result.attempt["duration_ms"]  # a result the writer cannot write
                await d._write([result])
                return dict(d._in_flight), dict(d._per_hook)
            finally:
                await db.close()

        in_flight, per_hook = asyncio.run(work())
    rows = _leased(db_url)
    assert in_flight == {} and per_hook == {}, "the worker kept leases it no longer works on"
    assert [(r["status"], r["lease_owner"]) for r in rows] == [("pending", None)]

"""The dispatcher: fans events out into deliveries and sends them, in ``serve`` or ``worker``.

Loops, all in one event loop:
- fan-out: claims unprocessed events (``fanout.fan_out_once``);
- claim: leases due deliveries and starts a send task for each, within the
  process's in-flight cap and the per-webhook cap;
- writer: records attempts and outcomes in batches, one transaction each;
- heartbeat: extends the leases of deliveries still being sent;
- purge: deletes finished deliveries past the retention period;
- listen (PostgreSQL): ``LISTEN rolodex_events`` / ``rolodex_deliveries``.

Waking: on PostgreSQL an insert into ``event`` notifies ``rolodex_events``
(a trigger from migration 0004_webhooks), so a commit wakes every worker at
once and polling (every second) is only a safety net. SQLite has no NOTIFY:
the dispatcher polls cheaply every 50 ms; ``wake()`` skips the wait for work
this process created itself (webhook tests, resends, recoveries).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import time
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

from rolodex.kit import clock
from rolodex.kit.db import Database, Row
from rolodex.kit.ids import uuid7
from rolodex.metadata.registry import RegistryCache
from rolodex.webhooks import delivery, fanout, queue
from rolodex.webhooks import repository as repo
from rolodex.webhooks.config import WebhookConfig
from rolodex.webhooks.schemas import Webhook, from_row
from rolodex.webhooks.sender import Sender

log = logging.getLogger("rolodex.webhooks")
Key = tuple[Any, Any]
CHANNELS = ("rolodex_events", "rolodex_deliveries")


class _Throttled:
    """Log a recurring failure at most once a minute."""

    def __init__(self) -> None:
        self.last = 0.0

    def __call__(self, what: str) -> None:
        now = time.monotonic()
        if now - self.last > 60:
            self.last = now
            log.exception("Webhook dispatcher: %s failed; retrying", what)


class Dispatcher:
    """Fan-out and delivery for one process; several may share one PostgreSQL."""

    def __init__(
        self,
        db: Database,
        registries: RegistryCache | None = None,
        config: WebhookConfig | None = None,
    ) -> None:
        self.db = db
        self.registries = registries or RegistryCache(1.0)
        self.config = config or WebhookConfig()
        self.owner = uuid7()  # this worker's lease token
        self.sender = Sender(self.config.timeout)
        self.poll = self.config.poll_interval(db.sqlite)
        self._fan_wake = asyncio.Event()
        self._send_wake = asyncio.Event()
        self._results: asyncio.Queue[delivery.Result] = asyncio.Queue()
        self._in_flight: dict[Key, Row] = {}
        self._per_hook: Counter[str] = Counter()
        self._sems: dict[str, asyncio.Semaphore] = {}
        self._hooks: dict[Key, tuple[float, Webhook]] = {}
        self._due: list[float] = []
        self._tasks: list[asyncio.Task[Any]] = []
        self._sends: set[asyncio.Task[Any]] = set()
        self._listener: Any = None
        self._stopping = False
        self.sent = 0  # attempts made, for tests and benchmarks

    # -- lifecycle ------------------------------------------------------------
    async def start(self) -> None:
        loops = [self._fan_out_loop, self._claim_loop, self._writer_loop, self._heartbeat_loop]
        loops.append(self._purge_loop)
        if not self.db.sqlite:
            loops.append(self._listen_loop)
        self._tasks = [asyncio.create_task(loop(), name=loop.__name__) for loop in loops]

    def wake(self) -> None:
        """Look for new events and due deliveries now rather than at the next poll."""
        self._fan_wake.set()
        self._send_wake.set()

    async def stop(self, grace: float = 5.0) -> None:
        """Stop claiming, let sends in flight finish (up to ``grace``), give back the rest."""
        self._stopping = True
        self.wake()
        claimers = [t for t in self._tasks if t.get_name() != "_writer_loop"]
        for t in claimers:
            t.cancel()
        await asyncio.gather(*claimers, return_exceptions=True)
        if self._sends:
            _, pending = await asyncio.wait(set(self._sends), timeout=grace)
            for t in pending:
                t.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._results.join(), timeout=grace)
        for t in self._tasks:
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._in_flight:
            with contextlib.suppress(Exception):
                async with self.db.transaction() as conn:
                    await queue.release(conn, self.owner, list(self._in_flight))
        await self.sender.close()
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close()

    async def run(self) -> None:
        """Run until cancelled (``rolodex worker``)."""
        await self.start()
        try:
            await asyncio.Event().wait()
        finally:
            await self.stop()

    @staticmethod
    async def _wait(event: asyncio.Event, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout=max(timeout, 0.0))
        event.clear()

    # -- fan-out --------------------------------------------------------------
    async def _fan_out_loop(self) -> None:
        failed = _Throttled()
        while not self._stopping:
            try:
                events, made = await fanout.fan_out_once(self.db, self.registries, self.config)
            except Exception:
                failed("fan-out")
                await asyncio.sleep(1)
                continue
            if made:
                self._send_wake.set()
            if events >= self.config.batch:
                continue
            await self._wait(self._fan_wake, self.poll)

    # -- claiming and sending -------------------------------------------------
    @property
    def _depth(self) -> int:
        """Deliveries of one webhook this process holds at once (sending or queued to send)."""
        return self.config.concurrency * 8

    def _busy(self) -> list[str]:
        return [hook for hook, n in self._per_hook.items() if n >= self._depth]

    async def _claim(self, limit: int) -> list[Row]:
        now = clock.now()
        async with self.db.transaction() as conn:
            return await queue.claim(
                conn,
                now=now,
                until=now + timedelta(seconds=self.config.lease),
                owner=self.owner,
                limit=limit,
                per_webhook=self._depth,
                busy=self._busy(),
            )

    def forget_webhooks(self) -> None:
        """Drop cached webhook rows (secrets, URLs) after a change made in this process."""
        self._hooks.clear()

    async def _hook(self, ws: Any, webhook_id: Any) -> Webhook | None:
        key = (str(ws), str(webhook_id))
        cached = self._hooks.get(key)
        if cached is not None and time.monotonic() - cached[0] < 1.0:
            return cached[1]
        async with self.db.connect() as conn:
            row = await repo.get_webhook(conn, repo.uid(ws), repo.uid(webhook_id))
        if row is None:
            self._hooks.pop(key, None)
            return None
        hook = from_row(row)
        self._hooks[key] = (time.monotonic(), hook)
        return hook

    async def _claim_loop(self) -> None:
        failed = _Throttled()
        while not self._stopping:
            free = self.config.max_in_flight - len(self._in_flight)
            claimed: list[Row] = []
            if free > 0:
                try:
                    claimed = await self._claim(min(free, 200))
                except Exception:
                    failed("claiming deliveries")
                    await asyncio.sleep(1)
                    continue
                for d in claimed:
                    try:
                        await self._start_send(d)
                    except Exception:
                        failed("starting a send")
            if claimed and len(claimed) >= min(free, 200):
                continue
            now = time.time()
            while self._due and self._due[0] <= now:
                heapq.heappop(self._due)
            wait = self.poll if not self._due else min(self.poll, self._due[0] - now + 0.005)
            await self._wait(self._send_wake, wait)

    async def _start_send(self, d: Row) -> None:
        key = (d["workspace_id"], d["id"])
        try:
            hook = await self._hook(d["workspace_id"], d["webhook_id"])
        except Exception:
            hook = None
        if hook is None:
            async with self.db.transaction() as conn:
                await queue.release(conn, self.owner, [key])
            return
        hook_key = str(d["webhook_id"])
        self._in_flight[key] = d
        self._per_hook[hook_key] += 1
        task = asyncio.create_task(self._send(hook, d))
        self._sends.add(task)
        task.add_done_callback(self._sends.discard)

    async def _send(self, hook: Webhook, d: Row) -> None:
        sem = self._sems.setdefault(str(hook.id), asyncio.Semaphore(self.config.concurrency))
        async with sem:
            result = await delivery.attempt(self.sender, hook, d, self.config)
        self.sent += 1
        await self._results.put(result)

    # -- recording ------------------------------------------------------------
    async def _writer_loop(self) -> None:
        while True:
            first = await self._results.get()
            batch = [first]
            while len(batch) < 500 and not self._results.empty():
                batch.append(self._results.get_nowait())
            try:
                await self._write(batch)
            finally:
                for _ in batch:
                    self._results.task_done()

    async def _write(self, batch: list[delivery.Result]) -> None:
        failed = _Throttled()
        touched: set[tuple[Any, Any]] = set()
        for tries in range(10):
            try:
                async with self.db.transaction() as conn:
                    touched = await delivery.record(conn, self.owner, batch, self.config)
                break
            except Exception:
                failed("recording delivery results")
                if tries == 9 or self._stopping:
                    return  # the leases expire and the deliveries are sent again
                await asyncio.sleep(0.5)
        for key in touched:
            self._hooks.pop((str(key[0]), str(key[1])), None)
        for r in batch:
            key = (r.finish["workspace_id"], r.finish["id"])
            if self._in_flight.pop(key, None) is not None:
                hook_key = str(r.hook.id)
                self._per_hook[hook_key] -= 1
                if self._per_hook[hook_key] <= 0:
                    del self._per_hook[hook_key]
            if r.retry_at is not None:
                delay = (r.retry_at - clock.now()).total_seconds()
                heapq.heappush(self._due, time.time() + max(delay, 0.0))
        self._send_wake.set()  # successors of these records may be due now

    # -- housekeeping ---------------------------------------------------------
    async def _heartbeat_loop(self) -> None:
        failed = _Throttled()
        while True:
            await asyncio.sleep(max(self.config.lease / 3, 0.2))
            keys = list(self._in_flight)
            if not keys:
                continue
            try:
                until = clock.now() + timedelta(seconds=self.config.lease)
                async with self.db.transaction() as conn:
                    await queue.extend(conn, self.owner, keys, until)
            except Exception:
                failed("extending leases")

    async def purge_once(self) -> int:
        """Delete finished deliveries older than the retention period; how many."""
        before = clock.now() - timedelta(seconds=self.config.retention)
        async with self.db.connect() as conn:
            keys = await repo.all_webhook_keys(conn)
        total = 0
        for k in keys:
            async with self.db.transaction() as conn:
                total += await queue.purge(
                    conn, repo.uid(k["workspace_id"]), repo.uid(k["id"]), before
                )
        return total

    async def _purge_loop(self) -> None:
        failed = _Throttled()
        await asyncio.sleep(60)
        while True:
            try:
                await self.purge_once()
            except Exception:
                failed("purging old deliveries")
            await asyncio.sleep(3600)

    async def _listen_loop(self) -> None:
        import asyncpg

        def on_notify(_conn: Any, _pid: int, channel: str, _payload: str) -> None:
            (self._fan_wake if channel == "rolodex_events" else self._send_wake).set()

        failed = _Throttled()
        while True:
            try:
                conn = await asyncpg.connect(self.db.url)
                self._listener = conn
                for channel in CHANNELS:
                    await conn.add_listener(channel, on_notify)
                self.wake()  # anything committed while not listening
                while not conn.is_closed():
                    await asyncio.sleep(5)
            except asyncio.CancelledError:
                raise
            except Exception:
                failed("listening for notifications")
            finally:
                if self._listener is not None:
                    with contextlib.suppress(Exception):
                        await self._listener.close()
                    self._listener = None
            await asyncio.sleep(1)


async def send_now(
    db: Database, ws: uuid.UUID, webhook_id: uuid.UUID, delivery_id: uuid.UUID
) -> delivery.Result | None:
    """Lease one pending delivery and send it right away (the CLI's ``test``)."""
    config = WebhookConfig()
    owner = uuid7()
    now = clock.now()
    async with db.transaction() as conn:
        row = await queue.get(conn, ws, webhook_id, delivery_id)
        hook_row = await repo.get_webhook(conn, ws, webhook_id)
        if row is None or hook_row is None or row["status"] != "pending":
            return None
        leased = await queue.lease(conn, owner, ws, delivery_id, now, now + timedelta(seconds=60))
        if not leased:
            return None
    sender = Sender(config.timeout)
    try:
        result = await delivery.attempt(sender, from_row(hook_row), row, config)
    finally:
        await sender.close()
    async with db.transaction() as conn:
        await delivery.record(conn, owner, [result], config)
    return result


async def start_dispatcher(app: Any, db: Database, registries: RegistryCache) -> Dispatcher | None:
    """Start the in-process dispatcher for ``rolodex serve`` unless ROLODEX_DISPATCHER=0."""
    from rolodex.webhooks.config import dispatcher_enabled

    if not dispatcher_enabled():
        app.state.webhook_dispatcher = None
        return None
    dispatcher = Dispatcher(db, registries)
    await dispatcher.start()
    app.state.webhook_dispatcher = dispatcher
    return dispatcher

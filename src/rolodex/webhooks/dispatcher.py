"""The dispatcher: fans events out into deliveries and sends them, in ``serve`` or ``worker``.

Loops, all in one event loop:
- fan-out: claims unprocessed events (``fanout.fan_out_once``);
- claim: leases due deliveries and starts a send task for each, within the
  process's in-flight cap and the per-webhook cap;
- writer: records attempts and outcomes in batches, one transaction each;
- heartbeat: extends the leases of deliveries still being sent;
- purge: deletes finished deliveries past the retention period;
- listen (PostgreSQL): ``LISTEN rolodex_events`` / ``rolodex_deliveries``.

Failures: every loop outlives a database outage of any length, retrying with
a bounded backoff (``backoff.Backoff``). Results that cannot be written are
kept, leases and all, until they can be; results that keep failing for
another reason give their leases back. The heartbeat renews exactly the
deliveries this process is sending or has results for, nothing else.

Waking: on PostgreSQL an insert into ``event`` notifies ``rolodex_events``
(a trigger from migration 0004_webhooks), so a commit wakes every worker at
once and polling (every second) is only a safety net. SQLite has no NOTIFY:
the dispatcher polls cheaply every 50 ms; ``wake()`` skips the wait for work
this process created itself (webhook tests, resends, recoveries), or that
``rolodex serve``'s server processes created, when this is its child process
(``child.py``; they call ``wake`` through ``signals.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import time
from collections import Counter
from datetime import timedelta
from typing import Any

from rolodex.kit import clock, decode
from rolodex.kit.db import Database, Row
from rolodex.kit.ids import uuid7
from rolodex.kit.lru import LRU
from rolodex.metadata.registry import RegistryCache
from rolodex.webhooks import delivery, fanout, queue
from rolodex.webhooks import repository as repo
from rolodex.webhooks.backoff import Backoff, unavailable
from rolodex.webhooks.config import WebhookConfig
from rolodex.webhooks.listen import listen
from rolodex.webhooks.retention import purge_finished
from rolodex.webhooks.schemas import Webhook, from_row
from rolodex.webhooks.sender import Sender
from rolodex.webhooks.slots import SendSlots

log = logging.getLogger("rolodex.webhooks")
Key = tuple[Any, Any]


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
        self._in_flight: dict[Key, Row] = {}  # leased and being sent, or its result recorded
        self._holds: Counter[Key] = Counter()  # sends of each (two if resent mid-attempt)
        self._per_hook: Counter[str] = Counter()
        self._sems = SendSlots(self.config.concurrency)
        self._hooks: LRU[Key, tuple[float, Webhook]] = LRU(10_000)  # re-read when evicted
        self._due: list[float] = []
        self._tasks: list[asyncio.Task[Any]] = []
        self._sends: set[asyncio.Task[Any]] = set()
        self._stopping = False
        self.sent = 0  # attempts made, for tests and benchmarks
        self.renewed: list[Key] = []  # the leases the last heartbeat extended, for tests

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

    async def run(self) -> None:
        """Run until cancelled (``rolodex worker``)."""
        await self.start()
        try:
            await asyncio.Event().wait()
        finally:
            await self.stop()

    @staticmethod
    async def _wait(event: asyncio.Event, timeout: float) -> bool:
        """Wait for ``event`` or ``timeout``; whether the event woke us."""
        woken = False
        with contextlib.suppress(TimeoutError):
            woken = await asyncio.wait_for(event.wait(), timeout=max(timeout, 0.0))
        event.clear()
        return woken

    # -- fan-out --------------------------------------------------------------
    async def _fan_out_loop(self) -> None:
        backoff = Backoff("fan-out")
        full = False  # whether the last batch was full: events wait behind it
        while not self._stopping:
            try:
                done = await fanout.fan_out_once(
                    self.db, self.registries, self.config, probe=not full
                )
            except Exception:
                full = False
                await asyncio.sleep(backoff.failed())
                continue
            backoff.ok()
            if done.deliveries:
                self._send_wake.set()
            full = done.more
            if full:
                # Batches are bounded (fanout_rows): more wait behind this one.
                await asyncio.sleep(0)
                continue
            # A batch that was not full took every event committed before it, and
            # one committed since wakes us: no need to look again (it was one more
            # probe per wake-up, of the eight round trips a single create's fan-out
            # cost). Woken, the probe still runs first: with several dispatchers,
            # all are woken and most find nothing.
            if await self._wait(self._fan_wake, self.poll) and self.config.coalesce:
                await asyncio.sleep(self.config.coalesce)

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
            row = await repo.get_webhook(conn, decode.uid(ws), decode.uid(webhook_id))
        if row is None:
            self._hooks.pop(key, None)
            return None
        hook = from_row(row)
        self._hooks[key] = (time.monotonic(), hook)
        return hook

    async def _claim_loop(self) -> None:
        backoff = Backoff("claiming deliveries")
        while not self._stopping:
            free = self.config.max_in_flight - len(self._in_flight)
            claimed: list[Row] = []
            if free > 0:
                try:
                    claimed = await self._claim(min(free, 200))
                except Exception:
                    await asyncio.sleep(backoff.failed())
                    continue
                backoff.ok()
                for d in claimed:
                    await self._start_send(d)
            if claimed and len(claimed) >= min(free, 200):
                continue
            now = time.time()
            while self._due and self._due[0] <= now:
                heapq.heappop(self._due)
            wait = self.poll if not self._due else min(self.poll, self._due[0] - now + 0.005)
            await self._wait(self._send_wake, wait)

    async def _start_send(self, d: Row) -> None:
        key = (d["workspace_id"], d["id"])
        held = self._in_flight.get(key)
        if held is not None and (held["next_attempt_at"], held["attempts"]) == (
            d["next_attempt_at"],
            d["attempts"],
        ):
            # Its lease ran out while its result waited for the database, and this
            # process took it again: the result on its way records it; don't send twice.
            # (A delivery resent mid-attempt was requeued, so it is due anew: send it.)
            return
        try:
            hook = await self._hook(d["workspace_id"], d["webhook_id"])
        except Exception:
            log.exception("Webhook dispatcher: reading webhook %s failed", d["webhook_id"])
            await self._give_back([key])
            return
        if hook is None:  # deleted since the claim
            await self._give_back([key])
            return
        self._in_flight[key] = d
        self._holds[key] += 1
        self._per_hook[str(d["webhook_id"])] += 1
        task = asyncio.create_task(self._send(hook, d))
        self._sends.add(task)
        task.add_done_callback(self._sends.discard)

    async def _send(self, hook: Webhook, d: Row) -> None:
        try:
            async with self._sems.hold(str(hook.id)):
                result = await delivery.attempt(self.sender, hook, d, self.config)
        except Exception:
            log.exception("Webhook dispatcher: sending delivery %s failed", d["id"])
            self._forget(d["workspace_id"], d["id"], str(hook.id))
            await self._give_back([(d["workspace_id"], d["id"])])
            return
        self.sent += 1
        await self._results.put(result)

    def _forget(self, ws: Any, delivery_id: Any, hook_key: str) -> None:
        """This process no longer works on the delivery: the heartbeat stops renewing it."""
        key = (ws, delivery_id)
        if self._holds[key] <= 0:
            self._holds.pop(key, None)
            return
        self._holds[key] -= 1
        if self._holds[key] <= 0:
            del self._holds[key]
            self._in_flight.pop(key, None)
        self._per_hook[hook_key] -= 1
        if self._per_hook[hook_key] <= 0:
            del self._per_hook[hook_key]

    async def _give_back(self, keys: list[Key]) -> None:
        """Release leases so any worker can take them now; if that fails, they expire."""
        try:
            async with self.db.transaction() as conn:
                await queue.release(conn, self.owner, keys)
        except Exception:
            log.warning("Webhook dispatcher: could not release %d lease(s); they expire", len(keys))

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
        """Record ``batch``: while the database is away, keep it (and its leases) and retry.

        An error that is not the database being away (a batch it refuses) is
        tried five times; then the batch's leases are given back, so the
        deliveries are sent again rather than held by nobody.
        """
        backoff = Backoff("recording delivery results")
        refused = 0
        while True:
            try:
                async with self.db.transaction() as conn:
                    touched = await delivery.record(conn, self.owner, batch, self.config)
                break
            except Exception as exc:
                if not unavailable(exc):
                    refused += 1
                if self._stopping:
                    return  # stop() gives back what is still in flight
                delay = backoff.failed()
                if refused >= 5:
                    for r in batch:
                        self._forget(r.finish["workspace_id"], r.finish["id"], str(r.hook.id))
                    await self._give_back(
                        [(r.finish["workspace_id"], r.finish["id"]) for r in batch]
                    )
                    return
                await asyncio.sleep(delay)
        backoff.ok()
        for key in touched:
            self._hooks.pop((str(key[0]), str(key[1])), None)
        for r in batch:
            self._forget(r.finish["workspace_id"], r.finish["id"], str(r.hook.id))
            if r.retry_at is not None:
                delay = (r.retry_at - clock.now()).total_seconds()
                heapq.heappush(self._due, time.time() + max(delay, 0.0))
        self._send_wake.set()  # successors of these records may be due now

    # -- housekeeping ---------------------------------------------------------
    async def _heartbeat_loop(self) -> None:
        backoff = Backoff("extending leases")
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
                backoff.failed()  # the next beat retries; past the lease, others may take over
            else:
                self.renewed = keys
                backoff.ok()

    async def purge_once(self) -> int:
        """Delete finished deliveries older than the retention period; how many."""
        return await purge_finished(self.db, self.config.retention)

    async def _purge_loop(self) -> None:
        backoff = Backoff("purging old deliveries", first=60, cap=3600)
        await asyncio.sleep(60)
        while True:
            try:
                await self.purge_once()
            except Exception:
                await asyncio.sleep(backoff.failed())
                continue
            backoff.ok()
            await asyncio.sleep(3600)

    async def _listen_loop(self) -> None:
        def on_notify(channel: str) -> None:
            (self._fan_wake if channel == "rolodex_events" else self._send_wake).set()

        await listen(self.db.url, on_notify, self.wake)

"""Rate limits shared by every process through Redis (``ROLODEX_REDIS_URL``), with ``limits``.

Each limit is a fixed window in Redis, counted with one ``INCRBY`` per
request (the ``limits`` library's storage, which sets the window's expiry
with it; the key's and the workspace's are sent together, and when a window
ends is remembered from the request that opened it, so a request costs one
round trip): a bucket of ``burst`` requests and ``rate`` a second becomes
``burst`` requests per window of ``burst / rate`` seconds, which allows the
same long-run rate and the same burst. Unlike the in-process buckets, the
key's window is counted even when the workspace's refuses; the difference
is one request per refusal.

If Redis cannot be reached, the process falls back to its own buckets
(logged at most once a minute) rather than refusing or failing requests.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import uuid
from typing import Any

from rolodex.auth.ratelimit import MAX_BUCKETS, Quota, RateLimiter
from rolodex.kit.errors import RateLimited
from rolodex.kit.lru import LRU

log = logging.getLogger("rolodex.ratelimit")

# How often an unreachable Redis is logged.
WARN_EVERY = 60.0


class Window:
    """One limit (per key, or per workspace) as a fixed window in Redis."""

    def __init__(self, name: str, rate: float, burst: float) -> None:
        from limits import RateLimitItemPerSecond

        self.name = name
        self.amount = max(1, int(burst))
        self.seconds = max(1, round(self.amount / rate))
        self.item = RateLimitItemPerSecond(self.amount, self.seconds, namespace="rolodex")
        self.rate = self.amount / self.seconds

    def key(self, ident: uuid.UUID) -> str:
        return self.item.key_for(self.name, str(ident))


class SharedLimiter:
    """The per-key and per-workspace limits, counted in Redis by every process."""

    def __init__(self, url: str, local: RateLimiter) -> None:
        from limits.aio.storage import RedisStorage

        scheme, sep, rest = url.partition("://")
        # limits names its asyncio storages async+redis:// (and rediss, unix).
        self.storage: Any = RedisStorage(
            f"async+{scheme}{sep}{rest}" if not scheme.startswith("async+") else url,
            wrap_exceptions=True,
        )
        self.local = local
        self.keys = Window("key", local.rate, local.burst) if local.rate > 0 else None
        self.workspaces = (
            Window("workspace", local.workspace_rate, local.workspace_burst)
            if local.workspace_rate > 0
            else None
        )
        self._warned = -WARN_EVERY
        # When each window seen lately ends; bounded as the in-process buckets are.
        self._ends: LRU[str, float] = LRU(MAX_BUCKETS)

    async def check(
        self, key_id: uuid.UUID, workspace_id: uuid.UUID, *, cost: int = 1
    ) -> Quota | None:
        """Count ``cost`` against the key's and the workspace's windows, or raise 429."""
        windows = [(w, i) for w, i in ((self.keys, key_id), (self.workspaces, workspace_id)) if w]
        if not windows:
            return None
        try:
            counts = await asyncio.gather(
                *(
                    self.storage.incr(w.key(i), w.seconds, amount=min(cost, w.amount))
                    for w, i in windows
                )
            )
            tight, ident, count = min(
                ((w, i, c) for (w, i), c in zip(windows, counts, strict=True)),
                key=lambda wic: wic[0].amount - wic[2],
            )
            left = tight.amount - count
            reset = await self._reset(tight, ident, count, min(cost, tight.amount))
        except Exception as exc:  # Redis down or unreachable: this process's limits serve
            now = time.monotonic()
            if now - self._warned >= WARN_EVERY:
                self._warned = now
                log.warning("Redis rate limits unavailable, using per-process limits: %s", exc)
            return self.local.check(key_id, workspace_id, cost=cost)
        seconds = max(0, math.ceil(reset - time.time()))
        if left < 0:
            whose = "this API key" if tight is self.keys else "this workspace"
            retry = max(1, seconds)
            raise RateLimited(
                f"Rate limit exceeded for {whose}: {tight.amount} requests per "
                f"{tight.seconds}s. Retry in {retry}s.",
                retry_after=retry,
                limit=tight.rate,
                burst=tight.amount,
            )
        return (tight.amount, left, seconds, tight.rate)

    async def _reset(self, window: Window, ident: uuid.UUID, count: int, cost: int) -> float:
        """When ``window`` ends, as epoch seconds: remembered from the request that
        opened it, so a request usually needs no second round trip to Redis."""
        key = window.key(ident)
        now = time.time()
        if count == cost:  # this request opened the window, and set its expiry
            self._ends.put(key, now + window.seconds)
            return now + window.seconds
        known = self._ends.get(key)
        if known is not None and known > now:
            return known
        ends = float(await self.storage.get_expiry(key))
        self._ends.put(key, ends)
        return ends

"""Per-key token buckets, kept in each process."""

from __future__ import annotations

import math
import time
import uuid

from rolodex.kit.errors import RateLimited


class RateLimiter:
    """Allows ``rate`` requests a second per key, with bursts up to ``burst``.

    Buckets live in the process, so N processes allow N times the rate; the
    default is generous, and the point is to stop runaway clients.
    """

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[uuid.UUID, tuple[float, float]] = {}

    def check(self, key_id: uuid.UUID, *, cost: int = 1) -> None:
        """Take ``cost`` tokens (one per request, or per operation it carries), or refuse."""
        if self.rate <= 0 or cost <= 0:
            return
        now = time.monotonic()
        tokens, last = self._buckets.get(key_id, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens < cost:
            self._buckets[key_id] = (tokens, now)
            retry = max(1, math.ceil((cost - tokens) / self.rate))
            raise RateLimited(
                f"Rate limit exceeded: {self.rate:g} requests per second. Retry in {retry}s.",
                retry_after=retry,
            )
        self._buckets[key_id] = (tokens - cost, now)

"""Token buckets kept in each process: per key and per workspace, and failed keys per address."""

from __future__ import annotations

import ipaddress
import math
import time
import uuid
from collections.abc import Hashable, Iterable, Mapping
from typing import Any, Protocol

from rolodex.kit.errors import RateLimited

# What the RateLimit-* headers say about the tighter of a request's limits:
# (requests a full bucket holds, requests left, seconds until full again, the
# refill rate per second).
Quota = tuple[int, int, int, float]


class SharedLimits(Protocol):
    """Limits counted outside the process (auth/shared_limits.py, through Redis)."""

    async def check(
        self, key_id: uuid.UUID, workspace_id: uuid.UUID, *, cost: int = 1
    ) -> Quota | None: ...


# Buckets held per table before idle ones are swept (a full bucket is the same
# as none, so dropping it loses nothing); about 150 bytes each.
MAX_BUCKETS = 10_000


class Buckets:
    """Token buckets by key, bounded in memory.

    A bucket is a ``[tokens, last refill, extra]`` list, mutated in place so a
    request allocates nothing. When the table grows past ``max_size`` it is
    swept: buckets that have refilled completely are dropped, and if more
    than three quarters of the bound are still busy, the least recently used
    go too (those are reset to full, which only matters to a client spread
    over more than ``max_size`` keys or addresses at once).
    """

    __slots__ = ("burst", "max_size", "rate", "table")

    def __init__(self, rate: float, burst: float, max_size: int = MAX_BUCKETS) -> None:
        self.rate = rate
        self.burst = max(burst, 1.0)
        self.max_size = max_size
        self.table: dict[Hashable, list[Any]] = {}

    def get(self, key: Hashable, now: float, extra: Any = None) -> list[Any]:
        """``key``'s bucket, refilled up to ``now`` (a new, full one if it had none)."""
        bucket = self.table.get(key)
        if bucket is None:
            if len(self.table) >= self.max_size:
                self.sweep(now)
            bucket = self.table[key] = [self.burst, now, extra]
        else:
            tokens = bucket[0] + (now - bucket[1]) * self.rate
            bucket[0] = tokens if tokens < self.burst else self.burst
            bucket[1] = now
        return bucket

    def quota(self, bucket: list[Any]) -> Quota:
        """What the RateLimit-* headers say of ``bucket``."""
        tokens = bucket[0]
        if tokens >= self.burst:
            return (int(self.burst), int(self.burst), 0, self.rate)
        left = int(tokens) if tokens > 0 else 0
        return (int(self.burst), left, math.ceil((self.burst - tokens) / self.rate), self.rate)

    def retry_after(self, bucket: list[Any], cost: float) -> int:
        """Whole seconds until ``bucket`` holds ``cost`` tokens (at least 1)."""
        return max(1, math.ceil((cost - bucket[0]) / self.rate))

    def sweep(self, now: float) -> None:
        busy = {k: b for k, b in self.table.items() if b[0] + (now - b[1]) * self.rate < self.burst}
        low = self.max_size * 3 // 4
        if len(busy) > low:
            # Newest first; among equal times, the later inserted.
            recent = sorted(reversed(busy.items()), key=lambda kb: kb[1][1], reverse=True)[:low]
            busy = dict(recent)
        self.table = busy

    def __len__(self) -> int:
        return len(self.table)


class RateLimiter:
    """Allows ``rate`` requests a second per key, with bursts up to ``burst``,
    and ``workspace_rate`` (bursts ``workspace_burst``) over all of a workspace's keys.

    The workspace budget is what stops a tenant from multiplying its rate by
    creating keys. Buckets live in the process, so N processes allow N times
    the rates; the defaults are generous, and the point is to stop runaway
    clients. A rate of 0 disables that limit. With ``shared`` set
    (``ROLODEX_REDIS_URL``), callers charge that instead (see ``charge``), and
    these buckets serve only while Redis cannot be reached.
    """

    shared: SharedLimits | None = None

    def __init__(
        self,
        rate: float,
        burst: float,
        workspace_rate: float = 0.0,
        workspace_burst: float = 0.0,
        max_buckets: int = MAX_BUCKETS,
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.workspace_rate = workspace_rate
        self.workspace_burst = workspace_burst
        self.keys = Buckets(rate, burst, max_buckets) if rate > 0 else None
        self.workspaces = (
            Buckets(workspace_rate, workspace_burst, max_buckets) if workspace_rate > 0 else None
        )

    def check(
        self, key_id: uuid.UUID, workspace_id: uuid.UUID | None = None, *, cost: int = 1
    ) -> Quota | None:
        """Take ``cost`` tokens from the key's and its workspace's buckets, or raise 429.

        Returns the tighter bucket's quota, for the response's headers (None
        when both limits are off).

        Without ``workspace_id``, the workspace the key was last checked with is
        charged. A request costing more than a whole burst is let through when
        the bucket is full and leaves it in debt, so it is slow but possible.
        Nothing is taken when either bucket refuses.
        """
        keys, workspaces = self.keys, self.workspaces
        if keys is None and workspaces is None:
            return None
        now = time.monotonic()
        kb = None
        if keys is not None:
            kb = keys.get(key_id, now, workspace_id)
            if workspace_id is None:
                workspace_id = kb[2]
            elif kb[2] is None:
                kb[2] = workspace_id
            # Short of min(cost, burst), without the call on the hot path.
            if kb[0] < cost and kb[0] < keys.burst:
                self._refuse(keys, kb, cost, "this API key")
        wb = None
        if workspaces is not None and workspace_id is not None:
            wb = workspaces.get(workspace_id, now)
            if wb[0] < cost and wb[0] < workspaces.burst:
                self._refuse(workspaces, wb, cost, "this workspace")
        if wb is not None:
            wb[0] -= cost
        if kb is not None:
            kb[0] -= cost
            # The headers describe whichever bucket refuses first.
            if wb is None or kb[0] <= wb[0]:
                return keys.quota(kb)  # type: ignore[union-attr]
        return workspaces.quota(wb) if wb is not None else None  # type: ignore[union-attr]

    @staticmethod
    def _refuse(buckets: Buckets, bucket: list[Any], cost: int, whose: str) -> None:
        retry = buckets.retry_after(bucket, min(cost, buckets.burst))
        raise RateLimited(
            f"Rate limit exceeded for {whose}: {buckets.rate:g} requests per second. "
            f"Retry in {retry}s.",
            retry_after=retry,
            limit=buckets.rate,
            burst=buckets.burst,
        )


async def charge(
    limiter: RateLimiter, key_id: uuid.UUID, workspace_id: uuid.UUID, *, cost: int = 1
) -> Quota | None:
    """Charge a request to the shared limits if there are any, else to this process's."""
    shared = limiter.shared
    if shared is None:
        return limiter.check(key_id, workspace_id, cost=cost)
    return await shared.check(key_id, workspace_id, cost=cost)


def quota_headers(quota: Quota) -> list[tuple[bytes, bytes]]:
    """``RateLimit-*`` and ``X-RateLimit-*`` raw headers for ``quota``.

    ``RateLimit-Limit`` is the bucket's size, ``X-RateLimit-Limit`` its rate
    per second (as the 429s have always said); Remaining and Reset agree.
    """
    limit, left, reset, rate = quota
    remaining = str(left).encode()
    seconds = str(reset).encode()
    return [
        (b"ratelimit-limit", str(limit).encode()),
        (b"ratelimit-remaining", remaining),
        (b"ratelimit-reset", seconds),
        (b"x-ratelimit-limit", f"{rate:g}".encode()),
        (b"x-ratelimit-remaining", remaining),
        (b"x-ratelimit-reset", seconds),
    ]


class FailureThrottle:
    """Failed authentications per client address: ``rate`` a second, bursts of ``burst``.

    Consulted only on the slow path (a key that is not cached as valid), so a
    valid key pays nothing. Once an address has used up its failures, its
    requests that would need a database lookup or that fail get a 429 without
    touching the database. IPv6 addresses are counted per /64, the block one
    host usually holds. The address is the connection's peer, which behind a
    reverse proxy is the proxy, unless the proxy is listed in
    ``trusted_proxies``: then the last ``X-Forwarded-For`` entry the trusted
    proxies did not add is used.
    """

    def __init__(
        self,
        rate: float,
        burst: float,
        trusted_proxies: Iterable[str] = (),
        max_buckets: int = MAX_BUCKETS,
    ) -> None:
        self.rate = rate
        self.buckets = Buckets(rate, burst, max_buckets) if rate > 0 else None
        self.trusted = [ipaddress.ip_network(p.strip(), strict=False) for p in trusted_proxies]

    def address(self, scope: Mapping[str, Any] | None) -> str:
        """Who to charge for this request's failures (see the class docstring)."""
        if scope is None:
            return "-"
        client = scope.get("client")
        host = client[0] if client else "-"
        if self.trusted and self._is_trusted(host):
            forwarded = [
                v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"x-forwarded-for"
            ]
            hops = [h.strip() for line in forwarded for h in line.split(",") if h.strip()]
            while hops and self._is_trusted(hops[-1]):
                hops.pop()
            if hops:
                host = hops[-1]
        return _block(host)

    def _is_trusted(self, host: str) -> bool:
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(ip in net for net in self.trusted)

    def admit(self, address: str) -> None:
        """Raise 429 if ``address`` has no failures left; takes nothing."""
        if self.buckets is None:
            return
        bucket = self.buckets.get(address, time.monotonic())
        if bucket[0] < 1:
            self._refuse(bucket)

    def failed(self, address: str) -> None:
        """Charge one failure to ``address``; a 429 instead of the 401 once it has none left."""
        if self.buckets is None:
            return
        bucket = self.buckets.get(address, time.monotonic())
        if bucket[0] < 1:
            self._refuse(bucket)
        bucket[0] -= 1

    def _refuse(self, bucket: list[Any]) -> None:
        assert self.buckets is not None
        retry = self.buckets.retry_after(bucket, 1)
        raise RateLimited(
            f"Too many failed authentications from this address. Retry in {retry}s.",
            retry_after=retry,
            limit=self.rate,
        )


def _block(host: str) -> str:
    """An IPv6 address's /64; anything else as it is."""
    if ":" not in host:
        return host
    try:
        ip = ipaddress.IPv6Address(host)
    except ValueError:
        return host
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))

"""How the dispatcher's loops ride out failures, a database outage above all.

Every loop retries for as long as it takes (a worker must outlive an outage
of any length), waiting longer after each failure up to a cap so an outage
costs a few connection attempts a second at most, and logging the first
failure, one line a minute while it lasts, and the recovery.
"""

from __future__ import annotations

import logging
import sqlite3
import time

from rolodex.kit.errors import Unavailable

log = logging.getLogger("rolodex.webhooks")


def unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) says the database cannot be reached now."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, OSError | TimeoutError | Unavailable | sqlite3.OperationalError):
            return True
        module = type(seen).__module__
        name = type(seen).__name__
        if module.startswith("asyncpg") and ("Connection" in name or name == "InterfaceError"):
            return True
        if name == "PoolClosed":
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class Backoff:
    """Waits that double from ``first`` to ``cap`` seconds while ``what`` keeps failing."""

    def __init__(self, what: str, first: float = 0.25, cap: float = 5.0) -> None:
        self.what = what
        self.first = first
        self.cap = cap
        self.failures = 0
        self._logged = 0.0

    def failed(self) -> float:
        """Count a failure (call it in the ``except``); the seconds to wait before retrying."""
        self.failures += 1
        delay = min(self.cap, self.first * 2 ** min(self.failures - 1, 20))
        now = time.monotonic()
        if self.failures == 1 or now - self._logged >= 60:
            self._logged = now
            log.exception(
                "Webhook dispatcher: %s failed (%d time(s) in a row); retrying in %.1f s",
                self.what,
                self.failures,
                delay,
            )
        return delay

    def ok(self) -> None:
        """Count a success: the next failure starts from ``first`` again."""
        if self.failures:
            log.warning(
                "Webhook dispatcher: %s works again after %d failure(s)", self.what, self.failures
            )
            self.failures = 0

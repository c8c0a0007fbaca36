"""Per-webhook send slots: at most ``per_hook`` sends at once to one webhook.

A webhook's slot exists only while this process has sends for it, so the
map holds at most as many entries as sends in flight, however many webhooks
the database holds.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class SendSlots:
    """Bounded concurrency per webhook, dropped when idle."""

    def __init__(self, per_hook: int) -> None:
        self.per_hook = per_hook
        self._slots: dict[str, tuple[asyncio.Semaphore, int]] = {}

    def __len__(self) -> int:
        return len(self._slots)

    @asynccontextmanager
    async def hold(self, hook_key: str) -> AsyncIterator[None]:
        """Wait for a free slot of the webhook, and hold it for the block."""
        sem, users = self._slots.get(hook_key) or (asyncio.Semaphore(self.per_hook), 0)
        self._slots[hook_key] = (sem, users + 1)
        try:
            async with sem:
                yield
        finally:
            sem, users = self._slots[hook_key]
            if users <= 1:
                del self._slots[hook_key]  # idle: nobody holds or waits for it
            else:
                self._slots[hook_key] = (sem, users - 1)

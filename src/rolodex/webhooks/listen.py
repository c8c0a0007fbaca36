"""PostgreSQL notifications for the dispatcher: ``LISTEN`` on its own connection, for good.

The connection is reopened (with a bounded backoff) whenever it drops, so a
worker keeps being woken after a database outage; ``on_connect`` runs after
each (re)connection, as anything committed meanwhile woke nobody.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from rolodex.webhooks.backoff import Backoff

CHANNELS = ("rolodex_events", "rolodex_deliveries")


async def listen(
    url: str, on_notify: Callable[[str], None], on_connect: Callable[[], None]
) -> None:
    """Call ``on_notify(channel)`` for each notification, until cancelled."""
    import asyncpg

    def notified(_conn: Any, _pid: int, channel: str, _payload: str) -> None:
        on_notify(channel)

    backoff = Backoff("listening for notifications", first=1)
    while True:
        delay = 1.0
        conn = None
        try:
            conn = await asyncpg.connect(url, timeout=10)
            for channel in CHANNELS:
                await conn.add_listener(channel, notified)
            backoff.ok()
            on_connect()
            while not conn.is_closed():
                await asyncio.sleep(1)
        except asyncio.CancelledError:
            raise
        except Exception:
            delay = backoff.failed()
        finally:
            if conn is not None:
                with contextlib.suppress(Exception):
                    await conn.close()
        await asyncio.sleep(delay)

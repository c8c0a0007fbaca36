"""Finished deliveries are kept for a retention period, then deleted, one webhook at a time."""

from __future__ import annotations

from datetime import timedelta

from rolodex.kit import clock, decode
from rolodex.kit.db import Database
from rolodex.webhooks import queue
from rolodex.webhooks import repository as repo


async def purge_finished(db: Database, retention: float) -> int:
    """Delete finished deliveries older than ``retention`` seconds; how many.

    One transaction per webhook, so no statement holds many rows' locks.
    """
    before = clock.now() - timedelta(seconds=retention)
    async with db.connect() as conn:
        keys = await repo.all_webhook_keys(conn)
    total = 0
    for k in keys:
        async with db.transaction() as conn:
            total += await queue.purge(
                conn, decode.uid(k["workspace_id"]), decode.uid(k["id"]), before
            )
    return total

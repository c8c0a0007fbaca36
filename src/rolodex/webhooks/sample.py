"""Sending a test delivery for the CLI (``rolodex webhooks test``), with the server's verdict.

The CLI works on the database, not through the server, but the server (or a
``rolodex worker``) is what delivers: its settings, its network, its
``ROLODEX_WEBHOOK_ALLOW_PRIVATE``. So the CLI queues the sample through the
service, as ``POST /rest/webhooks/{id}/test`` does, and waits for a running
dispatcher to make the first attempt; only when none takes it does the CLI
send it itself, and then says so.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import timedelta

from rolodex.kit import clock, decode
from rolodex.kit.db import Database
from rolodex.kit.ids import uuid7
from rolodex.webhooks import delivery, delivery_log, queue
from rolodex.webhooks import repository as repo
from rolodex.webhooks.config import WebhookConfig
from rolodex.webhooks.schemas import from_row
from rolodex.webhooks.sender import Sender


async def _first_attempt(
    db: Database, ws: uuid.UUID, webhook_id: uuid.UUID, delivery_id: uuid.UUID, wait: float
) -> bool | None:
    """True once a dispatcher attempted it; None if none took it within ``wait`` seconds.

    A delivery leased by a dispatcher is waited for until its lease ends, since
    the attempt may take up to the dispatcher's timeout.
    """
    deadline = time.monotonic() + wait
    while True:
        async with db.connect() as conn:
            row = await delivery_log.get(conn, ws, webhook_id, delivery_id)
        if row is None:
            return None
        if int(row["attempts"]) >= 1:
            return True
        locked = decode.ts(row["locked_until"])
        if locked is not None and locked > clock.now():
            until = (locked - clock.now()).total_seconds() + 1
            deadline = max(deadline, time.monotonic() + until)
        if time.monotonic() >= deadline:
            return None
        await asyncio.sleep(0.05)


async def send_now(
    db: Database, ws: uuid.UUID, webhook_id: uuid.UUID, delivery_id: uuid.UUID
) -> delivery.Result | None:
    """Lease one pending delivery and send it from this process; None if another has it."""
    config = WebhookConfig()
    owner = uuid7()
    now = clock.now()
    async with db.transaction() as conn:
        row = await delivery_log.get(conn, ws, webhook_id, delivery_id)
        hook_row = await repo.get_webhook(conn, ws, webhook_id)
        if row is None or hook_row is None or row["status"] != "pending":
            return None
        until = now + timedelta(seconds=config.timeout + 30)
        if not await queue.lease(conn, owner, ws, delivery_id, now, until):
            return None
    sender = Sender(config.timeout)
    try:
        result = await delivery.attempt(sender, from_row(hook_row), row, config)
    finally:
        await sender.close()
    async with db.transaction() as conn:
        await delivery.record(conn, owner, [result], config)
    return result


async def deliver_sample(
    db: Database,
    ws: uuid.UUID,
    webhook_id: uuid.UUID,
    delivery_id: uuid.UUID,
    wait: float,
) -> str:
    """Have the queued sample sent once; ``server`` or ``cli``, whoever made the attempt."""
    if await _first_attempt(db, ws, webhook_id, delivery_id, wait):
        return "server"
    if await send_now(db, ws, webhook_id, delivery_id) is not None:
        return "cli"
    # A dispatcher took it at the last moment: its answer is the one to report.
    await _first_attempt(db, ws, webhook_id, delivery_id, WebhookConfig().timeout + 5)
    return "server"

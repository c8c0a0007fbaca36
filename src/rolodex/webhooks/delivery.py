"""One attempt at a delivery: sign, send, judge the answer, and record it.

- 2xx succeeds. A redirect is not followed and counts as a failure.
- 410 Gone fails the delivery and disables the webhook.
- 429 and 503 wait for ``Retry-After`` when the receiver gives one.
- Anything else is retried on the schedule (with jitter) until it runs out;
  then the delivery fails and the webhook turns ``degraded``.
- A webhook failing continuously for ``disable_after`` is disabled, and a
  ``webhook.disabled`` event is written to the outbox.
"""

from __future__ import annotations

import logging
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from rolodex.auth.schemas import SYSTEM
from rolodex.events import outbox
from rolodex.kit import clock, decode
from rolodex.kit.db import Conn, Row
from rolodex.kit.ids import uuid7
from rolodex.webhooks import queue, signing
from rolodex.webhooks import repository as repo
from rolodex.webhooks.config import WebhookConfig
from rolodex.webhooks.schemas import Webhook
from rolodex.webhooks.sender import Outcome, Sender

log = logging.getLogger("rolodex.webhooks")


@dataclass
class Result:
    """An attempt's row, its delivery's new state, and what it means for the webhook."""

    hook: Webhook
    attempt: dict[str, Any]
    finish: dict[str, Any]
    succeeded: bool
    exhausted: bool = False
    gone: bool = False
    retry_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _delay(config: WebhookConfig, tries: int) -> float | None:
    """Seconds before the next attempt after ``tries`` attempts, or None when done."""
    if tries >= len(config.schedule):
        return None
    base = config.schedule[tries]
    return base * (1 + random.uniform(-config.jitter, config.jitter)) if base else 0.0


def attempt_headers(hook: Webhook, d: Row, attempt_no: int) -> dict[str, str]:
    """Fresh timestamps and signatures over the stored body, for attempt ``attempt_no``."""
    return signing.headers(
        fmt=hook.format,
        secrets=hook.signing_secrets(),
        body=d["body"].encode(),
        msg_id=str(d["event_id"]),
        event_name=d["event_type"],
        delivery_id=str(d["id"]),
        attempt=attempt_no,
    )


def judge(
    hook: Webhook,
    d: Row,
    outcome: Outcome,
    headers: dict[str, str],
    started: datetime,
    config: WebhookConfig,
) -> Result:
    """The consequences of ``outcome`` for delivery ``d``."""
    now = clock.now()
    attempt_no = int(d["attempts"]) + 1
    tries = int(d["tries"]) + 1
    succeeded = outcome.ok
    gone = outcome.status == 410
    next_at: datetime | None = None
    exhausted = False
    if not succeeded and not gone:
        delay = _delay(config, tries)
        if delay is None:
            exhausted = True
        else:
            if outcome.retry_after is not None:
                delay = min(outcome.retry_after, 86400.0)
            next_at = now + timedelta(seconds=delay)
    status = "succeeded" if succeeded else ("pending" if next_at is not None else "failed")
    error = outcome.error
    if not succeeded and error is None and outcome.status is not None:
        error = f"HTTP {outcome.status}"
    attempt = {
        "workspace_id": d["workspace_id"],
        "id": uuid7(),
        "delivery_id": d["id"],
        "webhook_id": d["webhook_id"],
        "attempt": attempt_no,
        "started_at": started,
        "duration_ms": outcome.duration_ms,
        "request_headers": signing.masked(headers),
        "response_status": outcome.status,
        "response_body": outcome.body,
        "error": error,
        "next_attempt_at": next_at,
    }
    finish = {
        "workspace_id": d["workspace_id"],
        "id": d["id"],
        "status": status,
        "attempts": attempt_no,
        "tries": tries,
        "next_attempt_at": next_at or decode.ts(d["next_attempt_at"]),
        "last_attempt_at": started,
        "response_status": outcome.status,
        "error": error,
        "completed_at": None if status == "pending" else now,
    }
    return Result(hook, attempt, finish, succeeded, exhausted, gone, next_at)


async def attempt(sender: Sender, hook: Webhook, d: Row, config: WebhookConfig) -> Result:
    """Send delivery ``d`` once and judge the answer (nothing is written here)."""
    attempt_no = int(d["attempts"]) + 1
    headers = attempt_headers(hook, d, attempt_no)
    started = clock.now()
    outcome = await sender.post(hook.target_url, d["body"].encode(), headers)
    return judge(hook, d, outcome, headers, started, config)


async def disable(conn: Conn, hook: Webhook, reason: str, now: datetime) -> bool:
    """Disable ``hook`` and write a ``webhook.disabled`` event, once."""
    changed = await repo.set_status_if(
        conn,
        hook.workspace_id,
        hook.id,
        status="disabled",
        reason=reason,
        unless="disabled",
        now=now,
    )
    if changed:
        await queue.park(conn, hook.workspace_id, hook.id, None)
        record = hook.to_dict()
        record.update(status="disabled", statusReason=reason, updatedAt=clock.iso(now))
        event = outbox.make(
            "webhook",
            "disabled",
            record,
            SYSTEM,
            changes=["status", "statusReason"],
            previous={"status": hook.status, "statusReason": hook.status_reason},
        )
        await outbox.write(conn, hook.workspace_id, [event])
        log.warning("Webhook %s disabled: %s", hook.id, reason)
    return changed


async def record(
    conn: Conn, owner: uuid.UUID, results: list[Result], config: WebhookConfig
) -> set[tuple[uuid.UUID, uuid.UUID]]:
    """Write ``results`` in the caller's transaction; the webhooks whose state changed."""
    now = clock.now()
    await queue.insert_attempts(conn, [r.attempt for r in results])
    await queue.finish(conn, owner, [r.finish for r in results])
    touched: set[tuple[uuid.UUID, uuid.UUID]] = set()
    last: dict[tuple[uuid.UUID, uuid.UUID], Result] = {}
    failed: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for r in results:
        key = (r.hook.workspace_id, r.hook.id)
        hook = r.hook
        if r.gone:
            touched.add(key)
            await disable(conn, hook, "The receiver answered 410 Gone.", now)
        elif not r.succeeded:
            failed.add(key)
            if hook.failing_since is None:
                await repo.mark_failing(conn, key[0], key[1], now)
                touched.add(key)
            elif hook.failing_since <= now - timedelta(seconds=config.disable_after):
                since = clock.iso(hook.failing_since)
                touched.add(key)
                await disable(
                    conn, hook, f"Deliveries have failed continuously since {since}.", now
                )
            if r.exhausted and hook.status == "active":
                touched.add(key)
                await repo.set_status_if(
                    conn,
                    key[0],
                    key[1],
                    status="degraded",
                    reason="A delivery failed after its last retry.",
                    unless="disabled",
                    now=now,
                )
        last[key] = r
    for key, r in last.items():
        unhealthy = r.hook.failing_since is not None or r.hook.status == "degraded"
        if r.succeeded and (unhealthy or key in failed):
            touched.add(key)
            await repo.mark_healthy(conn, key[0], key[1], now)
    return touched

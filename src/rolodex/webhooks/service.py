"""The webhook service: managing webhooks, reading the delivery log, replaying deliveries.

Every interface (REST, the Attio form, the CLI) goes through here, on the
caller's connection and transaction.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit

from rolodex.config import COUNT_LIMIT
from rolodex.kit import clock, decode
from rolodex.kit.db import Conn, Row
from rolodex.kit.effects import AfterCommit
from rolodex.kit.errors import Conflict, NotFound, ValidationError
from rolodex.kit.ids import parse_uuid, uuid7
from rolodex.kit.lru import LRU
from rolodex.metadata.registry import Registry
from rolodex.webhooks import attio as attio_rules
from rolodex.webhooks import catalogue, delivery_log, fanout, queue
from rolodex.webhooks import repository as repo
from rolodex.webhooks.config import WebhookConfig
from rolodex.webhooks.delivery_log import LogPage
from rolodex.webhooks.schemas import Webhook, from_row, parse_input
from rolodex.webhooks.sender import check_target

EXTRA_OBJECTS = ("webhook", "field", "object")  # event sources beyond the registry's objects
DELIVERY_STATUSES = ("pending", "succeeded", "failed")
# Per workspace, bounded: a dropped entry is one outbox scan again.
_seen_types: LRU[uuid.UUID, tuple[float, list[str]]] = LRU(1000)


def _ts(value: Any) -> str | None:
    t = decode.ts(value)
    return clock.iso(t) if t is not None else None


def attempt_to_dict(row: Row) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "attempt": row["attempt"],
        "startedAt": _ts(row["started_at"]),
        "durationMs": row["duration_ms"],
        "requestHeaders": decode.json(row["request_headers"]),
        "responseStatus": row["response_status"],
        "responseBody": row["response_body"],
        "error": row["error"],
        "nextAttemptAt": _ts(row["next_attempt_at"]),
    }


def delivery_to_dict(row: Row, attempts: list[Row]) -> dict[str, Any]:
    pending = row["status"] == "pending"
    return {
        "id": str(row["id"]),
        "webhookId": str(row["webhook_id"]),
        "eventId": str(row["event_id"]),
        "eventType": row["event_type"],
        "object": row["object_name"],
        "recordId": str(row["record_id"]) if row["record_id"] is not None else None,
        "status": row["status"],
        "attempts": row["attempts"],
        "responseStatus": row["response_status"],
        "error": row["error"],
        "createdAt": _ts(row["created_at"]),
        "lastAttemptAt": _ts(row["last_attempt_at"]),
        "nextAttemptAt": _ts(row["next_attempt_at"]) if pending else None,
        "completedAt": _ts(row["completed_at"]),
        "body": row["body"],
        "attemptLog": [attempt_to_dict(a) for a in attempts],
    }


MAX_GRACE = 2_592_000  # 30 days, in seconds


class WebhookSignals(Protocol):
    """What the webhook dispatcher of this process is told after a webhook change."""

    def forget_webhooks(self) -> None: ...

    def wake(self) -> None: ...


class WebhookService:
    """Webhooks of one workspace.

    In a session that writes (``after_commit`` given), the dispatcher's
    ``signals`` are sent once the change commits: a changed secret or URL is
    used from the next delivery in this process (other processes re-read
    webhooks within a second), and new work is picked up at once.
    """

    def __init__(
        self,
        conn: Conn,
        registry: Registry,
        workspace_id: uuid.UUID,
        config: WebhookConfig | None = None,
        *,
        after_commit: AfterCommit | None = None,
        signals: WebhookSignals | None = None,
    ) -> None:
        self.conn = conn
        self.registry = registry
        self.ws = workspace_id
        self.config = config or WebhookConfig()
        if after_commit is not None and signals is not None:
            after_commit(signals.forget_webhooks)
            after_commit(signals.wake)

    @property
    def objects(self) -> list[str]:
        return [*self.registry.objects, *EXTRA_OBJECTS]

    # -- webhooks -------------------------------------------------------------
    async def get(self, webhook_id: Any) -> Webhook:
        wid = parse_uuid(webhook_id, field="webhookId")
        row = await repo.get_webhook(self.conn, self.ws, wid)
        if row is None:
            raise NotFound(f"No webhook with id {wid}.", field="webhookId")
        return from_row(row)

    async def page(self, limit: int, offset: int) -> tuple[list[Webhook], int]:
        rows = await repo.list_webhooks(self.conn, self.ws, limit, offset)
        return [from_row(r) for r in rows], await repo.count_webhooks(self.conn, self.ws)

    async def create(self, body: Any, *, attio: bool = False) -> Webhook:
        """Create from a JSON body in the REST (camelCase) or Attio (``{"data": ...}``) form."""
        values = parse_input(body, self.objects, creating=True, attio=attio).given()
        await check_target(values["target_url"], "targetUrl")
        if attio:
            await self._unique(values["target_url"], values.get("subscriptions"), None)
        now = clock.now()
        name = values.get("name") or urlsplit(values["target_url"]).hostname or "webhook"
        row = {
            "workspace_id": self.ws,
            "id": uuid7(),
            "name": name,
            "description": values.get("description") or "",
            "target_url": values["target_url"],
            "subscriptions": values.get("subscriptions"),
            "format": values.get("format") or "rolodex",
            "status": values.get("status") or "active",
            "status_reason": None,
            "secret": values["secret"],
            "previous_secret": None,
            "previous_secret_until": None,
            "failing_since": None,
            "created_at": now,
            "updated_at": now,
        }
        await repo.insert_webhook(self.conn, row)
        return await self.get(row["id"])

    async def update(self, webhook_id: Any, body: Any, *, attio: bool = False) -> Webhook:
        """Change what a JSON body (REST or Attio form, as ``create``) names."""
        values = parse_input(body, self.objects, creating=False, attio=attio).given()
        hook = await self.get(webhook_id)
        if "target_url" in values:
            await check_target(values["target_url"], "targetUrl")
        if attio and ("target_url" in values or "subscriptions" in values):
            subs = values.get("subscriptions", hook.subscriptions)
            await self._unique(values.get("target_url", hook.target_url), subs, hook.id)
        if "status" in values and values["status"] != hook.status:
            values["status_reason"] = None
            if values["status"] == "active":
                values["failing_since"] = None
        if values:
            now = values["updated_at"] = clock.now()
            await repo.update_webhook(self.conn, self.ws, hook.id, values)
            if values.get("status") == "disabled" and hook.status != "disabled":
                await queue.park(self.conn, self.ws, hook.id, None)
            elif values.get("status") == "active" and hook.status == "disabled":
                await queue.park(self.conn, self.ws, hook.id, now)
                await repo.notify(self.conn, "rolodex_deliveries")
        return await self.get(hook.id)

    async def _unique(self, target_url: str, subscriptions: Any, own: uuid.UUID | None) -> None:
        """Attio's rule, on its form only: a (target URL, event type, filter) once a workspace.

        A 409 ``uniqueness_conflict`` otherwise, within the request too.
        """
        wanted = attio_rules.subscription_keys(target_url, subscriptions)
        if not wanted:
            return
        if len(set(wanted)) < len(wanted):
            raise Conflict(
                "The same event type and filter are given twice for this target URL.",
                field="subscriptions",
            )
        taken: set[Any] = set()
        offset = 0
        while True:
            rows = await repo.list_webhooks(self.conn, self.ws, 500, offset)
            for row in rows:
                other = from_row(row)
                if other.id != own and other.target_url == target_url:
                    taken.update(
                        attio_rules.subscription_keys(other.target_url, other.subscriptions)
                    )
            if len(rows) < 500:
                break
            offset += 500
        for i, key in enumerate(wanted):
            if key in taken:
                raise Conflict(
                    f"Another webhook already sends {key[1]} with this filter to this target URL.",
                    field=f"subscriptions[{i}]",
                )

    async def delete(self, webhook_id: Any) -> Webhook:
        hook = await self.get(webhook_id)
        await repo.delete_webhook(self.conn, self.ws, hook.id)
        return hook

    async def rotate_secret(
        self, webhook_id: Any, secret: str | None, grace: float | None
    ) -> Webhook:
        """A new secret; the old one keeps signing for ``grace`` seconds (default 24 h)."""
        from rolodex.webhooks import signing

        if grace is not None and (
            isinstance(grace, bool)
            or not isinstance(grace, int | float)
            or not 0 <= grace <= MAX_GRACE
        ):
            raise ValidationError(
                f"graceSeconds must be between 0 and {MAX_GRACE}", field="graceSeconds"
            )
        hook = await self.get(webhook_id)
        new = signing.check_secret(secret) if secret is not None else signing.generate_secret()
        grace = self.config.secret_grace if grace is None else grace
        now = clock.now()
        values = {
            "secret": new,
            "previous_secret": hook.secret if grace > 0 else None,
            "previous_secret_until": now + timedelta(seconds=grace) if grace > 0 else None,
            "updated_at": now,
        }
        await repo.update_webhook(self.conn, self.ws, hook.id, values)
        return await self.get(hook.id)

    # -- the event catalogue --------------------------------------------------
    async def event_types(self) -> list[dict[str, Any]]:
        cached = _seen_types.get(self.ws)
        if cached is None or time.monotonic() - cached[0] > 60:
            # A scan of the workspace's outbox, so it is cached for a minute.
            cached = (time.monotonic(), await repo.event_types(self.conn, self.ws))
            _seen_types[self.ws] = cached
        return catalogue.event_types(self.registry, cached[1])

    # -- the delivery log -----------------------------------------------------
    async def deliveries(
        self,
        webhook_id: Any,
        status: str | None,
        limit: int,
        offset: int,
        event_type: str | None = None,
        count_limit: int = COUNT_LIMIT,
    ) -> LogPage[dict[str, Any]]:
        """A page of a webhook's deliveries, newest first, by status and event type
        (the name the delivery was made under, such as ``person.changed``), and their
        total, exact up to ``count_limit`` (``LogPage``)."""
        hook = await self.get(webhook_id)
        if status is not None and status not in DELIVERY_STATUSES:
            raise ValidationError(
                f"status must be one of {', '.join(DELIVERY_STATUSES)}", field="status"
            )
        if event_type is not None and (len(event_type) > 200 or "." not in event_type):
            raise ValidationError(
                "eventType names one event, such as person.created", field="eventType"
            )
        rows, total, exact = await delivery_log.list_for_webhook(
            self.conn, self.ws, hook.id, status, limit, offset, event_type, count_limit
        )
        attempts = await delivery_log.attempts_for(self.conn, self.ws, [r["id"] for r in rows])
        by_delivery: dict[str, list[Row]] = {}
        for a in attempts:
            by_delivery.setdefault(str(a["delivery_id"]), []).append(a)
        items = [delivery_to_dict(r, by_delivery.get(str(r["id"]), [])) for r in rows]
        return LogPage(items, total, exact)

    async def delivery(self, webhook_id: Any, delivery_id: Any) -> dict[str, Any]:
        hook = await self.get(webhook_id)
        did = parse_uuid(delivery_id, field="deliveryId")
        row = await delivery_log.get(self.conn, self.ws, hook.id, did)
        if row is None:
            raise NotFound(f"No delivery {did} for webhook {hook.id}.", field="deliveryId")
        attempts = await delivery_log.attempts_for(self.conn, self.ws, [row["id"]])
        return delivery_to_dict(row, list(attempts))

    async def resend(self, webhook_id: Any, delivery_id: Any) -> dict[str, Any]:
        """Send a delivery again, same body, from the start of the schedule."""
        current = await self.delivery(webhook_id, delivery_id)
        await queue.requeue(
            self.conn,
            self.ws,
            uuid.UUID(current["webhookId"]),
            uuid.UUID(current["id"]),
            clock.now(),
        )
        await repo.notify(self.conn, "rolodex_deliveries")
        return await self.delivery(webhook_id, delivery_id)

    async def recover(self, webhook_id: Any, since: datetime, until: datetime | None) -> int:
        """Requeue the failed deliveries created between ``since`` and ``until`` (now)."""
        hook = await self.get(webhook_id)
        now = clock.now()
        count = await queue.recover(self.conn, self.ws, hook.id, since, until or now, now)
        if count:
            await repo.notify(self.conn, "rolodex_deliveries")
        return count

    async def test(self, webhook_id: Any, event_type: str | None) -> dict[str, Any]:
        """Queue a sample event for this webhook (whatever its subscriptions)."""
        from rolodex.webhooks.matching import check_event_type

        hook = await self.get(webhook_id)
        name = check_event_type(event_type or "person.created", "eventType", self.objects)
        obj_name, _, action = name.partition(".")
        if "*" in name or obj_name not in self.registry.objects:
            raise ValidationError(
                "eventType must name one event of an object, such as person.created",
                field="eventType",
            )
        obj = self.registry.objects[obj_name]
        sample = catalogue.sample_event(obj, action)
        record = sample["record"]
        now = clock.now()
        event = {
            "id": str(uuid.uuid4()),
            "type": name,
            "object_name": obj_name,
            "record_id": record["id"],
            "occurred_at": clock.iso(now),
            "actor": {"type": "system", "id": None, "name": "Rolodex test"},
            "record": record,
            "data": record,
            "changes": sample["changes"],
            "previous": sample["previous"],
            "seq": None,
        }
        _, body = fanout.render_for(hook, event, name, self.registry)
        row = fanout.delivery_row(hook, event, name, body, now, self.config)
        row["record_id"] = None  # a test is outside any record's order
        row["next_attempt_at"] = now
        await queue.insert(self.conn, [row])
        await repo.notify(self.conn, "rolodex_deliveries")
        return await self.delivery(hook.id, row["id"])

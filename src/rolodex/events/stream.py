"""A live stream of a workspace's events as Server-Sent Events.

``GET /rest/events/stream`` sends each event as one SSE message: ``id`` is
the event's sequence number, ``event`` the name it matched (``person.changed``
for a subscription to ``changed``), and ``data`` the body a webhook with the
``rolodex`` format would receive, byte for byte. ``Last-Event-ID`` (or
``?since=``) resumes after a dropped connection; without either the stream
starts at the current end.

Sequence numbers are taken at insert, so a transaction may commit an event
with a lower number after one with a higher number was sent. Each read looks
back over a window of recent numbers and skips those already sent, so such a
late event is still delivered, once.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import sqlalchemy as sa
from starlette.responses import StreamingResponse

from rolodex.api.rest.http import Context, endpoint
from rolodex.auth.scopes import Scope
from rolodex.kit import clock
from rolodex.kit.db import Conn
from rolodex.kit.errors import BadRequest
from rolodex.metadata.storage import event
from rolodex.webhooks import matching
from rolodex.webhooks.fanout import embed, prepare, render_for
from rolodex.webhooks.repository import decode_json
from rolodex.webhooks.schemas import Webhook

POLL = 0.25
KEEPALIVE = 15.0
BATCH = 200
LOOKBACK = 1000  # how far behind the newest sent number a late commit is still caught
LISTEN_ID = uuid.UUID(int=0)


def _subscriptions(raw: str | None) -> list[dict[str, Any]] | None:
    if not raw:
        return None
    names = [n.strip() for n in raw.split(",") if n.strip()]
    for name in names:
        if name.count(".") != 1 and name != "*":
            raise BadRequest(
                f"events takes names such as person.created or person.*, not {name!r}",
                field="events",
            )
    return [{"eventType": n, "filter": None} for n in names]


def _listener(workspace_id: uuid.UUID, subscriptions: list[dict[str, Any]] | None) -> Webhook:
    """A stand-in webhook, so the stream renders exactly what a webhook would get."""
    now = clock.now()
    return Webhook(
        workspace_id=workspace_id,
        id=LISTEN_ID,
        name="listen",
        description="",
        target_url="",
        subscriptions=subscriptions,
        format="rolodex",
        status="active",
        status_reason=None,
        secret="",
        previous_secret=None,
        previous_secret_until=None,
        failing_since=None,
        created_at=now,
        updated_at=now,
    )


async def _read(conn: Conn, workspace_id: uuid.UUID, after: int) -> list[dict[str, Any]]:
    t = event
    sql = conn.db.sql(
        "events.stream",
        lambda: (
            sa.select(t)
            .where(t.c.workspace_id == sa.bindparam("ws"), t.c.seq > sa.bindparam("after"))
            .order_by(t.c.seq)
            .limit(BATCH)
        ),
    )
    rows = []
    for r in await conn.fetch(sql, {"ws": workspace_id, "after": after}):
        item = dict(r)
        for key in ("actor", "record", "changes", "previous"):
            item[key] = decode_json(item[key])
        rows.append(item)
    return rows


async def _end(conn: Conn, workspace_id: uuid.UUID) -> int:
    sql = conn.db.sql(
        "events.stream_end",
        lambda: sa.select(sa.func.max(event.c.seq)).where(
            event.c.workspace_id == sa.bindparam("ws")
        ),
    )
    return int(await conn.fetchval(sql, {"ws": workspace_id}) or 0)


async def messages(
    ctx: Context, since: int | None, subscriptions: list[dict[str, Any]] | None
) -> AsyncIterator[bytes]:
    ws = ctx.workspace_id
    hook = _listener(ws, subscriptions)
    async with ctx.session() as s:
        start = cursor = await _end(s.conn, ws) if since is None else since
    sent: set[int] = set()
    last_write = time.monotonic()
    yield b": connected\n\n"
    while not await ctx.request.is_disconnected():
        async with ctx.session() as s:
            after = max(start, cursor - LOOKBACK)
            rows = [r for r in await _read(s.conn, ws, after) if r["seq"] not in sent]
            registry = s.registry
            events = [prepare(r) for r in rows]
            await embed(s.conn, registry, ws, events)
        for ev in events:
            seq = int(ev["seq"])
            sent.add(seq)
            cursor = max(cursor, seq)
            built: dict[str, tuple[dict[str, Any], str]] = {}

            def payload(
                name: str,
                ev: dict[str, Any] = ev,
                built: dict[str, Any] = built,
                registry: Any = registry,
            ) -> Any:
                if name not in built:
                    built[name] = render_for(hook, ev, name, registry)
                return built[name][0]

            name = matching.match(hook.subscriptions, ev["type"], payload)
            if name is None:
                continue
            payload(name)
            body = built[name][1]
            yield f"id: {seq}\nevent: {name}\ndata: {body}\n\n".encode()
            last_write = time.monotonic()
        sent = {s for s in sent if s > cursor - LOOKBACK}
        if time.monotonic() - last_write > KEEPALIVE:
            yield b": keep-alive\n\n"
            last_write = time.monotonic()
        if len(rows) < BATCH:
            await asyncio.sleep(POLL)


async def stream(ctx: Context) -> StreamingResponse:
    """Events as they happen: ``events`` filters (``person.*``), ``since`` or
    ``Last-Event-ID`` resumes."""
    subscriptions = _subscriptions(ctx.request.query_params.get("events"))
    raw = ctx.request.headers.get("last-event-id") or ctx.request.query_params.get("since")
    since: int | None = None
    if raw:
        if not raw.isdigit():
            raise BadRequest("Last-Event-ID and since take an event sequence number", field="since")
        since = int(raw)
    return StreamingResponse(
        messages(ctx, since, subscriptions),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def routes() -> list[Any]:
    from starlette.routing import Route

    return [Route("/rest/events/stream", endpoint(Scope.WEBHOOK_READ, stream), methods=["GET"])]

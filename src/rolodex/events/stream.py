"""A live stream of a workspace's events as Server-Sent Events.

``GET /rest/events/stream`` sends each event as one SSE message: ``id`` is
the event's sequence number, ``event`` the name it matched (``person.changed``
for a subscription to ``changed``), and ``data`` the body a webhook with the
``rolodex`` format would receive, byte for byte (``webhooks/listener.py``
renders it; this module is the HTTP side). ``Last-Event-ID`` (or
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
from collections.abc import AsyncIterator
from typing import Any

from starlette.responses import StreamingResponse

from rolodex.api.rest.http import Context, endpoint
from rolodex.auth.scopes import Scope
from rolodex.kit.errors import BadRequest
from rolodex.webhooks.listener import Listener

POLL = 0.25
KEEPALIVE = 15.0
BATCH = 200
LOOKBACK = 1000  # how far behind the newest sent number a late commit is still caught


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


async def messages(
    ctx: Context, since: int | None, subscriptions: list[dict[str, Any]] | None
) -> AsyncIterator[bytes]:
    state, ws = ctx.state, ctx.workspace_id
    listener = Listener(ws, subscriptions)
    async with state.db.connect() as conn:
        start = cursor = await listener.end(conn) if since is None else since
    sent: set[int] = set()
    last_write = time.monotonic()
    yield b": connected\n\n"
    while not await ctx.request.is_disconnected():
        async with state.db.connect() as conn:
            after = max(start, cursor - LOOKBACK)
            registry = await state.registries.get(conn, ws)
            events = await listener.read(conn, registry, after, BATCH, skip=sent)
        for ev in events:
            seq = int(ev["seq"])
            sent.add(seq)
            cursor = max(cursor, seq)
            message = listener.message(ev, registry)
            if message is None:
                continue
            name, body = message
            yield f"id: {seq}\nevent: {name}\ndata: {body}\n\n".encode()
            last_write = time.monotonic()
        sent = {s for s in sent if s > cursor - LOOKBACK}
        if time.monotonic() - last_write > KEEPALIVE:
            yield b": keep-alive\n\n"
            last_write = time.monotonic()
        if len(events) < BATCH:
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

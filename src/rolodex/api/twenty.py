"""The Twenty dialect: ``/twenty/rest/...`` and ``/twenty/graphql`` speak Twenty's shapes.

A client written for Twenty is configured with a base URL and a key; giving
it ``https://host/twenty`` as the base is the whole change on its side. The
prefix is stripped and the request served by the usual routes, with its
body and its ``filter=`` / ``order_by=`` put in our shapes on the way in, and
records and errors put in Twenty's on the way out (records/twenty.py). GET
by id and list mark their response as already in Twenty's shapes (they
shape their records before the one encode, ``records.twenty.SHAPED``), and
it is sent as it is, never parsed. The
envelopes (``{data: {people: [...]}, pageInfo, totalCount}``,
``{data: {createPerson: {...}}}``) are already Twenty's. GraphQL is served
as it is: its schema is generated per workspace and Twenty's GraphQL
clients are generated from it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rolodex.kit.jsonutil import dumps, loads
from rolodex.records import twenty

PREFIX = "/twenty"
# Routes under /rest/ that are not records: their bodies are the same in both dialects.
NOT_RECORDS = frozenset({"metadata", "webhooks", "open-api", "openapi", "keys", "workspaces"})
MAX_BODY = 64 * 1024 * 1024  # the largest response rewritten; bigger ones pass as they are


def _plural(path: str) -> str:
    """The record route's object (``people``), or "" for any other route."""
    parts = path.split("/")
    plural = parts[2] if len(parts) > 2 and parts[1] == "rest" else ""
    if plural == "batch" and len(parts) > 3:  # /rest/batch/people
        plural = parts[3]
    return "" if plural in NOT_RECORDS else plural


class TwentyDialect:
    """ASGI middleware serving ``/twenty/...`` through the app in Twenty's shapes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == PREFIX or path.startswith(PREFIX + "/")):
            await self.app(scope, receive, send)
            return
        inner = path[len(PREFIX) :] or "/"
        if inner.startswith("/graphql"):
            await self.app(_moved(scope, inner), receive, send)
            return
        plural = _plural(inner)
        scope = _moved(scope, inner)
        if plural:
            scope[twenty.DIALECT] = True
        query = scope.get("query_string", b"").decode("latin-1")
        if query and plural:
            pairs = [
                (k, twenty.query_in(plural, v) if k in ("filter", "order_by") else v)
                for k, v in parse_qsl(query, keep_blank_values=True)
            ]
            scope["query_string"] = urlencode(pairs).encode("latin-1")
        if scope["method"] in ("POST", "PATCH", "PUT"):
            receive = await _rewritten_body(receive, plural)
        await self.app(scope, receive, _Rewriter(send, scope, records=bool(plural)).send)


def _moved(scope: Scope, path: str) -> Scope:
    out = dict(scope)
    out["path"] = path
    out["raw_path"] = path.encode()
    return out


async def _rewritten_body(receive: Receive, plural: str) -> Receive:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    raw = b"".join(chunks)
    try:
        body = dumps(twenty.record_in(plural, loads(raw))) if raw and plural else raw
    except ValueError:
        body = raw  # not JSON: the route answers its usual 400
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


class _Rewriter:
    """Buffers a JSON response and sends it in Twenty's shapes."""

    def __init__(self, send: Send, scope: Scope, *, records: bool) -> None:
        self.downstream = send
        self.scope = scope
        self.records = records
        self.start: Message | None = None
        self.chunks: list[bytes] = []
        self.size = 0
        self.passing = False

    async def send(self, message: Message) -> None:
        if self.passing:
            await self.downstream(message)
            return
        if message["type"] == "http.response.start":
            if message["status"] < 400 and self.scope.get(twenty.SHAPED):
                # The route wrote Twenty's shapes itself (records/routes.py).
                self.passing = True
                await self.downstream(message)
                return
            headers = dict(message.get("headers", []))
            if not headers.get(b"content-type", b"").startswith(b"application/json"):
                self.passing = True
                await self.downstream(message)
                return
            self.start = message
            return
        if message["type"] != "http.response.body" or self.start is None:
            await self.downstream(message)
            return
        self.chunks.append(message.get("body", b""))
        self.size += len(self.chunks[-1])
        if self.size > MAX_BODY:
            self.passing = True
            await self.downstream(self.start)
            await self.downstream(
                {"type": "http.response.body", "body": b"".join(self.chunks), "more_body": True}
            )
            return
        if message.get("more_body"):
            return
        status = self.start["status"]
        raw = b"".join(self.chunks)
        try:
            data: Any = loads(raw)
            if status >= 400:
                raw = dumps(twenty.error_out(status, data))
            elif self.records:
                raw = dumps(twenty.record_out(data))
        except ValueError:
            pass
        kept = [(k, v) for k, v in self.start.get("headers", []) if k != b"content-length"]
        kept.append((b"content-length", str(len(raw)).encode()))
        await self.downstream({**self.start, "headers": kept})
        await self.downstream({"type": "http.response.body", "body": raw})

"""Idempotency-Key on writes: the same key and body within the window gets the stored answer.

A POST, PATCH, PUT or DELETE (REST, and GraphQL over POST) that carries an
``Idempotency-Key`` header is fingerprinted (SHA-256 of method, path, query
string and body). Keys belong to a workspace and an API key:

- unknown key: the key is claimed as pending (its own short transaction),
  the request runs, and its response (status, headers, body) is recorded;
- known key, same fingerprint, done: the recorded response is sent again,
  with ``Idempotent-Replayed: true``, and nothing runs (one read by primary
  key, no write);
- known key, another fingerprint: 422; still pending: 409.

Responses of 5xx and 429, and requests that raise, release the key so it
can be retried: their work did not happen, or rolled back with the error.

Why the record is not in the work's own transaction: the work's
transactions are opened by the handlers (a GraphQL request commits one per
root field, an import many), so the record could join them only if every
handler took part. Writing it after the work has committed keeps the
promise that matters: a response is never recorded for work that did not
commit. The gap left is a crash between the work's commit and the record:
the key then stays pending, so its retries get 409, never a second run,
until it expires.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from rolodex.auth.schemas import Principal
from rolodex.idempotency import repository
from rolodex.kit import jsonutil
from rolodex.kit.errors import BadRequest, Conflict, PayloadTooLarge, RolodexError

HEADER = "idempotency-key"
REPLAYED = (b"idempotent-replayed", b"true")
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
MAX_KEY_LENGTH = 255
# Headers not recorded: the length is recomputed, the rate-limit ones belong
# to the request that gets them.
_SKIPPED = frozenset({b"content-length", b"date", b"server", b"set-cookie"})


class KeyReused(RolodexError):
    status = 422
    code = "IDEMPOTENCY_KEY_REUSED"


class KeyInFlight(Conflict):
    code = "IDEMPOTENCY_KEY_IN_FLIGHT"


def wanted(request: Request) -> bool:
    """Whether this request asks for idempotency (a write with the header)."""
    return request.method in WRITE_METHODS and HEADER in request.headers


async def guarded(
    state: Any, principal: Principal, request: Request, run: Callable[[], Awaitable[Response]]
) -> Response:
    """``run()``'s response, or the one recorded for this request's key.

    ``run`` renders its own errors as responses; one that raises releases the
    key and the exception goes on.
    """
    key = _key(request.headers[HEADER])
    settings = state.settings
    body = await _read_body(request, settings.max_body_bytes)
    fingerprint = _fingerprint(request, body)
    ws, key_id = principal.workspace_id, principal.key.id
    now = int(time.time())
    db = state.db
    async with db.connect() as conn:
        row = await repository.find(conn, ws, key_id, key, now)
    if row is None:
        values = {
            "workspace_id": ws,
            "api_key_id": key_id,
            "key": key,
            "fingerprint": fingerprint,
            "state": "pending",
            "created_at": now,
            "expires_at": now + int(settings.idempotency_hours * 3600),
        }
        async with db.transaction() as conn:
            claimed = await repository.claim(conn, values)
            if not claimed:
                row = await repository.find(conn, ws, key_id, key, now)
    if row is not None:
        return _answer(row, fingerprint)
    try:
        response = await run()
    except BaseException:
        async with db.transaction() as conn:
            await repository.release(conn, ws, key_id, key)
        raise
    async with db.transaction() as conn:
        if response.status_code >= 500 or response.status_code == 429:
            await repository.release(conn, ws, key_id, key)
        else:
            await repository.finish(
                conn, ws, key_id, key, **_recorded(response, settings.idempotency_max_bytes)
            )
    return response


def _answer(row: Any, fingerprint: str) -> Response:
    if row["fingerprint"] != fingerprint:
        raise KeyReused(
            "This Idempotency-Key was used with another request (method, path or body); "
            "send a new key for a new request.",
            field="Idempotency-Key",
        )
    if row["state"] != "done":
        raise KeyInFlight(
            "A request with this Idempotency-Key is still in progress (or ended without "
            "an answer); retry later, or read the result back.",
            field="Idempotency-Key",
        )
    if not row["stored"]:
        raise KeyInFlight(
            f"The request with this Idempotency-Key was done (status {row['status']}), but "
            "its response was too large to keep; read the result back.",
            field="Idempotency-Key",
            originalStatus=row["status"],
        )
    response = Response(row["body"].encode(), status_code=row["status"])
    response.raw_headers = [
        (k.encode("latin-1"), v.encode("latin-1"))
        for k, v in jsonutil.loads(row["headers"] or "[]")
    ]
    response.raw_headers.append(REPLAYED)
    response.raw_headers.append((b"content-length", str(len(response.body)).encode()))
    return response


def _recorded(response: Response, limit: int) -> dict[str, Any]:
    """The columns that record ``response`` (its body only within ``limit`` bytes)."""
    body: bytes | None = getattr(response, "body", None)  # streamed responses have none
    text = None
    if body is not None and len(body) <= limit:
        try:
            text = body.decode()
        except UnicodeDecodeError:
            text = None
    headers = [
        [k.decode("latin-1"), v.decode("latin-1")]
        for k, v in response.raw_headers
        if k not in _SKIPPED
    ]
    return {
        "status": response.status_code,
        "headers": jsonutil.dumps(headers).decode(),
        "body": text,
        "stored": text is not None,
    }


def _key(raw: str) -> str:
    if not 1 <= len(raw) <= MAX_KEY_LENGTH or not all(33 <= ord(c) <= 126 for c in raw):
        raise BadRequest(
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} visible ASCII characters "
            "(a UUID, say).",
            field="Idempotency-Key",
        )
    return raw


async def _read_body(request: Request, limit: int) -> bytes:
    """The whole body within ``limit`` bytes, kept on the request for its handler."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
        chunks.append(chunk)
    body = b"".join(chunks)
    # Starlette's Request serves a read body from here to stream() and body().
    request._body = body
    return body


def _fingerprint(request: Request, body: bytes) -> str:
    digest = hashlib.sha256()
    scope = request.scope
    for part in (scope["method"].encode(), scope["path"].encode(), scope.get("query_string", b"")):
        digest.update(part)
        digest.update(b"\0")
    digest.update(body)
    return digest.hexdigest()

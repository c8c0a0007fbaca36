"""The idempotency store on a real database: a request that fails releases its key, a 5xx
is not recorded, and expired keys are purged in bounded batches by the workspace's new keys."""

from __future__ import annotations

import asyncio
import time
import uuid
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response

from rolodex.config import Settings
from rolodex.idempotency import repository, service
from rolodex.kit.db import Database
from rolodex.kit.tables import idempotency_key


def _request(body: bytes, key: str = "k") -> Request:
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/rest/people",
        "query_string": b"",
        "headers": [(b"idempotency-key", key.encode()), (b"content-type", b"application/json")],
    }
    return Request(scope, receive)


def _run(db_url: str, work: Any) -> Any:
    async def main() -> Any:
        db = Database(db_url, pool_size=2)
        await db.open()
        try:
            state = SimpleNamespace(db=db, settings=Settings(database_url=db_url))
            principal = SimpleNamespace(
                workspace_id=uuid.uuid4(), key=SimpleNamespace(id=uuid.uuid4())
            )
            return await work(db, state, principal)
        finally:
            await db.close()

    return asyncio.run(main())


def test_a_failed_request_releases_its_key(db_url: str) -> None:
    calls: list[int] = []

    async def work(db: Database, state: Any, principal: Any) -> list[int]:
        async def boom() -> Response:
            calls.append(1)
            raise RuntimeError("the work failed")

        async def server_error() -> Response:
            calls.append(2)
            return Response(b"{}", status_code=503)

        async def ok() -> Response:
            calls.append(3)
            return Response(b'{"ok":true}', status_code=201, media_type="application/json")

        with pytest.raises(RuntimeError):
            await service.guarded(state, principal, _request(b"{}"), boom)
        assert (
            await service.guarded(state, principal, _request(b"{}"), server_error)
        ).status_code == 503
        first = await service.guarded(state, principal, _request(b"{}"), ok)
        again = await service.guarded(state, principal, _request(b"{}"), ok)
        assert first.status_code == again.status_code == 201
        assert (b"idempotent-replayed", b"true") in again.raw_headers
        assert again.body == b'{"ok":true}'
        return calls

    # Each failure let the next attempt run; the success ran once.
    assert _run(db_url, work) == [1, 2, 3]


def test_expired_keys_are_purged_in_bounded_batches(db_url: str) -> None:
    async def work(db: Database, state: Any, principal: Any) -> tuple[int, int]:
        ws, kid = principal.workspace_id, principal.key.id
        now = int(time.time())
        rows = [
            {
                "workspace_id": ws,
                "api_key_id": kid,
                "key": f"old-{i}",
                "fingerprint": "x",
                "state": "done",
                "created_at": now - 90_000,
                "expires_at": now - 3_600,
            }
            for i in range(250)
        ]
        other = uuid.uuid4()
        rows.append({**rows[0], "workspace_id": other})  # another workspace's: not ours to purge
        async with db.transaction() as conn:
            await conn.executemany(db.compile(sa.insert(idempotency_key)), rows)
        count = sa.select(sa.func.count()).select_from(idempotency_key)
        for i in range(2):
            async with db.transaction() as conn:
                fresh = {**rows[0], "key": f"new-{i}", "state": "pending", "expires_at": now + 60}
                fresh["created_at"] = now
                assert await repository.claim(conn, fresh)
        async with db.connect() as conn:
            mine = await conn.fetchval(
                db.compile(count.where(idempotency_key.c.workspace_id == ws)), {}
            )
            theirs = await conn.fetchval(
                db.compile(count.where(idempotency_key.c.workspace_id == other)), {}
            )
        return int(mine), int(theirs)

    # 250 expired, two new keys each purging at most 100: 50 expired and 2 new remain.
    assert _run(db_url, work) == (52, 1)

"""Plain factory functions for tests: workspaces, keys, records, and database peeks."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx

from rolodex.auth import service as auth
from rolodex.auth.scopes import parse_scopes
from rolodex.kit.db import Conn, Database

T = TypeVar("T")


def run_db(db_url: str, work: Callable[[Conn], Awaitable[T]], *, write: bool = True) -> T:
    """Run ``work`` on its own connection to ``db_url`` (outside any server)."""

    async def main() -> T:
        db = Database(db_url, pool_size=1)
        await db.open()
        try:
            opener = db.transaction() if write else db.connect()
            async with opener as conn:
                return await work(conn)
        finally:
            await db.close()

    return asyncio.run(main())


def make_workspace(db_url: str, name: str | None = None) -> uuid.UUID:
    return run_db(db_url, lambda c: auth.create_workspace(c, name or f"ws-{uuid.uuid4().hex[:8]}"))


def make_key(
    db_url: str,
    scopes: list[str] | None = None,
    workspace: uuid.UUID | None = None,
    name: str = "test key",
) -> str:
    """A key's secret; in the default workspace unless ``workspace`` is given."""

    async def work(conn: Conn) -> str:
        ws = workspace or (await auth.ensure_default_workspace(conn))[0]
        granted = parse_scopes(scopes) if scopes is not None else None
        _, secret = await auth.create_key(conn, ws, name, granted)
        return secret

    return run_db(db_url, work)


def http(base_url: str, key: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(base_url=base_url, headers=headers, timeout=30)


def create(client: httpx.Client, plural: str, **fields: Any) -> dict[str, Any]:
    """Create a record over REST and return it (asserting a 201)."""
    r = client.post(f"/rest/{plural}", json=fields)
    assert r.status_code == 201, r.text
    data = r.json()["data"]
    return next(iter(data.values()))  # type: ignore[no-any-return]


def person(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    fields.setdefault("name", "Ada Lovelace")
    return create(client, "people", **fields)


def company(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    fields.setdefault("name", "Acme Corp")
    return create(client, "companies", **fields)


def events(db_url: str, record_id: str | None = None) -> list[dict[str, Any]]:
    """Outbox rows (all, or one record's), oldest first, with JSON decoded."""
    import sqlalchemy as sa

    from rolodex.kit.jsonutil import loads
    from rolodex.metadata.storage import event

    async def work(conn: Conn) -> list[dict[str, Any]]:
        stmt = sa.select(event).order_by(event.c.occurred_at, event.c.id)
        rows = await conn.fetch(conn.db.compile(stmt), {})
        out = []
        for r in rows:
            item = dict(r)
            for k in ("actor", "record", "changes", "previous"):
                if isinstance(item[k], str):
                    item[k] = loads(item[k])
            item["record_id"] = str(item["record_id"])
            out.append(item)
        return out

    rows = run_db(db_url, work, write=False)
    return [r for r in rows if record_id is None or r["record_id"] == record_id]


async def fanned_out_events(conn: Conn, workspace: uuid.UUID, count: int = 20_000) -> None:
    """``count`` events of people, already fanned out, inserted by PostgreSQL itself:
    what a busy workspace's outbox holds, for query-plan tests."""
    raw: Any = conn.raw
    await raw.execute(
        "INSERT INTO event (workspace_id, id, type, object_name, record_id,"
        " occurred_at, fanned_out)"
        " SELECT $1, gen_random_uuid(), 'person.created', 'person',"
        " gen_random_uuid(), now(), true FROM generate_series(1, $2::int)",
        workspace,
        count,
    )

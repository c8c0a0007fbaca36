"""SQL for reading the delivery log: a webhook's deliveries newest first, their attempts,
one delivery. The queue's writes stay in queue.py."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Generic, NamedTuple, TypeVar

import sqlalchemy as sa

from rolodex.config import COUNT_LIMIT
from rolodex.kit.db import Conn, Row
from rolodex.webhooks.repository import ID, WS, attempt, delivery


def _log_filter(status: bool, event_type: bool = False) -> list[Any]:
    t = delivery
    where = [t.c.workspace_id == WS, t.c.webhook_id == sa.bindparam("wid")]
    if status:
        where.append(t.c.status == sa.bindparam("status"))
    if event_type:
        where.append(t.c.event_type == sa.bindparam("event_type"))
    return where


T = TypeVar("T")


class LogPage(NamedTuple, Generic[T]):
    """A page of the delivery log, its total, and whether the total is exact (else a
    lower bound: the log was counted only so far)."""

    items: list[T]
    total: int
    exact: bool


async def list_for_webhook(
    conn: Conn,
    ws: uuid.UUID,
    webhook_id: uuid.UUID,
    status: str | None,
    limit: int,
    offset: int,
    event_type: str | None = None,
    count_limit: int = COUNT_LIMIT,
) -> LogPage[Row]:
    """A page of a webhook's delivery log, newest first, and how many it holds: exactly
    up to ``count_limit`` (and past the page), else that many and more."""
    t = delivery
    has = status is not None
    typed = event_type is not None
    page = conn.db.sql(
        ("wq.log", has, typed),
        lambda: (
            sa.select(t)
            .where(*_log_filter(has, typed))
            .order_by(t.c.created_at.desc(), t.c.id.desc())
            .limit(sa.bindparam("limit"))
            .offset(sa.bindparam("offset"))
        ),
    )
    # Counted up to a bound, through the log's index: a webhook's deliveries grow
    # without end (until the retention purge), and an exact count read them all.
    count = conn.db.sql(
        ("wq.log_count", has, typed),
        lambda: sa.select(sa.func.count()).select_from(
            sa.select(sa.literal_column("1"))
            .select_from(t)
            .where(*_log_filter(has, typed))
            .limit(sa.bindparam("cap"))
            .subquery("bounded_")
        ),
    )
    cap = max(count_limit, offset + limit) + 1
    params: dict[str, Any] = {"ws": ws, "wid": webhook_id, "limit": limit, "offset": offset}
    if has:
        params["status"] = status
    if typed:
        params["event_type"] = event_type
    rows = await conn.fetch(page, params)
    total = int(await conn.fetchval(count, {**params, "cap": cap}) or 0)
    return LogPage(rows, total, total < cap)


async def attempts_for(conn: Conn, ws: uuid.UUID, delivery_ids: Sequence[Any]) -> list[Row]:
    if not delivery_ids:
        return []
    t = attempt
    n = len(delivery_ids)
    sql = conn.db.sql(
        ("wq.attempts", n),
        lambda: (
            sa.select(t)
            .where(
                t.c.workspace_id == WS,
                t.c.delivery_id.in_([sa.bindparam(f"d{i}") for i in range(n)]),
            )
            .order_by(t.c.delivery_id, t.c.attempt)
        ),
    )
    return await conn.fetch(sql, {"ws": ws, **{f"d{i}": d for i, d in enumerate(delivery_ids)}})


async def get(
    conn: Conn, ws: uuid.UUID, webhook_id: uuid.UUID, delivery_id: uuid.UUID
) -> Row | None:
    t = delivery
    sql = conn.db.sql(
        "wq.get",
        lambda: sa.select(t).where(
            t.c.workspace_id == WS, t.c.webhook_id == sa.bindparam("wid"), t.c.id == ID
        ),
    )
    return await conn.fetchrow(sql, {"ws": ws, "wid": webhook_id, "id": delivery_id})

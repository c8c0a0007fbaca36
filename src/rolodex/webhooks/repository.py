"""SQL for webhooks, their deliveries and attempts, and the outbox's fan-out columns.

Management statements are scoped to one workspace. The dispatcher's claims
(``claim_events``, ``claim_deliveries``) scan every workspace by design, on
the two partial indexes that are not led by ``workspace_id``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from rolodex.kit import decode
from rolodex.kit.db import Conn, Row
from rolodex.kit.tables import event, webhook
from rolodex.kit.tables import webhook_attempt as attempt
from rolodex.kit.tables import webhook_delivery as delivery

WS: Any = sa.bindparam("ws")
ID: Any = sa.bindparam("id")
FANOUT_LOCK = 0x726F6C6F64657801  # pg advisory lock key: one fan-out at a time


# -- webhooks -----------------------------------------------------------------
async def insert_webhook(conn: Conn, row: dict[str, Any]) -> None:
    await conn.execute(conn.db.sql("wh.insert", lambda: sa.insert(webhook)), row)


async def get_webhook(conn: Conn, ws: uuid.UUID, webhook_id: uuid.UUID) -> Row | None:
    t = webhook
    sql = conn.db.sql("wh.get", lambda: sa.select(t).where(t.c.workspace_id == WS, t.c.id == ID))
    return await conn.fetchrow(sql, {"ws": ws, "id": webhook_id})


async def list_webhooks(conn: Conn, ws: uuid.UUID, limit: int, offset: int) -> list[Row]:
    t = webhook
    sql = conn.db.sql(
        "wh.list",
        lambda: (
            sa.select(t)
            .where(t.c.workspace_id == WS)
            .order_by(t.c.created_at, t.c.id)
            .limit(sa.bindparam("limit"))
            .offset(sa.bindparam("offset"))
        ),
    )
    return await conn.fetch(sql, {"ws": ws, "limit": limit, "offset": offset})


async def count_webhooks(conn: Conn, ws: uuid.UUID) -> int:
    t = webhook
    sql = conn.db.sql(
        "wh.count", lambda: sa.select(sa.func.count()).select_from(t).where(t.c.workspace_id == WS)
    )
    return int(await conn.fetchval(sql, {"ws": ws}) or 0)


async def live_webhooks(conn: Conn, ws: uuid.UUID) -> list[Row]:
    """The webhooks of ``ws`` that receive events (active or degraded)."""
    t = webhook
    sql = conn.db.sql(
        "wh.live",
        lambda: (
            sa.select(t)
            .where(t.c.workspace_id == WS, t.c.status != "disabled")
            .order_by(t.c.created_at, t.c.id)
        ),
    )
    return await conn.fetch(sql, {"ws": ws})


async def all_webhook_keys(conn: Conn) -> list[Row]:
    """Every webhook's (workspace_id, id): the retention purge walks them."""
    t = webhook
    sql = conn.db.sql("wh.keys", lambda: sa.select(t.c.workspace_id, t.c.id))
    return await conn.fetch(sql, {})


async def update_webhook(
    conn: Conn, ws: uuid.UUID, webhook_id: uuid.UUID, values: dict[str, Any]
) -> None:
    t = webhook
    names = tuple(sorted(values))
    sql = conn.db.sql(
        ("wh.update", names),
        lambda: (
            sa.update(t)
            .where(t.c.workspace_id == WS, t.c.id == ID)
            .values({n: sa.bindparam(f"v_{n}") for n in names})
        ),
    )
    await conn.execute(sql, {"ws": ws, "id": webhook_id, **{f"v_{n}": values[n] for n in names}})


async def set_status_if(
    conn: Conn,
    ws: uuid.UUID,
    webhook_id: uuid.UUID,
    *,
    status: str,
    reason: str | None,
    unless: str,
    now: datetime,
) -> bool:
    """Set ``status`` unless the webhook already has status ``unless``; whether it changed."""
    t = webhook
    sql = conn.db.sql(
        "wh.status_if",
        lambda: (
            sa.update(t)
            .where(t.c.workspace_id == WS, t.c.id == ID, t.c.status != sa.bindparam("unless"))
            .values(
                status=sa.bindparam("status"),
                status_reason=sa.bindparam("reason"),
                updated_at=sa.bindparam("now"),
            )
        ),
    )
    params = {"ws": ws, "id": webhook_id, "status": status, "reason": reason}
    return await conn.execute(sql, {**params, "unless": unless, "now": now}) > 0


async def mark_failing(conn: Conn, ws: uuid.UUID, webhook_id: uuid.UUID, now: datetime) -> None:
    t = webhook
    sql = conn.db.sql(
        "wh.failing",
        lambda: (
            sa.update(t)
            .where(t.c.workspace_id == WS, t.c.id == ID, t.c.failing_since.is_(None))
            .values(failing_since=sa.bindparam("now"))
        ),
    )
    await conn.execute(sql, {"ws": ws, "id": webhook_id, "now": now})


async def mark_healthy(conn: Conn, ws: uuid.UUID, webhook_id: uuid.UUID, now: datetime) -> None:
    """A success ends a failing streak; a degraded webhook is active again."""
    t = webhook
    sql = conn.db.sql(
        "wh.healthy",
        lambda: (
            sa.update(t)
            .where(
                t.c.workspace_id == WS,
                t.c.id == ID,
                sa.or_(t.c.failing_since.is_not(None), t.c.status == "degraded"),
            )
            .values(
                failing_since=None,
                status=sa.case((t.c.status == "degraded", "active"), else_=t.c.status),
                status_reason=sa.case((t.c.status == "degraded", None), else_=t.c.status_reason),
                updated_at=sa.bindparam("now"),
            )
        ),
    )
    await conn.execute(sql, {"ws": ws, "id": webhook_id, "now": now})


async def delete_webhook(conn: Conn, ws: uuid.UUID, webhook_id: uuid.UUID) -> int:
    """Delete a webhook with its deliveries and their attempts."""
    count = 0
    for table, key in ((attempt, "webhook_id"), (delivery, "webhook_id"), (webhook, "id")):
        sql = conn.db.sql(("wh.delete", table.name), _deleter(table, key))
        count = await conn.execute(sql, {"ws": ws, "id": webhook_id})
    return count


def _deleter(table: sa.Table, key: str) -> Any:
    return lambda: sa.delete(table).where(table.c.workspace_id == WS, table.c[key] == ID)


# -- events -------------------------------------------------------------------
async def try_fan_out_lock(conn: Conn) -> bool:
    """PostgreSQL: take the transaction-scoped fan-out lock if nobody holds it.

    One fan-out at a time keeps deliveries of one record created in sequence
    order even with several workers (SKIP LOCKED alone could let a later
    batch commit first).
    """
    if conn.sqlite:
        return True
    sql = conn.db.sql(
        "wh.fanout_lock", lambda: sa.select(sa.func.pg_try_advisory_xact_lock(FANOUT_LOCK))
    )
    return bool(await conn.fetchval(sql, {}))


# What a claim reads of each event: not its documents (a record of 100 custom
# fields is 5 KB), which only workspaces with webhooks need (``event_documents``).
# For a batch of 1,000 such people in a workspace with none, reading them cost
# PostgreSQL the documents' decompression and output and the dispatcher their parse.
_CLAIMED = "seq, id, workspace_id, type, object_name, record_id, occurred_at"
DOCUMENTS = ("actor", "record", "changes", "previous")


def _claim_events_sql(sqlite: bool) -> Any:
    if sqlite:
        return sa.text(
            f"SELECT {_CLAIMED} FROM event WHERE fanned_out = 0 ORDER BY seq LIMIT :limit"
        )
    return sa.text(
        f"SELECT {_CLAIMED} FROM event WHERE NOT fanned_out ORDER BY seq LIMIT :limit"
        " FOR UPDATE SKIP LOCKED"
    )


async def claim_events(conn: Conn, limit: int) -> list[dict[str, Any]]:
    """Unprocessed events of every workspace, oldest sequence first, without their
    documents (``event_documents`` reads them)."""
    rows = await conn.fetch(
        conn.db.sql("wh.claim_events", lambda: _claim_events_sql(conn.sqlite)), {"limit": limit}
    )
    return [dict(r) for r in rows]


async def event_documents(
    conn: Conn, ws: uuid.UUID, seqs: Sequence[int]
) -> dict[int, dict[str, Any]]:
    """The documents (actor, record, changes, previous) of a workspace's events, by
    number, JSON decoded; through the stream index (``workspace_id``, ``seq``)."""

    def build() -> Any:
        cols = ", ".join(DOCUMENTS)
        if conn.sqlite:
            return sa.text(
                f"SELECT seq, {cols} FROM event WHERE workspace_id = :ws"
                " AND seq IN (SELECT value FROM json_each(:seqs))"
            )
        return sa.text(
            f"SELECT seq, {cols} FROM event WHERE workspace_id = :ws"
            " AND seq = ANY(CAST(:seqs AS bigint[]))"
        )

    out: dict[int, dict[str, Any]] = {}
    params = {"ws": ws, "seqs": list(seqs)}  # a JSON array on SQLite, as every list is
    for r in await conn.fetch(conn.db.sql("wh.event_documents", build), params):
        out[int(r["seq"])] = {key: decode.json(r[key]) for key in DOCUMENTS}
    return out


async def has_unfanned_events(conn: Conn) -> bool:
    """Whether any event waits to be fanned out.

    Ordered by ``seq`` so that only the partial fan-out index can answer it:
    without the order, a planner with no statistics for ``event`` (never
    analyzed, autovacuum off) guessed that most events are waiting and
    scanned the whole table for one, 6.6 ms at 15,000 events and growing
    with every event ever written.
    """

    def build() -> Any:
        if conn.sqlite:
            return sa.text("SELECT 1 FROM event WHERE fanned_out = 0 ORDER BY seq LIMIT 1")
        return sa.text("SELECT 1 FROM event WHERE NOT fanned_out ORDER BY seq LIMIT 1")

    return await conn.fetchval(conn.db.sql("wh.has_events", build), {}) is not None


async def mark_fanned_out(conn: Conn, events: Sequence[dict[str, Any]]) -> None:
    """Mark the claimed ``events`` (rows of ``claim_events``) fanned out.

    On PostgreSQL one statement for the batch, through the fan-out index
    (``NOT fanned_out``, ``seq``), which holds only the few waiting events;
    the id check keeps it exact. It was one statement per event.
    """
    if not events:
        return
    t = event
    if conn.sqlite:
        sql = conn.db.sql(
            "wh.fanned",
            lambda: (
                sa.update(t).where(t.c.workspace_id == WS, t.c.id == ID).values(fanned_out=True)
            ),
        )
        await conn.executemany(sql, [{"ws": e["workspace_id"], "id": e["id"]} for e in events])
        return
    sql = conn.db.sql(
        "wh.fanned_set",
        lambda: sa.text(
            "UPDATE event SET fanned_out = true WHERE NOT fanned_out"
            " AND seq = ANY(CAST(:seqs AS bigint[])) AND id = ANY(CAST(:ids AS uuid[]))"
        ),
    )
    await conn.execute(sql, {"seqs": [e["seq"] for e in events], "ids": [e["id"] for e in events]})


async def event_types(conn: Conn, ws: uuid.UUID) -> list[str]:
    t = event
    sql = conn.db.sql(
        "wh.event_types", lambda: sa.select(t.c.type).where(t.c.workspace_id == WS).distinct()
    )
    return sorted(str(r["type"]) for r in await conn.fetch(sql, {"ws": ws}))


async def notify(conn: Conn, channel: str) -> None:
    """PostgreSQL: wake listening workers when this transaction commits."""
    if conn.sqlite:
        return
    sql = conn.db.sql(("wh.notify", channel), lambda: sa.select(sa.func.pg_notify(channel, "")))
    await conn.fetch(sql, {})

"""SQL for the delivery queue: creating, claiming, finishing, listing and purging deliveries.

A delivery is one (event, webhook) pair with its body serialised once. It is
``pending`` until it succeeds or its schedule is exhausted; a worker leases it
(``locked_until``, ``lease_owner``) while sending, and a lease that expires
without a result lets another worker take it over.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from rolodex.kit.db import Conn, Row
from rolodex.kit.recordset import recordset, recordset_insert, recordset_select
from rolodex.webhooks.repository import ID, WS, attempt, delivery

# Due, unleased, not saturated in this process, with no earlier pending
# delivery about the same record (per-record order: a later event waits while
# an earlier one is retried), of a webhook that is not disabled. The inner scan
# takes the most overdue first, in the order of the due index (status,
# next_attempt_at), so it walks that index and stops after :scan rows, sorting
# nothing. Without the order, a planner whose statistics said that most
# deliveries were due (a backlog of retries, autovacuum behind) walked the
# record index or the table instead, reading every delivery scheduled for
# later: 22.6 ms at 40,000 against the due ones alone. A disabled webhook's
# deliveries are parked (due in year 9999) so they never crowd the scan.
_CLAIM = """
UPDATE webhook_delivery SET locked_until = :until, lease_owner = :owner
WHERE (workspace_id, id) IN (
  SELECT workspace_id, id FROM (
    SELECT c.workspace_id, c.id, c.next_attempt_at,
           row_number() OVER (PARTITION BY c.webhook_id
                              ORDER BY c.next_attempt_at, c.event_seq) AS rn
    FROM (
      SELECT d.workspace_id, d.id, d.webhook_id, d.next_attempt_at, d.event_seq
      FROM webhook_delivery d
      WHERE d.status = 'pending' AND d.next_attempt_at <= :now
        AND (d.locked_until IS NULL OR d.locked_until < :now)
        AND {busy}
        AND NOT EXISTS (
          SELECT 1 FROM webhook_delivery e
          WHERE e.workspace_id = d.workspace_id AND e.webhook_id = d.webhook_id
            AND e.object_name = d.object_name AND e.record_id = d.record_id
            AND e.status = 'pending' AND e.event_seq < d.event_seq)
      ORDER BY d.next_attempt_at
      LIMIT :scan
      {lock}
    ) c
    WHERE EXISTS (
      SELECT 1 FROM webhook w
      WHERE w.workspace_id = c.workspace_id AND w.id = c.webhook_id AND w.status <> 'disabled')
  ) ranked
  WHERE ranked.rn <= :per_webhook
  ORDER BY ranked.next_attempt_at
  LIMIT :limit
)
RETURNING *
"""

PARKED = datetime(9999, 1, 1, tzinfo=UTC)


def _claim_sql(sqlite: bool) -> Any:
    if sqlite:  # one writer at a time: the transaction's lock is the claim's lock
        busy = "d.webhook_id NOT IN (SELECT value FROM json_each(:busy))"
        return sa.text(_CLAIM.format(busy=busy, lock=""))
    busy = "d.webhook_id::text NOT IN (SELECT jsonb_array_elements_text(CAST(:busy AS jsonb)))"
    return sa.text(_CLAIM.format(busy=busy, lock="FOR UPDATE OF d SKIP LOCKED"))


async def claim(
    conn: Conn,
    *,
    now: datetime,
    until: datetime,
    owner: uuid.UUID,
    limit: int,
    per_webhook: int,
    busy: Sequence[str] = (),
) -> list[Row]:
    """Lease up to ``limit`` due deliveries (at most ``per_webhook`` per webhook)."""
    sql = conn.db.sql("wq.claim", lambda: _claim_sql(conn.sqlite))
    params = {
        "now": now,
        "until": until,
        "owner": owner,
        "busy": list(busy),
        "scan": limit * 4,
        "per_webhook": per_webhook,
        "limit": limit,
    }
    rows = await conn.fetch(sql, params)
    return sorted(rows, key=lambda r: (str(r["next_attempt_at"]), r["event_seq"] or 0))


async def park(conn: Conn, ws: uuid.UUID, webhook_id: uuid.UUID, now: datetime | None) -> None:
    """Park a disabled webhook's pending deliveries (``now`` None) or release them at ``now``."""
    t = delivery
    parking = now is None
    sql = conn.db.sql(
        ("wq.park", parking),
        lambda: (
            sa.update(t)
            .where(
                t.c.workspace_id == WS,
                t.c.webhook_id == ID,
                t.c.status == "pending",
                t.c.next_attempt_at != sa.bindparam("parked")
                if parking
                else t.c.next_attempt_at == sa.bindparam("parked"),
            )
            .values(next_attempt_at=sa.bindparam("at"))
        ),
    )
    params = {"ws": ws, "id": webhook_id, "parked": PARKED, "at": PARKED if parking else now}
    await conn.execute(sql, params)


async def analyze(conn: Conn) -> None:
    """PostgreSQL: refresh the queue's statistics after a burst, so claims keep their plan."""
    if not conn.sqlite:
        await conn.raw.execute("ANALYZE webhook_delivery")


_COLUMNS = tuple(c.name for c in delivery.columns)


async def insert(conn: Conn, rows: Sequence[dict[str, Any]]) -> None:
    """Insert new deliveries; on PostgreSQL a chunk of them is one statement."""
    if len(rows) > 1 and not conn.sqlite:
        sql = conn.db.sql("wq.insert_set", lambda: recordset_insert(delivery, _COLUMNS))
        await conn.execute(sql, recordset(delivery, _COLUMNS, rows))
        return
    sql = conn.db.sql("wq.insert", lambda: sa.insert(delivery))
    if len(rows) == 1:
        await conn.execute(sql, rows[0])
    else:
        await conn.executemany(sql, rows)


async def extend(
    conn: Conn, owner: uuid.UUID, keys: Sequence[tuple[Any, Any]], until: datetime
) -> None:
    """Heartbeat: keep the leases of deliveries this worker is still sending."""
    t = delivery
    sql = conn.db.sql(
        "wq.extend",
        lambda: (
            sa.update(t)
            .where(t.c.workspace_id == WS, t.c.id == ID, t.c.lease_owner == sa.bindparam("owner"))
            .values(locked_until=sa.bindparam("until"))
        ),
    )
    await conn.executemany(
        sql, [{"ws": w, "id": i, "owner": owner, "until": until} for w, i in keys]
    )


async def lease(
    conn: Conn,
    owner: uuid.UUID,
    ws: uuid.UUID,
    delivery_id: uuid.UUID,
    now: datetime,
    until: datetime,
) -> bool:
    """Lease one pending delivery unless another worker holds it; whether it did."""
    t = delivery
    sql = conn.db.sql(
        "wq.lease",
        lambda: (
            sa.update(t)
            .where(
                t.c.workspace_id == WS,
                t.c.id == ID,
                t.c.status == "pending",
                sa.or_(t.c.locked_until.is_(None), t.c.locked_until < sa.bindparam("now")),
            )
            .values(locked_until=sa.bindparam("until"), lease_owner=sa.bindparam("owner"))
        ),
    )
    params = {"ws": ws, "id": delivery_id, "now": now, "until": until, "owner": owner}
    return await conn.execute(sql, params) > 0


async def release(conn: Conn, owner: uuid.UUID, keys: Sequence[tuple[Any, Any]]) -> None:
    """Give back leases unsent (on shutdown), so another worker takes them at once."""
    t = delivery
    sql = conn.db.sql(
        "wq.release",
        lambda: (
            sa.update(t)
            .where(t.c.workspace_id == WS, t.c.id == ID, t.c.lease_owner == sa.bindparam("owner"))
            .values(locked_until=None, lease_owner=None)
        ),
    )
    await conn.executemany(sql, [{"ws": w, "id": i, "owner": owner} for w, i in keys])


_FINISH_FIELDS = (
    "status",
    "attempts",
    "tries",
    "next_attempt_at",
    "last_attempt_at",
    "response_status",
    "error",
    "completed_at",
)
_FINISH_COLUMNS = ("workspace_id", "id", *_FINISH_FIELDS)


async def finish(conn: Conn, owner: uuid.UUID, rows: Sequence[dict[str, Any]]) -> None:
    """Record attempts' outcomes on their deliveries, if this worker still holds them.

    On PostgreSQL many outcomes are one ``UPDATE ... FROM unnest(...)``: the
    statements one by one were most of the dispatcher's PostgreSQL time while
    1,000 webhooks took every create (docs/performance.md, "Many webhooks").
    """
    t = delivery
    if len(rows) > 1 and not conn.sqlite:

        def build() -> Any:
            new = recordset_select(t, _FINISH_COLUMNS).subquery("new_")
            return (
                sa.update(t)
                .where(
                    t.c.workspace_id == new.c.workspace_id,
                    t.c.id == new.c.id,
                    t.c.lease_owner == sa.bindparam("owner"),
                )
                .values(
                    locked_until=None,
                    lease_owner=None,
                    **{f: new.c[f] for f in _FINISH_FIELDS},
                )
            )

        sql = conn.db.sql("wq.finish_set", build)
        await conn.execute(sql, {"owner": owner, **recordset(t, _FINISH_COLUMNS, rows)})
        return
    sql = conn.db.sql(
        "wq.finish",
        lambda: (
            sa.update(t)
            .where(t.c.workspace_id == WS, t.c.id == ID, t.c.lease_owner == sa.bindparam("owner"))
            .values(
                locked_until=None,
                lease_owner=None,
                **{f: sa.bindparam(f"v_{f}") for f in _FINISH_FIELDS},
            )
        ),
    )
    params = [
        {"ws": r["workspace_id"], "id": r["id"], "owner": owner}
        | {f"v_{f}": r[f] for f in _FINISH_FIELDS}
        for r in rows
    ]
    await conn.executemany(sql, params)


async def insert_attempts(conn: Conn, rows: Sequence[dict[str, Any]]) -> None:
    """Insert attempt rows; on PostgreSQL many of them are one statement."""
    if len(rows) > 1 and not conn.sqlite:
        columns = tuple(rows[0])
        sql = conn.db.sql(("wq.attempt_set", columns), lambda: recordset_insert(attempt, columns))
        await conn.execute(sql, recordset(attempt, columns, rows))
        return
    await conn.executemany(conn.db.sql("wq.attempt", lambda: sa.insert(attempt)), rows)


# -- the delivery log ---------------------------------------------------------
def _requeue_values() -> dict[str, Any]:
    # Dropping the lease makes an attempt still in flight unable to record its
    # outcome over the requeued delivery (finish checks the owner), so a resend
    # asked for mid-attempt is never swallowed by that attempt's success.
    return {
        "status": "pending",
        "tries": 0,
        "next_attempt_at": sa.bindparam("now"),
        "completed_at": None,
        "lease_owner": None,
        "locked_until": None,
    }


async def requeue(
    conn: Conn, ws: uuid.UUID, webhook_id: uuid.UUID, delivery_id: uuid.UUID, now: datetime
) -> int:
    """Send a delivery again from the start of its schedule (its body unchanged)."""
    t = delivery
    sql = conn.db.sql(
        "wq.requeue",
        lambda: (
            sa.update(t)
            .where(t.c.workspace_id == WS, t.c.webhook_id == sa.bindparam("wid"), t.c.id == ID)
            .values(_requeue_values())
        ),
    )
    return await conn.execute(sql, {"ws": ws, "wid": webhook_id, "id": delivery_id, "now": now})


async def recover(
    conn: Conn,
    ws: uuid.UUID,
    webhook_id: uuid.UUID,
    since: datetime,
    until: datetime,
    now: datetime,
) -> int:
    """Requeue the failed deliveries created in [since, until)."""
    t = delivery
    sql = conn.db.sql(
        "wq.recover",
        lambda: (
            sa.update(t)
            .where(
                t.c.workspace_id == WS,
                t.c.webhook_id == sa.bindparam("wid"),
                t.c.created_at >= sa.bindparam("since"),
                t.c.created_at < sa.bindparam("until"),
                t.c.status == "failed",
            )
            .values(_requeue_values())
        ),
    )
    params = {"ws": ws, "wid": webhook_id, "since": since, "until": until, "now": now}
    return await conn.execute(sql, params)


async def purge(conn: Conn, ws: uuid.UUID, webhook_id: uuid.UUID, before: datetime) -> int:
    """Delete finished deliveries (and their attempts) created before ``before``."""
    d, a = delivery, attempt
    old = [
        d.c.workspace_id == WS,
        d.c.webhook_id == ID,
        d.c.created_at < sa.bindparam("before"),
        d.c.status != "pending",
    ]
    attempts_sql = conn.db.sql(
        "wq.purge_attempts",
        lambda: sa.delete(a).where(
            a.c.workspace_id == WS,
            a.c.webhook_id == ID,
            a.c.delivery_id.in_(sa.select(d.c.id).where(*old).scalar_subquery()),
        ),
    )
    deliveries_sql = conn.db.sql("wq.purge", lambda: sa.delete(d).where(*old))
    params = {"ws": ws, "id": webhook_id, "before": before}
    await conn.execute(attempts_sql, params)
    return await conn.execute(deliveries_sql, params)

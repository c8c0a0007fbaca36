"""The statistics keeper: ANALYZE (and VACUUM) the tables that changed a lot, without autovacuum.

PostgreSQL plans from the statistics ANALYZE gathers. A table seeded from
nothing, or grown by a large import, keeps the statistics of what it was
until autovacuum gets to it: with its default settings that is after 10% of
the table changed and a free worker came by, which may be minutes on a busy
server, and never where autovacuum is off. Until then the planner guesses
(for example that ``deleted_at IS NULL`` matches 0.5% of the rows, which
makes every partial index of live records look tiny).

Every ``interval`` seconds, one process of those sharing the database (an
advisory lock picks it) looks in ``pg_stat_user_tables`` for tables whose
rows changed since their last analyze by more than ``max(1000, 10%)`` of
their size, and analyzes them. That is one cheap catalogue read when
nothing changed. SQLite has nothing to keep: Rolodex never runs its ANALYZE,
so its planner always uses the schema's indexes by their shape.

The same turn VACUUMs tables whose dead rows passed the same threshold. The
outbox is the one that needs it: every event is updated once when it is
fanned out, and the fan-out index (``NOT fanned_out``, ``seq``) keeps an
entry for each old version until a VACUUM removes it, so without one every
fan-out reads past the entries of every event since, and the table holds two
versions of each.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from typing import Any

import asyncpg

from rolodex.kit.db import Database

log = logging.getLogger("rolodex.analyze")

DEFAULT_SECONDS = 30.0
# A table is analyzed once this many rows changed, and this share of its size.
MIN_CHANGES, SHARE = 1000, 0.1
# pg_try_advisory_xact_lock key: "rolodex analyze" (any constant shared by processes).
LOCK_KEY = 0x524F4C_414E41


def _past_threshold(counter: str) -> str:
    """The tables whose ``pg_stat_user_tables`` ``counter`` passed the threshold."""
    return f"""
SELECT s.relname
FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
WHERE s.schemaname = current_schema()
  AND s.{counter} > greatest($1::float8, $2::float8 * c.reltuples)
ORDER BY s.{counter} DESC
"""


_CANDIDATES = _past_threshold("n_mod_since_analyze")
_DEAD = _past_threshold("n_dead_tup")


def interval_from_env() -> float:
    """``ROLODEX_ANALYZE_SECONDS`` (default 30); 0 turns the keeper off."""
    raw = os.environ.get("ROLODEX_ANALYZE_SECONDS", str(DEFAULT_SECONDS))
    try:
        return max(0.0, float(raw))
    except ValueError:
        raise SystemExit("ROLODEX_ANALYZE_SECONDS must be a number") from None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def analyze_changed(db: Database) -> list[str]:
    """ANALYZE each table that changed past the threshold; the tables analyzed.

    Returns at once, analyzing nothing, when another process holds the turn.
    """
    if db.sqlite:
        return []
    async with db.transaction() as conn:
        raw: Any = conn.raw
        if not await raw.fetchval("SELECT pg_try_advisory_xact_lock($1)", LOCK_KEY):
            return []
        # A table autovacuum is working on is skipped, not waited for.
        await raw.execute("SET LOCAL lock_timeout = '2s'")
        done = []
        for table in [r[0] for r in await raw.fetch(_CANDIDATES, MIN_CHANGES, SHARE)]:
            try:
                async with raw.transaction():  # a savepoint: one table's failure is its own
                    # ANALYZE samples a bounded number of rows (30,000 by default),
                    # so a large table costs about as much as a small one.
                    await raw.execute(f"ANALYZE {_quote(table)}")
            except asyncpg.LockNotAvailableError:
                continue
            done.append(table)
    return done


async def vacuum_dead(db: Database) -> list[str]:
    """VACUUM each table whose dead rows passed the threshold; the tables vacuumed.

    VACUUM cannot run inside a transaction, so the turn is a session lock on
    a plain connection, given back before the connection is.
    """
    if db.sqlite:
        return []
    done = []
    async with db.connect() as conn:
        raw: Any = conn.raw
        if not await raw.fetchval("SELECT pg_try_advisory_lock($1)", LOCK_KEY + 1):
            return []
        try:
            await raw.execute("SET lock_timeout = '2s'")
            for table in [r[0] for r in await raw.fetch(_DEAD, MIN_CHANGES, SHARE)]:
                try:
                    await raw.execute(f"VACUUM {_quote(table)}")
                except asyncpg.LockNotAvailableError:
                    continue
                done.append(table)
        finally:
            await raw.execute("RESET lock_timeout")
            await raw.fetchval("SELECT pg_advisory_unlock($1)", LOCK_KEY + 1)
    return done


class StatisticsKeeper:
    """A background task that runs ``analyze_changed`` every ``interval`` seconds."""

    def __init__(self, db: Database, interval: float | None = None) -> None:
        self.db = db
        self.interval = interval_from_env() if interval is None else interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.interval > 0 and not self.db.sqlite and self._task is None:
            self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                tables = await analyze_changed(self.db)
                vacuumed = await vacuum_dead(self.db)
            except Exception:  # e.g. not the tables' owner: plans stay as good as autovacuum's
                log.exception("Could not refresh table statistics")
                continue
            if tables:
                log.info("Analyzed %s", ", ".join(tables))
            if vacuumed:
                log.info("Vacuumed %s", ", ".join(vacuumed))

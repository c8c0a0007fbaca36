"""SQL of the import job that the record repository has no reason to hold."""

from __future__ import annotations

import sqlalchemy as sa

from rolodex.kit.db import Conn


async def analyze(conn: Conn, table: str) -> None:
    """Refresh PostgreSQL's planner statistics of ``table`` (see ``LocalBackend.analyze``)."""
    sql = conn.db.sql(("import.analyze", table), lambda: sa.text(f'ANALYZE "{table}"'))
    await conn.execute(sql)

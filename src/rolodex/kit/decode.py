"""Values read from the database, decoded the same way on both dialects.

PostgreSQL (asyncpg) returns ``uuid.UUID``, ``datetime`` and decoded JSONB;
SQLite returns text for all three (timestamps as ``clock.iso`` strings, JSON
as its text). Every repository and row mapper decodes through these, so the
difference is handled once.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from rolodex.kit import clock
from rolodex.kit.jsonutil import loads


def uid(value: Any) -> uuid.UUID:
    """A stored UUID."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def ts(value: Any) -> datetime | None:
    """A stored timestamp (``None`` stays ``None``)."""
    if value is None or isinstance(value, datetime):
        return value
    return clock.parse_datetime(value, field="timestamp")


def iso(value: Any) -> str | None:
    """A stored timestamp as the API writes it (``clock.iso``); SQLite's text is that already."""
    if value is None or isinstance(value, str):
        return value
    return clock.iso(value)


def json(value: Any) -> Any:
    """A stored JSON value: SQLite's text parsed, PostgreSQL's JSONB as it came."""
    return loads(value) if isinstance(value, str) else value

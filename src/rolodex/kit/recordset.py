"""A batch of rows as one statement parameter (PostgreSQL's ``jsonb_to_recordset``).

Records and their outbox events are inserted a batch at a time with these
(records/repository.py, events/outbox.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

_PG = pg.dialect()


def recordset_select(table: sa.Table, columns: Sequence[str], name: str = "rows") -> Any:
    """``SELECT columns FROM jsonb_to_recordset(:name)`` typed as ``table``'s columns.

    ``:name`` is a JSON array of objects keyed by column (``recordset``);
    PostgreSQL converts each value with the column's own input function, so
    one parameter carries a whole batch, in array order. A table with
    ``jsonb`` columns takes the batch as ``jsonb`` (each document is parsed
    once, with the rest); one whose documents are kept as text (``json``,
    the outbox) takes it as ``json``, which only checks the text.
    """
    as_text = not any(isinstance(table.c[c].type.dialect_impl(_PG), pg.JSONB) for c in columns)
    parse, to_recordset = (
        (pg.JSON, sa.func.json_to_recordset) if as_text else (pg.JSONB, sa.func.jsonb_to_recordset)
    )
    doc = sa.cast(sa.cast(sa.bindparam(name), sa.Text), parse)
    rows = (
        to_recordset(doc)
        .table_valued(*(sa.column(c, table.c[c].type) for c in columns))
        .render_derived(name="rows_", with_types=True)
    )
    return sa.select(*(rows.c[c] for c in columns))


def recordset_insert(table: sa.Table, columns: Sequence[str]) -> Any:
    """``INSERT INTO table (columns) SELECT ... FROM jsonb_to_recordset(:rows)``: a batch
    as one statement (PostgreSQL); sequence defaults follow the rows' order."""
    return sa.insert(table).from_select(list(columns), recordset_select(table, columns))


def recordset(rows: Sequence[dict[str, Any]]) -> str:
    """The ``:rows`` parameter of ``recordset_insert``: the rows as one JSON text.

    Encoded here rather than by the driver's ``jsonb`` codec: ids read back
    from asyncpg are its own UUID class, which orjson does not know.
    """
    return orjson.dumps(rows, default=_uuid_text).decode()


def _uuid_text(value: Any) -> str:
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")

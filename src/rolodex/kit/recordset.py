"""A batch of rows as one statement's parameters: one array per column, ``unnest``-ed.

Records, their outbox events and search documents, and webhook deliveries are
inserted a batch at a time with these (records/repository_writes.py,
events/outbox.py, search/repository.py, webhooks/queue.py). Each column goes
as an array of its own type, so PostgreSQL reads the values straight from the
binary protocol; JSON documents go as text and are parsed once, into their
column. The whole batch as one JSON document (``jsonb_to_recordset``, before)
was parsed twice, at bind and again into rows: 100 ms of PostgreSQL time for
the events of 1,000 people with 100 custom fields (5 MB), against 31 ms this
way (docs/performance.md, "Batches as arrays"). A handful of rows (a single
create's event and search document) still go as one JSON document, ``few``:
sixteen one-element arrays cost a create about 40 µs more of the server's
CPU (about 10%) than one small text.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

_PG = pg.dialect()


def _is_json(table: sa.Table, column: str) -> bool:
    return isinstance(table.c[column].type.dialect_impl(_PG), pg.JSON)  # JSONB is a JSON


def recordset_select(
    table: sa.Table, columns: Sequence[str], name: str = "rows", *, few: bool = False
) -> Any:
    """``SELECT columns FROM unnest(:name_0, :name_1, ...)``, typed as ``table``'s columns.

    ``:name_<i>`` holds column ``i``'s values in row order (``recordset``). A
    JSON column's array is of text, cast to the column's type row by row.
    With ``few``, ``:name`` is the rows as one JSON document instead, read by
    ``json_to_recordset`` (``jsonb_to_recordset`` for tables with ``jsonb``).
    """
    if few:
        return _document_select(table, columns, name)
    arrays: list[Any] = []
    cols: list[Any] = []
    json: list[bool] = []
    for i, c in enumerate(columns):
        impl = table.c[c].type.dialect_impl(_PG)
        if isinstance(impl, sa.ARRAY):
            raise TypeError(f"{table.name}.{c}: unnest flattens arrays of arrays")
        json.append(isinstance(impl, pg.JSON))  # JSONB is a JSON
        sent = sa.Text() if json[-1] else impl
        arrays.append(sa.cast(sa.bindparam(f"{name}_{i}"), pg.ARRAY(sent)))
        cols.append(sa.column(c, sent))
    rows = sa.func.unnest(*arrays).table_valued(*cols).render_derived(name="rows_")
    return sa.select(
        *(
            sa.cast(rows.c[c], table.c[c].type) if is_json else rows.c[c]
            for c, is_json in zip(columns, json, strict=True)
        )
    )


def _document_select(table: sa.Table, columns: Sequence[str], name: str) -> Any:
    binary = any(isinstance(table.c[c].type.dialect_impl(_PG), pg.JSONB) for c in columns)
    parse, to_recordset = (
        (pg.JSONB, sa.func.jsonb_to_recordset) if binary else (pg.JSON, sa.func.json_to_recordset)
    )
    doc = sa.cast(sa.cast(sa.bindparam(name), sa.Text), parse)
    rows = (
        to_recordset(doc)
        .table_valued(*(sa.column(c, table.c[c].type) for c in columns))
        .render_derived(name="rows_", with_types=True)
    )
    return sa.select(*(rows.c[c] for c in columns))


def recordset_insert(table: sa.Table, columns: Sequence[str]) -> Any:
    """``INSERT INTO table (columns) SELECT ... FROM unnest(...)``: a batch as one
    statement (PostgreSQL); sequence defaults follow the rows' order."""
    return sa.insert(table).from_select(list(columns), recordset_select(table, columns))


def recordset(
    table: sa.Table,
    columns: Sequence[str],
    rows: Sequence[dict[str, Any]],
    name: str = "rows",
    *,
    few: bool = False,
) -> dict[str, Any]:
    """The parameters of ``recordset_select(table, columns, name)`` for ``rows``.

    Values go as the driver encodes them for a single row; JSON documents are
    encoded here (the driver's text codec would read a list as an array's
    dimension), with ids as text: those read back from asyncpg are its own
    UUID class, which orjson does not know. ``None`` is SQL NULL. With ``few``,
    the one JSON document of ``recordset_select(..., few=True)``.
    """
    if few:
        return {name: orjson.dumps(rows, default=_uuid_text).decode()}  # extra keys are ignored
    params: dict[str, list[Any]] = {}
    for i, c in enumerate(columns):
        if _is_json(table, c):
            params[f"{name}_{i}"] = [
                None if (v := r[c]) is None else orjson.dumps(v, default=_uuid_text).decode()
                for r in rows
            ]
        else:
            params[f"{name}_{i}"] = [r[c] for r in rows]
    return params


def _uuid_text(value: Any) -> str:
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")

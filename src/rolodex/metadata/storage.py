"""The record tables, derived from the registry, for building statements.

A standard object's table has a column per stored standard field, so it is
built from the object's definition; every other table is declared in
``kit/tables.py`` (re-exported here for the repositories that import both).
Alembic owns the schema; a test checks the two agree.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from rolodex.kit.tables import (
    JSON,
    TIMESTAMP,
    UUID,
    api_key,
    custom_record,
    event,
    field_metadata,
    object_metadata,
    workspace,
)
from rolodex.metadata.model import ObjectDef
from rolodex.metadata.types import kind

__all__ = [
    "DERIVED_COLUMNS",
    "JSON",
    "TIMESTAMP",
    "UUID",
    "api_key",
    "custom_record",
    "event",
    "field_metadata",
    "object_metadata",
    "table_for",
    "workspace",
]

# Columns PostgreSQL generates from each record's ``custom`` document
# (migration 0006): its text and its number of keys. They are never written,
# and are not in the tables below because SQLite has no such columns.
DERIVED_COLUMNS = ("custom_text", "custom_size")


_tables: dict[tuple[object, ...], sa.Table] = {}


def table_for(obj: ObjectDef) -> sa.Table:
    """The table holding ``obj``'s records, with a column per standard field."""
    cached = obj.cache.get("table")
    if cached is not None:
        return cached
    if obj.is_custom:
        obj.cache["table"] = custom_record
        return custom_record
    fields = [f for f in obj.stored_fields if f.column is not None]
    key = (obj.table, tuple((f.column, f.type, f.settings.get("decimals")) for f in fields))
    table = _tables.get(key)
    if table is None:
        cols: list[sa.Column[Any]] = [sa.Column("workspace_id", UUID, primary_key=True)]
        cols += [
            sa.Column(f.column, kind(f).sql_type(f), primary_key=f.column == "id") for f in fields
        ]
        cols.append(sa.Column("custom", JSON))
        table = _tables[key] = sa.Table(obj.table, sa.MetaData(), *cols)
    obj.cache["table"] = table
    return table

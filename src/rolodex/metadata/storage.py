"""SQLAlchemy tables derived from the registry, for building statements.

Alembic owns the schema; these ``Table`` objects only describe it so that
statements can be built. A test checks the two agree.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from rolodex.metadata.model import ObjectDef
from rolodex.metadata.types import kind

UUID = sa.Uuid().with_variant(sa.String(36), "sqlite")
JSON = sa.JSON().with_variant(pg.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.String(24), "sqlite")

meta = sa.MetaData()

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


workspace = sa.Table(
    "workspace",
    meta,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("metadata_version", sa.Integer, nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    # active | suspended | deleting (migration 0008)
    sa.Column("status", sa.Text, nullable=False, server_default=sa.text("'active'")),
)

api_key = sa.Table(
    "api_key",
    meta,
    sa.Column("workspace_id", UUID, primary_key=True),
    sa.Column("id", UUID, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("prefix", sa.Text, nullable=False),
    sa.Column("digest", sa.Text, nullable=False),
    sa.Column("scopes", JSON, nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("expires_at", TIMESTAMP),
    sa.Column("revoked_at", TIMESTAMP),
    sa.Column("last_used_at", TIMESTAMP),
)

field_metadata = sa.Table(
    "field_metadata",
    meta,
    sa.Column("workspace_id", UUID, primary_key=True),
    sa.Column("id", UUID, primary_key=True),
    sa.Column("object_name", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("definition", JSON, nullable=False),
    sa.Column("is_active", sa.Boolean, nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("updated_at", TIMESTAMP, nullable=False),
)

event = sa.Table(
    "event",
    meta,
    sa.Column("workspace_id", UUID, primary_key=True),
    sa.Column("id", UUID, primary_key=True),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("object_name", sa.Text, nullable=False),
    sa.Column("record_id", UUID, nullable=False),
    sa.Column("occurred_at", TIMESTAMP, nullable=False),
    sa.Column("actor", JSON),
    sa.Column("record", JSON),
    sa.Column("changes", JSON),
    sa.Column("previous", JSON),
    # Filled by the database (a sequence on PostgreSQL), in commit order per record;
    # the dispatcher fans events out in this order and marks them done.
    sa.Column("seq", sa.BigInteger),
    sa.Column("fanned_out", sa.Boolean, nullable=False),
)

# The standard fields each workspace marked indexed (migration 0010).
field_index = sa.Table(
    "field_index",
    meta,
    sa.Column("workspace_id", UUID, primary_key=True),
    sa.Column("object_name", sa.Text, primary_key=True),
    sa.Column("field_name", sa.Text, primary_key=True),
    sa.Column("created_at", TIMESTAMP, nullable=False),
)

object_metadata = sa.Table(
    "object_metadata",
    meta,
    sa.Column("workspace_id", UUID, primary_key=True),
    sa.Column("id", UUID, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("plural", sa.Text, nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("label_plural", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("is_active", sa.Boolean, nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("updated_at", TIMESTAMP, nullable=False),
)

# Records of every custom object, their fields in ``custom``.
custom_record = sa.Table(
    "custom_record",
    meta,
    sa.Column("workspace_id", UUID, primary_key=True),
    sa.Column("object_id", UUID, primary_key=True),
    sa.Column("id", UUID, primary_key=True),
    sa.Column("custom", JSON),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("updated_at", TIMESTAMP, nullable=False),
    sa.Column("deleted_at", TIMESTAMP),
    sa.Column("created_by", JSON),
    sa.Column("updated_by", JSON),
)

"""Custom documents as text, and their size, kept by PostgreSQL beside ``custom``.

Reads that return records as they are (the REST API) take ``custom_text``
instead of converting the ``jsonb`` document to text on every read, which
cost PostgreSQL about 3.5 us per record of 20 custom values, as much as the
rest of a listed record. ``custom_size`` (the number of keys) tells them,
without parsing it, whether a document holds exactly the active custom
fields and can be passed through (``records.schemas.Spliced``).

Both are generated columns: PostgreSQL computes them on every write, so no
write path can forget them. Adding them rewrites each record table once.
SQLite stores JSON as text already and is left as it is.

Revision ID: 0006_custom_text
Revises: 0005_list_indexes
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0006_custom_text"
down_revision = "0005_list_indexes"
branch_labels = None
depends_on = None

RECORD_TABLES = ["member", "company", "person", "note", "task", "custom_record"]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in RECORD_TABLES:
        op.execute(
            f"ALTER TABLE {table}"
            " ADD COLUMN custom_text text GENERATED ALWAYS AS (custom::text) STORED,"
            " ADD COLUMN custom_size integer GENERATED ALWAYS AS"
            " (jsonb_array_length(jsonb_path_query_array(custom, '$.*'))) STORED"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in RECORD_TABLES:
        op.execute(f"ALTER TABLE {table} DROP COLUMN custom_size, DROP COLUMN custom_text")

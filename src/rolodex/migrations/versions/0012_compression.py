"""LZ4 compression for the large values written with every record and event (PostgreSQL).

A record's custom document, its text copy (``custom_text``), the event's
copy of the record and a delivery's body are each a few kilobytes once a
workspace has dozens of custom fields, so PostgreSQL compresses them as it
writes them. Its default, pglz, spent about 62 ms per 1,000 documents of
100 fields (2.5 kB each) where LZ4 spent about 34 ms, the text-to-jsonb
parse included (psql on this machine; bench/batch_insert.py measures the
whole batch). LZ4 needs PostgreSQL 14 built with it: where it is missing the
columns keep the server's default. Only new values are written with it;
nothing is rewritten, so the migration takes no time on a large table.

Revision ID: 0012_compression
Revises: 0011_idempotency
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

from rolodex.kit.migrate import lz4_available

revision = "0012_compression"
down_revision = "0011_idempotency"
branch_labels = None
depends_on = None

RECORD_TABLES = ["member", "company", "person", "note", "task", "custom_record"]
COLUMNS = [
    *((table, column) for table in RECORD_TABLES for column in ("custom", "custom_text")),
    ("event", "record"),
    ("event", "previous"),
    ("webhook_delivery", "body"),
    ("webhook_attempt", "response_body"),
    ("idempotency_key", "body"),
]


def _set(method: str) -> None:
    if not lz4_available(op.get_bind()):
        return
    for table, column in COLUMNS:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method}")


def upgrade() -> None:
    _set("lz4")


def downgrade() -> None:
    _set("default")

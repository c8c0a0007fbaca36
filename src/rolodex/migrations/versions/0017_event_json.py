"""Outbox events keep their JSON as text (``json``), not parsed (``jsonb``).

An event's record, previous record, changes and actor are written once,
read whole by the fan-out and the event stream, and never searched inside
by an index (the history's ``record ->> 'companyId'`` test reads a few
events of one record). ``jsonb`` parsed and rebuilt each document on
insert: for a batch of 1,000 people with 100 custom fields, the events'
insert cost PostgreSQL 70 ms of CPU with ``jsonb_to_recordset`` into
``jsonb`` columns and 40 ms with ``json_to_recordset`` into ``json``
(psql, eight rounds each, the same 3.2 MB of events). ``json`` only checks
the text, and stores it as written: the bytes a webhook receives are the
bytes the record service wrote. Changing a column's type drops its
compression, so the record and previous record get 0012's LZ4 again.
SQLite stores JSON as text already and is left as it is.

Revision ID: 0017_event_json
Revises: 0016_duplicate_names
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

from rolodex.kit.migrate import lz4_available

revision = "0017_event_json"
down_revision = "0016_duplicate_names"
branch_labels = None
depends_on = None

COLUMNS = ("actor", "record", "changes", "previous")
COMPRESSED = ("record", "previous")  # as in 0012


def _retype(to: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    clauses = [f"ALTER COLUMN {c} TYPE {to} USING {c}::{to}" for c in COLUMNS]
    if lz4_available(bind):
        clauses += [f"ALTER COLUMN {c} SET COMPRESSION lz4" for c in COMPRESSED]
    op.execute(f"ALTER TABLE event {', '.join(clauses)}")


def upgrade() -> None:
    _retype("json")


def downgrade() -> None:
    _retype("jsonb")

"""Indexes for the lists users filter most, and for the purge of soft-deleted records.

- People by job title and by location, companies by name, tasks by status
  and by due date: ``(workspace_id, column, id)`` over live records (lists
  leave soft-deleted ones out), so that an equality filter in the default
  order (by id) is one index range, and its ``totalCount`` an index-only
  count, instead of a scan of the workspace's records.
- Soft-deleted records, for the retention purge: a partial index holding
  only the rows with ``deleted_at`` set, which stays as small as the number
  of records in the bin.

Revision ID: 0005_list_indexes
Revises: 0004_webhooks
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_list_indexes"
down_revision = "0004_webhooks"
branch_labels = None
depends_on = None

FILTERED = [
    ("person", "job_title"),
    ("person", "location"),
    ("company", "name"),
    ("task", "status"),
    ("task", "due_date"),
]
RECORD_TABLES = ["member", "company", "person", "note", "task", "custom_record"]
DELETED = sa.text("deleted_at IS NOT NULL")
LIVE = sa.text("deleted_at IS NULL")


def upgrade() -> None:
    for table, column in FILTERED:
        op.create_index(
            f"ix_{table}_{column}",
            table,
            ["workspace_id", column, "id"],
            postgresql_where=LIVE,
            sqlite_where=LIVE,
        )
    for table in RECORD_TABLES:
        op.create_index(
            f"ix_{table}_deleted",
            table,
            ["workspace_id", "deleted_at"],
            postgresql_where=DELETED,
            sqlite_where=DELETED,
        )


def downgrade() -> None:
    for table in RECORD_TABLES:
        op.drop_index(f"ix_{table}_deleted", table_name=table)
    for table, column in FILTERED:
        op.drop_index(f"ix_{table}_{column}", table_name=table)

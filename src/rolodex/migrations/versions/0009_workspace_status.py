"""A workspace's status: ``active``, ``suspended`` (its keys get 403) or ``deleting``.

Operators suspend and delete workspaces through ``/rest/workspaces``; the
key lookup joins this column, so a suspended or deleted workspace's keys
stop working without another query per request.

Revision ID: 0009_workspace_status
Revises: 0008_ordering_and_text_indexes
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_workspace_status"
down_revision = "0008_ordering_and_text_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workspace") as batch:
        batch.add_column(
            sa.Column("status", sa.Text, nullable=False, server_default=sa.text("'active'"))
        )
    # Names are looked up on every create (they are unique); thousands of
    # workspaces must not mean a scan.
    op.create_index("ix_workspace_name", "workspace", ["name"])


def downgrade() -> None:
    op.drop_index("ix_workspace_name", table_name="workspace")
    with op.batch_alter_table("workspace") as batch:
        batch.drop_column("status")

"""Idempotency keys: the stored answer to a write sent with an ``Idempotency-Key``.

One row per workspace, API key and key, pending while the first request
runs and then holding its response, until ``expires_at`` (24 hours by
default, ``ROLODEX_IDEMPOTENCY_HOURS``). Expired rows are purged in batches
by the workspace's next new keys, through the (workspace_id, expires_at)
index.

Revision ID: 0011_idempotency
Revises: 0010_scale_indexes
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_idempotency"
down_revision = "0010_scale_indexes"
branch_labels = None
depends_on = None

UUID = sa.Uuid().with_variant(sa.String(36), "sqlite")


def upgrade() -> None:
    op.create_table(
        "idempotency_key",
        sa.Column("workspace_id", UUID, nullable=False),
        sa.Column("api_key_id", UUID, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("status", sa.Integer),
        sa.Column("headers", sa.Text),
        sa.Column("body", sa.Text),
        sa.Column("stored", sa.Boolean),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("expires_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "api_key_id", "key", name="pk_idempotency_key"),
    )
    op.create_index("ix_idempotency_key_expires", "idempotency_key", ["workspace_id", "expires_at"])


def downgrade() -> None:
    op.drop_index("ix_idempotency_key_expires", table_name="idempotency_key")
    op.drop_table("idempotency_key")

"""Custom objects: their definitions and one generic table for their records.

Revision ID: 0002_custom_objects
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0002_custom_objects"
down_revision = "0001"
branch_labels = None
depends_on = None

UUID = sa.Uuid().with_variant(sa.String(36), "sqlite")
JSON = sa.JSON().with_variant(pg.JSONB(), "postgresql")
TS = sa.DateTime(timezone=True).with_variant(sa.String(24), "sqlite")


def upgrade() -> None:
    op.create_table(
        "object_metadata",
        sa.Column("workspace_id", UUID, nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("plural", sa.Text, nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("label_plural", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("is_active", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "id", name="pk_object_metadata"),
    )
    op.create_index(
        "ux_object_metadata_name", "object_metadata", ["workspace_id", "name"], unique=True
    )
    op.create_index(
        "ux_object_metadata_plural", "object_metadata", ["workspace_id", "plural"], unique=True
    )
    op.create_table(
        "custom_record",
        sa.Column("workspace_id", UUID, nullable=False),
        sa.Column("object_id", UUID, nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column("custom", JSON),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("deleted_at", TS),
        sa.Column("created_by", JSON),
        sa.Column("updated_by", JSON),
        sa.PrimaryKeyConstraint("workspace_id", "object_id", "id", name="pk_custom_record"),
    )
    op.create_index(
        "ix_custom_record_created",
        "custom_record",
        ["workspace_id", "object_id", "created_at", "id"],
    )


def downgrade() -> None:
    op.drop_table("custom_record")
    op.drop_table("object_metadata")

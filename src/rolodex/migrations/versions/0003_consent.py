"""Consent: a person's consents per purpose, the workspace's accepted purposes and
legal bases, and the person's active purposes as a filterable field.

Revision ID: 0003_consent
Revises: 0002_custom_objects
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0003_consent"
down_revision = "0002_custom_objects"
branch_labels = None
depends_on = None

UUID = sa.Uuid().with_variant(sa.String(36), "sqlite")
JSON = sa.JSON().with_variant(pg.JSONB(), "postgresql")
TS = sa.DateTime(timezone=True).with_variant(sa.String(24), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("consents", JSON))
    op.create_table(
        "consent",
        sa.Column("workspace_id", UUID, nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column("person_id", UUID, nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("legal_basis", sa.Text, nullable=False),
        sa.Column("source", sa.Text),
        sa.Column("comment", sa.Text),
        sa.Column("recorded_by", JSON),
        sa.Column("given_at", TS, nullable=False),
        sa.Column("withdrawn_at", TS),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "id", name="pk_consent"),
    )
    op.create_index(
        "ux_consent_purpose", "consent", ["workspace_id", "person_id", "purpose"], unique=True
    )
    op.create_table(
        "workspace_setting",
        sa.Column("workspace_id", UUID, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("value", JSON, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "key", name="pk_workspace_setting"),
    )


def downgrade() -> None:
    op.drop_table("workspace_setting")
    op.drop_table("consent")
    with op.batch_alter_table("person") as batch:
        batch.drop_column("consents")

"""Workspaces, API keys, custom field metadata, the event outbox and the standard objects.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UUID = sa.Uuid().with_variant(sa.String(36), "sqlite")
JSON = sa.JSON().with_variant(pg.JSONB(), "postgresql")
TS = sa.DateTime(timezone=True).with_variant(sa.String(24), "sqlite")
DATE = sa.Date().with_variant(sa.String(10), "sqlite")


def _record_table(name: str, *columns: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("workspace_id", UUID, nullable=False),
        sa.Column("id", UUID, nullable=False),
        *columns,
        sa.Column("custom", JSON),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("deleted_at", TS),
        sa.Column("created_by", JSON),
        sa.Column("updated_by", JSON),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=f"pk_{name}"),
    )
    op.create_index(f"ix_{name}_created", name, ["workspace_id", "created_at", "id"])


def _index(table: str, column: str) -> None:
    op.create_index(f"ix_{table}_{column}", table, ["workspace_id", column])


def _unique_lower(table: str, column: str) -> None:
    op.create_index(
        f"ux_{table}_{column}", table, ["workspace_id", sa.text(f"lower({column})")], unique=True
    )


def upgrade() -> None:
    op.create_table(
        "workspace",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("metadata_version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "api_key",
        sa.Column("workspace_id", UUID, nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("prefix", sa.Text, nullable=False),
        sa.Column("digest", sa.Text, nullable=False),
        sa.Column("scopes", JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS),
        sa.Column("revoked_at", TS),
        sa.Column("last_used_at", TS),
        sa.PrimaryKeyConstraint("workspace_id", "id", name="pk_api_key"),
    )
    # The one index not led by workspace_id: a request names its key, not its
    # workspace, so authentication looks the key up by digest alone.
    op.create_index("ux_api_key_digest", "api_key", ["digest"], unique=True)

    op.create_table(
        "field_metadata",
        sa.Column("workspace_id", UUID, nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column("object_name", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("definition", JSON, nullable=False),
        sa.Column("is_active", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "id", name="pk_field_metadata"),
    )
    op.create_index(
        "ux_field_metadata_name",
        "field_metadata",
        ["workspace_id", "object_name", "name"],
        unique=True,
    )

    op.create_table(
        "event",
        sa.Column("workspace_id", UUID, nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("object_name", sa.Text, nullable=False),
        sa.Column("record_id", UUID, nullable=False),
        sa.Column("occurred_at", TS, nullable=False),
        sa.Column("actor", JSON),
        sa.Column("record", JSON),
        sa.Column("changes", JSON),
        sa.Column("previous", JSON),
        sa.PrimaryKeyConstraint("workspace_id", "id", name="pk_event"),
    )
    op.create_index("ix_event_record", "event", ["workspace_id", "object_name", "record_id"])

    _record_table(
        "member",
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("email", sa.Text),
    )
    _unique_lower("member", "email")

    _record_table(
        "company",
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("domain", sa.Text),
        sa.Column("website", sa.Text),
        sa.Column("employees", sa.Integer),
        sa.Column("address", sa.Text),
        sa.Column("tags", JSON),
        sa.Column("owner_id", UUID),
    )
    _unique_lower("company", "domain")
    _index("company", "owner_id")

    _record_table(
        "person",
        sa.Column("name", sa.Text),
        sa.Column("first_name", sa.Text),
        sa.Column("last_name", sa.Text),
        sa.Column("email", sa.Text),
        sa.Column("phone", sa.Text),
        sa.Column("job_title", sa.Text),
        sa.Column("location", sa.Text),
        sa.Column("tags", JSON),
        sa.Column("company_id", UUID),
        sa.Column("owner_id", UUID),
    )
    _unique_lower("person", "email")
    _index("person", "company_id")
    _index("person", "owner_id")

    _record_table(
        "note",
        sa.Column("title", sa.Text),
        sa.Column("body", sa.Text),
        sa.Column("author_id", UUID),
        sa.Column("person_id", UUID),
        sa.Column("company_id", UUID),
    )
    for column in ("author_id", "person_id", "company_id"):
        _index("note", column)

    _record_table(
        "task",
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("due_date", TS),
        sa.Column("completed_at", TS),
        sa.Column("assignee_id", UUID),
        sa.Column("person_id", UUID),
        sa.Column("company_id", UUID),
    )
    for column in ("assignee_id", "person_id", "company_id"):
        _index("task", column)


def downgrade() -> None:
    for table in (
        "task",
        "note",
        "person",
        "company",
        "member",
        "event",
        "field_metadata",
        "api_key",
        "workspace",
    ):
        op.drop_table(table)

"""Standard fields a workspace marks indexed, and the indexes lists were missing.

``field_index`` holds, per workspace, the standard fields it marked indexed
through the metadata API (``PATCH /rest/metadata/fields/person.phone`` with
``isIndexed: true``). A standard column is shared by every workspace, so its
index is one per table (``sx_<table>_<column>_nf`` and ``_nl``, the two NULLS
placements, like migration 0008's), made when the first workspace marks the
field and dropped when the last one unmarks it.

Indexes. ``completedAt`` (tasks) is filtered and ordered like ``dueDate`` and
had no index: two b-trees, for the two NULLS placements. Person and company
``tags`` are filtered with ``contains``, which is ``tags @> '["x"]'``: a GIN
``jsonb_path_ops`` index led by the workspace (``btree_gin``, from 0008) on
PostgreSQL; SQLite reads JSON arrays with ``json_each`` and has no such index.

Revision ID: 0010_scale_indexes
Revises: 0009_workspace_status
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_scale_indexes"
down_revision = "0009_workspace_status"
branch_labels = None
depends_on = None


def _indexes() -> list[tuple[str, str, str]]:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        return [("ix_task_completed_at_nf", "task", "task (workspace_id, completed_at, id)")]
    out = [
        (
            "ix_task_completed_at_nf",
            "task",
            "task (workspace_id, completed_at NULLS FIRST, id)",
        ),
        ("ix_task_completed_at_nl", "task", "task (workspace_id, completed_at, id)"),
    ]
    for table in ("person", "company"):
        out.append(
            (
                f"ix_{table}_tags_gin",
                table,
                f"{table} USING gin (workspace_id, tags jsonb_path_ops) WHERE deleted_at IS NULL",
            )
        )
    return out


def upgrade() -> None:
    op.create_table(
        "field_index",
        sa.Column("workspace_id", sa.Uuid().with_variant(sa.String(36), "sqlite"), nullable=False),
        sa.Column("object_name", sa.Text, nullable=False),
        sa.Column("field_name", sa.Text, nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True).with_variant(sa.String(24), "sqlite"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("workspace_id", "object_name", "field_name", name="pk_field_index"),
    )
    for name, _table, body in _indexes():
        op.execute(f"CREATE INDEX {name} ON {body}")


def downgrade() -> None:
    for name, table, _body in reversed(_indexes()):
        op.drop_index(name, table_name=table)
    op.drop_table("field_index")

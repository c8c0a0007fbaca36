"""Standard fields a workspace marks indexed, and the indexes lists were missing.

``field_index`` holds, per workspace, the standard fields it marked indexed
through the metadata API (``PATCH /rest/metadata/fields/person.phone`` with
``isIndexed: true``). A standard column is shared by every workspace, so its
index is one per table (``sx_<table>_<column>_nf`` and ``_nl``, the two NULLS
placements, like migration 0008's), made when the first workspace marks the
field and dropped when the last one unmarks it.

Indexes. A person's ``phone``, a company's ``website`` and a task's
``completedAt`` are filtered and ordered like the fields 0008 indexed, and
had no index: two b-trees each, for the two NULLS placements (one on SQLite).
A company's ``address`` and the bodies of notes and tasks stay without one:
free text, long (a b-tree entry holds at most 2,704 bytes, so an index would
refuse long values), seldom ordered by; a workspace that filters on
``address`` marks it indexed. Person and company
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


NULLABLE = [("person", "phone"), ("company", "website"), ("task", "completed_at")]


def _indexes() -> list[tuple[str, str, str]]:
    sqlite = op.get_bind().dialect.name == "sqlite"
    out = []
    for table, column in NULLABLE:
        nulls = "" if sqlite else " NULLS FIRST"
        out.append(
            (f"ix_{table}_{column}_nf", table, f"{table} (workspace_id, {column}{nulls}, id)")
        )
        if not sqlite:
            out.append((f"ix_{table}_{column}_nl", table, f"{table} (workspace_id, {column}, id)"))
    if sqlite:
        return out
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

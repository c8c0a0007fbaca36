"""Indexes for a record's history of the records attached to it.

A person's timeline (``GET /rest/people/{id}/timeline``, events/timeline.py)
holds its own events and those of the notes and tasks attached to it: the
events whose ``record ->> 'personId'`` names it. Only its own were indexed
(``ix_event_record``), so PostgreSQL read every event of the workspace for
the others: a parallel scan and a sort, 40 ms at 140,000 events, growing
with the outbox. One index per field that attaches a note or a task
(``personId``, ``companyId``, ``opportunityId``), led by the workspace and
partial on the field being set, so events of other records hold no entry.
The timeline writes the key as a literal, the expression these indexes hold.

Custom relations that attach records (a cascading relation of a custom
object) have no such index: their timelines still read the workspace's
events of that object. SQLite keeps its plan (one process, small outboxes).

Revision ID: 0019_event_attached
Revises: 0018_delivery_log_index
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0019_event_attached"
down_revision = "0018_delivery_log_index"
branch_labels = None
depends_on = None

FIELDS = {"personId": "person", "companyId": "company", "opportunityId": "opportunity"}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for field, name in FIELDS.items():
        op.execute(
            f"CREATE INDEX ix_event_attached_{name} ON event"
            f" (workspace_id, (record ->> '{field}')) WHERE (record ->> '{field}') IS NOT NULL"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in FIELDS.values():
        op.execute(f"DROP INDEX IF EXISTS ix_event_attached_{name}")

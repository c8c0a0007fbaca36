"""The attached-record indexes of the outbox look at notes' and tasks' events only.

Migration 0019's indexes were partial on ``record ->> 'personId'`` (and
``companyId``, ``opportunityId``) being set, so every event insert parsed its
record document three times over to test the predicates, whatever its
object: 30 to 70 ms of PostgreSQL time per batch of 1,000 people with 100
custom fields (their events' documents are 5 KB each). Now each predicate
tests ``object_name`` first, a plain column, and PostgreSQL stops there for
every other object's events. The objects are the standard ones attached by a
cascading relation (notes and tasks); the timeline writes the object name as
a literal, so its plan can use them (events/timeline.py).

Revision ID: 0021_event_attached_objects
Revises: 0020_event_stream
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0021_event_attached_objects"
down_revision = "0020_event_stream"
branch_labels = None
depends_on = None

FIELDS = {"personId": "person", "companyId": "company", "opportunityId": "opportunity"}
# The standard objects with a cascading relation to those three (metadata/standard.py).
ATTACHED = ("note", "task")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    objects = ", ".join(f"'{o}'" for o in ATTACHED)
    for field, name in FIELDS.items():
        op.execute(f"DROP INDEX IF EXISTS ix_event_attached_{name}")
        op.execute(
            f"CREATE INDEX ix_event_attached_{name} ON event (workspace_id, (record ->> '{field}'))"
            f" WHERE object_name IN ({objects}) AND (record ->> '{field}') IS NOT NULL"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for field, name in FIELDS.items():
        op.execute(f"DROP INDEX IF EXISTS ix_event_attached_{name}")
        op.execute(
            f"CREATE INDEX ix_event_attached_{name} ON event"
            f" (workspace_id, (record ->> '{field}')) WHERE (record ->> '{field}') IS NOT NULL"
        )

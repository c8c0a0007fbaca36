"""The event stream reads a workspace's outbox in number order through an index.

``GET /rest/events`` (server-sent events, webhooks/listener.py) starts at the
workspace's last event (``max(seq)``) and then reads the events numbered
after the last one it sent, ``ORDER BY seq``. No index held a workspace's
events by number, so both read every event the workspace ever had, at each
connection and each wake-up, growing with the outbox. ``(workspace_id,
seq)`` makes the first one index entry and the second a range walk that
stops at its limit. It costs each event insert one more index entry.

Revision ID: 0020_event_stream
Revises: 0019_event_attached
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0020_event_stream"
down_revision = "0019_event_attached"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_event_stream", "event", ["workspace_id", "seq"])


def downgrade() -> None:
    op.drop_index("ix_event_stream", table_name="event")

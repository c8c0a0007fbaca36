"""The delivery log's index holds the whole order of its pages.

``GET /rest/webhooks/{id}/deliveries`` lists a webhook's deliveries newest
first, ``ORDER BY created_at DESC, id DESC``. Its index ended at
``created_at``, so the tie-breaker had to be sorted; PostgreSQL weighed
that sort over every delivery of the webhook against a scan and chose a
parallel sequential scan of the queue and a sort: 31 ms for a page at
40,000 deliveries, growing with the queue. With ``id`` in the index a page
is a backward walk that stops at its limit, and the log's bounded count
(``webhooks/queue.py``) walks the same range.

Revision ID: 0018_delivery_log_index
Revises: 0017_event_json
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0018_delivery_log_index"
down_revision = "0017_event_json"
branch_labels = None
depends_on = None

OLD = ["workspace_id", "webhook_id", "created_at"]
NEW = ["workspace_id", "webhook_id", "created_at", "id"]


def _swap(columns: list[str]) -> None:
    op.drop_index("ix_webhook_delivery_log", table_name="webhook_delivery")
    op.create_index("ix_webhook_delivery_log", "webhook_delivery", columns)


def upgrade() -> None:
    _swap(NEW)


def downgrade() -> None:
    _swap(OLD)

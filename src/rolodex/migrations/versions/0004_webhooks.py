"""Webhooks: the event sequence and fan-out flag, webhooks, deliveries and attempts.

Revision ID: 0004_webhooks
Revises: 0003_consent
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0004_webhooks"
down_revision = "0003_consent"
branch_labels = None
depends_on = None

UUID = sa.Uuid().with_variant(sa.String(36), "sqlite")
JSON = sa.JSON().with_variant(pg.JSONB(), "postgresql")
TS = sa.DateTime(timezone=True).with_variant(sa.String(24), "sqlite")
PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    # -- event: a commit-ordered sequence number and the fan-out flag ---------
    if sqlite:
        # SQLite has one writer, so numbering rows as they are inserted is
        # numbering them in commit order. A one-row counter (not max(seq)+1)
        # keeps it O(1) and survives table rebuilds.
        op.create_table("event_seq", sa.Column("value", sa.BigInteger, nullable=False))
        op.execute("INSERT INTO event_seq (value) VALUES (0)")
        seq_default = None
    else:
        op.execute("CREATE SEQUENCE event_seq")
        seq_default = sa.text("nextval('event_seq')")
    with op.batch_alter_table("event") as batch:
        batch.add_column(
            sa.Column("seq", sa.BigInteger, nullable=sqlite, server_default=seq_default)
        )
        batch.add_column(
            sa.Column("fanned_out", sa.Boolean, nullable=False, server_default=sa.false())
        )
    # Events written before webhooks existed have nobody to go to.
    op.execute("UPDATE event SET fanned_out = true")
    if sqlite:
        op.execute("UPDATE event SET seq = rowid")
        op.execute("UPDATE event_seq SET value = (SELECT coalesce(max(seq), 0) FROM event)")
        op.execute(
            """
            CREATE TRIGGER event_seq_assign AFTER INSERT ON event
            FOR EACH ROW WHEN NEW.seq IS NULL
            BEGIN
                UPDATE event_seq SET value = value + 1;
                UPDATE event SET seq = (SELECT value FROM event_seq) WHERE rowid = NEW.rowid;
            END
            """
        )
    else:
        op.execute("ALTER SEQUENCE event_seq OWNED BY event.seq")
        # Wake delivery workers when events commit (NOTIFY is sent at commit,
        # once per transaction and channel), so the write path needs no hook.
        op.execute(
            """
            CREATE FUNCTION rolodex_notify_events() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('rolodex_events', '');
                RETURN NULL;
            END $$
            """
        )
        op.execute(
            "CREATE TRIGGER event_notify AFTER INSERT ON event "
            "FOR EACH STATEMENT EXECUTE FUNCTION rolodex_notify_events()"
        )
    # The one index on event not led by workspace_id: the fan-out worker takes
    # unprocessed events of every workspace in sequence order. Partial, so it
    # holds only the (few) events not yet fanned out.
    op.create_index(
        "ix_event_fan_out",
        "event",
        ["fanned_out", "seq"],
        postgresql_where=sa.text("NOT fanned_out"),
        sqlite_where=sa.text("fanned_out = 0"),
    )

    op.create_table(
        "webhook",
        sa.Column("workspace_id", UUID, nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("target_url", sa.Text, nullable=False),
        sa.Column("subscriptions", JSON),  # null: every event; []: none
        sa.Column("format", sa.Text, nullable=False, server_default="rolodex"),
        sa.Column("status", sa.Text, nullable=False, server_default="active"),
        sa.Column("status_reason", sa.Text),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("previous_secret", sa.Text),
        sa.Column("previous_secret_until", TS),
        sa.Column("failing_since", TS),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "id", name="pk_webhook"),
    )
    op.create_index("ix_webhook_created", "webhook", ["workspace_id", "created_at"])

    op.create_table(
        "webhook_delivery",
        sa.Column("workspace_id", UUID, nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column("webhook_id", UUID, nullable=False),
        sa.Column("event_id", UUID, nullable=False),
        sa.Column("event_seq", sa.BigInteger),  # null for test deliveries
        sa.Column("event_type", sa.Text, nullable=False),  # the name subscribed with
        sa.Column("object_name", sa.Text),
        sa.Column("record_id", UUID),
        sa.Column("body", sa.Text, nullable=False),  # the exact bytes sent, serialised once
        sa.Column("status", sa.Text, nullable=False),  # pending | succeeded | failed
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("tries", sa.Integer, nullable=False, server_default="0"),  # since (re)queued
        sa.Column("next_attempt_at", TS, nullable=False),
        sa.Column("locked_until", TS),
        sa.Column("lease_owner", UUID),
        sa.Column("last_attempt_at", TS),
        sa.Column("response_status", sa.Integer),
        sa.Column("error", sa.Text),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("completed_at", TS),
        sa.PrimaryKeyConstraint("workspace_id", "id", name="pk_webhook_delivery"),
    )
    # The delivery log of one webhook, newest first; also the retention purge.
    op.create_index(
        "ix_webhook_delivery_log", "webhook_delivery", ["workspace_id", "webhook_id", "created_at"]
    )
    # Per-record order: is an earlier delivery about this record still pending?
    op.create_index(
        "ix_webhook_delivery_record",
        "webhook_delivery",
        ["workspace_id", "webhook_id", "object_name", "record_id", "event_seq"],
        postgresql_where=PENDING,
        sqlite_where=PENDING,
    )
    # Not led by workspace_id: delivery workers claim due deliveries of every
    # workspace. Partial, so it holds only what is still to be sent.
    op.create_index(
        "ix_webhook_delivery_due",
        "webhook_delivery",
        ["status", "next_attempt_at"],
        postgresql_where=PENDING,
        sqlite_where=PENDING,
    )

    op.create_table(
        "webhook_attempt",
        sa.Column("workspace_id", UUID, nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column("delivery_id", UUID, nullable=False),
        sa.Column("webhook_id", UUID, nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("duration_ms", sa.Integer, nullable=False),
        sa.Column("request_headers", JSON, nullable=False),  # signatures masked
        sa.Column("response_status", sa.Integer),
        sa.Column("response_body", sa.Text),  # the first 2 KB
        sa.Column("error", sa.Text),
        sa.Column("next_attempt_at", TS),
        sa.PrimaryKeyConstraint("workspace_id", "id", name="pk_webhook_attempt"),
    )
    op.create_index(
        "ix_webhook_attempt_delivery", "webhook_attempt", ["workspace_id", "delivery_id", "attempt"]
    )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in ("webhook_attempt", "webhook_delivery", "webhook"):
        op.drop_table(table)
    op.drop_index("ix_event_fan_out", table_name="event")
    if sqlite:
        op.execute("DROP TRIGGER IF EXISTS event_seq_assign")
    else:
        op.execute("DROP TRIGGER IF EXISTS event_notify ON event")
        op.execute("DROP FUNCTION IF EXISTS rolodex_notify_events()")
    with op.batch_alter_table("event") as batch:
        batch.drop_column("fanned_out")
        batch.drop_column("seq")
    if sqlite:
        op.drop_table("event_seq")

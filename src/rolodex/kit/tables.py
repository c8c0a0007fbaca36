"""Every table Rolodex keeps, declared once, for building statements.

Alembic owns the schema (``rolodex/migrations``); these ``Table`` objects only
describe it, and each feature's repository imports the ones it queries. The
record tables of the standard objects are derived from the registry instead
(``metadata/storage.py:table_for``), as their columns are the objects' fields;
``tests/metadata/test_storage.py`` checks both agree with the migrations.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

UUID = sa.Uuid().with_variant(sa.String(36), "sqlite")
JSON = sa.JSON().with_variant(pg.JSONB(), "postgresql")
# JSON kept as its text on PostgreSQL too: the outbox's documents (migration 0017).
JSON_TEXT = sa.JSON().with_variant(pg.JSON(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.String(24), "sqlite")

meta = sa.MetaData()

# -- workspaces, keys and metadata -------------------------------------------------
workspace = sa.Table(
    "workspace",
    meta,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("metadata_version", sa.Integer, nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    # active | suspended | deleting (migration 0008)
    sa.Column("status", sa.Text, nullable=False, server_default=sa.text("'active'")),
)

api_key = sa.Table(
    "api_key",
    meta,
    sa.Column("workspace_id", UUID, primary_key=True),
    sa.Column("id", UUID, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("prefix", sa.Text, nullable=False),
    sa.Column("digest", sa.Text, nullable=False),
    sa.Column("scopes", JSON, nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("expires_at", TIMESTAMP),
    sa.Column("revoked_at", TIMESTAMP),
    sa.Column("last_used_at", TIMESTAMP),
)

field_metadata = sa.Table(
    "field_metadata",
    meta,
    sa.Column("workspace_id", UUID, primary_key=True),
    sa.Column("id", UUID, primary_key=True),
    sa.Column("object_name", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("definition", JSON, nullable=False),
    sa.Column("is_active", sa.Boolean, nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("updated_at", TIMESTAMP, nullable=False),
)

event = sa.Table(
    "event",
    meta,
    sa.Column("workspace_id", UUID, primary_key=True),
    sa.Column("id", UUID, primary_key=True),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("object_name", sa.Text, nullable=False),
    sa.Column("record_id", UUID, nullable=False),
    sa.Column("occurred_at", TIMESTAMP, nullable=False),
    sa.Column("actor", JSON_TEXT),
    sa.Column("record", JSON_TEXT),
    sa.Column("changes", JSON_TEXT),
    sa.Column("previous", JSON_TEXT),
    # Filled by the database (a sequence on PostgreSQL), in commit order per record;
    # the dispatcher fans events out in this order and marks them done.
    sa.Column("seq", sa.BigInteger),
    sa.Column("fanned_out", sa.Boolean, nullable=False),
)

# The standard fields each workspace marked indexed (migration 0010).
field_index = sa.Table(
    "field_index",
    meta,
    sa.Column("workspace_id", UUID, primary_key=True),
    sa.Column("object_name", sa.Text, primary_key=True),
    sa.Column("field_name", sa.Text, primary_key=True),
    sa.Column("created_at", TIMESTAMP, nullable=False),
)

# A workspace's own options for a standard select field whose options are
# editable (an opportunity's stage; migration 0015).
field_options = sa.Table(
    "field_options",
    meta,
    sa.Column("workspace_id", UUID, primary_key=True),
    sa.Column("object_name", sa.Text, primary_key=True),
    sa.Column("field_name", sa.Text, primary_key=True),
    sa.Column("options", JSON, nullable=False),
    sa.Column("updated_at", TIMESTAMP, nullable=False),
)

object_metadata = sa.Table(
    "object_metadata",
    meta,
    sa.Column("workspace_id", UUID, primary_key=True),
    sa.Column("id", UUID, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("plural", sa.Text, nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("label_plural", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("is_active", sa.Boolean, nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("updated_at", TIMESTAMP, nullable=False),
)

# Records of every custom object, their fields in ``custom``.
custom_record = sa.Table(
    "custom_record",
    meta,
    sa.Column("workspace_id", UUID, primary_key=True),
    sa.Column("object_id", UUID, primary_key=True),
    sa.Column("id", UUID, primary_key=True),
    sa.Column("custom", JSON),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("updated_at", TIMESTAMP, nullable=False),
    sa.Column("deleted_at", TIMESTAMP),
    sa.Column("created_by", JSON),
    sa.Column("updated_by", JSON),
)


# -- webhooks ---------------------------------------------------------------------
webhook = sa.Table(
    "webhook",
    meta,
    sa.Column("workspace_id", UUID, primary_key=True),
    sa.Column("id", UUID, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("target_url", sa.Text, nullable=False),
    sa.Column("subscriptions", JSON),
    sa.Column("format", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("status_reason", sa.Text),
    sa.Column("secret", sa.Text, nullable=False),
    sa.Column("previous_secret", sa.Text),
    sa.Column("previous_secret_until", TIMESTAMP),
    sa.Column("failing_since", TIMESTAMP),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("updated_at", TIMESTAMP, nullable=False),
)

webhook_delivery = sa.Table(
    "webhook_delivery",
    meta,
    sa.Column("workspace_id", UUID, primary_key=True),
    sa.Column("id", UUID, primary_key=True),
    sa.Column("webhook_id", UUID, nullable=False),
    sa.Column("event_id", UUID, nullable=False),
    sa.Column("event_seq", sa.BigInteger),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("object_name", sa.Text),
    sa.Column("record_id", UUID),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("tries", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", TIMESTAMP, nullable=False),
    sa.Column("locked_until", TIMESTAMP),
    sa.Column("lease_owner", UUID),
    sa.Column("last_attempt_at", TIMESTAMP),
    sa.Column("response_status", sa.Integer),
    sa.Column("error", sa.Text),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("completed_at", TIMESTAMP),
)

webhook_attempt = sa.Table(
    "webhook_attempt",
    meta,
    sa.Column("workspace_id", UUID, primary_key=True),
    sa.Column("id", UUID, primary_key=True),
    sa.Column("delivery_id", UUID, nullable=False),
    sa.Column("webhook_id", UUID, nullable=False),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("started_at", TIMESTAMP, nullable=False),
    sa.Column("duration_ms", sa.Integer, nullable=False),
    sa.Column("request_headers", JSON, nullable=False),
    sa.Column("response_status", sa.Integer),
    sa.Column("response_body", sa.Text),
    sa.Column("error", sa.Text),
    sa.Column("next_attempt_at", TIMESTAMP),
)


# -- consent ----------------------------------------------------------------------
consent = sa.Table(
    "consent",
    meta,
    sa.Column("workspace_id", UUID, primary_key=True),
    sa.Column("id", UUID, primary_key=True),
    sa.Column("person_id", UUID, nullable=False),
    sa.Column("purpose", sa.Text, nullable=False),
    sa.Column("legal_basis", sa.Text, nullable=False),
    sa.Column("source", sa.Text),
    sa.Column("comment", sa.Text),
    sa.Column("recorded_by", JSON),
    sa.Column("given_at", TIMESTAMP, nullable=False),
    sa.Column("withdrawn_at", TIMESTAMP),
    sa.Column("updated_at", TIMESTAMP, nullable=False),
)
workspace_setting = sa.Table(
    "workspace_setting",
    meta,
    sa.Column("workspace_id", UUID, primary_key=True),
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", JSON, nullable=False),
    sa.Column("updated_at", TIMESTAMP, nullable=False),
)

# -- idempotency keys (idempotency/) ------------------------------------------------
idempotency_key = sa.Table(
    "idempotency_key",
    meta,
    sa.Column("workspace_id", UUID, primary_key=True),
    sa.Column("api_key_id", UUID, primary_key=True),
    sa.Column("key", sa.Text, primary_key=True),
    # SHA-256 of the method, path, query string and body.
    sa.Column("fingerprint", sa.Text, nullable=False),
    # 'pending' while the first request runs, then 'done'.
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("status", sa.Integer),
    # The response's headers, a JSON list of [name, value]; its body as text
    # (NULL when it was too large or streamed, which ``stored`` then says).
    sa.Column("headers", sa.Text),
    sa.Column("body", sa.Text),
    sa.Column("stored", sa.Boolean),
    # Seconds since the epoch: when the request arrived, when the key may go.
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("expires_at", sa.BigInteger, nullable=False),
)

# -- the search index (search/, migration 0013) -------------------------------------
# One row per live record whose object has searchable fields. PostgreSQL adds
# ``tsv``, a generated tsvector of ``body``. On SQLite the same columns are an
# FTS5 virtual table, keyed by a rowid derived from the workspace and record id.
search_document = sa.Table(
    "search_document",
    meta,
    sa.Column("workspace_id", UUID, primary_key=True),
    sa.Column("record_id", UUID, primary_key=True),
    sa.Column("object_name", sa.Text, nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    # The label's folded words: an exact name ranks first.
    sa.Column("label_words", sa.Text, nullable=False),
    # The folded words of every searchable field, joined by spaces.
    sa.Column("body", sa.Text, nullable=False),
)

# -- the console's sign-in (members/, migration 0014) -------------------------------
member_credential = sa.Table(
    "member_credential",
    meta,
    sa.Column("workspace_id", UUID, primary_key=True),
    # A record of the standard ``member`` object.
    sa.Column("member_id", UUID, primary_key=True),
    # Lower-cased; unique per workspace.
    sa.Column("email", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),  # owner | admin | member
    sa.Column("password_hash", sa.Text),  # argon2; NULL until a password is set
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("updated_at", TIMESTAMP, nullable=False),
)

console_session = sa.Table(
    "console_session",
    meta,
    sa.Column("workspace_id", UUID, primary_key=True),
    # SHA-256 of the cookie's random token; the token itself is never stored.
    sa.Column("digest", sa.Text, primary_key=True),
    sa.Column("member_id", UUID, nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("expires_at", TIMESTAMP, nullable=False),
)

signin_link = sa.Table(
    "signin_link",
    meta,
    sa.Column("workspace_id", UUID, primary_key=True),
    sa.Column("digest", sa.Text, primary_key=True),
    sa.Column("member_id", UUID, nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("expires_at", TIMESTAMP, nullable=False),
    sa.Column("used_at", TIMESTAMP),  # single use
)

"""The search index: one document per live record, kept by the record service.

PostgreSQL: ``search_document`` holds each record's label and the folded
words of its searchable fields (``body``), and a generated ``tsv``
(``to_tsvector('simple', body)``) under a GIN index led by the workspace
(``btree_gin``, from 0008), so a query reads the index entries of one
workspace; prefix matching is ``to_tsquery('simple', 'lov:*')``. The
primary key is (workspace_id, record_id); (workspace_id, label_words) finds
exact names, which rank first. Nothing else: each index is paid for by
every write. No trigram index (search matches words from their start), and
none on the object (a search filters the workspace's matches by object; only
re-indexing an object reads all its documents, through the primary key).

SQLite: the same columns in an FTS5 table (``unicode61 remove_diacritics
2``, prefix indexes of 2 and 3 characters), its rowid a hash of the
workspace and record ids (search/repository.py).

Existing records are indexed here: the standard objects' searchable fields
and custom objects' names (no custom field is searchable before this).

Revision ID: 0013_search
Revises: 0012_compression
Create Date: 2026-12-03
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0013_search"
down_revision = "0012_compression"
branch_labels = None
depends_on = None

BATCH = 2_000


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        op.execute(
            "CREATE VIRTUAL TABLE search_document USING fts5("
            "body, label UNINDEXED, label_words UNINDEXED, object_name UNINDEXED, "
            "record_id UNINDEXED, workspace_id UNINDEXED, "
            "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
        )
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
        op.execute(
            "CREATE TABLE search_document ("
            "workspace_id uuid NOT NULL, record_id uuid NOT NULL, object_name text NOT NULL, "
            "label text NOT NULL, label_words text NOT NULL, body text NOT NULL, "
            "tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, body)) STORED, "
            "PRIMARY KEY (workspace_id, record_id))"
        )
        op.execute(
            "CREATE INDEX ix_search_document_tsv ON search_document USING gin (workspace_id, tsv)"
        )
        op.execute(
            "CREATE INDEX ix_search_document_label ON search_document "
            "(workspace_id, label_words text_pattern_ops)"
        )
    _backfill(bind, sqlite)


def _backfill(bind: Any, sqlite: bool) -> None:
    """Index the live records already stored, a batch at a time."""
    from rolodex.metadata.registry import custom_object, standard
    from rolodex.metadata.repository import ObjectRow
    from rolodex.search.repository import sqlite_rowid
    from rolodex.search.text import document, stored_values

    # The standard objects of today's code, less those a later migration adds
    # (opportunity, 0015): their tables do not exist yet, and start empty.
    tables = set(sa.inspect(bind).get_table_names())
    objects = [o for o in standard().objects.values() if o.table in tables]
    for row in bind.execute(
        sa.text("SELECT id, name, plural, label, label_plural, description FROM object_metadata")
    ).mappings():
        objects.append(custom_object(ObjectRow(**dict(row))))
    for obj in objects:
        where = "deleted_at IS NULL"
        params: dict[str, Any] = {"n": BATCH}
        if obj.is_custom:
            where += " AND object_id = :obj"
            params["obj"] = str(obj.id) if sqlite else obj.id
        after: tuple[Any, Any] | None = None
        while True:
            keyset = "" if after is None else " AND (workspace_id, id) > (:after_ws, :after_id)"
            if after is not None:
                params["after_ws"], params["after_id"] = after
            chunk = list(
                bind.execute(
                    sa.text(
                        f"SELECT * FROM {obj.table} WHERE {where}{keyset} "
                        "ORDER BY workspace_id, id LIMIT :n"
                    ),
                    params,
                ).mappings()
            )
            if not chunk:
                break
            after = (chunk[-1]["workspace_id"], chunk[-1]["id"])
            docs = []
            for r in chunk:
                d = document(obj, stored_values(obj, r))
                ws = r["workspace_id"]
                docs.append(
                    {
                        "workspace_id": str(ws),
                        "record_id": d.record_id,
                        "object_name": obj.name,
                        "label": d.label,
                        "label_words": d.label_words,
                        "body": d.body,
                        "rowid": sqlite_rowid(uuid.UUID(str(ws)), d.record_id) if sqlite else 0,
                    }
                )
            if sqlite:
                bind.execute(
                    sa.text(
                        "INSERT INTO search_document (rowid, workspace_id, record_id, "
                        "object_name, label, label_words, body) VALUES (:rowid, :workspace_id, "
                        ":record_id, :object_name, :label, :label_words, :body)"
                    ),
                    docs,
                )
            else:
                bind.execute(
                    sa.text(
                        "INSERT INTO search_document (workspace_id, record_id, object_name, "
                        "label, label_words, body) VALUES (CAST(:workspace_id AS uuid), "
                        "CAST(:record_id AS uuid), :object_name, :label, :label_words, :body)"
                    ),
                    docs,
                )


def downgrade() -> None:
    op.execute("DROP TABLE search_document")

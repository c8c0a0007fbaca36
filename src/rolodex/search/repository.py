"""SQL of the search index: every statement names its workspace.

PostgreSQL keeps ``search_document`` with a generated ``tsv`` (the ``simple``
configuration over the folded words) under a GIN index led by the
workspace; SQLite keeps the same columns in an FTS5 table (migration
0013_search). Both are given folded text (``search/text.py``), so they match
the same records; their scores differ (``ts_rank`` against ``bm25``).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.dialects.postgresql import insert as pg_insert

from rolodex.kit.db import Conn, Row
from rolodex.kit.recordset import recordset, recordset_select
from rolodex.kit.tables import search_document as doc_table
from rolodex.metadata.model import ObjectDef
from rolodex.metadata.storage import table_for
from rolodex.search.text import Document, Terms

# Matches ranked at most per query on PostgreSQL (besides exact labels): a
# query matching more ranks the first this many the index yields.
RANK_CAP = 1_000
_COLUMNS = ("workspace_id", "record_id", "object_name", "label", "label_words", "body")
# How much an exact label, a label starting with the query, and whole words
# (rather than word prefixes) add to the database's own score.
EXACT_LABEL, LABEL_PREFIX, WHOLE_WORDS = 4.0, 1.0, 2.0


@dataclass(frozen=True, slots=True)
class Hit:
    object_name: str
    record_id: str
    label: str
    score: float


def sqlite_rowid(workspace_id: uuid.UUID, record_id: str) -> int:
    """The FTS5 rowid of a record's document: 63 bits of a hash of both ids, so an
    update or delete finds it by rowid, without a table of its own."""
    digest = hashlib.blake2b(
        workspace_id.bytes + uuid.UUID(record_id).bytes, digest_size=8
    ).digest()
    return int.from_bytes(digest, "big") >> 1


def put_statement(name: str = "rows", where: Any = None, *, few: bool = False) -> Any:
    """PostgreSQL's upsert of the documents in the recordset parameter ``name`` (only
    when ``where`` holds, if given): also a part of a record's own insert
    (records/repository.py, ``insert_new``)."""
    select = recordset_select(doc_table, _COLUMNS, name, few=few)
    if where is not None:
        select = select.where(where)
    insert = pg_insert(doc_table).from_select(list(_COLUMNS), select)
    return insert.on_conflict_do_update(
        index_elements=["workspace_id", "record_id"],
        set_={c: insert.excluded[c] for c in _COLUMNS[2:]},
    )


def put_params(
    rows: Sequence[dict[str, Any]], name: str = "rows", *, few: bool = False
) -> dict[str, Any]:
    """The parameters of ``put_statement(name, few=few)`` for these document rows."""
    return recordset(doc_table, _COLUMNS, rows, name, few=few)


class SearchRepository:
    """Reads and writes one workspace's search documents."""

    def __init__(self, conn: Conn, workspace_id: uuid.UUID) -> None:
        self.conn = conn
        self.db = conn.db
        self.ws = workspace_id

    # -- writes ---------------------------------------------------------------
    def rows(self, object_name: str, docs: Sequence[Document]) -> list[dict[str, Any]]:
        """The table rows of ``docs``: one per record, the last one given wins."""
        unique = {d.record_id: d for d in docs}
        return [
            {
                "workspace_id": self.ws,
                "record_id": d.record_id,
                "object_name": object_name,
                "label": d.label,
                "label_words": d.label_words,
                "body": d.body,
            }
            for d in unique.values()
        ]

    async def put(self, object_name: str, docs: Sequence[Document]) -> None:
        """Insert or replace the documents of records of ``object_name``."""
        unique = {d.record_id: d for d in docs}  # one row per record, the last wins
        if not unique:
            return
        rows: list[dict[str, Any]] = [
            {
                "workspace_id": self.ws,
                "record_id": d.record_id,
                "object_name": object_name,
                "label": d.label,
                "label_words": d.label_words,
                "body": d.body,
            }
            for d in unique.values()
        ]
        if self.conn.sqlite:
            await self._sqlite_drop([d.record_id for d in unique.values()])
            sql = self.db.sql(
                ("search", "sqlite_put"),
                lambda: sa.text(
                    "INSERT INTO search_document (rowid, workspace_id, record_id, object_name, "
                    "label, label_words, body) VALUES (:rowid, :workspace_id, :record_id, "
                    ":object_name, :label, :label_words, :body)"
                ),
            )
            for r, d in zip(rows, unique.values(), strict=True):
                r["rowid"] = sqlite_rowid(self.ws, d.record_id)
            await self.conn.executemany(sql, rows)
            return

        sql = self.db.sql(("search", "put"), put_statement)
        await self.conn.execute(sql, put_params(rows))

    async def drop(self, record_ids: Sequence[str]) -> None:
        """Remove the documents of these records (deleted, or no longer searchable)."""
        if not record_ids:
            return
        if self.conn.sqlite:
            await self._sqlite_drop(record_ids)
            return
        t = doc_table
        sql = self.db.sql(
            ("search", "drop"),
            lambda: sa.delete(t).where(
                t.c.workspace_id == sa.bindparam("ws"),
                t.c.record_id == sa.any_(sa.cast(sa.bindparam("ids"), pg.ARRAY(pg.UUID()))),
            ),
        )
        await self.conn.execute(sql, {"ws": self.ws, "ids": [uuid.UUID(i) for i in record_ids]})

    async def _sqlite_drop(self, record_ids: Sequence[str]) -> None:
        sql = self.db.sql(
            ("search", "sqlite_drop"),
            lambda: sa.text("DELETE FROM search_document WHERE rowid = :rowid"),
        )
        await self.conn.executemany(
            sql, [{"rowid": sqlite_rowid(self.ws, rid)} for rid in record_ids]
        )

    async def drop_object(self, object_name: str) -> None:
        """Remove every document of ``object_name`` in this workspace."""
        t = doc_table
        sql = self.db.sql(
            ("search", "drop_object"),
            lambda: sa.delete(t).where(
                t.c.workspace_id == sa.bindparam("ws"), t.c.object_name == sa.bindparam("obj")
            ),
        )
        await self.conn.execute(sql, {"ws": self.ws, "obj": object_name})

    async def records_after(self, obj: ObjectDef, after: uuid.UUID | None, n: int) -> list[Row]:
        """Up to ``n`` live records of ``obj`` after ``after`` in id order (re-indexing)."""
        t = table_for(obj)

        def build() -> Any:
            where = [t.c.workspace_id == sa.bindparam("ws"), t.c.deleted_at.is_(None)]
            if obj.is_custom:
                where.append(t.c.object_id == sa.bindparam("obj"))
            if after is not None:
                where.append(t.c.id > sa.bindparam("after"))
            return sa.select(t).where(*where).order_by(t.c.id).limit(sa.bindparam("n"))

        sql = self.db.sql(("search", "records_after", obj.table, after is None), build)
        return await self.conn.fetch(sql, {"ws": self.ws, "obj": obj.id, "after": after, "n": n})

    # -- queries --------------------------------------------------------------
    async def search(self, terms: Terms, objects: Sequence[str], limit: int) -> list[Hit]:
        """The ``limit`` best documents of ``objects`` matching every term as a word prefix."""
        params: dict[str, Any] = {
            "ws": self.ws,
            "whole": terms.whole,
            "prefix": terms.whole + "%",
            "limit": limit,
        }
        for i, w in enumerate(terms.words):
            params[f"w{i}"] = f"% {w} %"
        n = len(terms.words)
        whole_words = " AND ".join(f"(' ' || body || ' ') LIKE :w{i}" for i in range(n))
        bonus = (
            f"CASE WHEN label_words = :whole THEN {EXACT_LABEL} ELSE 0 END"
            f" + CASE WHEN label_words LIKE :prefix THEN {LABEL_PREFIX} ELSE 0 END"
            f" + CASE WHEN {whole_words} THEN {WHOLE_WORDS} ELSE 0 END"
        )
        if self.conn.sqlite:
            params["match"] = " ".join(f'"{w}"*' for w in terms.words)
            marks = ", ".join(f":o{i}" for i in range(len(objects)))
            params.update({f"o{i}": o for i, o in enumerate(objects)})
            text = (
                "SELECT object_name, record_id, label, "
                f"(-bm25(search_document) + {bonus}) AS score FROM search_document "
                "WHERE search_document MATCH :match AND workspace_id = :ws "
                f"AND object_name IN ({marks}) ORDER BY score DESC, record_id LIMIT :limit"
            )
            key: tuple[Any, ...] = ("search", "sqlite_query", n, len(objects))
        else:
            params["tsq"] = " & ".join(f"{w}:*" for w in terms.words)
            params["objects"] = list(objects)
            params["cap"] = RANK_CAP
            wanted = "workspace_id = :ws AND object_name = ANY(CAST(:objects AS text[]))"
            scored = (
                "SELECT object_name, CAST(record_id AS text) AS record_id, label, "
                f"(ts_rank(tsv, q.q) + {bonus}) AS score FROM search_document, q "
                f"WHERE {wanted} AND tsv @@ q.q"
            )
            # The first RANK_CAP matches the index yields, and the exact labels,
            # which may be past them; a record in both comes twice (see below).
            text = (
                "WITH q AS (SELECT to_tsquery('simple', :tsq) AS q) "
                f"SELECT * FROM (({scored} LIMIT :cap) UNION ALL "
                f"({scored} AND label_words = :whole LIMIT :limit)) c "
                "ORDER BY score DESC, record_id LIMIT :twice"
            )
            params["twice"] = 2 * limit
            key = ("search", "query", n)
        sql = self.db.sql(key, lambda: sa.text(text))
        rows: list[Row] = await self.conn.fetch(sql, params)
        hits: dict[str, Hit] = {}
        for r in rows:
            rid = str(r["record_id"])
            if rid not in hits:
                hits[rid] = Hit(r["object_name"], rid, r["label"], round(float(r["score"]), 6))
        return list(hits.values())[:limit]

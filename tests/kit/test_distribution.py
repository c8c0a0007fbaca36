"""The schema can be distributed by workspace (docs/scaling.md), on both backends.

A cluster that shards tables by tenant, such as Citus, can enforce a primary
key or a unique index only when it includes the distribution column, and
routes a statement to one node only when it names it. So every table's
primary key and every unique index lead with ``workspace_id``, except the
tables listed here, each with the reason it may break the rule. A new table
or index that breaks it fails this test until it is listed, with its reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from rolodex.kit.migrate import sync_url

# Tables that are not distributed by workspace, and why (docs/scaling.md).
REFERENCE_TABLES = {
    # The tenants themselves: a request names its workspace by its key, and
    # records' workspace ids are workspace.id. Small, read through caches,
    # written only when workspaces or their metadata version change.
    "workspace": "a reference table: replicated to every node",
    # A request names its key, not its workspace: the key is found by its
    # digest, which is unique across workspaces. Small (a few keys per
    # workspace), read at most once a second per key and process;
    # last_used_at is written in batches every 5 s per process.
    "api_key": "a reference table: replicated to every node",
    # Alembic's bookkeeping: one row.
    "alembic_version": "a reference table (or left local to the coordinator)",
}

# Indexes that do not lead with workspace_id, scanned across workspaces on purpose:
# the work queues, claimed by any process for any workspace. On a cluster their
# scans run on every shard (docs/scaling.md, "Multi-shard statements").
CROSS_WORKSPACE_INDEXES = {
    ("event", "ix_event_fan_out"): "events waiting for fan-out, oldest first",
    ("webhook_delivery", "ix_webhook_delivery_due"): "deliveries due, soonest first",
    ("member_credential", "ix_member_credential_by_email"): "console sign-in names an email, "
    "not a workspace",
}


# SQLite's stand-ins for PostgreSQL objects; no cluster runs SQLite.
SQLITE_ONLY = {
    "event_seq": "the counter PostgreSQL keeps as the event_seq sequence",
    # The search index is an FTS5 virtual table on SQLite (search/repository.py),
    # with its rowid derived from the workspace and record ids; FTS5 keeps its
    # own shadow tables. PostgreSQL's search_document is an ordinary table.
    "search_document": "an FTS5 table: no primary key, keyed by rowid",
    **{
        f"search_document_{part}": "FTS5's own storage of the search index"
        for part in ("data", "idx", "content", "docsize", "config")
    },
}


@dataclass(frozen=True)
class Index:
    """One index (or primary key) as the catalogue has it: its leading key and kind."""

    table: str
    name: str
    first: str  # a column name, or the text of an expression
    unique: bool
    primary: bool


_PG_INDEXES = """
SELECT t.relname, i.relname, pg_get_indexdef(x.indexrelid, 1, true), x.indisunique, x.indisprimary
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = current_schema()
"""


def _sqlite_indexes(conn: Any, tables: list[str]) -> Iterator[Index]:
    for table in tables:
        for _, name, unique, origin, _partial in conn.exec_driver_sql(
            f"PRAGMA index_list('{table}')"
        ):
            keys = [r for r in conn.exec_driver_sql(f"PRAGMA index_xinfo('{name}')") if r[5]]
            first = keys[0][2] if keys[0][1] >= 0 else "<expression>"
            yield Index(table, name, first, bool(unique), origin == "pk")
        columns = list(conn.exec_driver_sql(f"PRAGMA table_info('{table}')"))
        pk = sorted((c[5], c[1]) for c in columns if c[5])
        if len(pk) == 1:  # a single-column key has no index of its own listed above
            yield Index(table, "<rowid>", pk[0][1], True, True)


@pytest.fixture
def catalogue(db_url: str) -> Iterator[tuple[list[str], list[Index]]]:
    """The migrated database's tables and indexes (primary keys included)."""
    engine = sa.create_engine(sync_url(db_url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            tables = sa.inspect(conn).get_table_names()
            if db_url.startswith("sqlite"):
                tables = [t for t in tables if t not in SQLITE_ONLY]
                indexes = list(_sqlite_indexes(conn, tables))
            else:
                indexes = [Index(*row) for row in conn.exec_driver_sql(_PG_INDEXES)]
            yield tables, indexes
    finally:
        engine.dispose()


def test_every_primary_key_and_unique_index_leads_with_workspace_id(
    catalogue: tuple[list[str], list[Index]],
) -> None:
    tables, indexes = catalogue
    assert {"person", "event", "webhook_delivery"} <= set(tables)  # the schema was migrated
    keyed = {ix.table for ix in indexes if ix.primary}
    assert keyed >= set(tables) - set(REFERENCE_TABLES), "every table has a primary key"
    wrong = [
        f"{ix.table}.{ix.name} leads with {ix.first}"
        for ix in indexes
        if (ix.unique or ix.primary)
        and ix.table not in REFERENCE_TABLES
        and ix.first != "workspace_id"
    ]
    assert wrong == [], (
        "Keys that cannot be enforced on a cluster distributed by workspace "
        "(lead with workspace_id, or list the table in REFERENCE_TABLES with why): "
        + "; ".join(wrong)
    )


def test_reference_tables_are_still_needed(catalogue: tuple[list[str], list[Index]]) -> None:
    """Each exception names a table that exists, so the list stays honest."""
    tables, _ = catalogue
    assert set(REFERENCE_TABLES) <= set(tables)


def test_indexes_scanned_across_workspaces_are_the_listed_queues(
    catalogue: tuple[list[str], list[Index]],
) -> None:
    _, indexes = catalogue
    found = {
        (ix.table, ix.name)
        for ix in indexes
        if ix.table not in REFERENCE_TABLES and ix.first != "workspace_id"
    }
    assert found == set(CROSS_WORKSPACE_INDEXES), (
        "An index that does not lead with workspace_id runs on every shard of a "
        "cluster; list it in CROSS_WORKSPACE_INDEXES (and docs/scaling.md) with why."
    )

"""Indexes for every ordering lists offer on standard fields, and trigram indexes for
substring filters.

Orderings. A list ordered by a field walks ``(workspace_id, column, id)``
instead of sorting the workspace (``order_by=name`` over a
million people sorted them all: 504 ms a page). A b-tree walked backwards
gives the reverse order with the NULLs at the other end, so each nullable
column needs two indexes for the four directions the API offers:

- ``column NULLS FIRST``: ``AscNullsFirst`` (plain ``asc``) and, backwards,
  ``DescNullsLast`` (plain ``desc``);
- ``column`` (NULLS LAST, b-tree's default): ``AscNullsLast`` and, backwards,
  ``DescNullsFirst``. Migration 0005 already made these for a person's job
  title and location and a task's due date.

NOT NULL columns (a company's name, a task's title and status, a member's
name, ``updatedAt``) are ordered without a NULLS clause (``records/sql.py``)
and need one index, which 0005 made for company name and task status.

The ``id`` that breaks ties always runs ascending (orderings are documented
and tested that way), so a descending walk sorts each run of equal values as
it goes (an incremental sort, up to the page's limit). For a task's status,
whose runs are a third of the workspace, ``(workspace_id, status, id DESC)``
walked backwards gives ``status DESC, id`` without sorting.

These b-tree indexes hold every record, like 0001's ``(workspace_id,
created_at, id)``: a soft-deleted record is filtered out as the walk meets it.
Partial ones (``WHERE deleted_at IS NULL``) would each be, to the planner, as
good an index of the live records as 0007's, and it would count unfiltered
totals from whichever it met first.

Substring filters. ``like``, ``ilike``, ``contains`` and ``startsWith`` on the
text fields lists search (names, emails, job titles, domains, titles) read a
trigram GIN index (``pg_trgm``) led by ``workspace_id`` (``btree_gin``), so a
search reads the matching records of one workspace. ``gin_trgm_ops`` on the
column serves LIKE and ILIKE alike.

On SQLite, NULLs sort first, as in an ascending index, and an index has no
NULLS placement: one plain index per ordered column, and no trigram index
(SQLite has none).

Revision ID: 0008_ordering_and_text_indexes
Revises: 0007_live_index
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0008_ordering_and_text_indexes"
down_revision = "0007_live_index"
branch_labels = None
depends_on = None

LIVE = "deleted_at IS NULL"
# Nullable columns lists order by; the (workspace_id, column, id) indexes of 0005
# already serve the NULLS LAST pair of the ones marked True.
NULLABLE: list[tuple[str, str, bool]] = [
    ("person", "name", False),
    ("person", "first_name", False),
    ("person", "last_name", False),
    ("person", "email", False),
    ("person", "job_title", True),
    ("person", "location", True),
    ("company", "domain", False),
    ("company", "employees", False),
    ("note", "title", False),
    ("task", "due_date", True),
    ("member", "email", False),
]
# NOT NULL columns without an ordering index yet (0005 has company name, task status).
NOT_NULL: list[tuple[str, str]] = [
    ("task", "title"),
    ("member", "name"),
    *((t, "updated_at") for t in ("person", "company", "note", "task", "member")),
]
TRIGRAM: list[tuple[str, str]] = [
    ("person", "name"),
    ("person", "email"),
    ("person", "job_title"),
    ("company", "name"),
    ("company", "domain"),
    ("note", "title"),
    ("task", "title"),
    ("member", "name"),
    ("member", "email"),
]


def _names() -> list[tuple[str, str, str]]:
    """Every index this migration makes: (name, table, DDL body after ON)."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    out: list[tuple[str, str, str]] = []
    for table, column, has_last in NULLABLE:
        out.append(
            (
                f"ix_{table}_{column}_nf",
                table,
                f"{table} (workspace_id, {column}{'' if sqlite else ' NULLS FIRST'}, id)",
            )
        )
        if not has_last and not sqlite:
            out.append((f"ix_{table}_{column}_nl", table, f"{table} (workspace_id, {column}, id)"))
    for table, column in NOT_NULL:
        out.append((f"ix_{table}_{column}", table, f"{table} (workspace_id, {column}, id)"))
    out.append(("ix_task_status_desc", "task", "task (workspace_id, status, id DESC)"))
    if not sqlite:
        for table, column in TRIGRAM:
            out.append(
                (
                    f"ix_{table}_{column}_trgm",
                    table,
                    f"{table} USING gin (workspace_id, {column} gin_trgm_ops) WHERE {LIVE}",
                )
            )
    return out


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    for name, _table, body in _names():
        op.execute(f"CREATE INDEX {name} ON {body}")


def downgrade() -> None:
    for name, table, _body in reversed(_names()):
        op.drop_index(name, table_name=table)

"""Indexes of names ignoring case, for duplicate groups; statistics of dates cut to a unit.

Duplicates. ``GET /rest/{objects}/duplicates`` groups live records by the
field that names them, ignoring case (``records/bulk_repository.py``:
``GROUP BY lower(name) HAVING count(*) > 1``, paged by ``lower(name)``).
With no index on ``lower(name)`` every page read and sorted the workspace.
Each record table gets ``(workspace_id, lower(<label>))``: walked in order
it yields the groups already sorted, and a page stops at its limit. The
same index serves the look-up of each group's records (``lower(name) =
ANY(...)``). Custom objects share ``custom_record``; their ``name`` is in
the JSON document, so theirs is ``(workspace_id, object_id, lower(custom
->> 'name'))``, the expression ``metadata/custom_sql.py`` writes. SQLite
indexes expressions too, with its own JSON expression.

Partial, ``WHERE lower(<label>) <> ''``, the condition the statements
write as a literal, so both backends prove it even for a generic plan:
it leaves out records with no name, and it keeps the index from being,
to the planner, one more index of "the workspace's records", which it
chose over 0007's to count unfiltered totals (see 0008). Soft-deleted
records are skipped as the walk meets them, like every ordering index's.

Statistics (PostgreSQL only). ``group_by=createdAt:month`` groups by
``date_trunc('month', timezone('UTC', created_at))::date``
(``records/aggregate_repository.py``: ``truncated``). With no statistics on
that expression the planner expected a group per record and did not
parallelise the aggregate. An extended statistics object on each such
expression (PostgreSQL 14+: ``CREATE STATISTICS ... ON (expr)``), for
people's and companies' ``createdAt`` cut to each unit, gives it the real
number of groups; ``ANALYZE`` keeps them. SQLite has no planner statistics.

Revision ID: 0016_duplicate_names
Revises: 0015_twenty_model
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0016_duplicate_names"
down_revision = "0015_twenty_model"
branch_labels = None
depends_on = None

# Each record table and the column that names its records (ObjectDef.label_field).
LABELS: list[tuple[str, str]] = [
    ("person", "name"),
    ("company", "name"),
    ("opportunity", "name"),
    ("member", "name"),
    ("note", "title"),
    ("task", "title"),
]


def _indexes() -> list[tuple[str, str, str]]:
    """Every index this migration makes: (name, table, DDL body after ON)."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    out = [
        (
            f"ix_{table}_{column}_lower",
            table,
            f"{table} (workspace_id, lower({column})) WHERE lower({column}) <> ''",
        )
        for table, column in LABELS
    ]
    custom = "lower(json_extract(custom, '$.\"name\"'))" if sqlite else "lower(custom ->> 'name')"
    out.append(
        (
            "ix_custom_record_name_lower",
            "custom_record",
            f"custom_record (workspace_id, object_id, {custom}) WHERE {custom} <> ''",
        )
    )
    return out


# Tables, and date columns, whose cuts aggregates group by (aggregates.UNITS).
DATED: list[tuple[str, str]] = [("person", "created_at"), ("company", "created_at")]
UNITS = ("day", "week", "month", "year")


def _statistics() -> list[tuple[str, str]]:
    """(name, DDL body after ON) of each statistics object; the expression exactly as
    ``aggregate_repository.truncated`` writes it, so the planner matches it."""
    return [
        (
            f"st_{table}_{column}_{unit}",
            f"(date_trunc('{unit}', timezone('UTC', {column}))::date) FROM {table}",
        )
        for table, column in DATED
        for unit in UNITS
    ]


def upgrade() -> None:
    for name, _table, body in _indexes():
        op.execute(f"CREATE INDEX {name} ON {body}")
    if op.get_bind().dialect.name == "postgresql":
        for name, body in _statistics():
            op.execute(f"CREATE STATISTICS {name} ON {body}")
        for table in dict(DATED):
            op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, _body in reversed(_statistics()):
            op.execute(f"DROP STATISTICS IF EXISTS {name}")
    for name, table, _body in reversed(_indexes()):
        op.drop_index(name, table_name=table)

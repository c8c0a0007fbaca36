"""Aggregates and group-by: counts, distinct counts, sums, averages, minima and maxima of
an object's records, over the whole list or in groups of up to two fields.

An ``AggregateQuery`` names its dimensions (``GroupSpec``: a field, and for
dates a unit to cut them to) and its metrics (``MetricSpec``), with a filter
in the list grammar's AST; REST's query string and GraphQL's arguments both
come to it. ``AggregateService.run`` checks them against the object (clear
400s for unknown fields, with the closest name; a metric that does not apply
to the field's type; too many dimensions; a bad unit), runs one grouped
statement (``aggregate_repository``) and shapes the groups::

    {"key": {"jobTitle": "CTO"}, "count": 3, "sum": {"employees": 120}, ...}

Groups come largest first, then by key (empty keys last); at most ``limit``
(``MAX_GROUPS``), and ``hasMore`` says whether more exist. To-one relations
group by their id field, and each group names the related record's label.
"""

from __future__ import annotations

import decimal
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rolodex.kit.db import Conn
from rolodex.kit.errors import ValidationError
from rolodex.metadata.fieldtypes import kind
from rolodex.metadata.fieldtypes.base import js_number
from rolodex.metadata.fieldtypes.date_time import DateKind, DateTimeKind
from rolodex.metadata.model import FieldDef, ObjectDef, RelationKind, suggest
from rolodex.metadata.registry import Registry
from rolodex.records.aggregate_repository import AggregateRepository
from rolodex.records.query import Filter
from rolodex.records.repository import RecordRepository
from rolodex.records.schemas import resolve_field, serializer

MAX_DIMENSIONS = 2
MAX_GROUPS = 1000
DEFAULT_GROUPS = 100
UNITS = ("day", "week", "month", "year")
# Metrics with a field, and the aliases accepted for them (Twenty's name first).
FIELD_METRICS = ("countEmpty", "countNotEmpty", "countDistinct", "sum", "avg", "min", "max")
METRICS = ("count", *FIELD_METRICS)
ALIASES = {"countUniqueValues": "countDistinct", "average": "avg"}
NUMERIC_ONLY = ("sum", "avg")
ORDERED = ("min", "max")


@dataclass(frozen=True, slots=True)
class GroupSpec:
    """Group by ``field``; dates may be cut to a ``unit`` (day, week, month, year)."""

    field: str
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class MetricSpec:
    """``count``, or an operation over one field (``sum`` of ``employees``)."""

    op: str
    field: str | None = None


@dataclass(slots=True)
class AggregateQuery:
    filter: Filter | None = None
    group_by: tuple[GroupSpec, ...] = ()
    metrics: tuple[MetricSpec, ...] = (MetricSpec("count"),)
    limit: int = DEFAULT_GROUPS
    totals: bool = False  # with groups, the same metrics over every match as well


# -- REST's text forms -----------------------------------------------------------
def _items(text: str, param: str) -> list[str]:
    items = [t.strip() for t in text.split(",")]
    if any(not t for t in items):
        raise ValidationError(f"{param} has an empty item: '{text}'", field=param)
    return items


def parse_group_by(text: str) -> tuple[GroupSpec, ...]:
    """``jobTitle,createdAt:month``: fields, dates with ``:day|week|month|year``."""
    out = []
    for item in _items(text, "group_by"):
        name, sep, unit = item.partition(":")
        out.append(GroupSpec(name.strip(), unit.strip().lower() if sep else None))
    return tuple(out)


def parse_metrics(text: str) -> tuple[MetricSpec, ...]:
    """``count,sum:employees,avg:employees``: operations, and ``op:field`` for fields."""
    out = []
    for item in _items(text, "metrics"):
        op, sep, name = item.partition(":")
        out.append(MetricSpec(op.strip(), name.strip() if sep else None))
    return tuple(out)


# -- checking against the object ---------------------------------------------------
def _field(obj: ObjectDef, name: str, what: str) -> FieldDef:
    f = resolve_field(obj, name)
    if f is not None and f.relation is not None and f.relation.kind is RelationKind.MANY_TO_ONE:
        f = obj.fields.get(f.relation.join_field)  # ``company`` groups by ``companyId``
    elif f is not None and f.relation is not None:
        raise ValidationError(
            f"Cannot {what} {obj.plural} by '{name}': a to-many relation; aggregate its "
            f"{f.relation.target} records by '{f.relation.join_field}' instead",
            field=name,
        )
    if f is None or not f.stored:
        known = [x.name for x in obj.stored_fields]
        raise ValidationError(
            f"Cannot {what} {obj.plural} by '{name}': no such field.{suggest(name, known)}",
            field=name,
        )
    return f


def to_one_target(obj: ObjectDef, f: FieldDef) -> str | None:
    """The object a to-one relation's id field points at, or None."""
    for rel_field in obj.fields.values():
        rel = rel_field.relation
        if rel is not None and rel.kind is RelationKind.MANY_TO_ONE and rel.join_field == f.name:
            return rel.target
    return None


def is_date(f: FieldDef) -> bool:
    return isinstance(kind(f), DateKind | DateTimeKind)


def is_number(f: FieldDef) -> bool:
    return kind(f).cast == "float"


def groupable(obj: ObjectDef, f: FieldDef) -> bool:
    """Values that name a group: text, selects, booleans, numbers, dates, to-one ids."""
    k = kind(f)
    if k.json_stored or k.list_valued or k.parts:
        return False
    if k.type == "UUID":
        return to_one_target(obj, f) is not None
    return True


def dimension(obj: ObjectDef, spec: GroupSpec) -> tuple[FieldDef, str | None]:
    f = _field(obj, spec.field, "group")
    if not groupable(obj, f):
        raise ValidationError(
            f"Cannot group {obj.plural} by {f.name} ({f.type}); group by text, select, "
            "boolean, number and date fields, and to-one relations",
            field=f.name,
        )
    unit = spec.unit
    if unit is not None and not is_date(f):
        raise ValidationError(
            f"Cannot group by '{spec.field}:{unit}': only dates are cut to a unit "
            f"({', '.join(UNITS)})",
            field=f.name,
        )
    if unit is not None and unit not in UNITS:
        raise ValidationError(
            f"Unknown unit '{unit}' in '{spec.field}:{unit}'; units are {', '.join(UNITS)}",
            field=f.name,
        )
    if unit is None and isinstance(kind(f), DateTimeKind):
        raise ValidationError(
            f"Group {f.name} by a unit: {f.name}:day, {f.name}:week, {f.name}:month "
            f"or {f.name}:year",
            field=f.name,
        )
    return f, unit


def metric(obj: ObjectDef, spec: MetricSpec) -> tuple[str, FieldDef | None]:
    op = ALIASES.get(spec.op, spec.op)
    if op not in METRICS:
        raise ValidationError(
            f"Unknown metric '{spec.op}'.{suggest(spec.op, METRICS)} Metrics are: "
            f"{', '.join(METRICS)}",
            field="metrics",
        )
    if op == "count":
        if spec.field is not None:
            raise ValidationError(
                f"count takes no field; use countNotEmpty:{spec.field}", field="metrics"
            )
        return op, None
    if not spec.field:
        raise ValidationError(f"{op} needs a field: {op}:fieldName", field="metrics")
    f = _field(obj, spec.field, f"aggregate ({op})")
    k = kind(f)
    if op in NUMERIC_ONLY and not is_number(f):
        raise ValidationError(
            f"{op} does not apply to {f.name} ({f.type}); it takes number fields", field=f.name
        )
    if op in ORDERED and not (is_number(f) or is_date(f)):
        raise ValidationError(
            f"{op} does not apply to {f.name} ({f.type}); it takes number and date fields",
            field=f.name,
        )
    if op == "countDistinct" and (k.json_stored or k.list_valued):
        raise ValidationError(f"countDistinct does not apply to {f.name} ({f.type})", field=f.name)
    return op, f


def plan(
    obj: ObjectDef, q: AggregateQuery
) -> tuple[list[tuple[FieldDef, str | None]], list[tuple[str, FieldDef | None]]]:
    """The query's dimensions and metrics as fields, or a 400 saying what is wrong."""
    if len(q.group_by) > MAX_DIMENSIONS:
        raise ValidationError(
            f"Group by at most {MAX_DIMENSIONS} fields, got {len(q.group_by)}", field="group_by"
        )
    if not 1 <= q.limit <= MAX_GROUPS:
        raise ValidationError(f"limit must be from 1 to {MAX_GROUPS}", field="limit")
    dims = [dimension(obj, g) for g in q.group_by]
    if len({f.name for f, _ in dims}) < len(dims):
        raise ValidationError("Group by a field once", field="group_by")
    metrics: list[tuple[str, FieldDef | None]] = []
    for spec in q.metrics:
        m = metric(obj, spec)
        if m[0] != "count" and m not in metrics:
            metrics.append(m)
    return dims, metrics


# -- results -----------------------------------------------------------------------
def _number(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        value = float(value)
    return js_number(value) if isinstance(value, float) else value


def _output(op: str, f: FieldDef | None, value: Any, sqlite: bool) -> Any:
    if value is None:
        return None
    if op.startswith("count"):
        return int(value)
    if op in ("sum", "avg"):
        return _number(value)
    assert f is not None
    return _number(kind(f).from_db(value, sqlite))


def _key(f: FieldDef, unit: str | None, value: Any, sqlite: bool) -> Any:
    if value is None:
        return None
    if unit is not None:
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    value = kind(f).from_db(value, sqlite)
    return str(value) if isinstance(value, uuid.UUID) else _number(value)


def _metrics_of(
    row: Any, metrics: Sequence[tuple[str, FieldDef | None]], sqlite: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {"count": int(row["n"])}
    for i, (op, f) in enumerate(metrics):
        assert f is not None
        out.setdefault(op, {})[f.name] = _output(op, f, row[f"m{i}"], sqlite)
    return out


class AggregateService:
    """Aggregates of any object's live records in one workspace (reads only)."""

    def __init__(self, conn: Conn, registry: Registry, workspace_id: uuid.UUID) -> None:
        self.conn = conn
        self.registry = registry
        self.ws = workspace_id

    async def run(self, obj: ObjectDef, q: AggregateQuery) -> dict[str, Any]:
        """``{"groups": [...], "hasMore": bool}`` and, if asked, ``"totals"``."""
        dims, metrics = plan(obj, q)
        sqlite = self.conn.sqlite
        repo = AggregateRepository(self.conn, obj, self.ws)
        rows = await repo.aggregate(dims, metrics, q.filter, q.limit + 1)
        more = len(rows) > q.limit
        groups = []
        for row in rows[: q.limit]:
            key = {f.name: _key(f, u, row[f"g{i}"], sqlite) for i, (f, u) in enumerate(dims)}
            groups.append({"key": key, **_metrics_of(row, metrics, sqlite)})
        await self._label(obj, dims, groups)
        out: dict[str, Any] = {"groups": groups, "hasMore": more}
        if q.totals and dims:
            total = await repo.aggregate([], metrics, q.filter, 1)
            out["totals"] = _metrics_of(total[0], metrics, sqlite)
        return out

    async def _label(
        self, obj: ObjectDef, dims: Sequence[tuple[FieldDef, str | None]], groups: list[Any]
    ) -> None:
        """Name each group's related records (one read per relation, at most the groups)."""
        for f, _ in dims:
            target_name = to_one_target(obj, f)
            target = self.registry.objects.get(target_name) if target_name else None
            if target is None:
                continue
            ids = {g["key"][f.name] for g in groups if g["key"][f.name] is not None}
            valid = [u for u in (_uuid(i) for i in ids) if u is not None]
            rows = await RecordRepository(self.conn, target, self.ws).get_many(valid)
            show = serializer(target)
            labels = {}
            for row in rows:
                record = show(row, self.conn.sqlite)
                labels[record["id"]] = record.get(target.label_field)
            for g in groups:
                value = g["key"][f.name]
                g.setdefault("labels", {})[f.name] = labels.get(value) if value else None


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None

"""``GET /rest/{plural}/aggregate`` in the OpenAPI document: one per object.

The parameters list what the object can be grouped by and which metrics
apply to which fields, from the same checks the service makes
(``records/aggregates.py``), so the document cannot offer what is refused.
"""

from __future__ import annotations

from rolodex.api.rest.openapi_common import AUTH, READ, Schema, errors, ok, op, query, ref
from rolodex.api.rest.openapi_schemas import filter_parameter
from rolodex.metadata.model import ObjectDef
from rolodex.records.aggregates import (
    DEFAULT_GROUPS,
    MAX_DIMENSIONS,
    MAX_GROUPS,
    UNITS,
    groupable,
    is_date,
    is_number,
)

_BY_FIELD: Schema = {
    "type": "object",
    "description": "Field name to value.",
    "additionalProperties": True,
}
GROUP: Schema = {
    "type": "object",
    "description": "One group: its key, its record count and the metrics asked for, each "
    "as field name to value (`sum`, `avg`, `min`, `max`, `countEmpty`, `countNotEmpty`, "
    "`countDistinct`).",
    "properties": {
        "key": {
            "type": "object",
            "description": "The group's values, by field name (`{}` without group_by); dates "
            "cut to a unit as the unit's first day (`2025-10-01`).",
            "additionalProperties": True,
        },
        "labels": {
            "type": "object",
            "description": "For to-one relations grouped by: their id field to the related "
            "record's label (its name).",
            "additionalProperties": True,
        },
        "count": {"type": "integer", "minimum": 0},
        **{
            name: _BY_FIELD
            for name in ("sum", "avg", "min", "max", "countEmpty", "countNotEmpty", "countDistinct")
        },
    },
    "required": ["key", "count"],
}
RESULT: Schema = {
    "type": "object",
    "properties": {
        "data": {
            "type": "object",
            "properties": {
                "groups": {"type": "array", "items": ref("AggregateGroup")},
                "hasMore": {
                    "type": "boolean",
                    "description": "Whether more groups exist than `limit` returned.",
                },
                "totals": {
                    **ref("AggregateGroup"),
                    "description": "With `totals=true` and group_by: the metrics over every "
                    "match (its `key` is absent).",
                },
            },
            "required": ["groups", "hasMore"],
        }
    },
    "required": ["data"],
}


def aggregate_paths(obj: ObjectDef) -> dict[str, Schema]:
    fields = list(obj.stored_fields)
    by = [f.name + (" (`:day|week|month|year`)" if is_date(f) else "") for f in fields]
    by = [b for b, f in zip(by, fields, strict=True) if groupable(obj, f)]
    numbers = [f.name for f in fields if is_number(f)]
    dates = [f.name for f in fields if is_date(f)]
    group_by = (
        f"Up to {MAX_DIMENSIONS} comma-separated fields to group by; dates take a unit "
        f"({', '.join(UNITS)}; weeks start on Monday, in UTC): `createdAt:month`. "
        "To-one relations group by their id field (or the relation's name). Groupable: "
        + ", ".join(f"`{b}`" if "(" not in b else b for b in by)
    )
    metrics = (
        "Comma-separated metrics (default `count`): `count`, and `op:field` for "
        "`countEmpty`, `countNotEmpty` and `countDistinct` (any field; `countUniqueValues` "
        f"is the same), `sum` and `avg` (numbers: {', '.join(numbers) or 'none'}), `min` and "
        f"`max` (numbers and dates: {', '.join(numbers + dates) or 'none'})."
    )
    return {
        f"/rest/{obj.plural}/aggregate": {
            "get": op(
                obj.label_plural,
                f"aggregate{obj.cap_plural}",
                f"Count and aggregate {obj.label_plural.lower()}, in groups",
                {"200": ok(RESULT), **errors(*AUTH)},
                "Groups of the matching records (soft-deleted ones left out, as lists do), "
                "largest first, then by key with empty keys last. " + READ,
                parameters=[
                    query("group_by", {"type": "string"}, group_by, example="jobTitle"),
                    query("metrics", {"type": "string"}, metrics, example="count"),
                    filter_parameter(obj),
                    query(
                        "limit",
                        {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": MAX_GROUPS,
                            "default": DEFAULT_GROUPS,
                        },
                        "How many groups at most; `hasMore` says whether there were more.",
                    ),
                    query(
                        "totals",
                        {"type": "boolean", "default": False},
                        "Also the metrics over every match (`totals`).",
                    ),
                ],
            )
        }
    }


def aggregate_schemas() -> dict[str, Schema]:
    return {"AggregateGroup": GROUP}

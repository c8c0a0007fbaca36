"""Bulk update and delete, duplicates and merge of each object in the OpenAPI document.

``PATCH`` and ``DELETE /rest/batch/{plural}``, ``GET /rest/{plural}/duplicates``
and ``POST /rest/{plural}/merge`` (records/bulk.py, duplicates.py, merge.py).
"""

from __future__ import annotations

from rolodex.api.rest.openapi_common import (
    AUTH,
    BODY,
    BOOL_FLAG,
    READ,
    TIME,
    UUID,
    WRITE,
    Schema,
    closed,
    data,
    errors,
    ok,
    op,
    query,
    ref,
)
from rolodex.api.rest.openapi_schemas import FILTER_GRAMMAR
from rolodex.metadata.model import ObjectDef
from rolodex.records.bulk import MAX_BULK
from rolodex.records.merge import MAX_DUPLICATES

_IDS: Schema = {"type": "array", "items": UUID, "maxItems": MAX_BULK, "uniqueItems": True}
DELETE_INPUT: Schema = {
    "oneOf": [
        closed({"ids": _IDS}, ["ids"]),
        closed(
            {
                "filter": {"type": "string", "minLength": 1, "description": FILTER_GRAMMAR},
                "expectedCount": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": MAX_BULK,
                    "description": "How many records the filter matches; any other number "
                    "is a 409 and nothing is deleted.",
                },
            },
            ["filter", "expectedCount"],
        ),
    ]
}
MERGE_INPUT: Schema = closed(
    {
        "primaryId": {**UUID, "description": "The record kept."},
        "duplicateIds": {
            "type": "array",
            "items": UUID,
            "minItems": 1,
            "maxItems": MAX_DUPLICATES,
            "uniqueItems": True,
            "description": "The records merged into it, then soft-deleted; their values "
            "fill the primary's empty fields in this order.",
        },
        "prefer": {
            "type": "object",
            "additionalProperties": UUID,
            "description": "{field: id}: take this field's value from that record (the "
            "primary or a duplicate), even over a value the primary has.",
        },
    },
    ["primaryId", "duplicateIds"],
)


def bulk_paths(obj: ObjectDef) -> dict[str, Schema]:
    """The bulk (``PATCH``/``DELETE`` on ``/rest/batch/{plural}``), duplicates and merge
    routes of one object; ``/rest/batch/{plural}`` is merged with its ``POST``."""
    cap, caps, plural, tag = obj.cap, obj.cap_plural, obj.plural, obj.label_plural
    many = obj.label_plural.lower()
    records: Schema = {"type": "array", "items": ref(cap)}
    gone: Schema = {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"id": UUID, "deletedAt": TIME},
            "required": ["id"],
        },
    }
    item: Schema = {"allOf": [ref(f"{cap}UpdateInput")], "required": ["id"]}
    group: Schema = {
        "type": "object",
        "properties": {
            "field": {"type": "string", "description": "The field the records share."},
            "value": {"type": "string", "description": "Its value, lowercased."},
            "count": {"type": "integer", "description": "How many live records share it."},
            "records": records,
        },
        "required": ["field", "value", "count", "records"],
    }
    page: Schema = {
        "type": "object",
        "properties": {
            "hasNextPage": {"type": "boolean"},
            "endCursor": {"type": ["string", "null"]},
        },
        "required": ["hasNextPage", "endCursor"],
    }
    merged = data(f"merge{caps}", ref(cap))
    merged["properties"]["data"]["properties"].update(
        mergedIds={"type": "array", "items": UUID},
        moved={
            "type": "object",
            "additionalProperties": {"type": "integer"},
            "description": "Records moved to the primary, per object.",
        },
    )
    return {
        f"/rest/batch/{plural}": {
            "patch": op(
                tag,
                f"update{caps}",
                f"Update {many} in one transaction",
                {"200": ok(data(f"update{caps}", records)), **errors(*BODY, 404, 409)},
                "Each item is the record's `id` and the fields to change. All or nothing: "
                "the first item that fails fails the batch, and the error names its `index` "
                f"and `id`. One `updated` event per record that changed. {WRITE}",
                {"type": "array", "items": item, "maxItems": MAX_BULK},
            ),
            "delete": op(
                tag,
                f"delete{caps}",
                f"Delete {many} by id or by filter",
                {
                    "200": ok(data(f"delete{caps}", gone)),
                    **errors(*BODY, 404, 409, 422),
                },
                "Soft by default (restorable); `soft_delete=false` deletes for good. By "
                "filter, `expectedCount` must equal the number matched (else a 409 and "
                f"nothing deleted), and at most {MAX_BULK} may match (else a 422). {WRITE}",
                DELETE_INPUT,
                parameters=[
                    query(
                        "soft_delete",
                        {**BOOL_FLAG, "default": True},
                        "false: delete for good instead of hiding.",
                    )
                ],
            ),
        },
        f"/rest/{plural}/duplicates": {
            "get": op(
                tag,
                f"duplicates{caps}",
                f"Groups of likely duplicate {many}",
                {
                    "200": ok(data("duplicates", {"type": "array", "items": group}, pageInfo=page)),
                    **errors(*AUTH),
                },
                f"Live {many} sharing a unique value or a name, ignoring case. {READ}",
                parameters=[
                    query(
                        "limit",
                        {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                        "How many groups a page holds.",
                    ),
                    query(
                        "starting_after",
                        {"type": "string"},
                        "A cursor (`pageInfo.endCursor`): the page after it.",
                    ),
                ],
            ),
        },
        f"/rest/{plural}/merge": {
            "post": op(
                tag,
                f"merge{caps}",
                f"Merge duplicate {many} into one",
                {"200": ok(merged), **errors(*BODY, 404, 422)},
                "Moves every record related to the duplicates to the primary, fills the "
                "primary's empty fields, soft-deletes the duplicates, in one transaction; "
                f"emits `{obj.name}.merged`. {WRITE}",
                MERGE_INPUT,
            ),
        },
    }

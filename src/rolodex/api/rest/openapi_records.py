"""The record routes of each object in the OpenAPI document.

``/rest/{plural}`` (list, create), ``/rest/{plural}/{id}`` (get, update,
delete), its ``restore`` and ``timeline``, and ``/rest/batch/{plural}``, one
set per object of the registry, custom objects and fields included.
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
    data,
    errors,
    link,
    nullable,
    ok,
    op,
    param,
    query,
    ref,
)
from rolodex.api.rest.openapi_schemas import filter_parameter, order_parameter, upsert_parameter
from rolodex.metadata.model import ObjectDef
from rolodex.records.service import MAX_BATCH

TIMELINE_ITEM: Schema = {
    "type": "object",
    "description": "One event of a record's history.",
    "properties": {
        "id": UUID,
        "type": {"type": "string", "description": "Such as `person.updated`."},
        "object": {"type": "string"},
        "recordId": UUID,
        "occurredAt": TIME,
        "actor": nullable({"type": "object"}),
        "changes": {"type": "array", "items": {"type": "string"}},
        "previous": nullable({"type": "object"}),
        "record": nullable({"type": "object"}),
    },
    "required": ["id", "type", "object", "recordId", "occurredAt", "changes"],
}

TIMELINE_PAGE: Schema = {
    "type": "object",
    "properties": {
        "hasNextPage": {"type": "boolean"},
        "endCursor": {
            "type": ["string", "null"],
            "description": "Pass as `starting_after` for the next page.",
        },
    },
    "required": ["hasNextPage", "endCursor"],
}


def _links(obj: ObjectDef, pointer: str) -> dict[str, Schema]:
    """From a response holding a record at ``pointer`` to the operations on that record."""
    cap = obj.cap
    return {
        f"get{cap}": link(f"get{cap}", f"{pointer}/id"),
        f"update{cap}": link(f"update{cap}", f"{pointer}/id"),
        f"delete{cap}": link(f"delete{cap}", f"{pointer}/id"),
        f"restore{cap}": link(f"restore{cap}", f"{pointer}/id"),
        f"timeline{cap}": link(f"timeline{cap}", f"{pointer}/id"),
    }


def object_paths(obj: ObjectDef) -> dict[str, Schema]:
    """The record routes of one object, with the envelopes they answer with."""
    cap, caps, plural, tag = obj.cap, obj.cap_plural, obj.plural, obj.label_plural
    one, many = obj.label.lower(), obj.label_plural.lower()
    record = ref(cap)
    records: Schema = {"type": "array", "items": record}
    total = {
        "type": ["integer", "null"],
        "description": "Records matching the filter, in all pages: exact or estimated as "
        "`totalCountIsExact` says; null with `count=none`.",
    }
    exact = {
        "type": ["boolean", "null"],
        "description": "Whether `totalCount` is exact (false: estimated past the count "
        "bound, see `count`); null when nothing was counted. Present when false, or when "
        "the request passed `count`; absent, the total is exact.",
    }
    list_params = ["Limit", "StartingAfter", "EndingBefore", "Depth", "Count"]
    listed = data(plural, records, pageInfo=ref("PageInfo"), totalCount=total)
    listed["properties"]["totalCountIsExact"] = exact  # not required: see its description
    update = op(
        tag,
        f"update{cap}",
        f"Update a {one}",
        {"200": ok(data(f"update{cap}", record)), **errors(*BODY, 404, 409)},
        WRITE,
        ref(f"{cap}UpdateInput"),
    )
    restore = op(
        tag,
        f"restore{cap}",
        f"Restore a soft-deleted {one}",
        {"200": ok(data(f"restore{cap}", record)), **errors(*AUTH, 404, 409)},
        f"Brings back a record deleted with `soft_delete=true`, and its dependents. {WRITE}",
    )
    return {
        f"/rest/{plural}": {
            "get": op(
                tag,
                f"list{caps}",
                f"List {many}",
                {
                    "200": ok(listed),
                    **errors(*AUTH),
                },
                f"A page of {plural}, filtered and ordered. {READ}",
                parameters=[filter_parameter(obj), order_parameter(obj), *map(param, list_params)],
            ),
            "post": op(
                tag,
                f"create{cap}",
                f"Create a {one}",
                {
                    "201": ok(
                        data(f"create{cap}", record),
                        "Created",
                        _links(obj, f"/data/create{cap}"),
                    ),
                    **errors(*BODY, 409),
                },
                WRITE,
                ref(f"{cap}CreateInput"),
                parameters=[upsert_parameter(obj)],
            ),
        },
        f"/rest/{plural}/{{id}}": {
            "parameters": [param("RecordId")],
            "get": op(
                tag,
                f"get{cap}",
                f"Get a {one}",
                {"200": ok(data(obj.name, record)), **errors(*AUTH, 404)},
                READ,
                parameters=[param("Depth")],
            ),
            "patch": update,
            "put": {**update, "operationId": f"replace{cap}", "summary": f"Update a {one} (PUT)"},
            "delete": op(
                tag,
                f"delete{cap}",
                f"Delete a {one}",
                {
                    "200": ok(
                        data(
                            f"delete{cap}",
                            {
                                "type": "object",
                                "properties": {"id": UUID, "deletedAt": TIME},
                                "required": ["id"],
                            },
                        )
                    ),
                    **errors(*AUTH, 404, 409),
                },
                f"Deletes for good; `soft_delete=true` hides the record instead, to be "
                f"restored later. {WRITE}",
                parameters=[
                    query("soft_delete", BOOL_FLAG, "Hide the record instead of deleting it.")
                ],
            ),
        },
        f"/rest/{plural}/{{id}}/restore": {
            "parameters": [param("RecordId")],
            "post": restore,
            "patch": {**restore, "operationId": f"restore{cap}Patch"},
        },
        f"/rest/{plural}/{{id}}/timeline": {
            "parameters": [param("RecordId")],
            "get": op(
                tag,
                f"timeline{cap}",
                f"A {one}'s history",
                {
                    "200": ok(
                        data(
                            "timeline",
                            {"type": "array", "items": ref("TimelineItem")},
                            pageInfo=ref("TimelinePageInfo"),
                        )
                    ),
                    **errors(*AUTH, 404),
                },
                f"Its events, newest first. {READ}",
                parameters=[
                    query(
                        "limit",
                        {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
                        "How many events a page holds.",
                    ),
                    query(
                        "starting_after",
                        {"type": "string"},
                        "A cursor (`pageInfo.endCursor`): the page after it.",
                    ),
                ],
            ),
        },
        f"/rest/batch/{plural}": {
            "post": op(
                tag,
                f"create{caps}",
                f"Create {many} in one transaction",
                {"201": ok(data(f"create{caps}", records), "Created"), **errors(*BODY, 409)},
                "All or nothing: one invalid record fails the batch, and the error names "
                f'its index. The array may also be sent as `{{"data": [...]}}`. {WRITE}',
                {"type": "array", "items": ref(f"{cap}CreateInput"), "maxItems": MAX_BATCH},
                parameters=[upsert_parameter(obj)],
            ),
        },
    }


def timeline_schemas() -> dict[str, Schema]:
    return {"TimelineItem": TIMELINE_ITEM, "TimelinePageInfo": TIMELINE_PAGE}

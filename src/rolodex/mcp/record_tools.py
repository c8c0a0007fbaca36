"""Record tools: search, query, read, create, update, upsert and (soft) delete.

Each one opens the caller's workspace session and calls the record service,
as the REST handlers in ``records/routes.py`` do, so validation, rules,
events and messages are REST's.
"""

from __future__ import annotations

from typing import Any

from rolodex.api.rest.grammar import parse_filter, parse_order_by
from rolodex.auth.scopes import Scope
from rolodex.kit.errors import ValidationError
from rolodex.mcp import schemas
from rolodex.mcp.args import Args
from rolodex.mcp.search import search_records
from rolodex.mcp.spec import Schema, ToolContext, ToolSpec
from rolodex.metadata.model import ObjectDef, RelationKind, suggest
from rolodex.metadata.registry import Registry
from rolodex.records.query import CountMode, ListQuery
from rolodex.records.relations import TO_MANY_LIMIT
from rolodex.records.schemas import json_ready
from rolodex.session import WRITE

READ, WRITE_SCOPE = (Scope.RECORD_READ,), (Scope.RECORD_WRITE,)
MAX_LIMIT = 100
DEFAULT_LIMIT = 20
TIMELINE_DEFAULT, TIMELINE_MAX = 10, 50

_ID: Schema = {"type": "string", "format": "uuid", "description": "The record's id."}


def _object_schema(registry: Registry, **props: Schema) -> Schema:
    return {
        "type": "object",
        "properties": {"object": schemas.objects_enum(registry), **props},
        "required": ["object", *[p for p in props if p in ("id", "data")]],
        "additionalProperties": False,
    }


RECORD_OUT: Schema = {
    "type": "object",
    "properties": {"object": {"type": "string"}, "record": {"type": "object"}},
    "required": ["object", "record"],
}


def _fields(obj: ObjectDef, names: list[str]) -> list[str]:
    for name in names:
        if name not in obj.fields:
            raise ValidationError(
                f"Unknown field '{name}' on {obj.name}.{suggest(name, obj.fields)}", field=name
            )
    return names


def _select(record: dict[str, Any], names: list[str]) -> dict[str, Any]:
    if not names:
        return record
    out = {"id": record["id"]}
    for n in names:
        out[n] = record.get(n)
    return out


# -- search -------------------------------------------------------------------
def _search_input(registry: Registry) -> Schema:
    return {
        "type": "object",
        "properties": {
            "query": {"type": "string", "minLength": 1, "description": "Words to look for."},
            "objects": {
                "type": "array",
                "items": schemas.objects_enum(registry),
                "description": "Objects to search (default: all).",
            },
            "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
        },
        "required": ["query"],
        "additionalProperties": False,
    }


async def search(ctx: ToolContext, raw: dict[str, Any]) -> dict[str, Any]:
    a = Args(raw, ("query", "objects", "limit"))
    query, limit = a.need("query"), a.integer("limit", 10, 1, 50)
    async with ctx.session() as s:
        names = a.names("objects")
        hits, more = await search_records(s, query, names or None, limit)
    out: dict[str, Any] = {"query": query, "results": hits, "count": len(hits), "hasMore": more}
    if more:
        out["next"] = "More records match: raise limit, or narrow the query or the objects."
    return out


# -- query_records ------------------------------------------------------------
def _query_input(registry: Registry) -> Schema:
    return _object_schema(
        registry,
        filter={"type": "string", "description": schemas.FILTER_HELP},
        orderBy={"type": "string", "description": "e.g. createdAt[DescNullsLast],name"},
        fields={
            "type": "array",
            "items": {"type": "string"},
            "description": "Fields to return (default: all); id is always returned.",
        },
        limit={
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_LIMIT,
            "default": DEFAULT_LIMIT,
            "description": f"Records per page, at most {MAX_LIMIT}.",
        },
        cursor={
            "type": "string",
            "description": "pageInfo.endCursor of the previous page, for the next one.",
        },
    )


async def query_records(ctx: ToolContext, raw: dict[str, Any]) -> dict[str, Any]:
    a = Args(raw, ("object", "filter", "orderBy", "fields", "limit", "cursor"))
    name, text, order = a.need("object"), a.text("filter"), a.text("orderBy")
    limit = a.integer("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    q = ListQuery(
        filter=parse_filter(text) if text else None,
        order=parse_order_by(order) if order else (),
        limit=limit,
        after=a.text("cursor"),
        count=CountMode.ESTIMATE,
        count_limit=ctx.state.settings.count_limit,
    )
    async with ctx.session() as s:
        obj = s.registry.object(name)
        fields = _fields(obj, a.names("fields"))
        page = await s.records.page(obj, q)
    info = page.page_info
    out: dict[str, Any] = {
        "object": obj.plural,
        "records": [_select(r, fields) for r in json_ready(page.records)],
        "pageInfo": {"hasNextPage": info["hasNextPage"], "endCursor": info["endCursor"]},
        "totalCount": page.total,
        "totalCountIsExact": page.total_exact,
        "limit": limit,
    }
    if info["hasNextPage"]:
        out["next"] = "More records match: call again with cursor set to pageInfo.endCursor."
    return out


QUERY_OUT: Schema = {
    "type": "object",
    "properties": {
        "object": {"type": "string"},
        "records": {"type": "array", "items": {"type": "object"}},
        "pageInfo": {"type": "object"},
        "totalCount": {"type": ["integer", "null"]},
    },
    "required": ["object", "records", "pageInfo"],
}


# -- get_record ---------------------------------------------------------------
def _get_input(registry: Registry) -> Schema:
    return _object_schema(
        registry,
        id=_ID,
        include={
            "type": "array",
            "items": {"type": "string", "enum": schemas.relation_names(registry)},
            "description": "Relations to embed, e.g. company, notes, tasks.",
        },
        timeline={
            "type": "integer",
            "minimum": 0,
            "maximum": TIMELINE_MAX,
            "default": TIMELINE_DEFAULT,
            "description": "How many recent history entries to add (0: none).",
        },
    )


_ATTACHED_SUMMARY = ("title", "body", "status", "dueDate")


def _entry(item: dict[str, Any], own: str) -> dict[str, Any]:
    """A timeline entry without the record's full copy (get_record has the record);
    a note's or a task's entry keeps what it says."""
    out = {k: item[k] for k in ("type", "object", "recordId", "occurredAt", "actor", "changes")}
    record = item.get("record")
    if item["object"] != own and isinstance(record, dict):
        out["summary"] = {k: record[k] for k in _ATTACHED_SUMMARY if record.get(k) is not None}
    return out


async def get_record(ctx: ToolContext, raw: dict[str, Any]) -> dict[str, Any]:
    a = Args(raw, ("object", "id", "include", "timeline"))
    name, rid, include = a.need("object"), a.need("id"), a.names("include")
    recent = a.integer("timeline", TIMELINE_DEFAULT, 0, TIMELINE_MAX)
    async with ctx.session() as s:
        obj = s.registry.object(name)
        relations = [f.name for f in obj.relations]
        for r in include:
            if r not in relations:
                raise ValidationError(
                    f"Unknown relation '{r}' on {obj.name}.{suggest(r, relations)} "
                    f"Relations are: {', '.join(relations) or 'none'}.",
                    field="include",
                )
        record = await s.records.get(obj, rid, depth=1 if include else 0)
        history: list[dict[str, Any]] = []
        more = None
        if recent:
            history, more = await s.timeline.page(obj, rid, limit=recent, after=None)
    for r in relations:
        if r not in include:
            record.pop(r, None)
    out = {
        "object": obj.plural,
        "record": json_ready(record),
        "timeline": [_entry(i, obj.name) for i in history],
        "timelineHasMore": more is not None,
    }
    cut = _cut_relations(obj, record, include)
    if cut:
        out["relationsTruncated"] = cut
    return out


def _cut_relations(obj: ObjectDef, record: dict[str, Any], include: list[str]) -> dict[str, str]:
    """Embedded to-many lists that hit their limit, and how to read them whole."""
    cut = {}
    for f in obj.relations:
        rel = f.relation
        if f.name not in include or rel is None or rel.kind is not RelationKind.ONE_TO_MANY:
            continue
        if len(record.get(f.name) or []) >= TO_MANY_LIMIT:
            cut[f.name] = (
                f"Only the first {TO_MANY_LIMIT} are shown: call query_records with object "
                f"{rel.target} and filter {rel.join_field}[eq]:{record['id']} for all of them."
            )
    return cut


# -- writes -------------------------------------------------------------------
def _write_input(registry: Registry, *, creating: bool, with_id: bool) -> Schema:
    data, defs = schemas.data_argument(registry, creating=creating)
    props: dict[str, Schema] = {"id": _ID} if with_id else {}
    schema = _object_schema(registry, **props, data=data)
    schema["$defs"] = defs
    return schema


async def create_record(ctx: ToolContext, raw: dict[str, Any]) -> dict[str, Any]:
    return await _create(ctx, raw, upsert=False)


async def upsert_record(ctx: ToolContext, raw: dict[str, Any]) -> dict[str, Any]:
    return await _create(ctx, raw, upsert=True)


async def _create(ctx: ToolContext, raw: dict[str, Any], *, upsert: bool) -> dict[str, Any]:
    a = Args(raw, ("object", "data"))
    name, data = a.need("object"), a.document("data")
    async with ctx.session(WRITE, lone=True) as s:
        obj = s.registry.object(name)
        record = await s.records.create(obj, data, upsert=upsert)
    return {"object": obj.plural, "record": record}


async def update_record(ctx: ToolContext, raw: dict[str, Any]) -> dict[str, Any]:
    a = Args(raw, ("object", "id", "data"))
    name, rid, data = a.need("object"), a.need("id"), a.document("data")
    async with ctx.session(WRITE) as s:
        obj = s.registry.object(name)
        record = await s.records.update(obj, rid, data)
    return {"object": obj.plural, "record": record}


async def delete_record(ctx: ToolContext, raw: dict[str, Any]) -> dict[str, Any]:
    a = Args(raw, ("object", "id"))
    name, rid = a.need("object"), a.need("id")
    async with ctx.session(WRITE) as s:
        obj = s.registry.object(name)
        record = await s.records.soft_delete(obj, rid)
    return {"object": obj.plural, "id": record["id"], "deletedAt": record["deletedAt"]}


TOOLS = [
    ToolSpec(
        "search",
        "Search records",
        "Find people, companies and other records by name, email or domain across objects, "
        "best matches first. Use it to find a record's id from what a user said.",
        READ,
        read_only=True,
        destructive=False,
        idempotent=True,
        input=_search_input,
        run=search,
    ),
    ToolSpec(
        "query_records",
        "Query records",
        "List one object's records with REST's filter grammar, an order, a field selection and "
        f"cursor paging (at most {MAX_LIMIT} a page; pageInfo.hasNextPage says when more "
        "match). Call describe_schema for the fields.",
        READ,
        read_only=True,
        destructive=False,
        idempotent=True,
        input=_query_input,
        run=query_records,
        output=QUERY_OUT,
    ),
    ToolSpec(
        "get_record",
        "Get a record",
        "One record by id, with the relations you name (company, notes, tasks, ...) and its "
        "recent history (changes, notes and tasks, with who made them).",
        READ,
        read_only=True,
        destructive=False,
        idempotent=True,
        input=_get_input,
        run=get_record,
        output=RECORD_OUT,
    ),
    ToolSpec(
        "create_record",
        "Create a record",
        "Create a record of any object; data is validated exactly as the REST API does "
        "(unknown fields are refused with the closest name).",
        WRITE_SCOPE,
        read_only=False,
        destructive=False,
        idempotent=False,
        input=lambda r: _write_input(r, creating=True, with_id=False),
        run=create_record,
        output=RECORD_OUT,
    ),
    ToolSpec(
        "update_record",
        "Update a record",
        "Change some fields of a record; fields left out keep their values, null clears one.",
        WRITE_SCOPE,
        read_only=False,
        destructive=False,
        idempotent=True,
        input=lambda r: _write_input(r, creating=False, with_id=True),
        run=update_record,
        output=RECORD_OUT,
    ),
    ToolSpec(
        "upsert_record",
        "Create or update a record",
        "Create a record, or update the one with the same unique key (a person's email, a "
        "company's domain), so that repeating the call does not make duplicates.",
        WRITE_SCOPE,
        read_only=False,
        destructive=False,
        idempotent=True,
        input=lambda r: _write_input(r, creating=True, with_id=False),
        run=upsert_record,
        output=RECORD_OUT,
    ),
    ToolSpec(
        "delete_record",
        "Delete a record",
        "Soft-delete a record: it disappears from lists and reads, and can be restored "
        "through the REST API until the retention purge.",
        WRITE_SCOPE,
        read_only=False,
        destructive=True,
        idempotent=True,
        input=lambda r: _object_schema(r, id=_ID),
        run=delete_record,
    ),
]

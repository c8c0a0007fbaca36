"""REST routes for records: ``/rest/{objects}`` in Twenty's shapes and query grammar."""

from __future__ import annotations

from typing import Any

from starlette.convertors import Convertor, register_url_convertor
from starlette.routing import Route

from rolodex.api.rest.grammar import parse_filter, parse_order_by
from rolodex.api.rest.hot import HotRoutes
from rolodex.api.rest.http import (
    Context,
    Handler,
    JSONResponse,
    accepts,
    endpoint,
    route_table,
)
from rolodex.auth.scopes import Scope
from rolodex.kit.errors import BadRequest
from rolodex.metadata.model import ObjectDef
from rolodex.records import bulk, duplicates, merge, twenty
from rolodex.records.aggregates import (
    DEFAULT_GROUPS,
    MAX_GROUPS,
    AggregateQuery,
    parse_group_by,
    parse_metrics,
)
from rolodex.records.counting import parse_count_mode
from rolodex.records.query import ListQuery
from rolodex.records.schemas import json_ready
from rolodex.session import WRITE, WorkspaceSession

DEFAULT_LIMIT = 60
MAX_LIMIT = 200


def target(s: WorkspaceSession, ctx: Context) -> ObjectDef:
    """The object the path names (``/rest/{objects}``), in the session's registry."""
    return s.registry.by_plural(ctx.request.path_params["objects"])


def list_query(ctx: Context) -> ListQuery:
    params = ctx.request.query_params
    after, before = params.get("starting_after"), params.get("ending_before")
    if after and before:
        raise BadRequest("Use starting_after or ending_before, not both.")
    raw_filter = params.get("filter")
    raw_order = params.get("order_by")
    return ListQuery(
        filter=parse_filter(raw_filter) if raw_filter else None,
        order=parse_order_by(raw_order) if raw_order else (),
        limit=ctx.int_param("limit", DEFAULT_LIMIT, 0, MAX_LIMIT),
        after=after or None,
        before=before or None,
        count=parse_count_mode(params.get("count")),
        count_limit=ctx.state.settings.count_limit,
    )


def _shaped(ctx: Context, obj: ObjectDef, records: Any, depth: int) -> Any:
    """Records ready for the encoder; in Twenty's shapes already under ``/twenty/``.

    Shaping them here, in place, spares the dialect parsing the response and
    encoding it again (api/twenty.py). Reads at ``depth=1`` (records embedded
    in records) are left to it.
    """
    scope = ctx.request.scope
    if depth == 0 and scope.get(twenty.DIALECT):
        shape = twenty.shaper(obj)
        if shape is not None:
            if isinstance(records, list):
                for record in records:
                    shape(record)
            else:
                shape(records)
            scope[twenty.SHAPED] = True
    return json_ready(records)


@accepts("filter", "order_by", "limit", "starting_after", "ending_before", "depth", "count")
async def list_records(ctx: Context) -> JSONResponse:
    """List records: filter, order_by, limit, starting_after / ending_before, depth, count."""
    q = list_query(ctx)
    depth = ctx.int_param("depth", 0, 0, 1)
    async with ctx.session() as s:
        obj = target(s, ctx)
        page = await s.records.page(obj, q, depth=depth, pass_through=True)
    body: dict[str, Any] = {
        "data": {obj.plural: _shaped(ctx, obj, page.records, depth)},
        "pageInfo": page.page_info,
        "totalCount": page.total,
    }
    # Said when the total is not exact, or when asked about (``count=``): an exact
    # total by default keeps Twenty's response shape (docs/api.md, "Counts").
    if page.total_exact is not True or "count" in ctx.request.query_params:
        body["totalCountIsExact"] = page.total_exact
    return JSONResponse(body)


@accepts("group_by", "metrics", "filter", "limit", "totals")
async def aggregate_records(ctx: Context) -> JSONResponse:
    """Counts and metrics of the matching records, in groups (docs/api.md, "Aggregates")."""
    params = ctx.request.query_params
    raw_filter, group_by, metrics = (
        params.get("filter"),
        params.get("group_by"),
        params.get("metrics"),
    )
    q = AggregateQuery(
        filter=parse_filter(raw_filter) if raw_filter else None,
        group_by=parse_group_by(group_by) if group_by else (),
        limit=ctx.int_param("limit", DEFAULT_GROUPS, 1, MAX_GROUPS),
        totals=ctx.flag("totals"),
    )
    if metrics:
        q.metrics = parse_metrics(metrics)
    async with ctx.session() as s:
        obj = target(s, ctx)
        result = await s.aggregates.run(obj, q)
    return JSONResponse({"data": result})


@accepts("depth")
async def get_record(ctx: Context) -> JSONResponse:
    depth = ctx.int_param("depth", 0, 0, 1)
    async with ctx.session() as s:
        obj = target(s, ctx)
        record = await s.records.get(
            obj, ctx.request.path_params["id"], depth=depth, pass_through=True
        )
    return JSONResponse({"data": {obj.name: _shaped(ctx, obj, record, depth)}})


@accepts("upsert")
async def create_record(ctx: Context) -> JSONResponse:
    body = await ctx.json()
    upsert = ctx.flag("upsert")
    async with ctx.session(WRITE, lone=True) as s:
        obj = target(s, ctx)
        record = await s.records.create(obj, body, upsert=upsert)
    return JSONResponse({"data": {f"create{obj.cap}": record}}, status_code=201)


@accepts("upsert")
async def create_batch(ctx: Context) -> JSONResponse:
    body = await ctx.json()
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        body = body["data"]
    if not isinstance(body, list):
        raise BadRequest("A batch body is a JSON array of records.")
    upsert = ctx.flag("upsert")
    async with ctx.session(WRITE) as s:
        obj = target(s, ctx)
        records = await s.records.create_many(obj, body, upsert=upsert)
    return JSONResponse({"data": {f"create{obj.cap_plural}": records}}, status_code=201)


@accepts()
async def update_record(ctx: Context) -> JSONResponse:
    body = await ctx.json()
    async with ctx.session(WRITE) as s:
        obj = target(s, ctx)
        record = await s.records.update(obj, ctx.request.path_params["id"], body)
    return JSONResponse({"data": {f"update{obj.cap}": record}})


@accepts("soft_delete")
async def delete_record(ctx: Context) -> JSONResponse:
    """Delete for good; ``?soft_delete=true`` hides the record instead (restorable)."""
    soft = ctx.flag("soft_delete")
    async with ctx.session(WRITE) as s:
        obj, svc = target(s, ctx), s.records
        rid = ctx.request.path_params["id"]
        record = await (svc.soft_delete(obj, rid) if soft else svc.delete(obj, rid))
    body = {"id": record["id"], "deletedAt": record["deletedAt"]} if soft else {"id": record["id"]}
    return JSONResponse({"data": {f"delete{obj.cap}": body}})


@accepts()
async def restore_record(ctx: Context) -> JSONResponse:
    async with ctx.session(WRITE) as s:
        obj = target(s, ctx)
        record = await s.records.restore(obj, ctx.request.path_params["id"])
    return JSONResponse({"data": {f"restore{obj.cap}": record}})


@accepts()
async def update_batch(ctx: Context) -> JSONResponse:
    """Update up to 2,000 records, ``[{id, ...fields}]``, all or nothing."""
    body = await ctx.json()
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        body = body["data"]
    async with ctx.session(WRITE) as s:
        obj = target(s, ctx)
        records = await bulk.update_many(s.records, obj, body)
    return JSONResponse({"data": {f"update{obj.cap_plural}": records}})


_DELETE_KEYS = ("ids", "filter", "expectedCount")


def _soft(ctx: Context) -> bool:
    """Bulk deletes are soft unless ``?soft_delete=false`` says otherwise."""
    if "soft_delete" not in ctx.request.query_params:
        return True
    return ctx.flag("soft_delete")


@accepts("soft_delete")
async def delete_batch(ctx: Context) -> JSONResponse:
    """Delete ``{"ids": [...]}`` or ``{"filter", "expectedCount"}``; softly by default."""
    soft = _soft(ctx)
    body = await ctx.json()
    if not isinstance(body, dict) or ("ids" in body) == ("filter" in body):
        raise BadRequest(
            'A bulk delete body is {"ids": [...]} or {"filter": "...", "expectedCount": N}.'
        )
    for key in body:
        if key not in _DELETE_KEYS:
            raise BadRequest(
                f"Unknown member {key!r}; a bulk delete takes ids, or filter and expectedCount.",
                field=key,
            )
    if "ids" in body:
        if "expectedCount" in body:
            raise BadRequest(
                "expectedCount goes with a filter, not with ids.", field="expectedCount"
            )
        ids = bulk.check_ids(body["ids"])
    else:
        raw = body["filter"]
        if not isinstance(raw, str) or not raw.strip():
            raise BadRequest(
                "filter is a filter in the REST grammar, such as jobTitle[eq]:CEO.", field="filter"
            )
        if body.get("expectedCount") is None:
            raise BadRequest(
                "A filtered delete needs expectedCount: the number of records the filter "
                "matches (list them first with the same filter); nothing is deleted otherwise.",
                field="expectedCount",
            )
        flt = parse_filter(raw)
    async with ctx.session(WRITE) as s:
        obj = target(s, ctx)
        if "ids" in body:
            records = await bulk.delete_ids(s.records, obj, ids, soft=soft)
        else:
            records = await bulk.delete_matching(
                s.records, obj, flt, expected=body["expectedCount"], soft=soft
            )
    shown = [
        {"id": r["id"], "deletedAt": r["deletedAt"]} if soft else {"id": r["id"]} for r in records
    ]
    return JSONResponse({"data": {f"delete{obj.cap_plural}": shown}})


@accepts("limit", "starting_after")
async def list_duplicates(ctx: Context) -> JSONResponse:
    """Groups of likely duplicates (records/duplicates.py), a page at a time."""
    limit = ctx.int_param("limit", 20, 1, 100)
    after = ctx.request.query_params.get("starting_after") or None
    async with ctx.session() as s:
        obj = target(s, ctx)
        groups, cursor = await duplicates.groups(s.records, obj, limit=limit, after=after)
    return JSONResponse(
        {
            "data": {"duplicates": json_ready(groups)},
            "pageInfo": {"hasNextPage": cursor is not None, "endCursor": cursor},
        }
    )


@accepts()
async def merge_records(ctx: Context) -> JSONResponse:
    """Merge ``duplicateIds`` into ``primaryId`` (records/merge.py), in one transaction."""
    body = await ctx.json()
    async with ctx.session(WRITE) as s:
        obj = target(s, ctx)
        result = await merge.merge(s.records, obj, body)
    return JSONResponse(
        {
            "data": {
                f"merge{obj.cap_plural}": result["record"],
                "mergedIds": result["mergedIds"],
                "moved": result["moved"],
            }
        }
    )


class ObjectsConvertor(Convertor[str]):
    """A ``/rest/{objects}`` segment: any name but the REST API's own resources.

    With those excluded, the record routes can be matched first, which keeps
    routing cheap on the hot path however many other routes there are.
    """

    regex = (
        r"(?!(?:batch|keys|metadata|webhooks|workspaces|events|search|open-api|openapi\.json|docs)"
        r"(?:/|$))"
        r"[A-Za-z_][A-Za-z0-9_-]*"
    )

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("objects", ObjectsConvertor())


def _rows() -> list[tuple[str, Scope, Handler, list[str]]]:
    read, write = Scope.RECORD_READ, Scope.RECORD_WRITE
    return [
        ("/rest/{objects:objects}/aggregate", read, aggregate_records, ["GET"]),
        # Before the {id} routes: these names are never read as ids.
        ("/rest/{objects:objects}/duplicates", read, list_duplicates, ["GET"]),
        ("/rest/{objects:objects}/merge", write, merge_records, ["POST"]),
        ("/rest/{objects:objects}/{id}", read, get_record, ["GET"]),
        ("/rest/{objects:objects}", read, list_records, ["GET"]),
        ("/rest/{objects:objects}", write, create_record, ["POST"]),
        ("/rest/{objects:objects}/{id}", write, update_record, ["PATCH", "PUT"]),
        ("/rest/{objects:objects}/{id}", write, delete_record, ["DELETE"]),
        ("/rest/{objects:objects}/{id}/restore", write, restore_record, ["PATCH", "POST"]),
    ]


def routes() -> list[Route]:
    """Record routes; trailing slashes are stripped before routing (app.py)."""
    return route_table(_rows())


def hot_routes() -> HotRoutes:
    """The same routes for the hot path (api/rest/hot.py), served ahead of Starlette."""
    return HotRoutes(ObjectsConvertor.regex, _rows())


def batch_routes() -> list[Route]:
    write = Scope.RECORD_WRITE
    return [
        Route("/rest/batch/{objects}", endpoint(write, create_batch), methods=["POST"]),
        Route("/rest/batch/{objects}", endpoint(write, update_batch), methods=["PATCH"]),
        Route("/rest/batch/{objects}", endpoint(write, delete_batch), methods=["DELETE"]),
    ]

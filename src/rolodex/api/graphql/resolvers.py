"""Resolvers: translate GraphQL arguments, call the record service, shape the results.

Resolvers are made per object *name*: the ObjectDef itself is looked up in the
request's registry, so one schema serves every workspace whose metadata has
the same shape.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from graphql import GraphQLResolveInfo

from rolodex.api.graphql.aggregates import connection_aggregates
from rolodex.api.graphql.context import GraphQLContext
from rolodex.api.graphql.filters import list_query, page_size, to_filter
from rolodex.api.graphql.prefetch import prefetch
from rolodex.auth.scopes import Scope
from rolodex.kit.errors import BadRequest, NotFound
from rolodex.metadata.model import FieldDef, ObjectDef
from rolodex.records.ordering import encode_cursor, order_fields, order_tag
from rolodex.records.page import Page
from rolodex.records.query import ListQuery

Resolver = Callable[..., Any]


def _ctx(info: GraphQLResolveInfo) -> GraphQLContext:
    return info.context


def guarded(scope: Scope, resolve: Resolver) -> Resolver:
    """Wrap a root field's resolver with the scope check: the one place scopes are checked."""

    @functools.wraps(resolve)
    def wrapper(root: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        _ctx(info).allow(scope)
        return resolve(root, info, **args)

    return wrapper


# -- connections ---------------------------------------------------------------
def _connection(page: Page) -> dict[str, Any]:
    return {
        "edges": [
            {"node": r, "cursor": c} for r, c in zip(page.records, page.cursors, strict=True)
        ],
        "pageInfo": page.page_info,
        "totalCount": page.total,
        "totalCountIsExact": page.total_exact,
    }


def list_records(name: str) -> Resolver:
    async def resolve(_root: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
        ctx = _ctx(info)
        obj = ctx.object(name)
        q = list_query(info, ctx.limits, ctx.variables, args, ctx.state.settings.count_limit)
        async with ctx.reading() as s:
            page = await s.records.page(obj, q)
        # Twenty's aggregate fields, over the list's filter: only when selected.
        aggregates = await connection_aggregates(ctx, info, obj, q.filter)
        await prefetch(info, obj, page.records, connection=True)
        return {**_connection(page), **aggregates}

    return resolve


def get_record(name: str) -> Resolver:
    async def resolve(
        _root: Any, info: GraphQLResolveInfo, id: Any = None, filter: Any = None
    ) -> dict[str, Any]:
        ctx = _ctx(info)
        obj = ctx.object(name)
        if (id is None) == (filter is None):
            raise BadRequest(f"Give {obj.name} either an id or a filter.", field="id")
        async with ctx.reading() as s:
            svc = s.records
            if id is not None:
                return await svc.get(obj, id)
            page = await svc.page(
                obj, ListQuery(filter=to_filter(filter), limit=1, with_total=False)
            )
        if not page.records:
            raise NotFound(f"No {obj.name} matches the filter.", field="filter")
        return page.records[0]

    return resolve


# -- relations -----------------------------------------------------------------
class ToOne:
    """``person { company }``: the record a join id points at, batched per level.

    A resolver; ``from_context`` is the same without a resolve info, which the
    fast executor (``fast.py``) calls directly.
    """

    __slots__ = ("join_field", "target")

    def __init__(self, target: str, join_field: str) -> None:
        self.target = target
        self.join_field = join_field

    def __call__(self, record: dict[str, Any], info: GraphQLResolveInfo) -> Any:
        return self.from_context(record, _ctx(info))

    def from_context(self, record: dict[str, Any], ctx: GraphQLContext) -> Any:
        value = record.get(self.join_field)
        if value is None:
            return None
        future = ctx.loaders.record(ctx.object(self.target)).load(value)
        return future.result() if future.done() else future  # prefetched: no coroutine


def to_one(target: str, join_field: str) -> Resolver:
    return ToOne(target, join_field)


def to_many(target: str, join_field: str, *, as_list: bool) -> Resolver:
    """``company { people }``: records pointing at this one, oldest first, batched per level.

    As a connection, ``totalCount`` is counted from the fetched rows, with one
    grouped count per level only for parents holding more than the nested limit.
    """

    def resolve(record: dict[str, Any], info: GraphQLResolveInfo, first: int | None = None) -> Any:
        ctx = _ctx(info)
        obj = ctx.object(target)
        join = obj.fields[join_field]
        size = page_size(ctx.limits, "first", first, ctx.limits.max_nested)
        parent_id = record["id"]
        future = ctx.loaders.related(obj, join).load(parent_id)

        def shape(rows: list[dict[str, Any]]) -> Any:
            if as_list:
                return rows[:size]
            return _nested_connection(ctx, obj, join, parent_id, rows, size)

        if future.done():  # prefetched: no coroutine
            return shape(future.result())

        async def finish() -> Any:
            return shape(await future)

        return finish()

    return resolve


def _nested_connection(
    ctx: GraphQLContext,
    obj: ObjectDef,
    join: FieldDef,
    parent_id: str,
    rows: list[dict[str, Any]],
    size: int,
) -> dict[str, Any]:
    keys = order_fields(obj, ())
    shown = rows[:size]
    tag = order_tag(keys)
    cursors = [encode_cursor(keys, r, tag) for r in shown]
    overflow = len(rows) > ctx.limits.max_nested

    def total(_info: GraphQLResolveInfo) -> Any:
        if not overflow:
            return len(rows)
        return ctx.loaders.count(obj, join).load(parent_id)

    return {
        "edges": [{"node": r, "cursor": c} for r, c in zip(shown, cursors, strict=True)],
        "pageInfo": {
            "hasNextPage": len(rows) > size,
            "hasPreviousPage": False,
            "startCursor": cursors[0] if cursors else None,
            "endCursor": cursors[-1] if cursors else None,
        },
        "totalCount": total,  # called by the default resolver only when selected
        "totalCountIsExact": True,  # a nested total is counted in full
    }


def custom_fields(name: str) -> Resolver:
    def resolve(record: dict[str, Any], info: GraphQLResolveInfo) -> list[dict[str, Any]]:
        obj = _ctx(info).object(name)
        return [
            {"fieldId": f.name, "value": record.get(f.name)}
            for f in obj.fields.values()
            if f.is_custom and f.stored
        ]

    return resolve


# -- mutations -----------------------------------------------------------------
def _check_batch(ctx: GraphQLContext, items: list[Any]) -> None:
    if len(items) > ctx.limits.max_batch:
        raise BadRequest(
            f"A batch holds at most {ctx.limits.max_batch} records, got {len(items)}.",
            field="data",
        )


def create_one(name: str) -> Resolver:
    async def resolve(
        _root: Any, info: GraphQLResolveInfo, data: dict[str, Any], upsert: bool | None = None
    ) -> dict[str, Any]:
        ctx = _ctx(info)
        obj = ctx.object(name)
        async with ctx.writing(lone=True) as svc:
            record = await svc.create(obj, data, upsert=bool(upsert))
        await prefetch(info, obj, [record], connection=False)
        return record

    return resolve


def create_many(name: str) -> Resolver:
    async def resolve(
        _root: Any, info: GraphQLResolveInfo, data: list[Any], upsert: bool | None = None
    ) -> list[dict[str, Any]]:
        ctx = _ctx(info)
        _check_batch(ctx, data)
        obj = ctx.object(name)
        async with ctx.writing() as svc:
            records = await svc.create_many(obj, data, upsert=bool(upsert))
        await prefetch(info, obj, records, connection=False)
        return records

    return resolve


def update_one(name: str) -> Resolver:
    async def resolve(
        _root: Any, info: GraphQLResolveInfo, id: Any, data: dict[str, Any]
    ) -> dict[str, Any]:
        ctx = _ctx(info)
        obj = ctx.object(name)
        async with ctx.writing() as svc:
            record = await svc.update(obj, id, data)
        await prefetch(info, obj, [record], connection=False)
        return record

    return resolve


def delete_one(name: str, *, soft: bool = False) -> Resolver:
    """Delete for good (``delete``/``destroy``), or hide (``softDelete``)."""

    async def resolve(_root: Any, info: GraphQLResolveInfo, id: Any) -> dict[str, Any]:
        ctx = _ctx(info)
        async with ctx.writing() as svc:
            remove = svc.soft_delete if soft else svc.delete
            record = await remove(ctx.object(name), id)
        return {"success": True, "id": record["id"]}

    return resolve


def restore_one(name: str) -> Resolver:
    async def resolve(_root: Any, info: GraphQLResolveInfo, id: Any) -> dict[str, Any]:
        ctx = _ctx(info)
        obj = ctx.object(name)
        async with ctx.writing() as svc:
            record = await svc.restore(obj, id)
        await prefetch(info, obj, [record], connection=False)
        return record

    return resolve


# -- metadata ------------------------------------------------------------------
def metadata_root(_root: Any, info: GraphQLResolveInfo) -> dict[str, Any]:
    return {}


def _field_meta(f: FieldDef) -> dict[str, Any]:
    rel = f.relation
    return {
        "id": str(f.id) if f.id is not None else None,
        "name": f.name,
        "label": f.label,
        "type": str(f.type),
        "description": f.description or None,
        "isCustom": f.is_custom,
        "isSystem": f.system,
        "isReadOnly": f.read_only,
        "isNullable": f.nullable,
        "isRequired": f.required,
        "isUnique": f.unique,
        "isSearchable": f.searchable,
        "defaultValue": f.default,
        "options": [{"value": o.value, "label": o.label, "color": o.color} for o in f.options],
        "relationType": rel.kind.value if rel else None,
        "relationTarget": rel.target if rel else None,
    }


def _object_meta(obj: ObjectDef) -> dict[str, Any]:
    return {
        "id": str(obj.id) if obj.id is not None else None,
        "name": obj.name,
        "namePlural": obj.plural,
        "label": obj.label,
        "labelPlural": obj.label_plural,
        "description": obj.description or None,
        "isCustom": obj.is_custom,
        "fields": [_field_meta(f) for f in obj.fields.values()],
    }


def metadata_objects(
    _root: Any, info: GraphQLResolveInfo, name: str | None = None
) -> list[dict[str, Any]]:
    registry = _ctx(info).registry
    if name is not None:
        return [_object_meta(registry.object(name))]  # singular or plural; 404 otherwise
    return [_object_meta(o) for o in registry.objects.values()]

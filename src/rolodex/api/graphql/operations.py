"""GraphQL root fields beyond records: webhooks, schema changes, consent and history.

Each takes and returns JSON shaped exactly like the REST body and response
for the same operation (docs/webhooks.md, docs/metadata.md,
docs/lifecycle.md), and calls the same service in a transaction of its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLField,
    GraphQLID,
    GraphQLInt,
    GraphQLNonNull,
    GraphQLResolveInfo,
    GraphQLString,
)

from rolodex.api.graphql.resolvers import guarded
from rolodex.api.graphql.types import JSON
from rolodex.auth.scopes import Scope
from rolodex.consent.service import ConsentService
from rolodex.events.timeline import timeline
from rolodex.kit.db import Conn
from rolodex.kit.errors import ValidationError
from rolodex.metadata import service as metadata
from rolodex.metadata.objects import ObjectService
from rolodex.webhooks.schemas import parse_input
from rolodex.webhooks.service import WebhookService

Resolve = Callable[..., Any]


@asynccontextmanager
async def _conn(info: GraphQLResolveInfo, *, write: bool) -> AsyncIterator[Conn]:
    ctx = info.context
    opener = ctx.state.db.transaction() if write else ctx.state.db.connect()
    async with opener as conn:
        yield conn


def _arg(kind: Any, required: bool = False) -> GraphQLArgument:
    return GraphQLArgument(GraphQLNonNull(kind) if required else kind)


def _field(scope: Scope, resolve: Resolve, **args: GraphQLArgument) -> GraphQLField:
    return GraphQLField(JSON, args=args, resolve=guarded(scope, resolve))


# -- webhooks ------------------------------------------------------------------
def _webhooks(info: GraphQLResolveInfo, conn: Conn) -> WebhookService:
    ctx = info.context
    return WebhookService(conn, ctx.registry, ctx.workspace_id)


def _after_webhook_write(info: GraphQLResolveInfo) -> None:
    dispatcher = getattr(info.context.state, "webhook_dispatcher", None)
    if dispatcher is None:
        return
    dispatcher.forget_webhooks()
    dispatcher.wake()


async def list_webhooks(
    _r: Any, info: GraphQLResolveInfo, limit: int | None = None, offset: int | None = None
) -> Any:
    # An explicit null is the default, as an absent argument is.
    limit = 20 if limit is None else limit
    offset = 0 if offset is None else offset
    if not 0 <= limit <= 100:
        raise ValidationError("limit is 0 to 100", field="limit")
    if offset < 0:
        raise ValidationError("offset is at least 0", field="offset")
    async with _conn(info, write=False) as conn:
        hooks, total = await _webhooks(info, conn).page(limit, offset)
    return {"webhooks": [h.to_dict() for h in hooks], "totalCount": total}


async def get_webhook(_r: Any, info: GraphQLResolveInfo, id: str) -> Any:
    async with _conn(info, write=False) as conn:
        return (await _webhooks(info, conn).get(id)).to_dict()


async def create_webhook(_r: Any, info: GraphQLResolveInfo, data: Any) -> Any:
    async with _conn(info, write=True) as conn:
        svc = _webhooks(info, conn)
        hook = await svc.create(parse_input(data, svc.objects, creating=True))
    _after_webhook_write(info)
    return hook.to_dict(with_secret=True)


async def update_webhook(_r: Any, info: GraphQLResolveInfo, id: str, data: Any) -> Any:
    async with _conn(info, write=True) as conn:
        svc = _webhooks(info, conn)
        hook = await svc.update(id, parse_input(data, svc.objects, creating=False))
    _after_webhook_write(info)
    return hook.to_dict()


async def delete_webhook(_r: Any, info: GraphQLResolveInfo, id: str) -> Any:
    async with _conn(info, write=True) as conn:
        hook = await _webhooks(info, conn).delete(id)
    _after_webhook_write(info)
    return {"id": str(hook.id), "success": True}


async def rotate_webhook_secret(
    _r: Any,
    info: GraphQLResolveInfo,
    id: str,
    secret: str | None = None,
    graceSeconds: int | None = None,
) -> Any:
    async with _conn(info, write=True) as conn:
        hook = await _webhooks(info, conn).rotate_secret(id, secret, graceSeconds)
    _after_webhook_write(info)
    return hook.to_dict(with_secret=True)


# -- schema changes ----------------------------------------------------------------
def _metadata(call: Callable[..., Any], objects: bool = False) -> Resolve:
    async def resolve(_r: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        ctx = info.context
        async with _conn(info, write=True) as conn:
            registry = await ctx.state.registries.get(conn, ctx.workspace_id)
            kind = ObjectService if objects else metadata.FieldService
            svc = kind(conn, registry, ctx.workspace_id, ctx.principal.actor)
            result = await call(svc, **args)
        ctx.state.registries.invalidate(ctx.workspace_id)
        return result

    return resolve


async def list_fields(
    _r: Any, info: GraphQLResolveInfo, object: str | None = None, includeInactive: bool = False
) -> Any:
    ctx = info.context
    async with _conn(info, write=False) as conn:
        svc = metadata.FieldService(conn, ctx.registry, ctx.workspace_id, ctx.principal.actor)
        return await svc.list(object, includeInactive)


# -- consent and history -------------------------------------------------------------
def _consent(call: Callable[..., Any], *, write: bool) -> Resolve:
    async def resolve(_r: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        ctx = info.context
        async with _conn(info, write=write) as conn:
            svc = ConsentService(conn, ctx.registry, ctx.workspace_id, ctx.principal.actor)
            return await call(svc, **args)

    return resolve


async def record_timeline(
    _r: Any,
    info: GraphQLResolveInfo,
    object: str,
    id: str,
    first: int | None = None,
    after: str | None = None,
) -> Any:
    ctx = info.context
    first = 50 if first is None else first  # null is the default, as an absent argument is
    if not 1 <= first <= 200:
        raise ValidationError("first is 1 to 200", field="first")
    async with _conn(info, write=False) as conn:
        items, cursor = await timeline(
            conn,
            ctx.registry,
            ctx.workspace_id,
            ctx.registry.object(object),
            id,
            limit=first,
            after=after,
        )
    return {"timeline": items, "pageInfo": {"hasNextPage": cursor is not None, "endCursor": cursor}}


def add_fields(query: dict[str, GraphQLField], mutation: dict[str, GraphQLField]) -> None:
    """Add the root fields of this module to the schema being built."""
    rd, wr = Scope.WEBHOOK_READ, Scope.WEBHOOK_WRITE
    mr, mw = Scope.METADATA_READ, Scope.METADATA_WRITE
    ID, S, J, N, B = GraphQLID, GraphQLString, JSON, GraphQLInt, GraphQLBoolean
    query["webhooks"] = _field(rd, list_webhooks, limit=_arg(N), offset=_arg(N))
    query["webhook"] = _field(rd, get_webhook, id=_arg(ID, True))
    mutation["createWebhook"] = _field(wr, create_webhook, data=_arg(J, True))
    mutation["updateWebhook"] = _field(wr, update_webhook, id=_arg(ID, True), data=_arg(J, True))
    mutation["deleteWebhook"] = _field(wr, delete_webhook, id=_arg(ID, True))
    mutation["rotateWebhookSecret"] = _field(
        wr, rotate_webhook_secret, id=_arg(ID, True), secret=_arg(S), graceSeconds=_arg(N)
    )

    query["customFieldDefinitions"] = _field(
        mr, list_fields, object=_arg(S), includeInactive=_arg(B)
    )
    mutation["createField"] = _field(
        mw, _metadata(lambda s, data: s.create(data)), data=_arg(J, True)
    )
    mutation["updateField"] = _field(
        mw, _metadata(lambda s, id, data: s.update(id, data)), id=_arg(ID, True), data=_arg(J, True)
    )
    mutation["deleteField"] = _field(
        mw,
        _metadata(lambda s, id, purge=False: s.purge(id) if purge else s.deactivate(id)),
        id=_arg(ID, True),
        purge=_arg(B),
    )
    mutation["restoreField"] = _field(mw, _metadata(lambda s, id: s.restore(id)), id=_arg(ID, True))
    mutation["createObject"] = _field(
        mw, _metadata(lambda s, data: s.create(data), True), data=_arg(J, True)
    )
    mutation["updateObject"] = _field(
        mw,
        _metadata(lambda s, name, data: s.update(name, data), True),
        name=_arg(S, True),
        data=_arg(J, True),
    )
    mutation["deleteObject"] = _field(
        mw,
        _metadata(
            lambda s, name, purge=False: s.purge(name) if purge else s.deactivate(name), True
        ),
        name=_arg(S, True),
        purge=_arg(B),
    )
    mutation["restoreObject"] = _field(
        mw, _metadata(lambda s, name: s.restore(name), True), name=_arg(S, True)
    )

    rr, rw = Scope.RECORD_READ, Scope.RECORD_WRITE
    query["personConsents"] = _field(
        rr,
        _consent(lambda s, personId: s.of_person(personId), write=False),
        personId=_arg(ID, True),
    )
    query["consentOptions"] = _field(mr, _consent(lambda s: s.options(), write=False))
    mutation["giveConsent"] = _field(
        rw,
        _consent(lambda s, personId, data: s.give(personId, data), write=True),
        personId=_arg(ID, True),
        data=_arg(J, True),
    )
    mutation["withdrawConsent"] = _field(
        rw,
        _consent(
            lambda s, personId, purpose, remove=False: s.withdraw(personId, purpose, remove=remove),
            write=True,
        ),
        personId=_arg(ID, True),
        purpose=_arg(S, True),
        remove=_arg(B),
    )
    mutation["setConsentOptions"] = _field(
        mw, _consent(lambda s, data: s.set_options(data), write=True), data=_arg(J, True)
    )
    query["recordTimeline"] = _field(
        rr, record_timeline, object=_arg(S, True), id=_arg(ID, True), first=_arg(N), after=_arg(S)
    )

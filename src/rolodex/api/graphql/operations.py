"""GraphQL root fields beyond records: webhooks, schema changes, consent and history.

Each takes and returns JSON shaped exactly like the REST body and response
for the same operation (docs/webhooks.md, docs/metadata.md,
docs/lifecycle.md), and calls the same service in a workspace session of its
own (a transaction when it writes).
"""

from __future__ import annotations

from collections.abc import Callable
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

from rolodex.api.graphql.context import GraphQLContext
from rolodex.api.graphql.resolvers import guarded
from rolodex.api.graphql.types import JSON
from rolodex.auth.scopes import Scope
from rolodex.kit.errors import ValidationError
from rolodex.session import READ, WRITE, WorkspaceSession

Resolve = Callable[..., Any]


def _session(info: GraphQLResolveInfo, *, write: bool, fresh: bool = False) -> WorkspaceSession:
    context: GraphQLContext = info.context
    return context.session(WRITE if write else READ, fresh=fresh)


def _arg(kind: Any, required: bool = False) -> GraphQLArgument:
    return GraphQLArgument(GraphQLNonNull(kind) if required else kind)


def _field(scope: Scope, resolve: Resolve, **args: GraphQLArgument) -> GraphQLField:
    return GraphQLField(JSON, args=args, resolve=guarded(scope, resolve))


# -- webhooks ------------------------------------------------------------------
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
    async with _session(info, write=False) as s:
        hooks, total = await s.webhooks.page(limit, offset)
    return {"webhooks": [h.to_dict() for h in hooks], "totalCount": total}


async def get_webhook(_r: Any, info: GraphQLResolveInfo, id: str) -> Any:
    async with _session(info, write=False) as s:
        return (await s.webhooks.get(id)).to_dict()


async def create_webhook(_r: Any, info: GraphQLResolveInfo, data: Any) -> Any:
    async with _session(info, write=True) as s:
        hook = await s.webhooks.create(data)
    return hook.to_dict(with_secret=True)


async def update_webhook(_r: Any, info: GraphQLResolveInfo, id: str, data: Any) -> Any:
    async with _session(info, write=True) as s:
        hook = await s.webhooks.update(id, data)
    return hook.to_dict()


async def delete_webhook(_r: Any, info: GraphQLResolveInfo, id: str) -> Any:
    async with _session(info, write=True) as s:
        hook = await s.webhooks.delete(id)
    return {"id": str(hook.id), "success": True}


async def rotate_webhook_secret(
    _r: Any,
    info: GraphQLResolveInfo,
    id: str,
    secret: str | None = None,
    graceSeconds: int | None = None,
) -> Any:
    async with _session(info, write=True) as s:
        hook = await s.webhooks.rotate_secret(id, secret, graceSeconds)
    return hook.to_dict(with_secret=True)


# -- schema changes ----------------------------------------------------------------
def _metadata(call: Callable[..., Any], objects: bool = False) -> Resolve:
    async def resolve(_r: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        # On the latest registry, not the document's: an earlier field may have changed it.
        async with _session(info, write=True, fresh=True) as s:
            return await call(s.objects if objects else s.fields, **args)

    return resolve


async def list_fields(
    _r: Any, info: GraphQLResolveInfo, object: str | None = None, includeInactive: bool = False
) -> Any:
    async with _session(info, write=False) as s:
        return await s.fields.list(object, includeInactive)


# -- consent and history -------------------------------------------------------------
def _consent(call: Callable[..., Any], *, write: bool) -> Resolve:
    async def resolve(_r: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        async with _session(info, write=write) as s:
            return await call(s.consents, **args)

    return resolve


async def record_timeline(
    _r: Any,
    info: GraphQLResolveInfo,
    object: str,
    id: str,
    first: int | None = None,
    after: str | None = None,
) -> Any:
    first = 50 if first is None else first  # null is the default, as an absent argument is
    if not 1 <= first <= 200:
        raise ValidationError("first is 1 to 200", field="first")
    async with _session(info, write=False) as s:
        items, cursor = await s.timeline.page(object, id, limit=first, after=after)
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

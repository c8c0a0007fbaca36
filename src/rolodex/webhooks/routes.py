"""REST routes for webhooks: ``/rest/webhooks`` (camelCase) and Attio's ``/v2/webhooks``.

Scopes ``webhook:read`` and ``webhook:read-write``. These routes are mounted
before the generic ``/rest/{objects}`` routes, which would otherwise take
``/rest/webhooks`` for an object.
"""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from rolodex.api.rest.http import Context, JSONResponse, attio_error_response, endpoint
from rolodex.auth.scopes import Scope
from rolodex.kit import clock
from rolodex.kit.errors import ValidationError
from rolodex.session import WRITE

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


async def _optional_body(ctx: Context) -> dict[str, Any]:
    """A JSON object body, or {} when there is none."""
    headers = ctx.request.headers
    if headers.get("content-length", "0") == "0" and "transfer-encoding" not in headers:
        return {}
    body = await ctx.json()
    if not isinstance(body, dict):
        raise ValidationError("The body must be a JSON object", field="body")
    return body


def _id(ctx: Context) -> str:
    params = ctx.request.path_params
    return str(params.get("id") or params.get("webhook_id"))


# -- /rest/webhooks -----------------------------------------------------------
async def list_webhooks(ctx: Context) -> JSONResponse:
    limit = ctx.int_param("limit", DEFAULT_LIMIT, 0, MAX_LIMIT)
    offset = ctx.int_param("offset", 0, 0, 10**9)
    async with ctx.session() as s:
        hooks, total = await s.webhooks.page(limit, offset)
    return JSONResponse({"data": {"webhooks": [h.to_dict() for h in hooks]}, "totalCount": total})


async def create_webhook(ctx: Context) -> JSONResponse:
    """Create a webhook; its secret is in this response (and on rotation) only."""
    body = await ctx.json()
    async with ctx.session(WRITE) as s:
        hook = await s.webhooks.create(body)
    return JSONResponse({"data": {"createWebhook": hook.to_dict(with_secret=True)}}, 201)


async def get_webhook(ctx: Context) -> JSONResponse:
    async with ctx.session() as s:
        hook = await s.webhooks.get(_id(ctx))
    return JSONResponse({"data": {"webhook": hook.to_dict()}})


async def update_webhook(ctx: Context) -> JSONResponse:
    body = await ctx.json()
    async with ctx.session(WRITE) as s:
        hook = await s.webhooks.update(_id(ctx), body)
    return JSONResponse({"data": {"updateWebhook": hook.to_dict()}})


async def delete_webhook(ctx: Context) -> JSONResponse:
    async with ctx.session(WRITE) as s:
        hook = await s.webhooks.delete(_id(ctx))
    return JSONResponse({"data": {"deleteWebhook": {"id": str(hook.id)}}})


async def rotate_secret(ctx: Context) -> JSONResponse:
    """A new secret (generated, or ``{"secret": ...}``); the old one signs during the grace."""
    body = await _optional_body(ctx)
    unknown = set(body) - {"secret", "graceSeconds"}
    if unknown:
        name = sorted(unknown)[0]
        raise ValidationError(f"Unknown field {name!r}", field=name)
    async with ctx.session(WRITE) as s:
        hook = await s.webhooks.rotate_secret(
            _id(ctx), body.get("secret"), body.get("graceSeconds")
        )
    return JSONResponse({"data": {"rotateWebhookSecret": hook.to_dict(with_secret=True)}})


async def event_types(ctx: Context) -> JSONResponse:
    """Every event a webhook can subscribe to, with the JSON Schema of its payload."""
    async with ctx.session() as s:
        types = await s.webhooks.event_types()
    return JSONResponse({"data": {"eventTypes": types}})


async def list_deliveries(ctx: Context) -> JSONResponse:
    """The delivery log: each delivery with its attempts, newest first."""
    limit = ctx.int_param("limit", DEFAULT_LIMIT, 0, MAX_LIMIT)
    offset = ctx.int_param("offset", 0, 0, 10**9)
    status = ctx.request.query_params.get("status") or None
    bound = ctx.state.settings.count_limit
    async with ctx.session() as s:
        log = await s.webhooks.deliveries(_id(ctx), status, limit, offset, count_limit=bound)
    # totalCount is exact up to ROLODEX_COUNT_LIMIT (and past the page); beyond, a lower
    # bound, as totalCountIsExact says (docs/webhooks.md).
    return JSONResponse(
        {
            "data": {"deliveries": log.items},
            "totalCount": log.total,
            "totalCountIsExact": log.exact,
        }
    )


async def get_delivery(ctx: Context) -> JSONResponse:
    async with ctx.session() as s:
        item = await s.webhooks.delivery(_id(ctx), ctx.request.path_params["delivery_id"])
    return JSONResponse({"data": {"delivery": item}})


async def resend_delivery(ctx: Context) -> JSONResponse:
    async with ctx.session(WRITE) as s:
        item = await s.webhooks.resend(_id(ctx), ctx.request.path_params["delivery_id"])
    return JSONResponse({"data": {"delivery": item}}, 202)


async def recover(ctx: Context) -> JSONResponse:
    """Requeue failed deliveries created in ``{since, until}`` (until defaults to now)."""
    body = await _optional_body(ctx)
    unknown = set(body) - {"since", "until"}
    if unknown:
        name = sorted(unknown)[0]
        raise ValidationError(f"Unknown field {name!r}", field=name)
    if body.get("since") is None:
        raise ValidationError("since is required (an ISO 8601 date-time)", field="since")
    since = clock.parse_datetime(body["since"], field="since")
    until = clock.parse_datetime(body["until"], field="until") if body.get("until") else None
    async with ctx.session(WRITE) as s:
        count = await s.webhooks.recover(_id(ctx), since, until)
    return JSONResponse({"data": {"requeued": count}}, 202)


async def test_webhook(ctx: Context) -> JSONResponse:
    """Send a sample event (``{"eventType": "person.created"}`` by default)."""
    body = await _optional_body(ctx)
    unknown = set(body) - {"eventType"}
    if unknown:
        name = sorted(unknown)[0]
        raise ValidationError(f"Unknown field {name!r}", field=name)
    async with ctx.session(WRITE) as s:
        item = await s.webhooks.test(_id(ctx), body.get("eventType"))
    return JSONResponse({"data": {"delivery": item}}, 202)


# -- /v2/webhooks (Attio) -----------------------------------------------------
async def attio_list(ctx: Context) -> JSONResponse:
    limit = ctx.int_param("limit", DEFAULT_LIMIT, 0, MAX_LIMIT)
    offset = ctx.int_param("offset", 0, 0, 10**9)
    async with ctx.session() as s:
        hooks, _ = await s.webhooks.page(limit, offset)
    return JSONResponse({"data": [h.to_attio() for h in hooks]})


async def attio_create(ctx: Context) -> JSONResponse:
    body = await ctx.json()
    async with ctx.session(WRITE) as s:
        hook = await s.webhooks.create(body, attio=True)
    return JSONResponse({"data": hook.to_attio(with_secret=True)})


async def attio_get(ctx: Context) -> JSONResponse:
    async with ctx.session() as s:
        hook = await s.webhooks.get(_id(ctx))
    return JSONResponse({"data": hook.to_attio()})


async def attio_update(ctx: Context) -> JSONResponse:
    body = await ctx.json()
    async with ctx.session(WRITE) as s:
        hook = await s.webhooks.update(_id(ctx), body, attio=True)
    return JSONResponse({"data": hook.to_attio()})


async def attio_delete(ctx: Context) -> JSONResponse:
    async with ctx.session(WRITE) as s:
        await s.webhooks.delete(_id(ctx))
    return JSONResponse({})


def _both(path: str, handler: Any, methods: list[str]) -> list[Route]:
    """The path with and without a trailing slash, neither redirecting."""
    return [Route(path, handler, methods=methods), Route(path + "/", handler, methods=methods)]


def v2(scope: Scope, handler: Any) -> Any:
    """An Attio route: its refusals (401, 404, 429, ...) in Attio's error shape."""
    return endpoint(scope, handler, errors=attio_error_response)


def routes() -> list[Route]:
    read, write = Scope.WEBHOOK_READ, Scope.WEBHOOK_WRITE
    base = "/rest/webhooks"
    one = base + "/{id}"
    return [
        *_both(base, endpoint(read, list_webhooks), ["GET"]),
        *_both(base, endpoint(write, create_webhook), ["POST"]),
        *_both(base + "/event-types", endpoint(read, event_types), ["GET"]),
        *_both(one, endpoint(read, get_webhook), ["GET"]),
        *_both(one, endpoint(write, update_webhook), ["PATCH", "PUT"]),
        *_both(one, endpoint(write, delete_webhook), ["DELETE"]),
        Route(one + "/rotate-secret", endpoint(write, rotate_secret), methods=["POST"]),
        Route(one + "/deliveries", endpoint(read, list_deliveries), methods=["GET"]),
        Route(one + "/deliveries/{delivery_id}", endpoint(read, get_delivery), methods=["GET"]),
        Route(
            one + "/deliveries/{delivery_id}/resend",
            endpoint(write, resend_delivery),
            methods=["POST"],
        ),
        Route(one + "/recover", endpoint(write, recover), methods=["POST"]),
        Route(one + "/test", endpoint(write, test_webhook), methods=["POST"]),
        *_both("/v2/webhooks", v2(read, attio_list), ["GET"]),
        *_both("/v2/webhooks", v2(write, attio_create), ["POST"]),
        Route("/v2/webhooks/{webhook_id}", v2(read, attio_get), methods=["GET"]),
        Route("/v2/webhooks/{webhook_id}", v2(write, attio_update), methods=["PATCH"]),
        Route("/v2/webhooks/{webhook_id}", v2(write, attio_delete), methods=["DELETE"]),
    ]

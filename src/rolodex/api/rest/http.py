"""The REST boundary: authentication, scopes, bodies, JSON responses and errors.

Routes declare the scope they need; ``endpoint`` checks it, in one place, and
hands the handler a ``Context``. Handlers translate and call services.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from email.utils import formatdate
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rolodex.auth.ratelimit import quota_headers
from rolodex.auth.schemas import Principal
from rolodex.auth.scopes import Scope, require
from rolodex.idempotency import service as idempotency
from rolodex.kit import jsonutil
from rolodex.kit.errors import (
    BadRequest,
    PayloadTooLarge,
    RateLimited,
    RolodexError,
    UnsupportedMediaType,
)
from rolodex.kit.show import shown
from rolodex.session import Intent, WorkspaceSession

if TYPE_CHECKING:
    from rolodex.state import AppState

log = logging.getLogger("rolodex.api")


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return jsonutil.dumps(content)


def error_response(exc: RolodexError) -> JSONResponse:
    headers = {}
    if isinstance(exc, RateLimited):
        headers.update(exc.headers())
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="rolodex"'
    return JSONResponse(exc.to_dict(), status_code=exc.status, headers=headers)


# Attio's error vocabulary (``/v2``): its SDKs parse ``{status_code, type, code,
# message}`` into typed errors. Codes are Attio's where it has one for the case.
_ATTIO_CODES = {
    "VALIDATION_ERROR": "validation_type",
    "BAD_REQUEST": "validation_type",
    "UNAUTHENTICATED": "unauthorized",
    "FORBIDDEN": "unauthorized",
    "NOT_FOUND": "not_found",
    "CONFLICT": "uniqueness_conflict",
    "RATE_LIMITED": "rate_limit_exceeded",
}
_ATTIO_TYPES = {401: "auth_error", 403: "auth_error", 429: "rate_limit_error"}


def attio_error_response(exc: RolodexError) -> JSONResponse:
    """``exc`` in Attio's shape, for the ``/v2`` routes.

    A 429's ``Retry-After`` is an HTTP date, as Attio sends it (clients
    written for Attio parse it with ``new Date(...)``).
    """
    headers = {}
    if isinstance(exc, RateLimited):
        headers.update(exc.headers())
        headers["Retry-After"] = formatdate(time.time() + exc.retry_after, usegmt=True)
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="rolodex"'
    body: dict[str, Any] = {
        "status_code": exc.status,
        "type": _ATTIO_TYPES.get(exc.status, "invalid_request_error"),
        "code": _ATTIO_CODES.get(exc.code, exc.code.lower()),
        "message": exc.message,
    }
    # Beyond Attio's four keys, which its SDKs ignore: the part of the request at
    # fault, and what the error knows besides (``required_scope``, ...).
    if exc.field is not None:
        body["field"] = exc.field
    for key, value in exc.extra.items():
        body.setdefault(key, value)
    return JSONResponse(body, status_code=exc.status, headers=headers)


ErrorRenderer = Callable[[RolodexError], JSONResponse]


def is_attio_path(path: str) -> bool:
    """Whether ``path`` is under ``/v2``, where errors take Attio's shape."""
    return path == "/v2" or path.startswith("/v2/")


def error_response_for(path: str, exc: RolodexError) -> JSONResponse:
    """``exc`` rendered for a request to ``path`` (errors raised outside an endpoint)."""
    return attio_error_response(exc) if is_attio_path(path) else error_response(exc)


def internal_error(request: Request, exc: Exception) -> JSONResponse:
    request_id = str(uuid.uuid4())
    log.exception("Unhandled error %s on %s %s", request_id, request.method, request.url.path)
    if is_attio_path(request.url.path):
        return JSONResponse(
            {
                "status_code": 500,
                "type": "api_error",
                "code": "internal_server_error",
                "message": f"Internal error; quote request id {request_id} when reporting it.",
            },
            status_code=500,
        )
    return JSONResponse(
        {
            "statusCode": 500,
            "error": "INTERNAL_SERVER_ERROR",
            "message": f"Internal error; quote request id {request_id} when reporting it.",
            "messages": ["Internal error"],
            "requestId": request_id,
        },
        status_code=500,
    )


@dataclass(slots=True)
class Context:
    """What a handler knows about its request beyond the request itself."""

    request: Request
    principal: Principal
    state: AppState

    @property
    def workspace_id(self) -> uuid.UUID:
        return self.principal.workspace_id

    def session(self, intent: Intent = Intent.READ, *, lone: bool = False) -> WorkspaceSession:
        """The principal's workspace session for this request (``async with`` it);
        ``lone``: the handler makes one service call in it (``Sessions.open``)."""
        return self.state.sessions.open(self.principal, intent, lone=lone)

    def int_param(self, name: str, default: int, lo: int, hi: int) -> int:
        """A whole-number query parameter within [lo, hi]; a 400 naming it otherwise."""
        if not self.request.scope.get("query_string"):
            return default  # the usual case; parsing an empty query string is not free
        raw = self.request.query_params.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise BadRequest(
                f"{name} must be a whole number, got {shown(raw)}", field=name
            ) from None
        if not lo <= value <= hi:
            raise BadRequest(f"{name} must be between {lo} and {hi}, got {value}", field=name)
        return value

    def flag(self, name: str) -> bool:
        """A true/false query parameter (``true``, ``false``, ``1``, ``0``)."""
        if not self.request.scope.get("query_string"):
            return False
        raw = self.request.query_params.get(name, "false").lower()
        # ``?upsert=`` names no value: refused, as the OpenAPI document's boolean says.
        if raw not in ("true", "false", "1", "0"):
            raise BadRequest(f"{name} must be true or false, got {shown(raw)}", field=name)
        return raw in ("true", "1")

    async def json(self) -> Any:
        """The request body as JSON, within the size and depth limits; a 4xx otherwise.

        The body must be declared JSON (``application/json`` or a ``+json``
        type); a body with no Content-Type at all is read as JSON too.
        """
        content_type = self.request.headers.get("content-type")
        if content_type is not None and not is_json_media_type(content_type):
            raise UnsupportedMediaType(
                f"Send JSON with 'Content-Type: application/json', not {shown(content_type, 100)}.",
                field="Content-Type",
            )
        limit = self.state.settings.max_body_bytes
        declared = self.request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
        chunks = []
        size = 0
        async for chunk in self.request.stream():
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
            chunks.append(chunk)
        return jsonutil.parse_body(b"".join(chunks), self.state.settings.max_json_depth)

    def check_params(self, accepted: frozenset[str]) -> None:
        """Refuse query parameters this route does not take (a typo must not pass silently)."""
        if not self.request.scope.get("query_string"):
            return
        for name in self.request.query_params:
            if name not in accepted:
                listed = ", ".join(sorted(accepted)) if accepted else "none"
                raise BadRequest(
                    f"Unknown query parameter {shown(name)}; this route accepts: {listed}.",
                    field=name,
                    accepted=sorted(accepted),
                )


def is_json_media_type(content_type: str) -> bool:
    """``application/json`` or any ``+json`` type, whatever its parameters."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def accepts(*names: str) -> Callable[[Handler], Handler]:
    """Declare the query parameters a handler takes; ``endpoint`` refuses any other."""

    def mark(handler: Handler) -> Handler:
        handler.query_params = frozenset(names)  # type: ignore[attr-defined]
        return handler

    return mark


Handler = Callable[[Context], Awaitable[Response]]
RouteRow = tuple[str, Scope, "Handler", list[str]]


def endpoint(
    scope: Scope, handler: Handler, *, errors: ErrorRenderer = error_response
) -> Callable[[Request], Awaitable[Response]]:
    """Wrap ``handler``: authenticate, rate-limit, check ``scope``, render errors.

    ``errors`` renders a refusal (``attio_error_response`` on ``/v2``).
    """

    accepted: frozenset[str] | None = getattr(handler, "query_params", None)

    async def asgi(request: Request) -> Response:
        state = request.app.state.rolodex
        quota = None
        try:
            principal = await state.auth.authenticate(
                request.headers.get("authorization"), request.scope
            )
            limiter = state.limiter
            if limiter.shared is None:
                quota = limiter.check(principal.key.id, principal.workspace_id)
            else:
                quota = await limiter.shared.check(principal.key.id, principal.workspace_id)
            require(principal.scopes, scope)
            ctx = Context(request, principal, state)
            if accepted is not None:
                ctx.check_params(accepted)
            if (
                request.method in idempotency.WRITE_METHODS
                and idempotency.HEADER in request.headers
            ):
                response = await idempotency.guarded(
                    state, principal, request, lambda: _rendered(handler, ctx, errors)
                )
            else:
                response = await handler(ctx)
        except RolodexError as exc:
            response = errors(exc)
        if quota is not None:
            response.raw_headers.extend(quota_headers(quota))
        return response

    asgi.__name__ = handler.__name__
    asgi.__doc__ = handler.__doc__
    return asgi


async def _rendered(handler: Handler, ctx: Context, errors: ErrorRenderer) -> Response:
    """``handler``'s response, its errors included (what an idempotency key records)."""
    try:
        return await handler(ctx)
    except RolodexError as exc:
        return errors(exc)


def route_table(rows: Sequence[RouteRow]) -> list[Route]:
    """Routes from (path, scope, handler, methods) rows, each behind ``endpoint``."""
    return [
        Route(path, endpoint(scope, handler), methods=methods)
        for path, scope, handler, methods in rows
    ]

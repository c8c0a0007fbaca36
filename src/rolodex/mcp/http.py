"""``/mcp``: the MCP server over streamable HTTP, behind the API key's bearer token.

Stateless and answered with JSON (the SDK's ``stateless`` and
``json_response`` modes): no MCP session outlives its request, so any process
behind a load balancer answers any request. Each request is authenticated by
the same ``Authenticator`` REST uses; without a valid key the answer is a
401 whose ``WWW-Authenticate`` points at the protected resource metadata
(RFC 9728, as the MCP authorization spec asks), which says a bearer key is
needed. ``?tools=a,b`` lists and serves only those tools. A POST carrying
``Idempotency-Key`` goes through REST's idempotency machinery.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from rolodex.api.rest.http import JSONResponse, error_response
from rolodex.auth.schemas import Principal as KeyPrincipal
from rolodex.auth.scopes import ALL_SCOPES
from rolodex.idempotency import service as idempotency
from rolodex.kit.errors import MethodNotAllowed, RolodexError
from rolodex.mcp.caller import Caller, parse_tool_names, principal_of
from rolodex.mcp.server import Ctx, RolodexMCP
from rolodex.state import AppState

PATH = "/mcp"
METADATA_PATH = "/.well-known/oauth-protected-resource"
_SCOPE_KEY = "rolodex.mcp"


def _caller(ctx: Ctx) -> Caller:
    request = ctx.request
    caller = request.scope.get(_SCOPE_KEY) if isinstance(request, Request) else None
    if not isinstance(caller, Caller):  # every request through McpHttp has one
        raise RuntimeError("An MCP request reached the server without its caller.")
    return caller


def base_url(scope: Scope) -> str:
    """The server's own origin as the client reached it."""
    request = Request(scope)
    return f"{request.url.scheme}://{request.url.netloc}"


class _Metadata:
    """RFC 9728 protected resource metadata: a bearer API key in the header."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _metadata(scope, receive, send)


async def _metadata(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["method"] not in ("GET", "HEAD"):
        err = MethodNotAllowed(f"Method {scope['method']} is not allowed on {scope['path']}.")
        response: Response = error_response(err)
        response.headers["Allow"] = "GET, HEAD"
    else:
        base = base_url(scope)
        response = JSONResponse(
            {
                "resource": base + PATH,
                "resource_name": "Rolodex MCP server",
                "bearer_methods_supported": ["header"],
                "scopes_supported": sorted(s.value for s in ALL_SCOPES),
            }
        )
    await response(scope, receive, send)


class McpHttp:
    """The ``/mcp`` endpoint and the protected resource metadata of one process."""

    def __init__(self, state: AppState) -> None:
        self.state = state
        self.mcp = RolodexMCP(state, _caller)
        self.manager = StreamableHTTPSessionManager(
            app=self.mcp.server, json_response=True, stateless=True
        )

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The SDK's request task group, for the application's lifespan."""
        async with self.manager.run():
            yield

    def routes(self) -> list[Route]:
        # Both are ASGI apps (they check their methods themselves): MCP's own
        # documents, not REST operations of the OpenAPI document.
        return [
            Route(PATH, self),
            Route(METADATA_PATH, _Metadata()),
            Route(METADATA_PATH + PATH, _Metadata()),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if request.method != "POST":
            # Stateless: no stream for server-initiated messages (GET) and no
            # session to end (DELETE); the transport spec's answer is a 405.
            err = MethodNotAllowed(f"Method {request.method} is not allowed on {PATH}: send POST.")
            response = error_response(err)
            response.headers["Allow"] = "POST"
            await response(scope, receive, send)
            return
        try:
            key = await self.state.auth.authenticate(request.headers.get("authorization"), scope)
            only = parse_tool_names(request.query_params.get("tools"))
            self.mcp.catalogue.check_subset(only)
        except RolodexError as exc:
            await self._refused(exc, scope)(scope, receive, send)
            return
        scope[_SCOPE_KEY] = Caller(principal_of(key), only)
        if idempotency.wanted(request):
            await self._idempotent(key, request, scope, send)
            return
        await self.manager.handle_request(scope, receive, send)

    async def _idempotent(
        self, key: KeyPrincipal, request: Request, scope: Scope, send: Send
    ) -> None:
        """A POST with ``Idempotency-Key``: REST's machinery (idempotency/service.py)
        records the answer, and a retry with the same key and body gets it again
        without running the call twice."""

        async def run() -> Response:
            body = await request.body()  # read already, for the fingerprint
            sent = False

            async def replay() -> Message:
                nonlocal sent
                if sent:
                    return {"type": "http.disconnect"}
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}

            started: dict[str, Any] = {}
            chunks: list[bytes] = []

            async def capture(message: Message) -> None:
                if message["type"] == "http.response.start":
                    started.update(message)
                elif message["type"] == "http.response.body":
                    chunks.append(message.get("body", b""))

            # JSON answers (json_response mode) are one body, so it can be kept whole.
            await self.manager.handle_request(scope, replay, capture)
            response = Response(b"".join(chunks), status_code=started.get("status", 500))
            response.raw_headers = [
                (k, v) for k, v in started.get("headers", []) if k.lower() != b"content-length"
            ] + [(b"content-length", str(len(response.body)).encode())]
            return response

        try:
            response = await idempotency.guarded(self.state, key, request, run)
        except RolodexError as exc:
            response = error_response(exc)
        await response(scope, request.receive, send)

    def _refused(self, exc: RolodexError, scope: Scope) -> Response:
        response = error_response(exc)
        if exc.status == 401:
            challenge: dict[str, Any] = {
                "realm": "rolodex",
                "error": "invalid_token",
                "error_description": exc.message.replace('"', "'"),
                "resource_metadata": base_url(scope) + METADATA_PATH + PATH,
            }
            response.headers["WWW-Authenticate"] = "Bearer " + ", ".join(
                f'{k}="{v}"' for k, v in challenge.items()
            )
        return response

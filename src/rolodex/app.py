"""The ASGI application: REST routes, health checks, and the per-process state."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rolodex.api.rest.hot import HotRoutes
from rolodex.api.rest.http import JSONResponse, error_response_for, internal_error
from rolodex.auth.ratelimit import FailureThrottle, RateLimiter
from rolodex.auth.service import Authenticator
from rolodex.config import Settings
from rolodex.kit.analyze import StatisticsKeeper
from rolodex.kit.db import Database
from rolodex.kit.errors import RolodexError
from rolodex.members.service import MemberAuth
from rolodex.metadata.registry import RegistryCache
from rolodex.state import AppState

log = logging.getLogger("rolodex")


class StripTrailingSlash:
    """Serve ``/rest/people/`` as ``/rest/people``, without a redirect (seeds use both)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            if len(path) > 1 and path.endswith("/"):
                scope = dict(scope)
                scope["path"] = path.rstrip("/") or "/"
                scope["raw_path"] = scope["path"].encode()
        await self.app(scope, receive, send)


class RolodexApp(Starlette):
    """Starlette, with the record routes' hot path (api/rest/hot.py) tried first.

    CORS (``ROLODEX_CORS_ORIGINS``), when set, wraps both, so hot routes answer
    browsers too.
    """

    hot: HotRoutes | None = None
    cors: ASGIApp | None = None
    twenty: ASGIApp | None = None  # the /twenty/ dialect (api/twenty.py), around the rest
    mcp: ASGIApp | None = None  # POST /mcp (mcp/http.py), ahead of the router too

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.twenty is not None and scope.get("path", "").startswith("/twenty"):
            await self.twenty(scope, receive, send)
        else:
            await self.serve(scope, receive, send)

    async def serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.cors is not None:
            await self.cors(scope, receive, send)
        else:
            await self.dispatch(scope, receive, send)

    async def dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.hot is not None and scope["type"] == "http":
            handler = self.hot.match(scope)
            if handler is not None:
                scope["app"] = self
                await self.hot.serve(handler, scope, receive, send)
                return
        if self.mcp is not None and scope["type"] == "http" and scope["path"] == "/mcp":
            scope["app"] = self
            await _guarded(self.mcp, scope, receive, send)
            return
        await super().__call__(scope, receive, send)


async def _guarded(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """``app`` without Starlette's middleware, but with its error middleware's 500."""
    started = False

    async def tracked(message: Message) -> None:
        nonlocal started
        started = started or message["type"] == "http.response.start"
        await send(message)

    try:
        await app(scope, receive, tracked)
    except Exception as exc:
        if started:
            raise
        await internal_error(Request(scope), exc)(scope, receive, send)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    state: AppState = request.app.state.rolodex
    try:
        async with state.db.connect() as conn:
            await conn.fetchval(state.db.sql("health", _select_one))
    except Exception as exc:  # any failure means "not ready", never a 500
        return JSONResponse({"status": "unavailable", "error": str(exc)[:200]}, status_code=503)
    return JSONResponse({"status": "ok", "database": state.db.kind})


def _select_one() -> Any:
    import sqlalchemy as sa

    return sa.select(sa.literal(1))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        err: RolodexError = RolodexError(f"No route {request.method} {request.url.path}.")
        err.status, err.code = 404, "NOT_FOUND"
    elif exc.status_code == 405:
        err = RolodexError(f"Method {request.method} is not allowed on {request.url.path}.")
        err.status, err.code = 405, "METHOD_NOT_ALLOWED"
        response = error_response_for(request.url.path, err)
        response.headers["Allow"] = ", ".join(_allowed_methods(request))
        return response
    else:
        err = RolodexError(str(exc.detail))
        err.status, err.code = exc.status_code, "HTTP_ERROR"
    return error_response_for(request.url.path, err)


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route serves on this path (RFC 9110: a 405 carries ``Allow``).

    Several routes share a path with different methods, and Starlette's 405
    names only the first one's, so all routes are asked.
    """
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE and isinstance(route, Route) and route.methods:
            methods |= route.methods
    return sorted(methods)


async def _rolodex_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RolodexError)
    return error_response_for(request.url.path, exc)


async def _flush_key_usage(state: AppState) -> None:
    while True:
        await asyncio.sleep(5)
        try:
            await state.auth.flush()
        except Exception:  # a failed flush loses only "last used" timestamps
            log.exception("Could not record API key usage")


def create_app(settings: Settings | None = None) -> RolodexApp:
    """Build the application; the database is opened in its lifespan."""
    from rolodex.api import assets, landing
    from rolodex.api.graphql import routes as graphql_routes
    from rolodex.api.rest.openapi import routes as openapi_routes
    from rolodex.auth.routes import routes as key_routes
    from rolodex.consent.routes import routes as consent_routes
    from rolodex.console.routes import routes as console_routes
    from rolodex.events.routes import routes as event_routes
    from rolodex.events.stream import routes as stream_routes
    from rolodex.mcp.http import McpHttp
    from rolodex.metadata.routes import routes as metadata_routes
    from rolodex.records.routes import batch_routes, hot_routes
    from rolodex.records.routes import routes as record_routes
    from rolodex.search.routes import routes as search_routes
    from rolodex.webhooks.routes import routes as webhook_routes
    from rolodex.webhooks.startup import start_dispatcher
    from rolodex.workspaces import service as workspaces
    from rolodex.workspaces.routes import routes as workspace_routes

    settings = settings or Settings()
    db = Database(
        settings.database_url,
        pool_size=settings.pool_size,
        statement_cache=settings.statement_cache,
    )
    state = AppState(
        settings=settings,
        db=db,
        auth=Authenticator(
            db,
            ttl=settings.key_cache_seconds,
            failures=FailureThrottle(
                settings.auth_failure_rate, settings.auth_failure_burst, settings.trusted_proxies
            ),
        ),
        registries=RegistryCache(settings.metadata_check_seconds, settings.registry_cache),
        limiter=RateLimiter(
            settings.rate_limit,
            settings.rate_burst,
            settings.workspace_rate_limit,
            settings.workspace_rate_burst,
        ),
    )

    if settings.redis_url:
        from rolodex.auth.shared_limits import SharedLimiter

        state.limiter.shared = SharedLimiter(settings.redis_url, state.limiter)

    mcp = McpHttp(state)  # /mcp: the MCP server (docs/mcp.md)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await db.open()
        # Objects alive after start-up (modules, compiled routes, schemas) never
        # die; freezing them keeps the collector from rescanning them on every
        # full collection, which showed as tens of ms in the tail latency.
        gc.collect()
        gc.freeze()
        background = [asyncio.create_task(_flush_key_usage(state))]
        if settings.retention_days > 0:
            from rolodex.records.retention import run_forever

            background.append(
                asyncio.create_task(run_forever(db, state.registries, settings.retention_days))
            )
        dispatcher = await start_dispatcher(app, db, state.registries)
        # Webhook changes signal it through the webhook service, after they commit.
        state.sessions.webhook_signals = dispatcher
        statistics = StatisticsKeeper(db)
        statistics.start()
        await workspaces.resume_deletions(db)
        try:
            async with mcp.running():
                yield
        finally:
            for task in background:
                task.cancel()
            # Their transactions end before the last flush below begins its own.
            await asyncio.gather(*background, return_exceptions=True)
            await statistics.stop()
            workspaces.stop_deletions()
            state.sessions.webhook_signals = None
            if dispatcher is not None:
                await dispatcher.stop()
            with contextlib.suppress(Exception):
                await state.auth.flush()
            await db.close()

    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        *landing.routes(),
        *assets.routes(),
        *search_routes(),
        *record_routes(),
        *batch_routes(),
        *openapi_routes(),
        *key_routes(),
        *graphql_routes(),
        *metadata_routes(),
        *consent_routes(),
        *event_routes(),
        *stream_routes(),
        *webhook_routes(),
        *workspace_routes(),
        *mcp.routes(),
        *console_routes(),
    ]
    app = RolodexApp(
        routes=routes,
        middleware=[Middleware(StripTrailingSlash)],
        lifespan=lifespan,
        exception_handlers={
            HTTPException: _http_error,
            RolodexError: _rolodex_error,
            Exception: internal_error,
        },
    )
    app.router.redirect_slashes = False
    app.hot = hot_routes()
    app.mcp = mcp
    if settings.cors_origins:
        from rolodex.api.rest.cors import cors

        app.cors = cors(app.dispatch, settings.cors_origins)
    from rolodex.api.twenty import TwentyDialect

    app.twenty = TwentyDialect(app.serve)
    app.state.rolodex = state
    app.state.console_auth = MemberAuth(
        db,
        FailureThrottle(
            settings.signin_failure_rate, settings.signin_failure_burst, settings.trusted_proxies
        ),
    )
    return app

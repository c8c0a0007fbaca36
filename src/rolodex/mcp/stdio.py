"""The MCP server on standard input and output, for desktop agents (``rolodex mcp``).

Two ways: against a local database, the same tools running in this process
with the API key's principal (the key is checked once at start and again on
each call, so a revoked key stops working); or against a remote server
(``--url``), passing each request on to its ``/mcp`` with the key as the
bearer token, so the remote server's tools, scopes and limits apply as they
are. Only the protocol is written to standard output; logs go to stderr.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import mcp_types as types
from mcp.server.lowlevel.server import Server
from mcp.server.stdio import stdio_server
from mcp.shared.exceptions import MCPError

from rolodex.auth.ratelimit import RateLimiter
from rolodex.auth.service import Authenticator
from rolodex.config import Settings
from rolodex.kit.db import Database
from rolodex.kit.errors import RolodexError
from rolodex.kit.version import VERSION
from rolodex.mcp.caller import Caller, principal_of
from rolodex.mcp.server import INSTRUCTIONS, Ctx, RolodexMCP
from rolodex.mcp.tools import error_result
from rolodex.metadata.registry import RegistryCache
from rolodex.state import AppState


async def _serve(server: Server[Any]) -> None:
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


@contextlib.asynccontextmanager
async def local_state(database_url: str) -> AsyncIterator[AppState]:
    """A process state on a local database, as ``serve`` makes one (without the server)."""
    settings = Settings(database_url=database_url)
    db = Database(settings.database_url, pool_size=2, statement_cache=settings.statement_cache)
    state = AppState(
        settings=settings,
        db=db,
        auth=Authenticator(db, ttl=settings.key_cache_seconds),
        registries=RegistryCache(settings.metadata_check_seconds, settings.registry_cache),
        limiter=RateLimiter(
            settings.rate_limit,
            settings.rate_burst,
            settings.workspace_rate_limit,
            settings.workspace_rate_burst,
        ),
    )
    await db.open()
    try:
        yield state
    finally:
        with contextlib.suppress(Exception):
            await state.auth.flush()
        await db.close()


class _LocalCaller:
    """The key's caller, checked again before each request (revocation, expiry)."""

    def __init__(self, state: AppState, key: str, only: frozenset[str] | None) -> None:
        self.state, self.header, self.only = state, f"Bearer {key}", only
        self.caller: Caller | None = None

    async def refresh(self) -> None:
        principal = await self.state.auth.authenticate(self.header)
        self.caller = Caller(principal_of(principal), self.only)

    def __call__(self, ctx: Ctx) -> Caller:
        assert self.caller is not None
        return self.caller


async def serve_local(database_url: str, key: str, only: frozenset[str] | None) -> None:
    """Serve the tools on stdio against ``database_url``; a bad key raises before serving."""
    async with local_state(database_url) as state:
        caller = _LocalCaller(state, key, only)
        await caller.refresh()
        mcp = RolodexMCP(state, caller)
        mcp.catalogue.check_subset(only)
        server = mcp.server
        # Re-authenticate before every request: the handlers are wrapped, not changed.
        for method in ("tools/list", "tools/call", "resources/read", "prompts/get"):
            entry = server.get_request_handler(method)
            assert entry is not None
            server.add_request_handler(method, entry.params_type, _checked(caller, entry.handler))
        await _serve(server)


def _checked(caller: _LocalCaller, handler: Any) -> Any:
    async def run(ctx: Ctx, params: Any) -> Any:
        try:
            await caller.refresh()
        except RolodexError as exc:
            if ctx.method == "tools/call":
                return error_result(exc)
            raise MCPError(-32602, exc.message, exc.to_dict()) from None
        return await handler(ctx, params)

    return run


def remote_url(url: str, only: frozenset[str] | None) -> str:
    """The remote server's ``/mcp`` (given its base URL or ``/mcp`` itself), with ``?tools=``."""
    base = url.rstrip("/")
    if not base.endswith("/mcp"):
        base += "/mcp"
    return base + ("?" + urlencode({"tools": ",".join(sorted(only))}) if only else "")


async def _preflight(http: Any, endpoint: str) -> None:
    """Refuse to start when the remote server refuses the key (or the tool subset),
    with its message, rather than failing inside the agent's first request."""
    r = await http.post(
        endpoint,
        json={"jsonrpc": "2.0", "id": 0, "method": "ping"},
        headers={"Accept": "application/json, text/event-stream"},
    )
    if r.status_code >= 400:
        try:
            message = r.json().get("message") or r.text
        except ValueError:
            message = r.text[:200]
        raise RolodexError(f"{endpoint} answered {r.status_code}: {message}")


async def serve_remote(url: str, key: str, only: frozenset[str] | None) -> None:
    """Serve a remote server's ``/mcp`` on stdio, request by request."""
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=60)
    endpoint = remote_url(url, only)
    async with http:
        await _preflight(http, endpoint)
        transport = streamable_http_client(endpoint, http_client=http)
        async with Client(transport, cache=None) as remote:
            await _proxy(remote)


async def _proxy(remote: Any) -> None:
    """Serve on stdio what ``remote`` (a connected SDK client) serves."""

    async def list_tools(ctx: Ctx, params: Any) -> types.ListToolsResult:
        return await remote.list_tools()

    async def call_tool(ctx: Ctx, params: types.CallToolRequestParams) -> Any:
        return await remote.call_tool(params.name, params.arguments)

    async def list_resources(ctx: Ctx, params: Any) -> types.ListResourcesResult:
        return await remote.list_resources()

    async def list_templates(ctx: Ctx, params: Any) -> types.ListResourceTemplatesResult:
        return await remote.list_resource_templates()

    async def read_resource(ctx: Ctx, params: types.ReadResourceRequestParams) -> Any:
        return await remote.read_resource(params.uri)

    async def list_prompts(ctx: Ctx, params: Any) -> types.ListPromptsResult:
        return await remote.list_prompts()

    async def get_prompt(ctx: Ctx, params: types.GetPromptRequestParams) -> Any:
        return await remote.get_prompt(params.name, params.arguments)

    server: Server[Any] = Server(
        "rolodex",
        version=VERSION,
        title="Rolodex CRM",
        instructions=remote.instructions or INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_list_resources=list_resources,
        on_list_resource_templates=list_templates,
        on_read_resource=read_resource,
        on_list_prompts=list_prompts,
        on_get_prompt=get_prompt,
    )
    await _serve(server)

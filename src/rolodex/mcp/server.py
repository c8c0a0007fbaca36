"""The MCP server itself: the SDK's low-level ``Server`` with Rolodex's handlers.

One ``RolodexMCP`` per process. Every handler finds its caller (the API key's
principal and the ``?tools=`` subset) through ``caller_of``: from the HTTP
request on ``/mcp`` (``http.py``), fixed for a stdio process (``stdio.py``).
Nothing is kept between requests, so any process can answer any request.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

import mcp_types as types
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.lowlevel.server import Server
from mcp.shared.exceptions import MCPError

from rolodex.kit.errors import RolodexError
from rolodex.kit.version import VERSION
from rolodex.mcp import resources
from rolodex.mcp.caller import Caller
from rolodex.mcp.tools import Catalogue, ToolContext, deferred_structured
from rolodex.metadata.registry import Registry
from rolodex.state import AppState

log = logging.getLogger("rolodex.mcp")

Ctx = ServerRequestContext[Any, Any]
CallerOf = Callable[[Ctx], Caller]

INSTRUCTIONS = (
    "Rolodex is a CRM: people, companies, notes, tasks, workspace members and custom objects. "
    "Call describe_schema first to learn the objects and fields (custom ones included), "
    "search to find a record from a name, email or domain, and query_records with the filter "
    "grammar for lists. Results are paged: follow pageInfo.endCursor while hasNextPage is "
    "true. Writes are validated as the REST API validates them; a tool error says what to fix."
)

# The JSON-RPC error codes of protocol-level failures (resources, prompts).
_INVALID_PARAMS, _INTERNAL = -32602, -32603


def _protocol_error(exc: RolodexError) -> MCPError:
    return MCPError(_INVALID_PARAMS, exc.message, exc.to_dict())


def _no_header_params(name: str) -> None:
    return None


class PlainStructured:
    """Server middleware that keeps a tool's structured content out of the SDK's
    result checking: the content is plain JSON Rolodex made itself
    (``tools.success``), and checking it cost more than running the tool.

    The SDK still validates and shapes the rest of the result for the
    client's protocol version; the content is put back only where that left a
    ``structuredContent`` (a version without it drops it).
    """

    async def __call__(self, ctx: Ctx, call_next: CallNext) -> HandlerResult:
        if ctx.method != "tools/call":
            return await call_next(ctx)
        slot: list[Any] = []
        token = deferred_structured.set(slot)
        try:
            result = await call_next(ctx)
        finally:
            deferred_structured.reset(token)
        if slot and isinstance(result, dict) and "structuredContent" in result:
            result["structuredContent"] = slot[0]
        return result


class RolodexMCP:
    """Rolodex's tools, resources and prompts on the SDK's ``Server``."""

    def __init__(self, state: AppState, caller_of: CallerOf) -> None:
        self.state = state
        self.caller_of = caller_of
        self.catalogue = Catalogue()
        self.server: Server[Any] = Server(
            "rolodex",
            version=VERSION,
            title="Rolodex CRM",
            instructions=INSTRUCTIONS,
            # No input schema declares Mcp-Param headers, so there is nothing for the
            # SDK to check them against: without this it would list the tools (a
            # database read) before every call just to find that out.
            get_tool_input_schema=_no_header_params,
            on_list_tools=self.list_tools,
            on_list_resources=self.list_resources,
            on_list_resource_templates=self.list_resource_templates,
            on_read_resource=self.read_resource,
            on_list_prompts=self.list_prompts,
            on_get_prompt=self.get_prompt,
        )
        # No OpenTelemetry span per message (the SDK's default middleware; Rolodex
        # installs no exporter, so it only cost time).
        self.server.middleware = [PlainStructured()]
        # Registered as a plain request handler: it answers with the result's wire
        # form (``tools.success``), which the constructor's typing does not allow.
        self.server.add_request_handler("tools/call", types.CallToolRequestParams, self.call_tool)

    def _context(self, ctx: Ctx) -> tuple[ToolContext, Caller]:
        caller = self.caller_of(ctx)
        return ToolContext(self.state, caller.principal), caller

    async def _registry(self, tool_ctx: ToolContext) -> Registry:
        async with tool_ctx.session() as s:
            return s.registry

    async def list_tools(
        self, ctx: Ctx, params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        tool_ctx, caller = self._context(ctx)
        try:
            registry = await self._registry(tool_ctx)
        except RolodexError as exc:
            raise _protocol_error(exc) from None
        tools = self.catalogue.listing(registry, caller.principal.scopes, caller.only)
        return types.ListToolsResult(tools=tools)

    async def call_tool(
        self, ctx: Ctx, params: types.CallToolRequestParams
    ) -> types.CallToolResult | dict[str, Any]:
        tool_ctx, caller = self._context(ctx)
        return await self.catalogue.call(tool_ctx, params.name, params.arguments, caller.only)

    async def list_resources(
        self, ctx: Ctx, params: types.PaginatedRequestParams | None
    ) -> types.ListResourcesResult:
        tool_ctx, _ = self._context(ctx)
        registry = await self._guarded(self._registry(tool_ctx))
        return types.ListResourcesResult(resources=resources.listed(registry))

    async def list_resource_templates(
        self, ctx: Ctx, params: types.PaginatedRequestParams | None
    ) -> types.ListResourceTemplatesResult:
        tool_ctx, _ = self._context(ctx)
        registry = await self._guarded(self._registry(tool_ctx))
        return types.ListResourceTemplatesResult(resource_templates=resources.templates(registry))

    async def read_resource(
        self, ctx: Ctx, params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        tool_ctx, _ = self._context(ctx)
        result: types.ReadResourceResult = await self._guarded(resources.read(tool_ctx, params.uri))
        return result

    async def list_prompts(
        self, ctx: Ctx, params: types.PaginatedRequestParams | None
    ) -> types.ListPromptsResult:
        return types.ListPromptsResult(prompts=list(resources.PROMPTS.values()))

    async def get_prompt(
        self, ctx: Ctx, params: types.GetPromptRequestParams
    ) -> types.GetPromptResult:
        tool_ctx, _ = self._context(ctx)
        result: types.GetPromptResult = await self._guarded(
            resources.prompt(tool_ctx, params.name, dict(params.arguments or {}))
        )
        return result

    async def _guarded(self, work: Any) -> Any:
        """``work``'s result; a Rolodex error as a protocol error with REST's message,
        anything else logged and answered without its traceback."""
        try:
            return await work
        except RolodexError as exc:
            raise _protocol_error(exc) from None
        except MCPError:
            raise
        except Exception:
            request_id = str(uuid.uuid4())
            log.exception("MCP request failed (request id %s)", request_id)
            raise MCPError(
                _INTERNAL, f"Internal error; quote request id {request_id} when reporting it."
            ) from None

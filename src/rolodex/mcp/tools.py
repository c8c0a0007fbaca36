"""The MCP tools: a few coarse tools, each useful alone, listed by what the key may do.

Each tool is a ``ToolSpec``: its description, the scopes that let a key use
it (any one of them), its annotations, a builder of its input schema from
the workspace's registry, and the function that runs it
(``record_tools.py``, ``workspace_tools.py``). The listing is built once per
registry (a new custom field makes a new registry, hence new schemas) and
filtered per call by the key's scopes and the ``?tools=`` subset.
"""

from __future__ import annotations

import logging
import uuid
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import mcp_types as types

from rolodex.auth.scopes import Scope, allows
from rolodex.kit import jsonutil
from rolodex.kit.errors import Forbidden, NotFound, RateLimited, RolodexError
from rolodex.metadata.model import suggest
from rolodex.metadata.registry import Registry
from rolodex.session import READ, Intent, WorkspaceSession

if TYPE_CHECKING:
    from rolodex.mcp.caller import McpPrincipal
    from rolodex.state import AppState

log = logging.getLogger("rolodex.mcp")

Schema = dict[str, Any]


@dataclass(slots=True)
class ToolContext:
    """What a running tool may use: the process state and the caller's principal."""

    state: AppState
    principal: McpPrincipal

    def session(self, intent: Intent = READ) -> WorkspaceSession:
        """The caller's workspace session (``async with`` it), as REST's ``ctx.session``."""
        return self.state.sessions.open(self.principal, intent)


Run = Callable[[ToolContext, dict[str, Any]], Awaitable[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class ToolSpec:
    name: str
    title: str
    description: str
    scopes: tuple[Scope, ...]  # any one of them lets a key use the tool
    read_only: bool
    destructive: bool
    idempotent: bool
    input: Callable[[Registry], Schema]
    run: Run
    output: Schema | None = None

    def allowed(self, granted: frozenset[Scope]) -> bool:
        return any(allows(granted, s) for s in self.scopes)

    def tool(self, registry: Registry) -> types.Tool:
        return types.Tool(
            name=self.name,
            title=self.title,
            description=self.description,
            input_schema=self.input(registry),
            output_schema=self.output,
            annotations=types.ToolAnnotations(
                title=self.title,
                read_only_hint=self.read_only,
                destructive_hint=self.destructive,
                idempotent_hint=self.idempotent,
                open_world_hint=False,
            ),
        )


def _specs() -> list[ToolSpec]:
    from rolodex.mcp import record_tools, workspace_tools

    return [*workspace_tools.SCHEMA_TOOLS, *record_tools.TOOLS, *workspace_tools.TOOLS]


class Catalogue:
    """Every tool, and their listings per registry (held weakly: a registry the
    process's bounded cache dropped takes its listing with it)."""

    def __init__(self, specs: list[ToolSpec] | None = None) -> None:
        self.specs = {s.name: s for s in (specs if specs is not None else _specs())}
        self._listings: weakref.WeakKeyDictionary[Registry, list[types.Tool]] = (
            weakref.WeakKeyDictionary()
        )

    def names(self) -> list[str]:
        return list(self.specs)

    def check_subset(self, only: frozenset[str] | None) -> None:
        """Refuse a subset naming a tool that does not exist (a typo must not pass silently)."""
        for name in sorted(only or ()):
            if name not in self.specs:
                raise NotFound(
                    f"Unknown tool '{name}'.{suggest(name, self.specs)} "
                    f"Tools are: {', '.join(self.specs)}.",
                    field="tools",
                )

    def visible(
        self, spec: ToolSpec, scopes: frozenset[Scope], only: frozenset[str] | None
    ) -> bool:
        return spec.allowed(scopes) and (only is None or spec.name in only)

    def listing(
        self, registry: Registry, scopes: frozenset[Scope], only: frozenset[str] | None
    ) -> list[types.Tool]:
        tools = self._listings.get(registry)
        if tools is None:
            tools = [s.tool(registry) for s in self.specs.values()]
            self._listings[registry] = tools
        return [t for t in tools if self.visible(self.specs[t.name], scopes, only)]

    async def call(
        self,
        ctx: ToolContext,
        name: str,
        arguments: dict[str, Any] | None,
        only: frozenset[str] | None,
    ) -> types.CallToolResult:
        """Run a tool; every failure an agent can act on comes back as a tool error."""
        try:
            spec = self.specs.get(name)
            if spec is None or (only is not None and name not in only):
                shown = [n for n in self.specs if only is None or n in only]
                raise NotFound(
                    f"Unknown tool '{name}'.{suggest(name, shown)} Tools are: {', '.join(shown)}.",
                    field="name",
                )
            if not spec.allowed(ctx.principal.scopes):
                needed = spec.scopes[0]
                raise Forbidden(
                    f"This API key lacks the '{needed.value}' scope.", required_scope=needed.value
                )
            await charge(ctx)
            result = await spec.run(ctx, dict(arguments or {}))
        except RolodexError as exc:
            return error_result(exc)
        except Exception:  # a bug: logged with its traceback, answered without it
            request_id = str(uuid.uuid4())
            log.exception("MCP tool %s failed (request id %s)", name, request_id)
            return types.CallToolResult(
                content=[
                    types.TextContent(
                        text=f"Internal error; quote request id {request_id} when reporting it."
                    )
                ],
                is_error=True,
            )
        # Plain JSON types only (datetimes, uuids and the like rendered as REST renders them).
        body = jsonutil.loads(jsonutil.dumps(result))
        return types.CallToolResult(
            content=[types.TextContent(text=jsonutil.dumps_str(body))],
            structured_content=body,
        )


async def charge(ctx: ToolContext) -> None:
    """Take one request from the key's and the workspace's rate limits, as REST does."""
    p, limiter = ctx.principal, ctx.state.limiter
    if limiter.shared is None:
        limiter.check(p.key_id, p.workspace_id)
    else:
        await limiter.shared.check(p.key_id, p.workspace_id)


def error_result(exc: RolodexError) -> types.CallToolResult:
    """REST's error message as a tool error, its JSON body as the structured part."""
    body = exc.to_dict()
    if isinstance(exc, RateLimited):
        body["retryAfter"] = exc.retry_after
    text = exc.message
    if isinstance(exc, RateLimited):
        text += f" Retry after {exc.retry_after} s."
    return types.CallToolResult(
        content=[types.TextContent(text=text)],
        structured_content=jsonutil.loads(jsonutil.dumps(body)),
        is_error=True,
    )

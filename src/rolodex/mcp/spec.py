"""What a tool is: its description, scopes, annotations, input schema and function;
and what a running tool may use (``ToolContext``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import mcp_types as types

from rolodex.auth.scopes import Scope, allows
from rolodex.metadata.registry import Registry
from rolodex.session import READ, Intent, WorkspaceSession

if TYPE_CHECKING:
    from rolodex.mcp.caller import McpPrincipal
    from rolodex.state import AppState

Schema = dict[str, Any]


@dataclass(slots=True)
class ToolContext:
    """What a running tool may use: the process state and the caller's principal."""

    state: AppState
    principal: McpPrincipal

    def session(self, intent: Intent = READ, *, lone: bool = False) -> WorkspaceSession:
        """The caller's workspace session (``async with`` it), as REST's ``ctx.session``."""
        return self.state.sessions.open(self.principal, intent, lone=lone)


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


async def charge(ctx: ToolContext) -> None:
    """Take one request from the key's and the workspace's rate limits, as REST does."""
    p, limiter = ctx.principal, ctx.state.limiter
    if limiter.shared is None:
        limiter.check(p.key_id, p.workspace_id)
    else:
        await limiter.shared.check(p.key_id, p.workspace_id)

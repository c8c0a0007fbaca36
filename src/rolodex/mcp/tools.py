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
from contextvars import ContextVar
from typing import Any

import mcp_types as types

from rolodex.auth.scopes import Scope
from rolodex.kit import jsonutil
from rolodex.kit.errors import Forbidden, NotFound, RateLimited, RolodexError
from rolodex.mcp import record_tools, workspace_tools
from rolodex.mcp.spec import ToolContext, ToolSpec, charge
from rolodex.metadata.model import suggest
from rolodex.metadata.registry import Registry

log = logging.getLogger("rolodex.mcp")


def _specs() -> list[ToolSpec]:
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
    ) -> types.CallToolResult | dict[str, Any]:
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
        return success(result)


# Set by ``server.PlainStructured`` around a ``tools/call``: a slot for the
# structured content, which then travels beside the result rather than in it.
deferred_structured: ContextVar[list[Any] | None] = ContextVar(
    "rolodex_mcp_structured", default=None
)


def success(result: dict[str, Any]) -> dict[str, Any]:
    """A tool's result as the wire's ``CallToolResult``: the structured content, and the
    same JSON as text for clients that read only text.

    A plain dict rather than the SDK's model: the SDK would dump the model only to
    validate the dump again, and a page of records is the biggest thing it sends.
    The JSON text is made once and parsed back, so the structured content holds
    plain JSON types rendered as REST renders them. Being plain JSON already, it
    needs none of the SDK's checking of the result's shape (a validation and a
    dump that walk every value of every record): inside a ``tools/call`` it goes
    into ``deferred_structured`` and the result carries an empty object, which
    ``server.PlainStructured`` replaces once the SDK has checked the rest.
    """
    raw = jsonutil.dumps(result)
    structured = jsonutil.loads(raw)
    slot = deferred_structured.get()
    if slot is not None:
        slot.append(structured)
        structured = {}
    return {
        "content": [{"type": "text", "text": raw.decode()}],
        "structuredContent": structured,
        "resultType": "complete",  # required from 2026-07-28; older versions drop it
    }


def error_result(exc: RolodexError) -> types.CallToolResult:
    """REST's error message as a tool error, its JSON body as the structured part."""
    body = exc.to_dict()
    if isinstance(exc, RateLimited):
        body["retryAfter"] = exc.retry_after
    return types.CallToolResult(
        content=[types.TextContent(text=exc.message)],
        structured_content=jsonutil.loads(jsonutil.dumps(body)),
        is_error=True,
    )

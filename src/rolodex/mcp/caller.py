"""Who calls the MCP server: the API key's principal, marked as coming through MCP.

Changes made through MCP are recorded with the key as the actor, plus
``"via": "mcp"`` on the actor document (a record's ``createdBy`` /
``updatedBy``, an event's ``actor``, and so the timeline), so they can be told
apart from the same key's REST calls, whose actor stays as it was.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from rolodex.auth.schemas import Actor
from rolodex.auth.schemas import Principal as KeyPrincipal
from rolodex.auth.scopes import Scope

VIA = "mcp"


@dataclass(frozen=True, slots=True)
class McpActor(Actor):
    """An actor (an API key) whose changes came through the MCP server."""

    via: str = VIA

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "id": self.id, "name": self.name, "via": self.via}


@dataclass(frozen=True, slots=True)
class McpPrincipal:
    """A session principal (``session.Principal``) for one API key through MCP."""

    workspace_id: uuid.UUID
    actor: Actor
    scopes: frozenset[Scope]
    key_id: uuid.UUID


def principal_of(key_principal: KeyPrincipal) -> McpPrincipal:
    """The MCP principal of an authenticated API key."""
    a = key_principal.actor
    return McpPrincipal(
        workspace_id=key_principal.workspace_id,
        actor=McpActor(a.type, a.id, a.name),
        scopes=key_principal.scopes,
        key_id=key_principal.key.id,
    )


@dataclass(frozen=True, slots=True)
class Caller:
    """One MCP request's caller and the tools it asked for (``?tools=``, ``--tools``)."""

    principal: McpPrincipal
    only: frozenset[str] | None = None


def parse_tool_names(text: str | None) -> frozenset[str] | None:
    """``a,b`` as a set of tool names; None (every tool) when empty."""
    if not text:
        return None
    names = frozenset(n.strip() for n in text.split(",") if n.strip())
    return names or None

"""Shapes of the auth feature: actors, keys and the authenticated context."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rolodex.auth.scopes import Scope


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change: recorded on records (createdBy) and events (actor)."""

    type: str  # "apiKey" | "member" | "import" | "system"
    id: str | None = None
    name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "id": self.id, "name": self.name}


SYSTEM = Actor("system", None, "Rolodex")


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: uuid.UUID
    workspace_id: uuid.UUID
    name: str
    prefix: str
    scopes: frozenset[Scope]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def actor(self) -> Actor:
        return Actor("apiKey", str(self.id), self.name)

    def to_dict(self) -> dict[str, Any]:
        from rolodex.kit.clock import iso

        def ts(t: datetime | None) -> str | None:
            return iso(t) if t else None

        return {
            "id": str(self.id),
            "workspaceId": str(self.workspace_id),
            "name": self.name,
            "prefix": self.prefix,
            "scopes": sorted(s.value for s in self.scopes),
            "createdAt": ts(self.created_at),
            "expiresAt": ts(self.expires_at),
            "revokedAt": ts(self.revoked_at),
            "lastUsedAt": ts(self.last_used_at),
        }


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller of one request."""

    workspace_id: uuid.UUID
    key: ApiKey
    actor: Actor

    @property
    def scopes(self) -> frozenset[Scope]:
        return self.key.scopes

"""Who opens a workspace session: the workspace, the actor its changes are recorded as,
and the scopes it holds.

An API key's principal (``auth.schemas.Principal``) is one; a member signed in
to the console (``members.schemas.MemberPrincipal``) is another, with the same
three facts. The CLI and the importer, which run
on the operator's own database, use a ``LocalPrincipal``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Protocol

from rolodex.auth.schemas import Actor
from rolodex.auth.scopes import ALL_SCOPES, Scope


class Principal(Protocol):
    """What a session needs to know about its caller."""

    @property
    def workspace_id(self) -> uuid.UUID: ...

    @property
    def actor(self) -> Actor: ...

    @property
    def scopes(self) -> frozenset[Scope]: ...


@dataclass(frozen=True, slots=True)
class LocalPrincipal:
    """The operator at the command line: one workspace, every scope."""

    workspace_id: uuid.UUID
    actor: Actor
    scopes: frozenset[Scope] = field(default=frozenset(ALL_SCOPES))


__all__ = ["LocalPrincipal", "Principal"]

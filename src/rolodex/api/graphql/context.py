"""What resolvers know about their request: who asks, in which workspace, with which registry.

Every resolver reaches the workspace through a workspace session opened for
the request's principal, with the registry the document was checked against.

Connections: a query runs on one read session held for the whole execution
(shared by sibling fields, one statement at a time). A mutation holds none:
each mutation field opens a write session of its own, and reads for the
fields selected under it open a read session per batch, so a request never
holds one connection while waiting for another (SQLite's pool is small and a
wait there would deadlock).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rolodex.api.graphql.limits import Limits
from rolodex.api.graphql.loaders import Loaders
from rolodex.auth.schemas import Principal
from rolodex.auth.scopes import Scope, require
from rolodex.kit.db import Conn
from rolodex.metadata.model import ObjectDef
from rolodex.metadata.registry import Registry
from rolodex.records.service import RecordService
from rolodex.session import READ, WRITE, Intent, WorkspaceSession

if TYPE_CHECKING:
    from rolodex.state import AppState


@dataclass(eq=False)
class GraphQLContext:
    state: AppState
    principal: Principal
    registry: Registry
    limits: Limits
    variables: dict[str, Any]  # as the client sent them, before coercion (key order kept)
    shared: WorkspaceSession | None = None  # the query's read session; None for mutations
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self._connection, self.workspace_id, self.limits.max_nested)

    @property
    def workspace_id(self) -> uuid.UUID:
        return self.principal.workspace_id

    def allow(self, scope: Scope) -> None:
        require(self.principal.scopes, scope)

    def object(self, name: str) -> ObjectDef:
        return self.registry.objects[name]

    def session(
        self, intent: Intent = READ, *, fresh: bool = False, lone: bool = False
    ) -> WorkspaceSession:
        """A session of its own, on the document's registry (``fresh``: the latest one;
        ``lone``: one service call in it, as ``Sessions.open`` says)."""
        return self.state.sessions.open(
            self.principal, intent, registry=None if fresh else self.registry, lone=lone
        )

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[WorkspaceSession]:
        """A session for reads: the query's own, or one for this batch."""
        if self.shared is not None:
            yield self.shared
            return
        async with self.session() as s:
            yield s

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[Conn]:
        async with self.reading() as s:
            yield s.conn

    @asynccontextmanager
    async def writing(self, *, lone: bool = False) -> AsyncIterator[RecordService]:
        """The record service in a write session of its own (one per mutation field);
        ``lone``: the field makes one call of it."""
        async with self.session(WRITE, lone=lone) as s:
            yield s.records
        self.loaders.clear()  # what was read before this write may have changed

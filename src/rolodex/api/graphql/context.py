"""What resolvers know about their request: who asks, in which workspace, with which registry.

Connections: a query runs on one read connection held for the whole
execution. A mutation holds none: each mutation field opens its own
transaction, and reads for the fields selected under it take a pooled
connection per batch, so a request never holds one connection while waiting
for another (SQLite's pool is small and a wait there would deadlock).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from rolodex.api.graphql.limits import Limits
from rolodex.api.graphql.loaders import Loaders, SerialConn
from rolodex.auth.schemas import Principal
from rolodex.auth.scopes import Scope, require
from rolodex.kit.db import Conn
from rolodex.metadata.model import ObjectDef
from rolodex.metadata.registry import Registry
from rolodex.records.service import RecordService


@dataclass(eq=False)
class GraphQLContext:
    state: Any  # the app's AppState
    principal: Principal
    registry: Registry
    limits: Limits
    variables: dict[str, Any]  # as the client sent them, before coercion (key order kept)
    shared: SerialConn | None = None  # the query's read connection; None for mutations
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.reading, self.workspace_id, self.limits.max_nested)

    @property
    def workspace_id(self) -> uuid.UUID:
        return self.principal.workspace_id

    def allow(self, scope: Scope) -> None:
        require(self.principal.scopes, scope)

    def object(self, name: str) -> ObjectDef:
        return self.registry.objects[name]

    def service(self, conn: Conn) -> RecordService:
        return RecordService(conn, self.registry, self.workspace_id, self.principal.actor)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Conn]:
        """A connection for reads: the query's own, or a pooled one for this batch."""
        if self.shared is not None:
            yield self.shared
            return
        async with self.state.db.connect() as conn:
            yield conn

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[RecordService]:
        """The record service in a transaction of its own (one per mutation field)."""
        async with self.state.db.transaction() as conn:
            yield self.service(conn)
        self.loaders.clear()  # what was read before this write may have changed

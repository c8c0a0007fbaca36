"""The connection a read session hands its services: statements that write are refused.

A read session has no transaction, so a write through it would commit
statement by statement, outside the rules of the write path; refusing it
turns that mistake into an error at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rolodex.kit.db import Conn, Row, Sql, writes


class ReadOnlySession(RuntimeError):
    """A write was attempted in a session opened to read."""


class ReadOnlyConn(Conn):
    """A connection for reads only, wrapping a pooled one."""

    def __init__(self, inner: Conn) -> None:
        # Set directly, not through Conn.__init__: this is built on every read request.
        self.raw, self.db, self.sqlite = inner.raw, inner.db, inner.sqlite
        self._inner = inner

    async def fetch(
        self, sql: Sql, params: Mapping[str, Any] | None = None, *, last: bool = False
    ) -> list[Row]:
        if writes(sql):
            raise ReadOnlySession("This session was opened to read; open one to write.")
        return await self._inner.fetch(sql, params)

    async def execute(
        self, sql: Sql, params: Mapping[str, Any] | None = None, *, last: bool = False
    ) -> int:
        if writes(sql):
            raise ReadOnlySession("This session was opened to read; open one to write.")
        return await self._inner.execute(sql, params)

    async def executemany(self, sql: Sql, rows: Sequence[Mapping[str, Any]]) -> None:
        raise ReadOnlySession("This session was opened to read; open one to write.")


__all__ = ["ReadOnlyConn", "ReadOnlySession", "writes"]

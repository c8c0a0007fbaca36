"""Per-request batching: one SQL statement per relation per level, never one per record.

A resolver asks a loader for a key and gets a future back at once. Keys asked
for while the event loop is busy completing one level of the response are
collected, and when the loop gets a moment the loader runs one statement for
all of them.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import Any

from rolodex.kit import decode
from rolodex.kit.db import Conn, Row
from rolodex.metadata.model import FieldDef, ObjectDef
from rolodex.records.repository import RecordRepository
from rolodex.records.schemas import serializer

Batch = Callable[[list[Any]], Awaitable[Mapping[Any, Any]]]
Reader = Callable[[], Any]  # an async context manager factory yielding a Conn

# Loop turns to wait before running a batch. One is enough for graphql-core's
# resolution order; the second is a margin for resolvers that await once more.
_TURNS = 2


class DataLoader:
    """Batches and caches ``load(key)`` calls; ``batch`` maps keys to values."""

    def __init__(self, batch: Batch, default: Any = None) -> None:
        self._batch = batch
        self._default = default
        self._cache: dict[Hashable, asyncio.Future[Any]] = {}
        self._queue: list[Any] = []
        self._tasks: set[asyncio.Task[None]] = set()

    def load(self, key: Hashable) -> asyncio.Future[Any]:
        future = self._cache.get(key)
        if future is not None:
            return future
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._cache[key] = future
        self._queue.append(key)
        if len(self._queue) == 1:
            loop.call_soon(self._wait, _TURNS - 1)
        return future

    def _wait(self, turns: int) -> None:
        loop = asyncio.get_running_loop()
        if turns > 0:
            loop.call_soon(self._wait, turns - 1)
            return
        keys, self._queue = self._queue, []
        task = loop.create_task(self._run(keys))
        self._tasks.add(task)  # keep a reference until it finishes
        task.add_done_callback(self._tasks.discard)

    async def _run(self, keys: list[Any]) -> None:
        try:
            found = await self._batch(keys)
        except BaseException as exc:
            for key in keys:
                future = self._cache.pop(key, None)
                if future is not None and not future.done():
                    future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for key in keys:
            future = self._cache[key]
            if not future.done():
                future.set_result(found.get(key, self._default))

    def clear(self) -> None:
        """Forget cached values (after a mutation changed what they were read from)."""
        self._cache = {k: f for k, f in self._cache.items() if not f.done()}


class SerialConn(Conn):
    """A connection shared by the resolvers of one request, one statement at a time.

    asyncpg refuses a second statement while one is running, and sibling
    fields resolve concurrently; the lock keeps them in line.
    """

    def __init__(self, inner: Conn) -> None:
        super().__init__(inner.raw, inner.db)
        self.sqlite = inner.sqlite
        self.inner = inner
        self._lock = asyncio.Lock()

    async def fetch(self, sql: Any, params: Mapping[str, Any] | None = None) -> list[Row]:
        async with self._lock:
            return await self.inner.fetch(sql, params)

    async def execute(self, sql: Any, params: Mapping[str, Any] | None = None) -> int:
        async with self._lock:
            return await self.inner.execute(sql, params)

    async def executemany(self, sql: Any, rows: Sequence[Mapping[str, Any]]) -> None:
        async with self._lock:
            await self.inner.executemany(sql, rows)


_uuid = decode.uid


class Loaders:
    """The loaders of one request, made on first use."""

    def __init__(self, reader: Reader, workspace_id: uuid.UUID, nested_limit: int) -> None:
        self._reader = reader
        self._ws = workspace_id
        self._nested = nested_limit
        self._loaders: dict[Hashable, DataLoader] = {}

    def clear(self) -> None:
        for loader in self._loaders.values():
            loader.clear()

    def _get(self, key: Hashable, make: Callable[[], DataLoader]) -> DataLoader:
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = make()
        return loader

    def record(self, obj: ObjectDef) -> DataLoader:
        """Records of ``obj`` by id (to-one relations): None for a missing id."""

        async def batch(keys: list[Any]) -> dict[Any, Any]:
            async with self._reader() as conn:
                repo = RecordRepository(conn, obj, self._ws)
                rows = await repo.get_many([_uuid(k) for k in keys])
                serialise = serializer(obj)
                return {str(r["id"]): serialise(r, conn.sqlite) for r in rows}

        return self._get(("record", obj.name), lambda: DataLoader(batch))

    def related(self, obj: ObjectDef, join: FieldDef) -> DataLoader:
        """Records of ``obj`` pointing at each parent id through ``join``, oldest first.

        Fetches one more than the nested limit per parent, so a connection
        knows whether more follow.
        """
        limit = self._nested + 1

        async def batch(keys: list[Any]) -> dict[Any, Any]:
            async with self._reader() as conn:
                repo = RecordRepository(conn, obj, self._ws)
                rows = await repo.related(join, keys, limit)
                serialise = serializer(obj)
                groups: dict[Any, list[dict[str, Any]]] = {k: [] for k in keys}
                for row in rows:
                    item = serialise(row, conn.sqlite)
                    groups.setdefault(item[join.name], []).append(item)
                return groups

        return self._get(("related", obj.name, join.name), lambda: DataLoader(batch, ()))

    def count(self, obj: ObjectDef, join: FieldDef) -> DataLoader:
        """How many records of ``obj`` point at each parent id through ``join``."""

        async def batch(keys: list[Any]) -> dict[Any, Any]:
            async with self._reader() as conn:
                return await RecordRepository(conn, obj, self._ws).count_related(join, keys)

        return self._get(("count", obj.name, join.name), lambda: DataLoader(batch, 0))

"""The registry cache keeps at most its bound of workspaces' registries."""

from __future__ import annotations

import asyncio
import gc
import uuid
import weakref

import pytest

from rolodex.auth import service as auth
from rolodex.auth.schemas import SYSTEM
from rolodex.kit.db import Database
from rolodex.metadata.registry import RegistryCache
from rolodex.metadata.service import FieldService


async def _workspaces(db: Database, count: int) -> list[uuid.UUID]:
    """``count`` workspaces, each with a custom field of its own name."""
    out = []
    for i in range(count):
        async with db.transaction() as conn:
            ws = await auth.create_workspace(conn, f"tenant-{i}-{uuid.uuid4().hex[:6]}")
            registry = await RegistryCache(0).get(conn, ws)
            body = {"objectName": "person", "name": f"own{i}", "type": "TEXT"}
            await FieldService(conn, registry, ws, SYSTEM).create(body)
        out.append(ws)
    return out


def test_registries_beyond_the_bound_are_dropped_and_read_again(db_url: str) -> None:
    async def main() -> None:
        db = Database(db_url, pool_size=1)
        await db.open()
        try:
            spaces = await _workspaces(db, 6)
            cache = RegistryCache(60.0, size=3)
            refs = []
            async with db.connect() as conn:
                for i, ws in enumerate(spaces):
                    registry = await cache.get(conn, ws)
                    assert f"own{i}" in registry.object("person").fields
                    refs.append(weakref.ref(registry))
                    del registry
                    assert len(cache) <= 3
                gc.collect()
                assert sum(ref() is not None for ref in refs) <= 3
                # Within the check interval, a cached registry is the same object.
                last = await cache.get(conn, spaces[-1])
                assert last is refs[-1]()
                # The first one was dropped; it is read again, right.
                first = await cache.get(conn, spaces[0])
                assert "own0" in first.object("person").fields
                assert "own1" not in first.object("person").fields
                assert len(cache) == 3
        finally:
            await db.close()

    asyncio.run(main())


def test_the_bound_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROLODEX_REGISTRY_CACHE", "7")
    assert RegistryCache()._entries.size == 7
    assert RegistryCache(size=2)._entries.size == 2

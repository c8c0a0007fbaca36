"""Retention: soft-deleted records are deleted for good after a number of days.

Each purge is an ordinary permanent delete through the record service, so it
emits ``deleted`` events (and applies the relation rules) like any other.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta

from rolodex.auth import repository as auth_repository
from rolodex.auth.schemas import Actor
from rolodex.kit import clock
from rolodex.kit.db import Database
from rolodex.metadata.registry import RegistryCache
from rolodex.records.repository import RecordRepository
from rolodex.records.service import RecordService

log = logging.getLogger("rolodex.retention")
RETENTION = Actor("system", None, "retention")
BATCH = 500


async def purge_workspace(
    db: Database, registries: RegistryCache, workspace_id: uuid.UUID, days: float
) -> int:
    """Delete for good this workspace's records soft-deleted more than ``days`` ago."""
    cutoff = clock.now() - timedelta(days=days)
    purged = 0
    async with db.connect() as conn:
        registry = await registries.get(conn, workspace_id)
    for obj in registry.objects.values():
        while True:
            async with db.transaction() as conn:
                repo = RecordRepository(conn, obj, workspace_id)
                rows = await repo.soft_deleted_before(cutoff, BATCH)
                svc = RecordService(conn, registry, workspace_id, RETENTION)
                for row in rows:
                    # A cascade may already have taken this one with its parent.
                    current = await repo.get(row["id"], lock=True, deleted=True)
                    if current is not None:
                        purged += await svc.purge(obj, current)  # cascades included
                await svc.flush()
            if len(rows) < BATCH:
                break
    return purged


async def purge_all(db: Database, registries: RegistryCache, days: float) -> int:
    async with db.connect() as conn:
        workspaces = [r["id"] for r in await auth_repository.list_workspaces(conn)]
    total = 0
    for ws in workspaces:
        ws_id = ws if isinstance(ws, uuid.UUID) else uuid.UUID(ws)
        total += await purge_workspace(db, registries, ws_id, days)
    return total


async def run_forever(
    db: Database, registries: RegistryCache, days: float, every: float = 3600.0
) -> None:
    """The retention loop each server runs; purges are idempotent, so overlap is harmless."""
    while True:
        try:
            purged = await purge_all(db, registries, days)
            if purged:
                log.info("Retention purged %d soft-deleted records", purged)
        except Exception:  # the next round retries; a purge must never stop the server
            log.exception("Retention purge failed")
        await asyncio.sleep(every)


__all__ = ["purge_all", "purge_workspace", "run_forever"]

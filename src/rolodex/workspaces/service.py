"""Workspaces as a service: operators create, list, suspend, delete and key workspaces.

Used by ``/rest/workspaces`` (operator keys, scope ``workspace:admin``) and by
``rolodex workspaces`` alike. Creating a workspace writes one row (and its
first key): the built-in objects and fields are not stored per workspace, so
there is nothing to seed. Deleting one marks it ``deleting`` first, which
stops its keys at once, then removes its rows table by table in batches of
``BATCH_ROWS``, each batch its own short transaction, and the workspace row
last.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import Any

from rolodex.auth import service as auth
from rolodex.kit.db import Conn, Database
from rolodex.kit.errors import Conflict, NotFound, ValidationError
from rolodex.metadata import index_repository
from rolodex.metadata.standard import standard_objects
from rolodex.workspaces import repository
from rolodex.workspaces.schemas import CreateRequest, KeyRequest, UpdateRequest, Workspace

log = logging.getLogger("rolodex.workspaces")

BATCH_ROWS = 5_000
# A DELETE answers within this budget when the workspace is small enough;
# beyond it the rest of the deletion runs in the background (202).
INLINE_SECONDS = 0.03
# Deletions under way in this process, so they are not started twice.
_running: dict[uuid.UUID, asyncio.Task[None]] = {}


async def get(conn: Conn, ws_id: uuid.UUID) -> Workspace:
    found = await repository.get(conn, ws_id)
    if found is None:
        raise NotFound(f"No workspace {ws_id}.", field="id")
    return found


async def create(conn: Conn, req: CreateRequest) -> tuple[Workspace, dict[str, Any] | None]:
    """A new workspace and, if asked, its first key (with the secret, shown once)."""
    if req.id is not None and await repository.get(conn, req.id) is not None:
        raise Conflict(f"A workspace with id {req.id} already exists.", field="id")
    ws = await get(conn, await auth.create_workspace(conn, req.name, req.id))
    key = await _mint(conn, ws, req.key) if req.key is not None else None
    return ws, key


async def mint_key(conn: Conn, ws_id: uuid.UUID, req: KeyRequest) -> dict[str, Any]:
    """A key in workspace ``ws_id``: its fields and, under ``key``, its secret."""
    return await _mint(conn, await get(conn, ws_id), req)


async def _mint(conn: Conn, ws: Workspace, req: KeyRequest) -> dict[str, Any]:
    if ws.status == "deleting":
        raise Conflict("This workspace is being deleted.", field="id")
    key, secret = await auth.create_key(conn, ws.id, req.name, req.scopes, req.expires_at)
    return {**key.to_dict(), "key": secret}


async def page(
    conn: Conn, limit: int, offset: int, after: uuid.UUID | None, status: str | None
) -> tuple[list[Workspace], str | None]:
    """A page of workspaces and the cursor of the next page (None on the last)."""
    rows = await repository.page(conn, limit + 1, offset, after, status)
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (str(rows[-1].id) if more and rows else None)


async def update(
    conn: Conn, ws_id: uuid.UUID, req: UpdateRequest, caller: uuid.UUID | None = None
) -> Workspace:
    """Rename, suspend (``status: suspended``) or resume (``active``) a workspace.

    ``caller`` is the operator key's own workspace, which it may not suspend:
    that would lock the operator out.
    """
    ws = await get(conn, ws_id)
    if ws.status == "deleting":
        raise Conflict("This workspace is being deleted.", field="id")
    values: dict[str, Any] = {}
    if req.name is not None:
        name = auth.check_workspace_name(req.name)
        if name != ws.name:
            if await auth.repository.find_workspace(conn, name) is not None:
                raise Conflict(f"A workspace named {name!r} already exists.", field="name")
            values["name"] = name
    if req.status is not None and req.status != ws.status:
        if req.status == "suspended" and ws_id == caller:
            raise Conflict("An operator key cannot suspend its own workspace.", field="status")
        values["status"] = req.status
    if values:
        await repository.update(conn, ws_id, values)
    return await get(conn, ws_id)


async def start_delete(conn: Conn, ws_id: uuid.UUID, caller: uuid.UUID | None = None) -> Workspace:
    """Mark the workspace ``deleting``: from the commit on, its keys are refused."""
    ws = await get(conn, ws_id)
    if ws_id == caller:
        raise Conflict("An operator key cannot delete its own workspace.", field="id")
    if ws.status != "deleting":
        await repository.update(conn, ws_id, {"status": "deleting"})
    return await get(conn, ws_id)


async def purge(db: Database, ws_id: uuid.UUID, budget: float | None = None) -> tuple[bool, int]:
    """Delete the workspace's rows in batches; (whether it is all gone, rows deleted).

    A transaction deletes at most ``BATCH_ROWS`` rows, over as many tables as
    that takes (a small workspace goes in one), so none ever holds a huge
    delete. Stops between transactions once ``budget`` seconds have passed
    (None: runs to the end); a stopped deletion resumes where it was.
    """
    start = time.monotonic()
    deleted = 0
    async with db.connect() as conn:
        ws = await repository.get(conn, ws_id)
        if ws is None:
            return True, 0
        if ws.status != "deleting":
            raise ValidationError("Only a workspace marked for deletion is purged.", field="id")
        found = await _tables(conn)
    deleted += await _release_indexes(db, ws_id)
    # Keys first: a deleting workspace's keys are refused already, and then gone.
    pending = ["api_key", *(t for t in found if t != "api_key")]
    while True:
        async with db.transaction() as conn:
            room = BATCH_ROWS
            while pending and room > 0:
                n = await repository.delete_batch(conn, pending[0], ws_id, room)
                deleted += n
                room -= n
                # Only an empty batch ends a table: a row updated while it was
                # deleted (a key's "last used" flush) moves, and that batch
                # comes back short with the row still there.
                if n == 0:
                    pending.pop(0)
            if not pending:
                await repository.delete_row(conn, ws_id)
                return True, deleted
        if budget is not None and time.monotonic() - start > budget:
            return False, deleted


async def _release_indexes(db: Database, ws_id: uuid.UUID) -> int:
    """Take back the workspace's marks on standard fields (``isIndexed``), so the
    last workspace to go drops a shared index that no one asks for any more;
    how many marks (``field_index`` rows) were taken back."""
    objects = standard_objects()
    released = 0
    async with db.transaction() as conn:
        for obj_name, field_name in await index_repository.marked(conn, ws_id):
            obj = objects.get(obj_name)
            f = obj.field(field_name) if obj is not None else None
            if obj is None or f is None or f.column is None:
                continue  # a mark of a field that no longer exists: its row goes below
            await index_repository.unmark(conn, ws_id, obj_name, field_name, obj.table, f.column)
            released += 1
    return released


_TABLES: dict[str, list[str]] = {}


async def _tables(conn: Conn) -> list[str]:
    """The tables holding workspace rows, read once per database per process."""
    url = conn.db.url
    if url not in _TABLES:
        _TABLES[url] = await repository.tables_with_workspace(conn)
    return _TABLES[url]


def purge_in_background(db: Database, ws_id: uuid.UUID) -> None:
    """Finish deleting ``ws_id`` in a task of this process (unless one runs already)."""
    if ws_id in _running and not _running[ws_id].done():
        return

    async def work() -> None:
        try:
            await purge(db, ws_id)
        except Exception:  # it stays "deleting"; DELETE again or a restart resumes it
            log.exception("Could not finish deleting workspace %s", ws_id)
        finally:
            _running.pop(ws_id, None)

    _running[ws_id] = asyncio.create_task(work())


async def resume_deletions(db: Database) -> None:
    """Finish the deletions a stopped process left: called once at start-up."""
    async with db.connect() as conn:
        pending = await repository.deleting(conn)
    for ws_id in pending:
        purge_in_background(db, ws_id)


def stop_deletions() -> None:
    """Cancel this process's background deletions (at shutdown): each batch
    committed stays deleted, and the next start resumes the rest."""
    for task in list(_running.values()):
        task.cancel()

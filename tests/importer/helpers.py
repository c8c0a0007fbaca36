"""Helpers for import and export tests: run the jobs in-process and read records back."""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from rolodex.auth import service as auth
from rolodex.auth.schemas import SYSTEM
from rolodex.importer.export import export_local
from rolodex.importer.service import ImportOptions, Summary, import_local
from rolodex.kit.db import Database
from rolodex.metadata.registry import RegistryCache
from rolodex.metadata.service import FieldService
from rolodex.records.query import ListQuery
from rolodex.records.service import RecordService

T = TypeVar("T")


def with_db(db_url: str, work: Callable[[Database], Awaitable[T]]) -> T:
    async def main() -> T:
        db = Database(db_url, pool_size=2)
        await db.open()
        try:
            return await work(db)
        finally:
            await db.close()

    return asyncio.run(main())


class Jobs:
    """Imports, exports and record reads against one test database."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url

    def imp(
        self,
        path: Path,
        obj: str = "people",
        *,
        workspace: str | None = None,
        on_batch: Callable[[Summary], None] | None = None,
        **options: Any,
    ) -> Summary:
        opts = ImportOptions(obj, Path(path), **options)
        return with_db(
            self.db_url,
            lambda db: import_local(db, opts, workspace=workspace, on_batch=on_batch),
        )

    def export(
        self, obj: str = "people", fmt: str = "csv", *, workspace: str | None = None, **kw: Any
    ) -> str:
        buf = io.StringIO()
        with_db(
            self.db_url,
            lambda db: export_local(db, obj, fmt, lambda: buf, workspace=workspace, **kw),
        )
        return buf.getvalue()

    def records(self, obj: str = "people", workspace: str | None = None) -> list[dict[str, Any]]:
        async def work(db: Database) -> list[dict[str, Any]]:
            async with db.transaction() as conn:
                ws = await auth.resolve_workspace(conn, workspace)
                registry = await RegistryCache(0).get(conn, ws)
                o = registry.object(obj)
                page = await RecordService(conn, registry, ws, SYSTEM).page(
                    o, ListQuery(limit=100_000, with_total=False)
                )
                return page.records

        return with_db(self.db_url, work)

    def workspace(self, name: str) -> str:
        async def work(db: Database) -> uuid.UUID:
            async with db.transaction() as conn:
                await auth.ensure_default_workspace(conn)
                return await auth.create_workspace(conn, name)

        return str(with_db(self.db_url, work))

    def custom_field(self, obj: str, body: dict[str, Any]) -> None:
        async def work(db: Database) -> None:
            async with db.transaction() as conn:
                ws = await auth.resolve_workspace(conn, None)
                registry = await RegistryCache(0).get(conn, ws)
                await FieldService(conn, registry, ws, SYSTEM).create({"objectName": obj, **body})

        with_db(self.db_url, work)

"""Search across objects for the ``search`` tool: the workspace's search service
(``search/``), ranked, prefix and accent-insensitive, as ``GET /rest/search``."""

from __future__ import annotations

from typing import Any

from rolodex.session import WorkspaceSession


async def search_records(
    s: WorkspaceSession, query: str, objects: list[str] | None, limit: int
) -> tuple[list[dict[str, Any]], bool]:
    """The best ``limit`` hits of ``query`` in ``objects`` (None: every searchable
    object), best first, and whether more records match than were returned."""
    return await s.search.search(query, objects, limit)

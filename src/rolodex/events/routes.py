"""REST route for a record's history: ``GET /rest/{objects}/{id}/timeline``."""

from __future__ import annotations

from starlette.routing import Route

from rolodex.api.rest.http import Context, JSONResponse, endpoint
from rolodex.auth.scopes import Scope
from rolodex.events.timeline import timeline
from rolodex.kit.errors import BadRequest


async def record_timeline(ctx: Context) -> JSONResponse:
    """Newest first; ``limit`` (default 50, at most 200) and ``starting_after``."""
    raw = ctx.request.query_params.get("limit") or "50"
    if not raw.isdigit() or not 1 <= int(raw) <= 200:
        raise BadRequest("limit must be a whole number from 1 to 200", field="limit")
    async with ctx.state.db.connect() as conn:
        registry = await ctx.state.registries.get(conn, ctx.workspace_id)
        obj = registry.by_plural(ctx.request.path_params["objects"])
        items, cursor = await timeline(
            conn,
            registry,
            ctx.workspace_id,
            obj,
            ctx.request.path_params["id"],
            limit=int(raw),
            after=ctx.request.query_params.get("starting_after") or None,
        )
    return JSONResponse(
        {
            "data": {"timeline": items},
            "pageInfo": {"hasNextPage": cursor is not None, "endCursor": cursor},
        }
    )


def routes() -> list[Route]:
    handler = endpoint(Scope.RECORD_READ, record_timeline)
    return [
        Route("/rest/{objects}/{id}/timeline", handler, methods=["GET"]),
        Route("/rest/{objects}/{id}/timeline/", handler, methods=["GET"]),
    ]

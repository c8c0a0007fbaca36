"""REST route for a record's history: ``GET /rest/{objects}/{id}/timeline``."""

from __future__ import annotations

from starlette.routing import Route

from rolodex.api.rest.http import Context, JSONResponse, route_table
from rolodex.auth.scopes import Scope


async def record_timeline(ctx: Context) -> JSONResponse:
    """Newest first; ``limit`` (default 50, at most 200) and ``starting_after``."""
    limit = ctx.int_param("limit", 50, 1, 200)
    async with ctx.session() as s:
        obj = s.registry.by_plural(ctx.request.path_params["objects"])
        items, cursor = await s.timeline.page(
            obj,
            ctx.request.path_params["id"],
            limit=limit,
            after=ctx.request.query_params.get("starting_after") or None,
        )
    return JSONResponse(
        {
            "data": {"timeline": items},
            "pageInfo": {"hasNextPage": cursor is not None, "endCursor": cursor},
        }
    )


def routes() -> list[Route]:
    return route_table(
        [("/rest/{objects}/{id}/timeline", Scope.RECORD_READ, record_timeline, ["GET"])]
    )

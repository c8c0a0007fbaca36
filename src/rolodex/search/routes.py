"""REST route for search across objects: ``GET /rest/search``."""

from __future__ import annotations

from starlette.routing import Route

from rolodex.api.rest.http import Context, JSONResponse, accepts, route_table
from rolodex.auth.scopes import Scope
from rolodex.search.service import DEFAULT_LIMIT, MAX_LIMIT


@accepts("query", "objects", "limit")
async def search(ctx: Context) -> JSONResponse:
    """Ranked hits: ``query`` (required), ``objects`` (comma-separated), ``limit``."""
    params = ctx.request.query_params
    limit = ctx.int_param("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    raw_objects = params.get("objects")
    objects = None if raw_objects is None else raw_objects.split(",")
    async with ctx.session() as s:
        hits, more = await s.search.search(params.get("query"), objects, limit)
    return JSONResponse({"data": {"search": hits}, "pageInfo": {"hasNextPage": more}})


def routes() -> list[Route]:
    return route_table([("/rest/search", Scope.RECORD_READ, search, ["GET"])])

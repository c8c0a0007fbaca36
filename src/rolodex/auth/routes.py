"""REST routes for API keys: ``/rest/keys`` (scopes ``key:read`` / ``key:read-write``)."""

from __future__ import annotations

from starlette.routing import Route

from rolodex.api.rest.http import Context, JSONResponse, endpoint
from rolodex.auth.scopes import Scope
from rolodex.session import WRITE


async def list_keys(ctx: Context) -> JSONResponse:
    async with ctx.session() as s:
        keys = await s.keys.list()
    return JSONResponse({"data": {"keys": [k.to_dict() for k in keys]}})


async def create_key(ctx: Context) -> JSONResponse:
    """Create a key; its secret is in this response and nowhere else, ever."""
    body = await ctx.json()
    async with ctx.session(WRITE) as s:
        key, secret = await s.keys.create(body, held=ctx.principal.scopes)
    return JSONResponse({"data": {"createKey": {**key.to_dict(), "key": secret}}}, status_code=201)


async def revoke_key(ctx: Context) -> JSONResponse:
    async with ctx.session(WRITE) as s:
        key = await s.keys.revoke(ctx.request.path_params["id"])
    return JSONResponse({"data": {"revokeKey": key.to_dict()}})


def routes() -> list[Route]:
    return [
        Route("/rest/keys", endpoint(Scope.KEY_READ, list_keys), methods=["GET"]),
        Route("/rest/keys/", endpoint(Scope.KEY_READ, list_keys), methods=["GET"]),
        Route("/rest/keys", endpoint(Scope.KEY_WRITE, create_key), methods=["POST"]),
        Route("/rest/keys/", endpoint(Scope.KEY_WRITE, create_key), methods=["POST"]),
        Route("/rest/keys/{id}", endpoint(Scope.KEY_WRITE, revoke_key), methods=["DELETE"]),
        Route("/rest/keys/{id}/", endpoint(Scope.KEY_WRITE, revoke_key), methods=["DELETE"]),
    ]

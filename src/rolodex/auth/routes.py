"""REST routes for API keys: ``/rest/keys`` (scopes ``key:read`` / ``key:read-write``)."""

from __future__ import annotations

from starlette.routing import Route

from rolodex.api.rest.http import Context, JSONResponse, endpoint
from rolodex.auth import service
from rolodex.auth.scopes import Scope, parse_scopes
from rolodex.kit import clock
from rolodex.kit.errors import ValidationError
from rolodex.kit.ids import parse_uuid


async def list_keys(ctx: Context) -> JSONResponse:
    async with ctx.state.db.connect() as conn:
        keys = await service.list_keys(conn, ctx.workspace_id)
    return JSONResponse({"data": {"keys": [k.to_dict() for k in keys]}})


async def create_key(ctx: Context) -> JSONResponse:
    """Create a key; its secret is in this response and nowhere else, ever."""
    body = await ctx.json()
    if not isinstance(body, dict):
        raise ValidationError("The body must be a JSON object {name, scopes?, expiresAt?}.")
    unknown = set(body) - {"name", "scopes", "expiresAt"}
    if unknown:
        raise ValidationError(f"Unknown field '{sorted(unknown)[0]}'", field=sorted(unknown)[0])
    name = body.get("name")
    if not isinstance(name, str):
        raise ValidationError("name is required and must be a string", field="name")
    scopes_raw = body.get("scopes")
    if scopes_raw is not None and (
        not isinstance(scopes_raw, list) or not all(isinstance(s, str) for s in scopes_raw)
    ):
        raise ValidationError("scopes must be a list of strings", field="scopes")
    scopes = parse_scopes(scopes_raw) if scopes_raw is not None else None
    # A key cannot mint a key with more power than it has.
    if scopes is None:
        scopes = ctx.principal.scopes
    elif not scopes <= ctx.principal.scopes:
        raise ValidationError("A key cannot grant scopes it does not hold", field="scopes")
    expires = body.get("expiresAt")
    expires_at = clock.parse_datetime(expires, field="expiresAt") if expires else None
    async with ctx.state.db.transaction() as conn:
        key, secret = await service.create_key(conn, ctx.workspace_id, name, scopes, expires_at)
    return JSONResponse({"data": {"createKey": {**key.to_dict(), "key": secret}}}, status_code=201)


async def revoke_key(ctx: Context) -> JSONResponse:
    key_id = parse_uuid(ctx.request.path_params["id"])
    async with ctx.state.db.transaction() as conn:
        key = await service.revoke_key(conn, ctx.workspace_id, key_id)
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

"""REST routes for operators: ``/rest/workspaces`` (scope ``workspace:admin`` only).

A key with ``all`` gets 403 here: ``all`` means everything within one
workspace. Responses follow the other routes: ``{"data": {...}}``.
"""

from __future__ import annotations

import uuid

from starlette.routing import Route

from rolodex.api.rest.http import Context, JSONResponse, RouteRow, accepts, route_table
from rolodex.auth.scopes import Scope
from rolodex.kit.errors import NotFound, ValidationError
from rolodex.kit.ids import parse_uuid
from rolodex.workspaces import schemas, service

DEFAULT_LIMIT, MAX_LIMIT = 50, 1000


def _id(ctx: Context) -> uuid.UUID:
    raw = ctx.request.path_params["id"]
    try:
        return parse_uuid(raw)
    except ValidationError:
        raise NotFound(f"No workspace {raw!r}.", field="id") from None


def _forget(ctx: Context, ws: uuid.UUID) -> None:
    ctx.state.auth.forget_workspace(ws)


@accepts()
async def create_workspace(ctx: Context) -> JSONResponse:
    """Create a workspace and (unless ``createKey: false``) its first key, shown once."""
    req = schemas.create_request(await ctx.json())
    async with ctx.state.db.transaction() as conn:
        ws, key = await service.create(conn, req)
    body = {**ws.to_dict(), "key": key}
    return JSONResponse({"data": {"createWorkspace": body}}, status_code=201)


@accepts("limit", "offset", "cursor", "status")
async def list_workspaces(ctx: Context) -> JSONResponse:
    limit = ctx.int_param("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = ctx.int_param("offset", 0, 0, 10**9)
    params = ctx.request.query_params
    cursor = params.get("cursor") or None
    after = parse_uuid(cursor, field="cursor") if cursor else None
    status = params.get("status") or None
    if status is not None and status not in schemas.STATUSES:
        raise ValidationError(f"status is one of {', '.join(schemas.STATUSES)}", field="status")
    async with ctx.state.db.connect() as conn:
        rows, next_cursor = await service.page(conn, limit, offset, after, status)
    return JSONResponse(
        {
            "data": {"workspaces": [w.to_dict() for w in rows]},
            "pageInfo": {"hasNextPage": next_cursor is not None, "endCursor": next_cursor},
        }
    )


@accepts()
async def get_workspace(ctx: Context) -> JSONResponse:
    ws_id = _id(ctx)
    async with ctx.state.db.connect() as conn:
        ws = await service.get(conn, ws_id)
    return JSONResponse({"data": {"workspace": ws.to_dict()}})


@accepts()
async def update_workspace(ctx: Context) -> JSONResponse:
    """Rename, suspend or resume: ``{name?, status?: "active" | "suspended"}``."""
    ws_id = _id(ctx)
    req = schemas.update_request(await ctx.json())
    async with ctx.state.db.transaction() as conn:
        ws = await service.update(conn, ws_id, req, ctx.workspace_id)
    _forget(ctx, ws.id)
    return JSONResponse({"data": {"updateWorkspace": ws.to_dict()}})


@accepts()
async def delete_workspace(ctx: Context) -> JSONResponse:
    """Delete a workspace and all its data: 200 when done within the request, else
    202 with ``status: deleting`` while the rest runs in the background."""
    ws_id = _id(ctx)
    db = ctx.state.db
    async with db.transaction() as conn:
        ws = await service.start_delete(conn, ws_id, ctx.workspace_id)
    _forget(ctx, ws.id)
    done, deleted = await service.purge(db, ws.id, budget=service.INLINE_SECONDS)
    if done:
        body = {**ws.to_dict(), "status": "deleted", "deletedRows": deleted}
        return JSONResponse({"data": {"deleteWorkspace": body}})
    service.purge_in_background(db, ws.id)
    body = {**ws.to_dict(), "deletedRows": deleted}
    return JSONResponse({"data": {"deleteWorkspace": body}}, status_code=202)


@accepts()
async def create_key(ctx: Context) -> JSONResponse:
    """Mint a key in the workspace ``{name?, scopes?, expiresAt?}``; its secret is shown once."""
    ws_id = _id(ctx)
    req = schemas.key_request(await ctx.json())
    async with ctx.state.db.transaction() as conn:
        key = await service.mint_key(conn, ws_id, req)
    return JSONResponse({"data": {"createKey": key}}, status_code=201)


def routes() -> list[Route]:
    admin = Scope.WORKSPACE_ADMIN
    rows: list[RouteRow] = [
        ("/rest/workspaces", admin, list_workspaces, ["GET"]),
        ("/rest/workspaces", admin, create_workspace, ["POST"]),
        ("/rest/workspaces/{id}", admin, get_workspace, ["GET"]),
        ("/rest/workspaces/{id}", admin, update_workspace, ["PATCH"]),
        ("/rest/workspaces/{id}", admin, delete_workspace, ["DELETE"]),
        ("/rest/workspaces/{id}/keys", admin, create_key, ["POST"]),
    ]
    return route_table(rows)

"""REST routes for the metadata API: ``/rest/metadata/...``."""

from __future__ import annotations

from starlette.routing import Route

from rolodex.api.rest.http import Context, JSONResponse, accepts, route_table
from rolodex.auth.scopes import Scope
from rolodex.metadata import schemas
from rolodex.metadata.registry import Registry
from rolodex.session import WRITE


async def _registry(ctx: Context) -> Registry:
    async with ctx.session() as s:
        return s.registry


@accepts()
async def list_objects(ctx: Context) -> JSONResponse:
    registry = await _registry(ctx)
    return JSONResponse({"data": {"objects": schemas.describe(registry)}})


@accepts()
async def get_object(ctx: Context) -> JSONResponse:
    registry = await _registry(ctx)
    obj = registry.object(ctx.request.path_params["name"])
    return JSONResponse({"data": {"object": schemas.object_to_dict(obj)}})


@accepts()
async def create_object(ctx: Context) -> JSONResponse:
    body = await ctx.json()
    async with ctx.session(WRITE) as s:
        item = await s.objects.create(body)
    return JSONResponse({"data": {"createObject": item}}, status_code=201)


@accepts()
async def update_object(ctx: Context) -> JSONResponse:
    body = await ctx.json()
    async with ctx.session(WRITE) as s:
        item = await s.objects.update(ctx.request.path_params["name"], body)
    return JSONResponse({"data": {"updateObject": item}})


@accepts("purge")
async def delete_object(ctx: Context) -> JSONResponse:
    """Deactivate a custom object (records kept); ``?purge=true`` on a deactivated one
    deletes its records."""
    purge = ctx.flag("purge")
    async with ctx.session(WRITE) as s:
        svc = s.objects
        name = ctx.request.path_params["name"]
        item = await (svc.purge(name) if purge else svc.deactivate(name))
    return JSONResponse({"data": {"deleteObject": item}})


@accepts()
async def restore_object(ctx: Context) -> JSONResponse:
    async with ctx.session(WRITE) as s:
        item = await s.objects.restore(ctx.request.path_params["name"])
    return JSONResponse({"data": {"restoreObject": item}})


@accepts()
async def list_picklists(ctx: Context) -> JSONResponse:
    registry = await _registry(ctx)
    return JSONResponse({"data": {"picklists": schemas.picklists(registry)}})


@accepts("object", "objectName", "includeInactive")
async def list_fields(ctx: Context) -> JSONResponse:
    params = ctx.request.query_params
    async with ctx.session() as s:
        items = await s.fields.list(
            params.get("object") or params.get("objectName"), ctx.flag("includeInactive")
        )
    return JSONResponse({"data": {"fields": items}})


@accepts()
async def get_field(ctx: Context) -> JSONResponse:
    async with ctx.session() as s:
        item = await s.fields.get(ctx.request.path_params["id"])
    return JSONResponse({"data": {"field": item}})


@accepts()
async def create_field(ctx: Context) -> JSONResponse:
    body = await ctx.json()
    async with ctx.session(WRITE) as s:
        item = await s.fields.create(body)
    return JSONResponse({"data": {"createField": item}}, status_code=201)


@accepts()
async def update_field(ctx: Context) -> JSONResponse:
    body = await ctx.json()
    async with ctx.session(WRITE) as s:
        item = await s.fields.update(ctx.request.path_params["id"], body)
    return JSONResponse({"data": {"updateField": item}})


@accepts("purge")
async def delete_field(ctx: Context) -> JSONResponse:
    """Deactivate a field (data kept); ``?purge=true`` on a deactivated one removes its data."""
    purge = ctx.flag("purge")
    async with ctx.session(WRITE) as s:
        svc = s.fields
        fid = ctx.request.path_params["id"]
        item = await (svc.purge(fid) if purge else svc.deactivate(fid))
    return JSONResponse({"data": {"deleteField": item}})


@accepts()
async def restore_field(ctx: Context) -> JSONResponse:
    async with ctx.session(WRITE) as s:
        item = await s.fields.restore(ctx.request.path_params["id"])
    return JSONResponse({"data": {"restoreField": item}})


def routes() -> list[Route]:
    read, write = Scope.METADATA_READ, Scope.METADATA_WRITE
    table = [
        ("/rest/metadata/objects", read, list_objects, ["GET"]),
        ("/rest/metadata/objects", write, create_object, ["POST"]),
        ("/rest/metadata/objects/{name}", read, get_object, ["GET"]),
        ("/rest/metadata/objects/{name}", write, update_object, ["PATCH"]),
        ("/rest/metadata/objects/{name}", write, delete_object, ["DELETE"]),
        ("/rest/metadata/objects/{name}/restore", write, restore_object, ["POST"]),
        ("/rest/metadata/picklists", read, list_picklists, ["GET"]),
        ("/rest/metadata/fields", read, list_fields, ["GET"]),
        ("/rest/metadata/fields", write, create_field, ["POST"]),
        ("/rest/metadata/fields/{id}", read, get_field, ["GET"]),
        ("/rest/metadata/fields/{id}", write, update_field, ["PATCH"]),
        ("/rest/metadata/fields/{id}", write, delete_field, ["DELETE"]),
        ("/rest/metadata/fields/{id}/restore", write, restore_field, ["POST"]),
    ]
    return route_table(table)

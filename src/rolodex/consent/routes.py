"""REST routes for consents: ``/rest/people/{id}/consents`` and the workspace's options."""

from __future__ import annotations

from starlette.routing import Route

from rolodex.api.rest.http import Context, JSONResponse, route_table
from rolodex.auth.scopes import Scope
from rolodex.session import WRITE


async def list_consents(ctx: Context) -> JSONResponse:
    async with ctx.session() as s:
        items = await s.consents.of_person(ctx.request.path_params["id"])
    return JSONResponse({"data": {"consents": items}})


async def give_consent(ctx: Context) -> JSONResponse:
    body = await ctx.json()
    async with ctx.session(WRITE) as s:
        item = await s.consents.give(ctx.request.path_params["id"], body)
    return JSONResponse({"data": {"consent": item}}, status_code=201)


async def withdraw_consent(ctx: Context) -> JSONResponse:
    """Withdraw (kept, with withdrawnAt); ``?remove=true`` erases the consent instead."""
    async with ctx.session(WRITE) as s:
        item = await s.consents.withdraw(
            ctx.request.path_params["id"],
            ctx.request.path_params["purpose"],
            remove=ctx.flag("remove"),
        )
    return JSONResponse({"data": {"consent": item}})


async def get_options(ctx: Context) -> JSONResponse:
    async with ctx.session() as s:
        return JSONResponse({"data": {"consentOptions": await s.consents.options()}})


async def put_options(ctx: Context) -> JSONResponse:
    body = await ctx.json()
    async with ctx.session(WRITE) as s:
        options = await s.consents.set_options(body)
    return JSONResponse({"data": {"consentOptions": options}})


def routes() -> list[Route]:
    table = [
        ("/rest/people/{id}/consents", Scope.RECORD_READ, list_consents, ["GET"]),
        ("/rest/people/{id}/consents", Scope.RECORD_WRITE, give_consent, ["POST"]),
        ("/rest/people/{id}/consents/{purpose}", Scope.RECORD_WRITE, withdraw_consent, ["DELETE"]),
        ("/rest/metadata/consent-options", Scope.METADATA_READ, get_options, ["GET"]),
        ("/rest/metadata/consent-options", Scope.METADATA_WRITE, put_options, ["PUT", "PATCH"]),
    ]
    return route_table(table)

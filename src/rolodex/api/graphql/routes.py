"""``/graphql``: the GraphQL endpoint over HTTP, and GraphiQL for browsers.

POST takes ``{query, variables, operationName}`` as JSON; GET takes the same
as query parameters and runs queries only. Results, including errors, are
sent with HTTP 200; a missing or invalid key is a 401, a malformed
request (not JSON, no query) or one over a limit (limits.py) a 400, and
one over the rate limit a 429 (each root mutation costs a token), each
with a GraphQL ``errors`` body.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from graphql import OperationType
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rolodex.api.graphql.budget import fragments_of, mutation_load
from rolodex.api.graphql.context import GraphQLContext
from rolodex.api.graphql.execution import BAD_USER_INPUT, INTERNAL, Runner, error_dict
from rolodex.api.graphql.limits import Limits
from rolodex.api.graphql.page import graphiql_page
from rolodex.api.graphql.schema_cache import SchemaCache
from rolodex.api.rest.http import Context, JSONResponse
from rolodex.auth.ratelimit import charge, quota_headers
from rolodex.auth.schemas import Principal
from rolodex.idempotency import service as idempotency
from rolodex.kit.errors import BadRequest, RateLimited, RolodexError
from rolodex.kit.jsonutil import parse_body
from rolodex.session import WorkspaceSession
from rolodex.state import AppState

log = logging.getLogger("rolodex.graphql")


def _error_response(exc: RolodexError) -> JSONResponse:
    extensions: dict[str, Any] = {"code": exc.graphql_code}
    if exc.field is not None:
        extensions["field"] = exc.field
    headers = {}
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="rolodex"'
    if isinstance(exc, RateLimited):
        headers.update(exc.headers())
    body = {"errors": [{"message": exc.message, "extensions": extensions}]}
    return JSONResponse(body, status_code=exc.status, headers=headers)


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def _variables(raw: Any) -> dict[str, Any]:
    if raw is None or raw == "":
        return {}
    if isinstance(raw, str):
        try:
            raw = parse_body(raw, what="variables")  # bounded depth, as bodies are
        except ValueError:
            raise BadRequest("variables is not valid JSON.", field="variables") from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise BadRequest("variables must be a JSON object.", field="variables")
    return raw


class GraphQLEndpoint:
    """The endpoint with its per-process caches: schemas and prepared documents."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits.from_env()
        self.schemas = SchemaCache()
        self.runner = Runner(self.limits)

    async def _params(self, request: Request, ctx: Context) -> tuple[str, dict[str, Any], Any]:
        if request.method in ("GET", "HEAD"):
            params: Any = request.query_params
        else:
            params = await ctx.json()
            if isinstance(params, list):
                raise BadRequest("Batched requests are not supported; send one operation.")
            if not isinstance(params, dict):
                raise BadRequest("The body must be a JSON object {query, variables}.")
        query = params.get("query")
        if not isinstance(query, str) or not query.strip():
            raise BadRequest("Send a GraphQL document in 'query'.", field="query")
        name = params.get("operationName") or None
        if name is not None and not isinstance(name, str):
            raise BadRequest("operationName must be a string.", field="operationName")
        return query, _variables(params.get("variables")), name

    async def handle(self, request: Request) -> Response:
        state: AppState = request.app.state.rolodex
        if request.method == "GET" and "query" not in request.query_params and _wants_html(request):
            return graphiql_page(request)
        quota = None
        try:
            principal = await state.auth.authenticate(
                request.headers.get("authorization"), request.scope
            )
            quota = await charge(state.limiter, principal.key.id, principal.workspace_id)
            if idempotency.wanted(request):
                response = await idempotency.guarded(
                    state, principal, request, lambda: self._answer(request, state, principal)
                )
            else:
                response = await self._answer(request, state, principal)
        except RolodexError as exc:
            response = _error_response(exc)
        except Exception:
            request_id = str(uuid.uuid4())
            log.exception("Unhandled error %s on %s %s", request_id, request.method, request.url)
            message = f"Internal server error; quote request id {request_id} when reporting it."
            return JSONResponse(
                {"errors": [error_dict(message, INTERNAL, requestId=request_id)]},
                status_code=500,
            )
        if quota is not None:
            response.raw_headers.extend(quota_headers(quota))
        return response

    async def _answer(self, request: Request, state: Any, principal: Principal) -> Response:
        """The request's response, its errors included (what an idempotency key records)."""
        try:
            query, variables, name = await self._params(request, Context(request, principal, state))
            return await self._run(request, state, principal, query, variables, name)
        except RolodexError as exc:
            return _error_response(exc)

    async def _run(
        self,
        request: Request,
        state: AppState,
        principal: Principal,
        query: str,
        variables: dict[str, Any],
        name: str | None,
    ) -> Response:
        def context(shared: WorkspaceSession | None) -> GraphQLContext:
            return GraphQLContext(state, principal, registry, self.limits, variables, shared)

        async with state.sessions.open(principal) as session:
            registry = session.registry
            schema = self.schemas.get(principal.workspace_id, registry)
            prepared = self.runner.prepare(schema, query)
            if prepared.errors:
                return JSONResponse({"errors": list(prepared.errors)}, status_code=prepared.status)
            op = prepared.operation(name)
            if op is None:
                message = (
                    f"No operation named {name!r} in the document."
                    if name
                    else "The document holds several operations; name one in operationName."
                )
                return JSONResponse({"errors": [error_dict(message, BAD_USER_INPUT)]})
            if op.operation is OperationType.MUTATION and request.method != "POST":
                return JSONResponse(
                    {"errors": [error_dict("Send mutations with POST.", BAD_USER_INPUT)]},
                    status_code=405,
                    headers={"Allow": "POST"},
                )
            if op.operation is not OperationType.MUTATION:
                session.share()  # sibling fields resolve concurrently on its connection
                body = await self.runner.run(schema, prepared, context(session), name)
                return JSONResponse(body)
            assert prepared.document is not None and schema.mutation_type is not None
            mutations, records = mutation_load(
                schema.mutation_type,
                op,
                fragments_of(prepared.document),
                variables,
                self.limits.max_root_fields,
            )
        # One root field over the limit is refused by its resolver, naming ``data``.
        if mutations > 1 and records > self.limits.max_batch:
            message = (
                f"The mutation's {mutations} root fields write {records} records; a request "
                f"writes at most {self.limits.max_batch}, the batch limit."
            )
            return JSONResponse({"errors": [error_dict(message, BAD_USER_INPUT)]}, status_code=400)
        # Each root mutation costs one token; the request's first was taken on arrival.
        if mutations > 1:
            await charge(
                state.limiter, principal.key.id, principal.workspace_id, cost=mutations - 1
            )
        # Mutations hold no connection of their own: each field opens a transaction.
        body = await self.runner.run(schema, prepared, context(None), name)
        return JSONResponse(body)


def routes() -> list[Route]:
    endpoint = GraphQLEndpoint()
    return [
        Route(path, endpoint.handle, methods=["GET", "POST"]) for path in ("/graphql", "/graphql/")
    ]

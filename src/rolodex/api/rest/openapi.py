"""The OpenAPI 3.1 document, built from the registry, and the Swagger UI playground.

``GET /rest/open-api`` describes the standard objects to anonymous callers and
the caller's workspace, custom fields included, to callers with a valid key.
Documents are cached per (workspace, metadata version), so a new field shows
up on the next request without a restart.
"""

from __future__ import annotations

import functools
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import rolodex
from rolodex.api.rest.http import error_response
from rolodex.api.rest.openapi_schemas import (
    PARAMETERS,
    Schema,
    data,
    error_responses,
    errors,
    filter_parameter,
    fixed_schemas,
    object_schemas,
    ref,
    upsert_parameter,
)
from rolodex.api.rest.playground import docs_page
from rolodex.kit import jsonutil
from rolodex.kit.errors import RolodexError
from rolodex.metadata.model import ObjectDef
from rolodex.metadata.registry import Registry, standard
from rolodex.records.service import MAX_BATCH

READ, WRITE = "Needs scope `record:read`.", "Needs scope `record:read-write`."


def _op(
    tag: str,
    operation_id: str,
    summary: str,
    responses: dict[str, Schema],
    description: str = "",
    body: Schema | None = None,
    **extra: Any,
) -> Schema:
    """One operation; ``body`` is its JSON request body schema."""
    op: Schema = {"tags": [tag], "operationId": operation_id, "summary": summary}
    if description:
        op["description"] = description
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return {**op, **extra, "responses": responses}


def _ok(schema: Schema, description: str = "OK") -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _param(name: str) -> Schema:
    return ref(name, "parameters")


_ID_ONLY: Schema = {
    "type": "object",
    "properties": {"id": {"type": "string", "format": "uuid"}},
    "required": ["id"],
}


# -- paths ----------------------------------------------------------------------
def object_paths(obj: ObjectDef) -> dict[str, Schema]:
    """The record routes of one object, with the envelopes they answer with."""
    cap, caps, plural, tag = obj.cap, obj.cap_plural, obj.plural, obj.label_plural
    one, many = obj.label.lower(), obj.label_plural.lower()
    record = ref(cap)
    records: Schema = {"type": "array", "items": record}
    total = {"type": "integer", "description": "Records matching the filter, in all pages."}
    list_params = ["OrderBy", "Limit", "StartingAfter", "EndingBefore", "Depth"]
    return {
        f"/rest/{plural}": {
            "get": _op(
                tag,
                f"list{caps}",
                f"List {many}",
                {
                    "200": _ok(data(plural, records, pageInfo=ref("PageInfo"), totalCount=total)),
                    **errors(400, 401, 403, 429),
                },
                f"A page of {plural}, filtered and ordered. {READ}",
                parameters=[filter_parameter(obj), *map(_param, list_params)],
            ),
            "post": _op(
                tag,
                f"create{cap}",
                f"Create a {one}",
                {
                    "201": _ok(data(f"create{cap}", record), "Created"),
                    **errors(400, 401, 403, 409, 413, 415, 429),
                },
                WRITE,
                ref(f"{cap}CreateInput"),
                parameters=[upsert_parameter(obj)],
            ),
        },
        f"/rest/{plural}/{{id}}": {
            "parameters": [_param("RecordId")],
            "get": _op(
                tag,
                f"get{cap}",
                f"Get a {one}",
                {"200": _ok(data(obj.name, record)), **errors(400, 401, 403, 404, 429)},
                READ,
                parameters=[_param("Depth")],
            ),
            "patch": _op(
                tag,
                f"update{cap}",
                f"Update a {one}",
                {
                    "200": _ok(data(f"update{cap}", record)),
                    **errors(400, 401, 403, 404, 409, 413, 415, 429),
                },
                WRITE,
                ref(f"{cap}UpdateInput"),
            ),
            "delete": _op(
                tag,
                f"delete{cap}",
                f"Delete a {one}",
                {"200": _ok(data(f"delete{cap}", _ID_ONLY)), **errors(400, 401, 403, 404, 429)},
                WRITE,
            ),
        },
        f"/rest/batch/{plural}": {
            "post": _op(
                tag,
                f"create{caps}",
                f"Create {many} in one transaction",
                {
                    "201": _ok(data(f"create{caps}", records), "Created"),
                    **errors(400, 401, 403, 409, 413, 415, 429),
                },
                "All or nothing: one invalid record fails the batch, and the error names "
                f"its index. {WRITE}",
                {"type": "array", "items": ref(f"{cap}CreateInput"), "maxItems": MAX_BATCH},
                parameters=[upsert_parameter(obj)],
            ),
        },
    }


def fixed_paths() -> dict[str, Schema]:
    """API keys, health checks and this document."""
    key, status, tag = ref("ApiKey"), ref("Status"), "API keys"
    return {
        "/rest/keys": {
            "get": _op(
                tag,
                "listKeys",
                "List the workspace's API keys",
                {
                    "200": _ok(data("keys", {"type": "array", "items": key})),
                    **errors(401, 403, 429),
                },
                "Needs scope `key:read`.",
            ),
            "post": _op(
                tag,
                "createKey",
                "Create an API key",
                {
                    "201": _ok(data("createKey", ref("ApiKeyWithSecret")), "Created"),
                    **errors(400, 401, 403, 413, 415, 429),
                },
                "The secret is in this response only. Needs scope `key:read-write`.",
                ref("ApiKeyCreateInput"),
            ),
        },
        "/rest/keys/{id}": {
            "parameters": [_param("RecordId")],
            "delete": _op(
                tag,
                "revokeKey",
                "Revoke an API key",
                {"200": _ok(data("revokeKey", key)), **errors(400, 401, 403, 404, 429)},
                "Needs scope `key:read-write`.",
            ),
        },
        "/rest/open-api": {
            "get": _op(
                "Meta",
                "getOpenApi",
                "This document",
                {"200": _ok({"type": "object"}, "An OpenAPI 3.1 document"), **errors(401, 429)},
                "Anonymous callers get the standard objects; a valid key gets its "
                "workspace, custom fields included.",
                security=[{}, {"bearer": []}],
            ),
        },
        "/healthz": {
            "get": _op("Meta", "healthz", "Liveness", {"200": _ok(status)}, security=[]),
        },
        "/readyz": {
            "get": _op(
                "Meta",
                "readyz",
                "Readiness: the database answers",
                {"200": _ok(status), "503": _ok(status, "The database is unreachable")},
                security=[],
            ),
        },
    }


def document(registry: Registry, workspace_id: uuid.UUID | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document for ``registry``; nothing in it names a field by hand."""
    objects = list(registry.objects.values())
    paths: dict[str, Schema] = {}
    schemas: dict[str, Schema] = {}
    for obj in objects:
        paths.update(object_paths(obj))
        schemas.update(object_schemas(registry, obj))
    paths.update(fixed_paths())
    schemas.update(fixed_schemas())
    scope = (
        f"the objects of workspace {workspace_id} (metadata version {registry.version}), "
        "custom fields included"
        if workspace_id is not None
        else "the standard objects; call it with an API key to see your workspace's custom fields"
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Rolodex REST API",
            "version": rolodex.__version__,
            "description": f"Records, in Twenty's REST shapes. This document describes {scope}. "
            "Every request sends `Authorization: Bearer YOUR_API_KEY`.",
        },
        "tags": [
            *({"name": o.label_plural, "description": o.description} for o in objects),
            {"name": "API keys"},
            {"name": "Meta"},
        ],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API key, as created by `rolodex keys create`.",
                }
            },
            "parameters": PARAMETERS,
            "responses": error_responses(),
            "schemas": schemas,
        },
    }


# -- serving ----------------------------------------------------------------------
_CACHE: dict[tuple[uuid.UUID | None, int], bytes] = {}
_CACHE_SIZE = 64
_standard = functools.cache(standard)


def _rendered(registry: Registry, workspace_id: uuid.UUID | None) -> bytes:
    key = (workspace_id, registry.version)
    body = _CACHE.get(key)
    if body is None:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))  # the oldest entry
        body = _CACHE[key] = jsonutil.dumps(document(registry, workspace_id))
    return body


async def _registry_for(request: Request) -> tuple[Registry, uuid.UUID | None]:
    """The standard registry without a key; the key's workspace registry with one.

    The document is public, so a missing key is fine; a key that is sent but
    wrong is still a 401, as everywhere else.
    """
    header = request.headers.get("authorization")
    if header is None:
        return _standard(), None
    state = request.app.state.rolodex
    principal = await state.auth.authenticate(header, request.scope)
    state.limiter.check(principal.key.id, principal.workspace_id)
    async with state.db.connect() as conn:
        registry = await state.registries.get(conn, principal.workspace_id)
    return registry, principal.workspace_id


async def open_api(request: Request) -> Response:
    try:
        registry, workspace_id = await _registry_for(request)
    except RolodexError as exc:
        return error_response(exc)
    return Response(
        _rendered(registry, workspace_id),
        media_type="application/json",
        headers={"Cache-Control": "no-cache", "Vary": "Authorization"},
    )


async def docs(request: Request) -> Response:
    """The playground: Swagger UI on ``/rest/open-api``; no key needed to open it."""
    return docs_page(request)


def routes() -> list[Route]:
    return [
        Route("/rest/open-api", open_api, methods=["GET"]),
        Route("/rest/open-api/", open_api, methods=["GET"]),
        Route("/rest/openapi.json", open_api, methods=["GET"]),
        Route("/rest/docs", docs, methods=["GET"]),
        Route("/rest/docs/", docs, methods=["GET"]),
    ]

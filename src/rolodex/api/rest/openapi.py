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
from rolodex.api.rest.openapi_aggregates import aggregate_paths, aggregate_schemas
from rolodex.api.rest.openapi_bulk import bulk_paths
from rolodex.api.rest.openapi_common import (
    ATTIO_ERROR,
    ERROR,
    Schema,
    attio_error_responses,
    error_responses,
)
from rolodex.api.rest.openapi_consents import consent_paths, consent_schemas
from rolodex.api.rest.openapi_headers import decorate
from rolodex.api.rest.openapi_keys import key_paths, key_schemas
from rolodex.api.rest.openapi_metadata import metadata_paths, metadata_schemas
from rolodex.api.rest.openapi_records import object_paths, timeline_schemas
from rolodex.api.rest.openapi_schemas import PAGE_INFO, PARAMETERS, object_schemas
from rolodex.api.rest.openapi_search import search_paths, search_schemas
from rolodex.api.rest.openapi_webhook_schemas import webhook_schemas
from rolodex.api.rest.openapi_webhooks import webhook_paths
from rolodex.api.rest.openapi_workspaces import workspace_paths, workspace_schemas
from rolodex.api.rest.playground import docs_page
from rolodex.auth.ratelimit import Quota, charge, quota_headers
from rolodex.kit import jsonutil
from rolodex.kit.errors import RolodexError
from rolodex.metadata.registry import Registry, standard
from rolodex.webhooks.service import EXTRA_OBJECTS


def document(
    registry: Registry, workspace_id: uuid.UUID | None = None, root_path: str = ""
) -> dict[str, Any]:
    """The OpenAPI 3.1 document for ``registry``; nothing in it names a field by hand."""
    objects = list(registry.objects.values())
    paths: dict[str, Schema] = {}
    schemas: dict[str, Schema] = {"Error": ERROR, "AttioError": ATTIO_ERROR, "PageInfo": PAGE_INFO}
    for obj in objects:
        paths.update(object_paths(obj))
        paths.update(aggregate_paths(obj))
        for path, item in bulk_paths(obj).items():
            paths[path] = {**paths.get(path, {}), **item}
        schemas.update(object_schemas(registry, obj))
    for part, part_schemas in (
        (metadata_paths(), metadata_schemas()),
        (consent_paths(), consent_schemas()),
        (webhook_paths(), webhook_schemas([*registry.objects, *EXTRA_OBJECTS])),
        (key_paths(), key_schemas()),
        (search_paths(), search_schemas()),
        (workspace_paths(), workspace_schemas()),
    ):
        paths.update(part)
        schemas.update(part_schemas)
    schemas.update(timeline_schemas())
    schemas.update(aggregate_schemas())
    scope = (
        f"the objects of workspace {workspace_id} (metadata version {registry.version}), "
        "custom fields included"
        if workspace_id is not None
        else "the standard objects; call it with an API key to see your workspace's custom fields"
    )
    components: dict[str, Any] = {
        "securitySchemes": {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "An API key, as created by `rolodex keys create`.",
            }
        },
        "parameters": PARAMETERS,
        "responses": {**error_responses(), **attio_error_responses()},
        "schemas": schemas,
    }
    decorate(paths, components)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Rolodex REST API",
            "version": rolodex.__version__,
            "description": f"Records, in Twenty's REST shapes. This document describes {scope}. "
            "Every request sends `Authorization: Bearer YOUR_API_KEY`. Errors have one "
            "shape (`Error`); unknown body members and query parameters are refused with a "
            "400 naming them. GraphQL (`/graphql`) describes itself by introspection.",
        },
        "servers": [{"url": root_path or "/", "description": "This server"}],
        "tags": [
            *({"name": o.label_plural, "description": o.description} for o in objects),
            *({"name": name} for name in _TAGS),
        ],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": components,
    }


_TAGS = (
    "Search",
    "Metadata",
    "Consents",
    "Webhooks",
    "Webhooks (Attio form)",
    "Events",
    "API keys",
    "Workspaces",
    "Meta",
)


# -- serving ----------------------------------------------------------------------
_CACHE: dict[tuple[uuid.UUID | None, int, str], bytes] = {}
_CACHE_SIZE = 64
_standard = functools.cache(standard)


def _rendered(registry: Registry, workspace_id: uuid.UUID | None, root_path: str) -> bytes:
    key = (workspace_id, registry.version, root_path)
    body = _CACHE.get(key)
    if body is None:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))  # the oldest entry
        body = _CACHE[key] = jsonutil.dumps(document(registry, workspace_id, root_path))
    return body


async def _registry_for(
    request: Request,
) -> tuple[Registry, uuid.UUID | None, Quota | None]:
    """The standard registry without a key; the key's workspace registry with one.

    The document is public, so a missing key is fine; a key that is sent but
    wrong is still a 401, as everywhere else.
    """
    header = request.headers.get("authorization")
    if header is None:
        return _standard(), None, None
    state = request.app.state.rolodex
    principal = await state.auth.authenticate(header, request.scope)
    quota = await charge(state.limiter, principal.key.id, principal.workspace_id)
    async with state.sessions.open(principal) as s:
        return s.registry, principal.workspace_id, quota


async def open_api(request: Request) -> Response:
    try:
        registry, workspace_id, quota = await _registry_for(request)
    except RolodexError as exc:
        return error_response(exc)
    response = Response(
        _rendered(registry, workspace_id, request.scope.get("root_path", "")),
        media_type="application/json",
        headers={"Cache-Control": "no-cache", "Vary": "Authorization"},
    )
    if quota is not None:
        response.raw_headers.extend(quota_headers(quota))
    return response


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

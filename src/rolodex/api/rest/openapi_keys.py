"""API keys, health checks and the document itself, in the OpenAPI document."""

from __future__ import annotations

from rolodex.api.rest.openapi_common import (
    AUTH,
    BODY,
    TIME,
    UUID,
    Schema,
    closed,
    data,
    errors,
    nullable,
    ok,
    op,
    path_param,
    ref,
)
from rolodex.auth.scopes import _ALIASES, Scope

_SCOPES = sorted(s.value for s in Scope)


def _accepted_scopes() -> list[str]:
    """Every spelling ``parse_scope`` takes: aliases, ``write`` for ``read-write``, ``all``."""
    out = {"all", "*"}
    for scope in Scope:
        resource, access = scope.value.split(":")
        resources = [resource, *(a for a, r in _ALIASES.items() if r == resource)]
        accesses = [access, "write"] if access == "read-write" else [access]
        out |= {f"{r}:{a}" for r in resources for a in accesses}
    return sorted(out)


API_KEY: Schema = {
    "type": "object",
    "description": "An API key, without its secret.",
    "properties": {
        "id": UUID,
        "workspaceId": UUID,
        "name": {"type": "string"},
        "prefix": {"type": "string", "description": "The secret's first characters."},
        "scopes": {"type": "array", "items": {"type": "string", "enum": _SCOPES}},
        "createdAt": TIME,
        "expiresAt": nullable(TIME),
        "revokedAt": nullable(TIME),
        "lastUsedAt": nullable(TIME),
    },
}
API_KEY["required"] = list(API_KEY["properties"])  # to_dict writes every one

API_KEY_WITH_SECRET: Schema = {
    "allOf": [
        ref("ApiKey"),
        {
            "type": "object",
            "properties": {
                "key": {
                    "type": "string",
                    "description": "The secret. It is shown in this response only; store it now.",
                }
            },
            "required": ["key"],
        },
    ]
}

API_KEY_INPUT = closed(
    {
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "scopes": {
            "type": ["array", "null"],
            "items": {"type": "string", "enum": _accepted_scopes()},
            "minItems": 1,
            "description": (
                "Scopes such as `record:read`; `all` grants every scope. Defaults to the "
                "calling key's scopes, and may not exceed them."
            ),
        },
        "expiresAt": {
            **nullable(TIME),
            "description": "When the key stops working; in the future.",
        },
    },
    ["name"],
)

STATUS: Schema = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["ok", "unavailable"]},
        "database": {"type": "string", "description": "The database kind, when ready."},
        "error": {"type": "string", "description": "Why the server is not ready."},
    },
    "required": ["status"],
}


def key_schemas() -> dict[str, Schema]:
    return {
        "ApiKey": API_KEY,
        "ApiKeyWithSecret": API_KEY_WITH_SECRET,
        "ApiKeyCreateInput": API_KEY_INPUT,
        "Status": STATUS,
    }


def key_paths() -> dict[str, Schema]:
    """API keys, health checks and this document."""
    key, status, tag = ref("ApiKey"), ref("Status"), "API keys"
    return {
        "/rest/keys": {
            "get": op(
                tag,
                "listKeys",
                "List the workspace's API keys",
                {"200": ok(data("keys", {"type": "array", "items": key})), **errors(*AUTH)},
                "Needs scope `key:read`.",
            ),
            "post": op(
                tag,
                "createKey",
                "Create an API key",
                {"201": ok(data("createKey", ref("ApiKeyWithSecret")), "Created"), **errors(*BODY)},
                "The secret is in this response only. Needs scope `key:read-write`.",
                ref("ApiKeyCreateInput"),
            ),
        },
        "/rest/keys/{id}": {
            "parameters": [path_param("id", UUID, "The key's id.")],
            "delete": op(
                tag,
                "revokeKey",
                "Revoke an API key",
                {"200": ok(data("revokeKey", key)), **errors(*AUTH, 404)},
                "Needs scope `key:read-write`.",
            ),
        },
        "/rest/open-api": {
            "get": op(
                "Meta",
                "getOpenApi",
                "This document",
                {"200": ok({"type": "object"}, "An OpenAPI 3.1 document"), **errors(401, 429)},
                "Anonymous callers get the standard objects; a valid key gets its "
                "workspace, custom fields included. Also served at `/rest/openapi.json`.",
                security=[{}, {"bearer": []}],
            ),
        },
        "/healthz": {
            "get": op("Meta", "healthz", "Liveness", {"200": ok(status)}, security=[]),
        },
        "/readyz": {
            "get": op(
                "Meta",
                "readyz",
                "Readiness: the database answers",
                {"200": ok(status), "503": ok(status, "The database is unreachable")},
                security=[],
            ),
        },
    }

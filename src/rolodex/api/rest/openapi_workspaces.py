"""Workspaces as a service (operator keys, scope ``workspace:admin``), in the OpenAPI document."""

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
    query,
    ref,
)
from rolodex.api.rest.openapi_keys import API_KEY_WITH_SECRET, _accepted_scopes
from rolodex.workspaces.schemas import SETTABLE, STATUSES

_NAME: Schema = {"type": "string", "minLength": 1, "maxLength": 200}
_NEEDS = "Needs an operator key (scope `workspace:admin`, never granted by `all`)."

WORKSPACE: Schema = {
    "type": "object",
    "properties": {
        "id": UUID,
        "name": {"type": "string"},
        "status": {"type": "string", "enum": [*STATUSES, "deleted"]},
        "createdAt": TIME,
    },
    "required": ["id", "name", "status", "createdAt"],
}

KEY_REQUEST = closed(
    {
        "name": _NAME,
        "scopes": {
            "type": ["array", "null"],
            "items": {"type": "string", "enum": _accepted_scopes()},
            "minItems": 1,
            "description": "The key's scopes; every workspace scope when left out.",
        },
        "expiresAt": nullable(TIME),
    }
)

CREATE = closed(
    {
        "name": _NAME,
        "id": {**nullable(UUID), "description": "The new workspace's id; one is made if absent."},
        "createKey": {
            "anyOf": [{"type": "boolean"}, {"type": "null"}, ref("WorkspaceKeyInput")],
            "description": "`true` (the default): a first key named `default` with every "
            "workspace scope; `false`: no key; or the key to make.",
        },
    },
    ["name"],
)

UPDATE = closed(
    {"name": _NAME, "status": {"type": "string", "enum": list(SETTABLE)}},
    minProperties=1,
)


def workspace_schemas() -> dict[str, Schema]:
    created = {
        "allOf": [
            ref("Workspace"),
            {
                "type": "object",
                "properties": {"key": {"anyOf": [ref("ApiKeyWithSecret"), {"type": "null"}]}},
            },
        ]
    }
    deleted = {
        "allOf": [
            ref("Workspace"),
            {"type": "object", "properties": {"deletedRows": {"type": "integer", "minimum": 0}}},
        ]
    }
    return {
        "Workspace": WORKSPACE,
        "WorkspaceCreated": created,
        "WorkspaceDeleted": deleted,
        "WorkspaceCreateInput": CREATE,
        "WorkspaceUpdateInput": UPDATE,
        "WorkspaceKeyInput": KEY_REQUEST,
        "ApiKeyWithSecret": API_KEY_WITH_SECRET,
    }


def workspace_paths() -> dict[str, Schema]:
    """Create, list, read, rename, suspend, delete workspaces and mint their keys."""
    ws, tag = ref("Workspace"), "Workspaces"
    page_info = {
        "type": "object",
        "properties": {
            "hasNextPage": {"type": "boolean"},
            "endCursor": {"anyOf": [UUID, {"type": "null"}]},
        },
    }
    listed = data("workspaces", {"type": "array", "items": ws}, pageInfo=page_info)
    ws_id = path_param("id", UUID, "The workspace's id.")
    return {
        "/rest/workspaces": {
            "get": op(
                tag,
                "listWorkspaces",
                "List workspaces",
                {"200": ok(listed), **errors(*AUTH)},
                _NEEDS,
                parameters=[
                    query("limit", {"type": "integer", "minimum": 1, "maximum": 200}),
                    query("offset", {"type": "integer", "minimum": 0}),
                    query("cursor", UUID, "`pageInfo.endCursor` of the previous page."),
                    query("status", {"type": "string", "enum": list(STATUSES)}),
                ],
            ),
            "post": op(
                tag,
                "createWorkspace",
                "Create a workspace and its first key",
                {
                    "201": ok(data("createWorkspace", ref("WorkspaceCreated")), "Created"),
                    **errors(*BODY, 409),
                },
                "The key's secret is in this response only. " + _NEEDS,
                ref("WorkspaceCreateInput"),
            ),
        },
        "/rest/workspaces/{id}": {
            "parameters": [ws_id],
            "get": op(
                tag,
                "getWorkspace",
                "Get a workspace",
                {"200": ok(data("workspace", ws)), **errors(*AUTH, 404)},
                _NEEDS,
            ),
            "patch": op(
                tag,
                "updateWorkspace",
                "Rename, suspend or resume a workspace",
                {"200": ok(data("updateWorkspace", ws)), **errors(*BODY, 404, 409)},
                "A suspended workspace's keys get 403 `WORKSPACE_SUSPENDED`. " + _NEEDS,
                ref("WorkspaceUpdateInput"),
            ),
            "delete": op(
                tag,
                "deleteWorkspace",
                "Delete a workspace and all its data",
                {
                    "200": ok(data("deleteWorkspace", ref("WorkspaceDeleted")), "Deleted"),
                    "202": ok(
                        data("deleteWorkspace", ref("WorkspaceDeleted")),
                        "Deleting in the background",
                    ),
                    **errors(*AUTH, 404, 409),
                },
                "Its keys stop at once; rows go in bounded batches. " + _NEEDS,
            ),
        },
        "/rest/workspaces/{id}/keys": {
            "parameters": [ws_id],
            "post": op(
                tag,
                "createWorkspaceKey",
                "Mint an API key in a workspace",
                {
                    "201": ok(data("createKey", ref("ApiKeyWithSecret")), "Created"),
                    **errors(*BODY, 404),
                },
                "The secret is in this response only. " + _NEEDS,
                ref("WorkspaceKeyInput"),
                body_required=False,
            ),
        },
    }

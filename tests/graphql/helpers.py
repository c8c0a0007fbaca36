"""Helpers for GraphQL tests: posting documents, reading errors, adding custom fields."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from rolodex.kit import clock
from rolodex.kit.db import Conn
from rolodex.metadata import repository
from tests import factories


def post(
    client: httpx.Client,
    query: str,
    variables: dict[str, Any] | None = None,
    operation: str | None = None,
    *,
    status: int = 200,
) -> dict[str, Any]:
    """POST a document; the response must be a JSON GraphQL result with ``status``."""
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    if operation is not None:
        body["operationName"] = operation
    r = client.post("/graphql", json=body)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    return r.json()  # type: ignore[no-any-return]


def data(
    client: httpx.Client,
    query: str,
    variables: dict[str, Any] | None = None,
    operation: str | None = None,
) -> dict[str, Any]:
    """The ``data`` of a result that must have no errors."""
    body = post(client, query, variables, operation)
    assert "errors" not in body, body["errors"]
    return body["data"]  # type: ignore[no-any-return]


def error(
    client: httpx.Client,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    status: int = 200,
) -> dict[str, Any]:
    """The first error of a result that must have some; checks the error's shape."""
    body = post(client, query, variables, status=status)
    assert body.get("errors"), body
    for e in body["errors"]:
        assert isinstance(e["message"], str) and e["message"]
        assert e["extensions"]["code"] != "INTERNAL_SERVER_ERROR", e
    return body["errors"][0]  # type: ignore[no-any-return]


def code(
    client: httpx.Client,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    status: int = 200,
) -> str:
    return error(client, query, variables, status=status)["extensions"]["code"]  # type: ignore[no-any-return]


def over_limit(client: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> str:
    """The message of a request refused for going past a limit: HTTP 400, BAD_USER_INPUT."""
    err = error(client, query, variables, status=400)
    assert err["extensions"]["code"] == "BAD_USER_INPUT", err
    return err["message"]  # type: ignore[no-any-return]


def create(client: httpx.Client, cap: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Create a record through GraphQL (``create{cap}``), returning id and the given fields."""
    selection = " ".join(["id", *(k for k in fields if k != "customFields")])
    doc = f"mutation($d: {cap}CreateInput!) {{ create{cap}(data: $d) {{ {selection} }} }}"
    return data(client, doc, {"d": fields})[f"create{cap}"]  # type: ignore[no-any-return]


def add_custom_field(
    db_url: str,
    object_name: str,
    name: str,
    field_type: str,
    *,
    label: str | None = None,
    workspace: uuid.UUID | None = None,
    **definition: Any,
) -> uuid.UUID:
    """Add a custom field straight to ``field_metadata`` and bump the metadata version."""
    from rolodex.auth import service as auth

    field_id = uuid.uuid4()

    async def work(conn: Conn) -> None:
        ws = workspace or (await auth.ensure_default_workspace(conn))[0]
        now = clock.now()
        await repository.insert_field(
            conn,
            {
                "workspace_id": ws,
                "id": field_id,
                "object_name": object_name,
                "name": name,
                "type": field_type,
                "label": label or name,
                "description": "",
                "definition": {
                    "nullable": True,
                    "unique": False,
                    "indexed": False,
                    "default": None,
                    "options": [],
                    "settings": {},
                    **definition,
                },
                "is_active": True,
                "created_at": now,
                "updated_at": now,
            },
        )
        await repository.bump_version(conn, ws)

    factories.run_db(db_url, work)
    return field_id

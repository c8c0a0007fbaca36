"""The record routes' hot path matches exactly what the Starlette routes would."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from tests.api.test_errors import check_error

from rolodex.api.rest.hot import HotRoutes
from rolodex.api.rest.http import Context, JSONResponse
from rolodex.auth.scopes import Scope
from rolodex.records.routes import hot_routes


def _scope(method: str, path: str) -> dict[str, Any]:
    return {"type": "http", "method": method, "path": path, "query_string": b"", "headers": []}


@pytest.mark.parametrize(
    ("method", "path", "handler", "params"),
    [
        ("GET", "/rest/people", "list_records", {"objects": "people"}),
        ("GET", "/rest/people/", "list_records", {"objects": "people"}),
        ("GET", "/rest/people/abc", "get_record", {"objects": "people", "id": "abc"}),
        ("GET", "/rest/people/abc//", "get_record", {"objects": "people", "id": "abc"}),
        ("POST", "/rest/deals", "create_record", {"objects": "deals"}),
        ("PUT", "/rest/people/abc", "update_record", {"objects": "people", "id": "abc"}),
        ("PATCH", "/rest/people/abc", "update_record", {"objects": "people", "id": "abc"}),
        ("DELETE", "/rest/people/abc", "delete_record", {"objects": "people", "id": "abc"}),
        ("POST", "/rest/people/a/restore", "restore_record", {"objects": "people", "id": "a"}),
        # Everything else is Starlette's to route (or to refuse with 404 / 405).
        ("HEAD", "/rest/people", None, None),
        ("PUT", "/rest/people", None, None),
        ("GET", "/rest/people/a/restore", None, None),
        ("GET", "/rest/people/a/b", None, None),
        ("GET", "/rest/people//x", None, None),
        ("GET", "/rest", None, None),
        ("GET", "/rest/", None, None),
        ("GET", "/restx/people", None, None),
        ("POST", "/rest/batch/people", None, None),
        ("GET", "/rest/metadata/objects", None, None),
        ("GET", "/rest/webhooks", None, None),
        ("GET", "/rest/keys", None, None),
        ("GET", "/rest/open-api", None, None),
        ("GET", "/rest/openapi.json", None, None),
        ("GET", "/rest/9people", None, None),
    ],
)
def test_what_the_hot_path_takes(
    method: str, path: str, handler: str | None, params: dict[str, str] | None
) -> None:
    scope = _scope(method, path)
    found = hot_routes().match(scope)
    if handler is None:
        assert found is None
        assert "path_params" not in scope
    else:
        assert found is not None and found.__name__ == handler
        assert scope["path_params"] == params


def test_an_unexpected_error_is_a_500_in_the_one_error_shape() -> None:
    async def broken(ctx: Context) -> JSONResponse:
        raise RuntimeError("a bug")

    hot = HotRoutes(r"[a-z]+", [("/rest/{objects:objects}", Scope.RECORD_READ, broken, ["GET"])])
    sent: list[dict[str, Any]] = []
    app = Starlette()  # no Rolodex state: the endpoint itself fails, as a bug would

    async def go() -> None:
        scope = {**_scope("GET", "/rest/people"), "app": app}
        handler = hot.match(scope)
        assert handler is not None

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b""}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await hot.serve(handler, scope, receive, send)

    asyncio.run(go())
    assert sent[0]["status"] == 500
    body = httpx.Response(500, content=sent[1]["body"]).json()
    assert body["error"] == "INTERNAL_SERVER_ERROR" and body["requestId"]


def test_head_and_unlisted_methods_fall_through_to_the_router(client: httpx.Client) -> None:
    person = client.post("/rest/people", json={"name": "Ada"}).json()["data"]["createPerson"]
    assert client.head(f"/rest/people/{person['id']}").status_code == 200
    assert client.head("/rest/people").status_code == 200
    check_error(client.request("POST", f"/rest/people/{person['id']}"), 405)
    check_error(client.get(f"/rest/people/{person['id']}/restore"), 405)

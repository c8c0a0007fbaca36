"""Bad input of every kind gets a JSON 4xx in the one error shape; a 500 is always a bug."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from tests import factories
from tests.conftest import LiveServer

JSON = {"Content-Type": "application/json"}


def check_error(r: httpx.Response, status: int | None = None) -> dict[str, Any]:
    """Assert ``r`` is a JSON client error in the standard shape; return its body."""
    assert r.status_code != 500, r.text
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    if status is not None:
        assert r.status_code == status, r.text[:300]
    assert r.headers["content-type"].startswith("application/json"), r.headers
    body = r.json()
    assert {"statusCode", "error", "message", "messages"} <= set(body), body
    assert body["statusCode"] == r.status_code
    assert isinstance(body["error"], str) and body["error"].isupper()
    assert isinstance(body["message"], str) and body["message"]
    assert body["messages"] == [body["message"]]
    return body  # type: ignore[no-any-return]


def post_raw(client: httpx.Client, path: str, content: bytes | str, **headers: str) -> Any:
    return client.post(path, content=content, headers={**JSON, **headers})


def test_bodies_that_are_not_a_json_object(client: httpx.Client) -> None:
    p = factories.person(client)
    for raw in (
        b'{"name": "x",',
        b"{'name': 'x'}",
        b"",
        b"   \n",
        b"[]",
        b'[{"name": "x"}]',
        b'"John Doe"',
        b"5",
        b"null",
        b"true",
        b'{"name": "\xff\xfe"}',
        b'{"name": "x"} trailing',
        b'{"name": NaN}',
        b'{"name": "x", "employees": Infinity}',
        b'{"name": -Infinity}',
    ):
        for method, path in (("POST", "/rest/people"), ("PATCH", f"/rest/people/{p['id']}")):
            r = client.request(method, path, content=raw, headers=JSON)
            check_error(r, 400)
    check_error(client.post("/rest/batch/people", json={"name": "x"}), 400)
    check_error(client.post("/rest/batch/people", json=[1, 2]), 400)
    assert client.get("/rest/people").json()["totalCount"] == 1


def test_content_types(client: httpx.Client) -> None:
    body = '{"name": "Ada"}'
    for ctype in ("text/html", "application/x-www-form-urlencoded", "multipart/form-data"):
        r = client.post("/rest/people", content=body, headers={"Content-Type": ctype})
        assert "application/json" in check_error(r, 415)["message"]
    ok = client.post(
        "/rest/people", content=body, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    assert ok.status_code == 201, ok.text


@pytest.fixture
def small_body_server(db_url: str) -> Iterator[LiveServer]:
    with LiveServer(db_url, max_body_bytes=1000) as live:
        yield live


def test_body_size_limit(small_body_server: LiveServer, api_key: str) -> None:
    big = b'{"name": "' + b"x" * 5000 + b'"}'
    with factories.http(small_body_server.url, api_key) as c:
        check_error(post_raw(c, "/rest/people", big), 413)

        def stream() -> Iterator[bytes]:
            # No Content-Length: the server must count what arrives.
            for i in range(0, len(big), 500):
                yield big[i : i + 500]

        r = c.post("/rest/people", content=stream(), headers=JSON)
        assert "content-length" not in {k.lower() for k in r.request.headers}
        check_error(r, 413)
        # The batch endpoint counts a streamed body the same way.
        r = c.post("/rest/batch/people", content=stream(), headers=JSON)
        check_error(r, 413)
        small = c.post("/rest/people", json={"name": "Ada"})
        assert small.status_code == 201, small.text
        assert c.get("/rest/people").json()["totalCount"] == 1


def test_paths(client: httpx.Client) -> None:
    for method in ("GET", "PATCH", "DELETE"):
        r = client.request(method, "/rest/people/not-a-uuid", json={"name": "x"})
        assert check_error(r, 400)["field"] == "id"
    check_error(client.get("/rest/people/12345678-1234-1234-1234-123456789012x"), 400)
    r = client.get("/rest/people/00000000-0000-0000-0000-000000000000")
    check_error(r, 404)
    assert "Did you mean 'people'" in check_error(client.get("/rest/person"), 404)["message"]
    assert "people" in check_error(client.get("/rest/peeple"), 404)["message"]
    assert "Did you mean 'people'" in check_error(client.get("/rest/persons"), 404)["message"]
    check_error(client.post("/rest/unicorns", json={"name": "x"}), 404)
    # (`/` and `/rest` answer a landing response: tests/api/test_landing.py.)
    for path in ("/nope", "/rest/people/a/b", "/graphqlx", "/rest/batch"):
        check_error(client.get(path), 404)
    for method, path in (
        ("PUT", "/rest/people"),
        ("DELETE", "/rest/people"),
        ("PATCH", "/rest/people"),
        ("POST", "/healthz"),
    ):
        check_error(client.request(method, path), 405)


def test_deeply_nested_json(client: httpx.Client) -> None:
    for depth in (100, 600, 5000, 100_000):
        raw = '{"name": "x", "tags": ' + "[" * depth + "]" * depth + "}"
        check_error(post_raw(client, "/rest/people", raw), 400)
        raw = '{"name": "x", "nested": ' + '{"a": ' * depth + "1" + "}" * depth + "}"
        check_error(post_raw(client, "/rest/people", raw), 400)
    assert client.get("/rest/people").json()["totalCount"] == 0


def test_nul_bytes_in_written_strings(client: httpx.Client) -> None:
    # PostgreSQL's text and jsonb cannot hold U+0000: it must be a 400, not a driver error.
    p = factories.person(client, name="Plain")
    for body, field in (
        ({"name": "Ada\u0000Lovelace"}, "name"),
        ({"name": "Ada", "jobTitle": "\u0000"}, "jobTitle"),
        ({"name": "Ada", "email": "a\u0000@b.co"}, "email"),
    ):
        for method, path in (("POST", "/rest/people"), ("PATCH", f"/rest/people/{p['id']}")):
            r = client.request(method, path, json=body)
            assert check_error(r, 400).get("field") == field, (method, body)
    assert client.get("/rest/people").json()["totalCount"] == 1


def test_nul_bytes_in_list_items(client: httpx.Client) -> None:
    r = client.post("/rest/people", json={"name": "Ada", "tags": ["a\u0000b"]})
    assert r.status_code != 500, r.text
    assert check_error(r, 400).get("field") == "tags"


def test_nul_bytes_in_filters(client: httpx.Client) -> None:
    for flt in ('name[eq]:"a\u0000b"', 'name[like]:"%\u0000%"', 'tags[contains]:"\u0000"'):
        r = client.get("/rest/people", params={"filter": flt})
        assert r.status_code != 500, (flt, r.text)
        if r.status_code >= 400:
            check_error(r, 400)


def test_long_strings(client: httpx.Client) -> None:
    body = check_error(client.post("/rest/people", json={"name": "x" * 200_000}), 400)
    assert body["field"] == "name"
    huge = '{"name": "' + "x" * (10 * 2**20) + '"}'
    check_error(post_raw(client, "/rest/people", huge), 413)
    assert client.get("/rest/people").json()["totalCount"] == 0


def test_numbers_out_of_range(client: httpx.Client) -> None:
    for value in ("1" + "0" * 30, str(2**63), str(2**64), str(-(2**63) - 1), "1e400", "2147483648"):
        raw = '{"name": "Acme", "employees": ' + value + "}"
        check_error(post_raw(client, "/rest/companies", raw), 400)
    c = factories.company(client, employees=2**31 - 1)
    r = client.patch(f"/rest/companies/{c['id']}", json={"employees": 10**30})
    assert check_error(r, 400)["field"] == "employees"
    check_error(post_raw(client, "/rest/people", '{"name": ' + "9" * 5000 + "}"), 400)


def test_bad_query_parameters(client: httpx.Client) -> None:
    factories.person(client)
    for params in (
        {"limit": "abc"},
        {"limit": "-1"},
        {"limit": "100000"},
        {"limit": "9" * 50},
        {"depth": "9"},
        {"starting_after": "garbage"},
        {"ending_before": "!!!"},
        {"starting_after": "a", "ending_before": "b"},
        {"filter": "name[eq"},
        {"filter": "nope[eq]:1"},
        {"filter": "name[regex]:x"},
        {"filter": "and(" * 500 + "name[eq]:x" + ")" * 500},
        {"order_by": "name[sideways]"},
        {"order_by": "nope"},
    ):
        check_error(client.get("/rest/people", params=params), 400)
    check_error(client.post("/rest/people?upsert=maybe", json={"name": "x"}), 400)


def test_many_unknown_fields(client: httpx.Client) -> None:
    body = {f"field{i}": i for i in range(10_000)}
    check_error(client.post("/rest/people", json=body), 400)


def test_errors_do_not_need_a_valid_key_to_be_json(anon: httpx.Client) -> None:
    check_error(anon.get("/rest/people"), 401)
    check_error(anon.get("/nope"), 404)
    check_error(anon.put("/rest/people"), 405)
    r = anon.post("/rest/people", content=b"{", headers=JSON)
    check_error(r, 401)

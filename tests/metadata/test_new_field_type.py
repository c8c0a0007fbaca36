"""A field type defined here alone, in one class, works everywhere a built-in type does.

``COLOR`` (a hex colour, kept lower-case) is registered for the test and removed
after it. A custom field of it is created through the metadata API and then
written, read, refused, filtered and ordered through REST and GraphQL, described
by OpenAPI and shown in the webhook catalogue and its sample events; nothing
outside this module knows the type.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from graphql import GraphQLString
from tests import factories
from tests.conftest import LiveServer
from tests.webhooks.helpers import make_hook
from tests.webhooks.receiver import Receiver

from rolodex.metadata import fieldtypes
from rolodex.metadata.fieldtypes.base import EQUALITY, FieldKind, Schema, bad
from rolodex.metadata.model import FieldDef

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


class ColorKind(FieldKind):
    """A colour as ``#rrggbb``; upper-case input is stored lower-case."""

    type = "COLOR"
    ops = EQUALITY
    orderable = True
    custom = True
    text_literal = True
    cast = "text"
    settings_rules: dict[str, Any] = {}
    graphql_filter = ("ColorFilter", GraphQLString)

    def validate(self, f: FieldDef, value: Any) -> Any:
        if not isinstance(value, str) or not _HEX.match(value.strip()):
            raise bad(f, "a hex colour such as #ff8800", value)
        return value.strip().lower()

    def json_schema(self, f: FieldDef) -> Schema:
        return {"type": "string", "pattern": "^#[0-9a-f]{6}$"}

    def openapi_input(self, f: FieldDef, schema: Schema) -> Schema:
        return {**schema, "pattern": "^\\s*#[0-9a-fA-F]{6}\\s*$"}

    def graphql_output(self, f: FieldDef) -> Any:
        return GraphQLString

    def example(self, f: FieldDef) -> Any:
        return "#ff8800"


@pytest.fixture
def color() -> Iterator[None]:
    fieldtypes.register(ColorKind())
    try:
        yield
    finally:
        fieldtypes.unregister("COLOR")


@pytest.fixture
def colored(color: None, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[httpx.Client]:
    monkeypatch.setenv("ROLODEX_WEBHOOK_ALLOW_PRIVATE", "1")
    monkeypatch.delenv("ROLODEX_DISPATCHER", raising=False)
    key = factories.make_key(db_url)
    with LiveServer(db_url) as server, factories.http(server.url, key) as client:
        r = client.post(
            "/rest/metadata/fields",
            json={"objectName": "person", "name": "favouriteColor", "type": "color"},
        )
        assert r.status_code == 201, r.text
        field = r.json()["data"]["createField"]
        assert field["type"] == "COLOR"
        assert field["schema"] == {"type": "string", "pattern": "^#[0-9a-f]{6}$"}
        yield client


def _gql(client: httpx.Client, query: str, **variables: Any) -> dict[str, Any]:
    r = client.post("/graphql", json={"query": query, "variables": variables})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_a_type_lacking_a_fact_is_refused_at_registration() -> None:
    class Incomplete(ColorKind):
        type = "INCOMPLETE"

    bare = type("Bare", (FieldKind,), {"type": "BARE"})
    with pytest.raises(TypeError, match="Bare"):
        fieldtypes.register(bare())  # abstract methods missing: it cannot even be made
    with pytest.raises(TypeError, match="does not declare ops"):
        fieldtypes.register(
            type(
                "NoOps",
                (FieldKind,),
                {
                    "type": "NOOPS",
                    "validate": ColorKind.validate,
                    "json_schema": ColorKind.json_schema,
                    "graphql_output": ColorKind.graphql_output,
                    "example": ColorKind.example,
                },
            )()
        )
    with pytest.raises(TypeError, match="already registered"):
        fieldtypes.register(fieldtypes.KINDS["TEXT"])
    assert "INCOMPLETE" not in fieldtypes.KINDS and Incomplete.type == "INCOMPLETE"


def test_rest_create_read_and_refuse(colored: httpx.Client) -> None:
    client = colored
    ada = factories.person(client, name="Ada", favouriteColor="#FF8800")
    assert ada["favouriteColor"] == "#ff8800"
    got = client.get(f"/rest/people/{ada['id']}").json()["data"]["person"]
    assert got["favouriteColor"] == "#ff8800"
    r = client.post(
        "/rest/people",
        json={"name": "Seed", "customFields": [{"fieldId": "favouriteColor", "value": "#00FF00"}]},
    )
    assert r.status_code == 201, r.text
    assert r.json()["data"]["createPerson"]["favouriteColor"] == "#00ff00"
    r = client.post("/rest/people", json={"name": "Bad", "favouriteColor": "orange"})
    assert r.status_code == 400, r.text
    assert r.json()["field"] == "favouriteColor"
    assert "favouriteColor must be a hex colour such as #ff8800, got" in r.text
    r = client.patch(f"/rest/people/{ada['id']}", json={"favouriteColor": "#123456"})
    assert r.status_code == 200, r.text
    r = client.post("/rest/batch/people", json=[{"name": "B1", "favouriteColor": "#ABCDEF"}])
    assert r.status_code == 201, r.text


def test_filters_and_ordering(colored: httpx.Client) -> None:
    client = colored
    for name, c in (("Red", "#ff0000"), ("Blue", "#0000FF"), ("None", None)):
        factories.person(client, name=name, **({"favouriteColor": c} if c else {}))

    def names(**params: Any) -> list[str]:
        r = client.get("/rest/people", params=params)
        assert r.status_code == 200, r.text
        return [p["name"] for p in r.json()["data"]["people"]]

    assert names(filter="favouriteColor[eq]:#0000ff") == ["Blue"]
    assert names(filter="favouriteColor[in]:[#ff0000,#0000ff]", order_by="name") == ["Blue", "Red"]
    assert names(filter="favouriteColor[is]:NULL") == ["None"]
    assert names(order_by="favouriteColor[AscNullsLast]") == ["Blue", "Red", "None"]
    r = client.get("/rest/people", params={"filter": "favouriteColor[like]:#ff%"})
    assert r.status_code == 400, r.text
    assert "Operator 'like' does not apply to favouriteColor (COLOR)" in r.text
    r = client.get("/rest/people", params={"filter": "favouriteColor[eq]:red"})
    assert r.status_code == 400, r.text


def test_graphql_query_mutation_and_filter(colored: httpx.Client) -> None:
    client = colored
    made = _gql(
        client,
        "mutation($d: PersonCreateInput!) { createPerson(data: $d) { id favouriteColor } }",
        d={"name": "Grace", "favouriteColor": "#ABCDEF"},
    )
    assert made["data"]["createPerson"]["favouriteColor"] == "#abcdef", made
    factories.person(client, name="Other", favouriteColor="#000000")
    found = _gql(
        client,
        '{ people(filter: {favouriteColor: {eq: "#abcdef"}}) '
        "{ edges { node { name favouriteColor } } } }",
    )
    assert [e["node"] for e in found["data"]["people"]["edges"]] == [
        {"name": "Grace", "favouriteColor": "#abcdef"}
    ]
    ops = _gql(client, '{ __type(name: "ColorFilter") { inputFields { name } } }')
    assert {f["name"] for f in ops["data"]["__type"]["inputFields"]} == set(EQUALITY)
    refused = _gql(
        client,
        'mutation { createPerson(data: {name: "X", favouriteColor: "teal"}) { id } }',
    )
    assert refused["errors"] and "hex colour" in json.dumps(refused["errors"])


def test_openapi_and_webhook_catalogue(colored: httpx.Client) -> None:
    client = colored
    schemas = client.get("/rest/open-api").json()["components"]["schemas"]
    out = schemas["Person"]["properties"]["favouriteColor"]
    assert out["pattern"] == "^#[0-9a-f]{6}$"
    assert schemas["PersonCreateInput"]["properties"]["favouriteColor"]["pattern"].startswith(
        "^\\s*#"
    )
    assert "COLOR" in schemas["FieldCreateInput"]["properties"]["type"]["enum"]

    r = client.get("/rest/webhooks/event-types")
    assert r.status_code == 200, r.text
    types = {t["name"]: t for t in r.json()["data"]["eventTypes"]}
    data = types["person.created"]["schema"]["properties"]["data"]["properties"]
    assert data["favouriteColor"]["pattern"] == "^#[0-9a-f]{6}$"
    with Receiver() as rx:
        hook = make_hook(client, rx.url)
        r = client.post(f"/rest/webhooks/{hook['id']}/test", json={"eventType": "person.created"})
        assert r.status_code == 202, r.text
        body = json.loads(r.json()["data"]["delivery"]["body"])
    assert body["data"]["favouriteColor"] == "#ff8800"


def test_registration_is_undone() -> None:
    assert "COLOR" not in fieldtypes.KINDS
    assert "COLOR" not in fieldtypes.custom_types()


def test_changing_a_field_to_the_new_type_converts_its_values(colored: httpx.Client) -> None:
    client = colored
    r = client.post(
        "/rest/metadata/fields", json={"objectName": "person", "name": "shade", "type": "TEXT"}
    )
    assert r.status_code == 201, r.text
    fid = r.json()["data"]["createField"]["id"]
    p = factories.person(client, name="Shaded", shade="#AABBCC")
    r = client.patch(f"/rest/metadata/fields/{fid}", json={"type": "COLOR"})
    assert r.status_code == 200, r.text
    assert client.get(f"/rest/people/{p['id']}").json()["data"]["person"]["shade"] == "#aabbcc"
    r = client.patch(f"/rest/metadata/fields/{fid}", json={"type": "COLOR", "label": "Shade"})
    assert r.status_code == 200, r.text
    r = client.patch(f"/rest/metadata/fields/{fid}", json={"type": "TEXT"})
    assert r.status_code == 200, r.text
    factories.person(client, name="Blue", shade="blue")
    r = client.patch(f"/rest/metadata/fields/{fid}", json={"type": "COLOR"})
    assert r.status_code == 400, r.text
    assert "do not convert to COLOR" in r.text

"""The OpenAPI document (``/rest/open-api``) and the playground page (``/rest/docs``).

No OpenAPI validator is a dependency, so the document is checked structurally
here, and the responses of real requests are checked against its schemas with
a small validator that knows the JSON Schema keywords the generator uses.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import httpx
import pytest
from tests import factories

from rolodex.auth import service as auth
from rolodex.kit import clock
from rolodex.kit.db import Conn
from rolodex.metadata import repository
from rolodex.metadata.registry import standard

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


# -- helpers ---------------------------------------------------------------------------
def resolve(doc: dict[str, Any], pointer: str) -> Any:
    assert pointer.startswith("#/"), pointer
    node: Any = doc
    for part in pointer[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"unresolved $ref {pointer}"
        node = node[part]
    return node


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in refs(v)]
    return []


_TYPES: dict[str, Any] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}


def problems(doc: dict[str, Any], schema: dict[str, Any], value: Any, at: str = "$") -> list[str]:
    """Where ``value`` breaks ``schema``: the keywords the generator emits, nothing more."""
    out: list[str] = []
    if "$ref" in schema:
        out += problems(doc, resolve(doc, schema["$ref"]), value, at)
    for sub in schema.get("allOf", []):
        out += problems(doc, sub, value, at)
    if "anyOf" in schema and all(problems(doc, s, value, at) for s in schema["anyOf"]):
        out.append(f"{at}: {value!r} matches no anyOf branch")
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_TYPES[t](value) for t in types):
            return [*out, f"{at}: {value!r} is not {types}"]
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{at}: {value!r} not in {schema['enum']}")
    if isinstance(value, dict):
        out += [f"{at}: missing {k}" for k in schema.get("required", []) if k not in value]
        for k, v in value.items():
            if k in schema.get("properties", {}):
                out += problems(doc, schema["properties"][k], v, f"{at}.{k}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            out += problems(doc, schema["items"], item, f"{at}[{i}]")
    return out


def param_name(doc: dict[str, Any], param: dict[str, Any]) -> str:
    return str(resolve(doc, param["$ref"])["name"] if "$ref" in param else param["name"])


def response_schema(doc: dict[str, Any], path: str, method: str, status: str) -> dict[str, Any]:
    response = doc["paths"][path][method]["responses"][status]
    return response["content"]["application/json"]["schema"]  # type: ignore[no-any-return]


def spec(http: httpx.Client) -> dict[str, Any]:
    r = http.get("/rest/open-api")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    return r.json()  # type: ignore[no-any-return]


def default_workspace(db_url: str) -> uuid.UUID:
    return factories.run_db(db_url, lambda c: auth.ensure_default_workspace(c))[0]


def add_custom_field(db_url: str, workspace_id: uuid.UUID, **overrides: Any) -> None:
    """A custom field written straight to ``field_metadata``, as the metadata API will."""
    now = clock.now()
    values: dict[str, Any] = {
        "workspace_id": workspace_id,
        "id": uuid.uuid4(),
        "object_name": "person",
        "name": "leadScore",
        "type": "NUMBER",
        "label": "Lead score",
        "description": "How promising the lead is.",
        "definition": {"nullable": True, "settings": {"decimals": 0, "min": 0}},
        "is_active": True,
        "created_at": now,
        "updated_at": now,
        **overrides,
    }

    async def work(conn: Conn) -> None:
        await repository.insert_field(conn, values)
        await repository.bump_version(conn, workspace_id)

    factories.run_db(db_url, work)


# -- the document's structure ----------------------------------------------------------
def test_document_is_well_formed_openapi_31(anon: httpx.Client) -> None:
    doc = spec(anon)
    assert doc["openapi"] == "3.1.0"
    assert doc["info"]["title"] and doc["info"]["version"]
    assert doc["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": doc["components"]["securitySchemes"]["bearer"]["description"],
    }
    assert doc["security"] == [{"bearer": []}]
    for pointer in refs(doc):
        resolve(doc, pointer)
    operation_ids = []
    for path, item in doc["paths"].items():
        assert path.startswith("/")
        declared = {param_name(doc, p) for p in item.get("parameters", [])}
        for method, op in item.items():
            if method == "parameters":
                continue
            assert method in METHODS, (path, method)
            assert op["responses"], (path, method)
            operation_ids.append(op["operationId"])
            names = declared | {param_name(doc, p) for p in op.get("parameters", [])}
            for template in re.findall(r"{(\w+)}", path):
                assert template in names, f"{method} {path} does not declare {template}"
            for status, response in op["responses"].items():
                assert re.fullmatch(r"[1-5]\d\d", status), status
                if "$ref" in response:
                    response = resolve(doc, response["$ref"])
                assert response["description"], (path, method, status)
            for requirement in op.get("security", []):
                assert set(requirement) <= set(doc["components"]["securitySchemes"])
    assert len(operation_ids) == len(set(operation_ids)), "operationIds must be unique"
    for name, response in doc["components"]["responses"].items():
        # /v2 (Attio's form) answers in Attio's error shape.
        schema = "AttioError" if name.startswith("Attio") else "Error"
        assert response["content"]["application/json"]["schema"] == {
            "$ref": f"#/components/schemas/{schema}"
        }
    assert doc["paths"]["/healthz"]["get"]["security"] == []
    assert {"/rest/keys", "/rest/keys/{id}", "/readyz"} <= set(doc["paths"])


def test_every_object_of_the_registry_is_described(anon: httpx.Client) -> None:
    doc = spec(anon)
    schemas = doc["components"]["schemas"]
    for obj in standard().objects.values():
        item = doc["paths"][f"/rest/{obj.plural}"]
        assert set(item) == {"get", "post"}
        assert set(doc["paths"][f"/rest/{obj.plural}/{{id}}"]) == {
            "parameters",
            "get",
            "patch",
            "put",
            "delete",
        }
        assert "post" in doc["paths"][f"/rest/batch/{obj.plural}"]
        for name in (obj.cap, f"{obj.cap}CreateInput", f"{obj.cap}UpdateInput"):
            assert name in schemas, name
        assert set(schemas[obj.cap]["properties"]) == set(obj.fields)
        writable = {
            f.name
            for f in obj.fields.values()
            if not f.read_only and not f.system and f.type != "RELATION"
        }
        extra = {"id", "customFields"}
        assert set(schemas[f"{obj.cap}CreateInput"]["properties"]) == writable | extra
        assert set(schemas[f"{obj.cap}UpdateInput"]["properties"]) == writable | extra
        for name in (f"{obj.cap}CreateInput", f"{obj.cap}UpdateInput"):
            assert schemas[name]["additionalProperties"] is False, name
        required = sorted(f.name for f in obj.fields.values() if f.required)
        assert sorted(schemas[f"{obj.cap}CreateInput"].get("required", [])) == required
        envelope = response_schema(doc, f"/rest/{obj.plural}", "post", "201")
        assert list(envelope["properties"]["data"]["properties"]) == [f"create{obj.cap}"]
        envelope = response_schema(doc, f"/rest/batch/{obj.plural}", "post", "201")
        assert list(envelope["properties"]["data"]["properties"]) == [f"create{obj.cap_plural}"]


def test_field_details(anon: httpx.Client) -> None:
    doc = spec(anon)
    schemas = doc["components"]["schemas"]
    status = schemas["Task"]["properties"]["status"]
    assert status["enum"] == ["TODO", "IN_PROGRESS", "DONE"]
    assert schemas["TaskCreateInput"]["properties"]["status"]["default"] == "TODO"
    assert schemas["TaskCreateInput"]["required"] == ["title"]
    assert schemas["CompanyCreateInput"]["required"] == ["name"]
    person = schemas["Person"]["properties"]
    assert person["email"]["type"] == ["string", "null"]
    # The server checks its own email rule, not RFC 5322's: the input declares that rule.
    assert "@" in schemas["PersonCreateInput"]["properties"]["email"]["pattern"]
    assert person["id"]["type"] == "string" and person["id"]["format"] == "uuid"
    assert person["createdAt"]["readOnly"] is True
    assert "createdAt" not in schemas["PersonCreateInput"]["properties"]
    assert schemas["Company"]["properties"]["employees"]["type"] == ["integer", "null"]
    assert "depth=1" in person["company"]["description"]
    assert "depth=1" in person["notes"]["description"]
    assert "company" not in schemas["Person"]["required"]
    assert "companyId" in schemas["Person"]["required"]
    list_op = doc["paths"]["/rest/people"]["get"]
    filter_param = next(p for p in list_op["parameters"] if p.get("name") == "filter")
    for word in ("field[op]:value", "startsWith", "ilike", "and(", "or(", "not(", "NOT_NULL"):
        assert word in filter_param["description"], word
    limit = doc["components"]["parameters"]["Limit"]["schema"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (0, 200, 60)
    assert doc["components"]["parameters"]["Depth"]["schema"]["enum"] == [0, 1]
    for code in ("400", "401", "403", "409", "413", "429"):
        assert code in doc["paths"]["/rest/people"]["post"]["responses"]
    error = schemas["Error"]
    assert set(error["required"]) == {"statusCode", "error", "message", "messages"}
    assert "field" in error["properties"]


def test_aliases_serve_the_same_document(anon: httpx.Client) -> None:
    doc = spec(anon)
    for path in ("/rest/open-api/", "/rest/openapi.json"):
        r = anon.get(path)
        assert r.status_code == 200, (path, r.text)
        assert r.json() == doc


# -- authentication --------------------------------------------------------------------
def test_anonymous_and_authorized_both_work(anon: httpx.Client, client: httpx.Client) -> None:
    public, private = spec(anon), spec(client)
    assert set(public["components"]["schemas"]) == set(private["components"]["schemas"])
    assert set(public["paths"]) == set(private["paths"])
    assert "standard objects" in public["info"]["description"]
    assert "workspace" in private["info"]["description"]


@pytest.mark.parametrize("header", ["Bearer rdx_not-a-real-key", "Basic dXNlcjpwYXNz", ""])
def test_a_bad_key_is_refused(anon: httpx.Client, header: str) -> None:
    r = anon.get("/rest/open-api", headers={"Authorization": header})
    assert r.status_code == 401, r.text
    body = r.json()
    assert body["statusCode"] == 401 and body["error"] == "UNAUTHENTICATED"
    assert body["messages"] == [body["message"]]


def test_a_revoked_key_is_refused(anon: httpx.Client, db_url: str) -> None:
    key = factories.make_key(db_url)
    with factories.http(str(anon.base_url), key) as c:
        assert c.get("/rest/open-api").status_code == 200
        key_id = next(k["id"] for k in c.get("/rest/keys").json()["data"]["keys"])
        assert c.delete(f"/rest/keys/{key_id}").status_code == 200
        # The key cache may hold the key for up to a second.
        deadline = time.monotonic() + 5
        while c.get("/rest/open-api").status_code != 401:
            assert time.monotonic() < deadline, "a revoked key still reads the document"
            time.sleep(0.05)


# -- the registry drives the document --------------------------------------------------
def test_a_custom_field_appears_for_its_workspace_only(
    anon: httpx.Client, client: httpx.Client, db_url: str
) -> None:
    before = spec(client)  # cached at the old metadata version
    assert "leadScore" not in before["components"]["schemas"]["Person"]["properties"]
    add_custom_field(db_url, default_workspace(db_url))

    doc = spec(client)
    schemas = doc["components"]["schemas"]
    lead = schemas["Person"]["properties"]["leadScore"]
    assert lead["type"] == ["integer", "null"]
    assert lead["title"] == "Lead score" and lead["description"] == "How promising the lead is."
    assert "leadScore" in schemas["Person"]["required"]  # always present, null when unset
    assert "leadScore" in schemas["PersonCreateInput"]["properties"]
    assert "leadScore" in schemas["PersonUpdateInput"]["properties"]
    assert "leadScore" not in schemas["Company"]["properties"]
    list_op = doc["paths"]["/rest/people"]["get"]
    filter_param = next(p for p in list_op["parameters"] if p.get("name") == "filter")
    assert "`leadScore`" in filter_param["description"]

    public = spec(anon)["components"]["schemas"]
    assert "leadScore" not in public["Person"]["properties"]
    assert "leadScore" not in public["PersonCreateInput"]["properties"]

    other = factories.make_key(db_url, workspace=factories.make_workspace(db_url))
    with factories.http(str(anon.base_url), other) as c:
        assert "leadScore" not in spec(c)["components"]["schemas"]["Person"]["properties"]


def test_a_custom_select_field_lists_its_options(client: httpx.Client, db_url: str) -> None:
    add_custom_field(
        db_url,
        default_workspace(db_url),
        name="stage",
        type="SELECT",
        label="Stage",
        definition={"nullable": False, "options": [{"value": "LEAD"}, {"value": "WON"}]},
    )
    schemas = spec(client)["components"]["schemas"]
    # Not nullable on update; null on create means "not set"; on output null still
    # appears for older records.
    assert schemas["PersonUpdateInput"]["properties"]["stage"]["enum"] == ["LEAD", "WON"]
    assert schemas["PersonUpdateInput"]["properties"]["stage"]["type"] == "string"
    assert schemas["PersonCreateInput"]["properties"]["stage"]["enum"] == ["LEAD", "WON", None]
    assert schemas["Person"]["properties"]["stage"]["enum"] == ["LEAD", "WON", None]


# -- the document matches what the API does --------------------------------------------
def test_real_responses_match_the_document(client: httpx.Client, db_url: str) -> None:
    add_custom_field(db_url, default_workspace(db_url))
    doc = spec(client)
    person_schema = doc["components"]["schemas"]["Person"]

    r = client.post("/rest/people", json={"name": "Ada Lovelace", "leadScore": 7})
    assert r.status_code == 201, r.text
    created = r.json()["data"]["createPerson"]
    assert set(created) <= set(person_schema["properties"]), set(created) - set(
        person_schema["properties"]
    )
    assert created["leadScore"] == 7
    assert problems(doc, response_schema(doc, "/rest/people", "post", "201"), r.json()) == []

    company = factories.company(client, name="Acme", domain="acme.example")
    client.patch(f"/rest/people/{created['id']}", json={"companyId": company["id"]})
    factories.create(client, "notes", title="Met", personId=created["id"])
    r = client.get(f"/rest/people/{created['id']}", params={"depth": 1})
    assert r.status_code == 200, r.text
    assert problems(doc, response_schema(doc, "/rest/people/{id}", "get", "200"), r.json()) == []
    embedded = r.json()["data"]["person"]
    assert embedded["company"]["id"] == company["id"] and len(embedded["notes"]) == 1

    r = client.get("/rest/people", params={"depth": 1, "limit": 1})
    assert problems(doc, response_schema(doc, "/rest/people", "get", "200"), r.json()) == []
    r = client.post("/rest/batch/companies", json=[{"name": "Initech"}])
    assert r.status_code == 201, r.text
    path, ok = "/rest/batch/companies", "201"
    assert problems(doc, response_schema(doc, path, "post", ok), r.json()) == []
    r = client.patch(f"/rest/companies/{company['id']}", json={"employees": 12})
    path = "/rest/companies/{id}"
    assert problems(doc, response_schema(doc, path, "patch", "200"), r.json()) == []
    r = client.delete(f"/rest/companies/{company['id']}")
    assert problems(doc, response_schema(doc, path, "delete", "200"), r.json()) == []

    r = client.get("/rest/people/not-a-uuid")
    assert r.status_code == 400
    error = doc["components"]["schemas"]["Error"]
    assert problems(doc, error, r.json()) == []
    r = client.get("/rest/keys")
    assert problems(doc, response_schema(doc, "/rest/keys", "get", "200"), r.json()) == []
    r = client.post("/rest/keys", json={"name": "docs", "scopes": ["record:read"]})
    assert r.status_code == 201, r.text
    assert problems(doc, response_schema(doc, "/rest/keys", "post", "201"), r.json()) == []
    for path in ("/healthz", "/readyz"):
        body = client.get(path).json()
        assert problems(doc, response_schema(doc, path, "get", "200"), body) == []


# -- the playground --------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/rest/docs", "/rest/docs/"])
def test_the_playground_page(anon: httpx.Client, path: str) -> None:
    r = anon.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "swagger-ui" in html
    assert "/assets/swagger-ui@5.31.0/swagger-ui-bundle.js" in html  # pinned, served here
    assert '"/rest/open-api"' in html
    script = anon.get("/assets/rolodex/playground.js").text  # the page's start script
    assert "persistAuthorization: true" in script
    assert "requestInterceptor" in script and "loadSpec" in script
    assert "specActions.download" in script  # the document is fetched again after Authorize

"""The OpenAPI document against the app's routes: nothing served is left out of it.

Every method and path the app answers (Starlette's routes and the record
routes of the hot path, api/rest/hot.py) must be an operation of the
document, but for the few listed in ``EXCLUDED`` with the reason; and every
operation of the document must be served. A 405 names the methods a path
serves in ``Allow``, and those are the document's.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from starlette.routing import Match
from tests.routes import app_routes

from rolodex.api.rest.openapi import document
from rolodex.app import create_app
from rolodex.config import Settings
from rolodex.metadata.registry import Registry, standard

# (method, path) served but deliberately not in the document, with the reason.
EXCLUDED = {
    ("GET", "/graphql"): "GraphQL describes itself by introspection, not by OpenAPI",
    ("POST", "/graphql"): "GraphQL describes itself by introspection, not by OpenAPI",
    ("GET", "/rest/docs"): "the playground: an HTML page for people, not an API operation",
    ("GET", "/rest/openapi.json"): "an alias of GET /rest/open-api, described there",
    ("GET", "/"): "the landing: links to the playgrounds and documents, for people and crawlers",
    ("GET", "/rest"): "the landing again, where people try the REST base URL",
    ("GET", "/assets/{path:path}"): "the pages' static files (scripts and styles), not an API",
}
_TEMPLATE = re.compile(r"{(\w+)(?::\w+)?}")
SAMPLE = str(uuid.UUID(int=1))


def _shape(path: str) -> str:
    """A path with every template written ``{}``, and no trailing slash."""
    return _TEMPLATE.sub("{}", path.rstrip("/") or "/")


def _expand(path: str, registry: Registry) -> list[str]:
    """A route path with ``{objects}`` written out for each object of the registry."""
    if "{objects" not in path:
        return [_shape(path)]
    return [
        _shape(re.sub(r"{objects(?::\w+)?}", obj.plural, path)) for obj in registry.objects.values()
    ]


def _served(registry: Registry) -> set[tuple[str, str]]:
    app = create_app(Settings(database_url="sqlite:///unused.db"))
    return {(m, p) for m, path in app_routes(app) for p in _expand(path, registry)}


def _documented(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method.upper(), _shape(path))
        for path, item in doc["paths"].items()
        for method in item
        if method != "parameters"
    }


def test_every_route_is_in_the_document() -> None:
    registry = standard()
    served = _served(registry)
    documented = _documented(document(registry))
    excluded = {(m, _shape(p)) for m, p in EXCLUDED}
    missing = sorted(served - documented - excluded)
    assert missing == [], f"routes missing from the OpenAPI document: {missing}"
    assert excluded <= served, "an exclusion names a route that no longer exists"
    phantom = sorted(documented - served)
    assert phantom == [], f"operations in the document that no route serves: {phantom}"


def test_every_operation_matches_a_route_with_its_parameters() -> None:
    """Each documented path, filled in, is routed to a route serving that method."""
    app = create_app(Settings(database_url="sqlite:///unused.db"))
    doc = document(standard())
    for path, item in doc["paths"].items():
        concrete = _TEMPLATE.sub(SAMPLE, path)
        for method in (m.upper() for m in item if m != "parameters"):
            scope = {"type": "http", "path": concrete, "method": method, "root_path": ""}
            routes = [r for r in app.router.routes if r.matches(scope)[0] is Match.FULL]
            assert routes, f"{method} {path} reaches no route"


def test_the_document_has_servers_and_error_shapes() -> None:
    doc = document(standard())
    assert doc["servers"] == [{"url": "/", "description": "This server"}]
    schemas = doc["components"]["schemas"]
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method == "parameters" or op.get("security") == []:
                continue
            codes = set(op["responses"])
            assert {"401", "429"} <= codes, (method, path)
            if method != "get" or path != "/rest/open-api":
                assert {"400", "403"} <= codes, (method, path)
            if "requestBody" in op:
                assert {"413", "415"} <= codes, (method, path)
    for name in ("Webhook", "Delivery", "Field", "Object", "Consent", "TimelineItem", "Error"):
        assert name in schemas, name


def test_inputs_list_what_the_server_accepts() -> None:
    """The closed input schemas name exactly the members the services accept."""
    from rolodex.api.rest import openapi_consents, openapi_metadata
    from rolodex.consent.service import FIELDS
    from rolodex.metadata import objects
    from rolodex.metadata import schemas as field_rules

    assert set(openapi_metadata.OBJECT_CREATE["properties"]) == objects.CREATE_KEYS
    assert set(openapi_metadata.OBJECT_UPDATE["properties"]) == objects.UPDATE_KEYS
    assert set(openapi_metadata.FIELD_CREATE["properties"]) == field_rules.CREATE_KEYS
    assert set(openapi_metadata.FIELD_UPDATE["properties"]) == field_rules.UPDATE_KEYS
    assert set(openapi_consents.CONSENT_INPUT["properties"]) == set(FIELDS)
    doc = document(standard())
    for name, schema in doc["components"]["schemas"].items():
        if name.endswith("Input"):
            assert schema.get("additionalProperties") is False, name


# -- 405 and Allow -----------------------------------------------------------------
def _methods_for(doc: dict[str, Any], concrete: str) -> set[str]:
    """The documented methods of every path template ``concrete`` fits."""
    out: set[str] = set()
    for path, item in doc["paths"].items():
        pattern = (
            "^"
            + _TEMPLATE.sub("[^/]+", re.escape(path).replace(r"\{", "{").replace(r"\}", "}"))
            + "$"
        )
        if re.match(pattern, concrete):
            out |= {m.upper() for m in item if m != "parameters"}
    if "GET" in out:
        out.add("HEAD")
    return out


def test_an_unrouted_method_is_405_with_allow(anon: httpx.Client) -> None:
    doc = anon.get("/rest/open-api").json()
    for path in doc["paths"]:
        concrete = _TEMPLATE.sub(SAMPLE, path)
        # /rest/webhooks/event-types also fits /rest/webhooks/{id}: both are routed.
        methods = _methods_for(doc, concrete)
        for verb in ("TRACE", "PROPFIND"):
            r = anon.request(verb, concrete)
            assert r.status_code == 405, (verb, path, r.status_code, r.text)
            assert set(r.headers["allow"].split(", ")) == methods, (verb, path)
            body = r.json()
            if path.startswith("/v2/"):  # Attio's form, Attio's error shape
                assert body["code"] == "method_not_allowed" and body["status_code"] == 405
            else:
                assert body["error"] == "METHOD_NOT_ALLOWED" and body["statusCode"] == 405


@pytest.mark.parametrize("path", ["/rest/people", "/rest/people/", f"/rest/people/{SAMPLE}"])
def test_allow_on_record_paths_lists_every_method(anon: httpx.Client, path: str) -> None:
    """Record paths are served by several routes; Allow names all their methods."""
    r = anon.request("TRACE", path)
    assert r.status_code == 405
    allowed = set(r.headers["allow"].split(", "))
    expected = {"GET", "HEAD", "POST"} if path.rstrip("/") == "/rest/people" else None
    if expected is None:
        expected = {"GET", "HEAD", "PATCH", "PUT", "DELETE"}
    assert allowed == expected


def test_a_custom_object_gets_its_routes_in_the_document(client: httpx.Client) -> None:
    r = client.post(
        "/rest/metadata/objects",
        json={"nameSingular": "deal", "namePlural": "deals", "labelSingular": "Deal"},
    )
    assert r.status_code == 201, r.text
    doc = client.get("/rest/open-api").json()
    for path in (
        "/rest/deals",
        "/rest/deals/{id}",
        "/rest/batch/deals",
        "/rest/deals/{id}/timeline",
    ):
        assert path in doc["paths"], path
    assert "DealCreateInput" in doc["components"]["schemas"]
    r = client.request("TRACE", "/rest/deals")
    assert r.status_code == 405 and "POST" in r.headers["allow"]

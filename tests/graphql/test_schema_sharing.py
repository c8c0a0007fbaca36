"""Schemas share their standard parts, and each workspace still sees only its own fields."""

from __future__ import annotations

import gc
import uuid
import weakref
from typing import Any

import pytest
from graphql import GraphQLInputObjectType, GraphQLObjectType, GraphQLSchema, print_schema

from rolodex.api.graphql import schema_parts
from rolodex.api.graphql.schema import build_schema
from rolodex.api.graphql.schema_cache import SchemaCache
from rolodex.metadata import registry as reg
from rolodex.metadata.registry import Registry
from rolodex.metadata.repository import FieldRow
from tests import factories
from tests.conftest import LiveServer

# Every type an object's fields show in: an output type and its inputs.
_PERSON_TYPES = ("Person", "PersonCreateInput", "PersonUpdateInput", "PersonFilterInput")


def _registry(*fields: tuple[str, str], version: int = 1) -> Registry:
    rows = [FieldRow(uuid.uuid4(), "person", n, kind, n, "", {}) for n, kind in fields]
    return reg.build(version, rows)


def _names(schema: GraphQLSchema, type_name: str) -> set[str]:
    found = schema.type_map[type_name]
    assert isinstance(found, GraphQLObjectType | GraphQLInputObjectType)
    return set(found.fields)


def test_two_workspaces_see_only_their_own_fields() -> None:
    cache = SchemaCache(max_shapes=8, max_workspaces=8)
    a = cache.get(uuid.uuid4(), _registry(("alpha", "TEXT"), ("score", "NUMBER")))
    b = cache.get(uuid.uuid4(), _registry(("beta", "TEXT"), ("score", "BOOLEAN")))
    for name in _PERSON_TYPES:
        assert "alpha" in _names(a, name) and "alpha" not in _names(b, name)
        assert "beta" in _names(b, name) and "beta" not in _names(a, name)
    assert "alpha" in _names(a, "PersonOrderByInput")
    assert "alpha" not in _names(b, "PersonOrderByInput")
    assert "alpha" not in print_schema(b) and "beta" not in print_schema(a)
    # The same name with another type is another field.
    person_a, person_b = a.type_map["Person"], b.type_map["Person"]
    assert isinstance(person_a, GraphQLObjectType) and isinstance(person_b, GraphQLObjectType)
    assert str(person_a.fields["score"].type) == "Float"
    assert str(person_b.fields["score"].type) == "Boolean"


def test_what_does_not_depend_on_custom_fields_is_shared() -> None:
    a = build_schema(_registry(("alpha", "TEXT")))
    b = build_schema(_registry(("beta", "TEXT")))
    # Objects without custom fields keep their inputs; a standard field is one object.
    assert a.type_map["CompanyCreateInput"] is b.type_map["CompanyCreateInput"]
    assert a.type_map["NoteFieldFilterInput"] is b.type_map["NoteFieldFilterInput"]
    # A filter input names its relations' targets' inputs (NoteFilterInput.person is a
    # PersonFieldFilterInput): shared between schemas whose related objects are alike.
    assert a.type_map["NoteFilterInput"] is not b.type_map["NoteFilterInput"]
    assert a.type_map["CompanyFieldOrderByInput"] is b.type_map["CompanyFieldOrderByInput"]
    person_a, person_b = a.type_map["Person"], b.type_map["Person"]
    assert isinstance(person_a, GraphQLObjectType) and isinstance(person_b, GraphQLObjectType)
    assert person_a is not person_b
    assert person_a.fields["name"] is person_b.fields["name"]
    # Output types name their relations' targets, so each schema has its own.
    assert a.type_map["Company"] is not b.type_map["Company"]


def test_shared_parts_are_the_same_in_every_schema_built_around_them() -> None:
    """Building and running other schemas never changes a schema already built."""
    first = build_schema(_registry(("alpha", "TEXT")))
    before = print_schema(first)
    others = [build_schema(_registry(("alpha", "TEXT"), (f"other{i}", "NUMBER"))) for i in range(5)]
    others.append(build_schema(reg.standard()))
    assert print_schema(first) == before
    for other in others:
        assert other.type_map["CompanyCreateInput"] is first.type_map["CompanyCreateInput"]


def test_without_sharing_the_schemas_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = _registry(("alpha", "TEXT"), ("when", "DATE"))
    shared = print_schema(build_schema(registry))
    monkeypatch.setattr(schema_parts, "SHARE", False)
    assert print_schema(build_schema(registry)) == shared


def test_parts_go_with_the_last_schema_that_holds_them() -> None:
    cache = SchemaCache(max_shapes=3, max_workspaces=100)
    first = cache.get(uuid.uuid4(), _registry(("gone0", "TEXT")))
    person_input = weakref.ref(first.type_map["PersonCreateInput"])
    company_input = weakref.ref(first.type_map["CompanyCreateInput"])
    del first
    for i in range(1, 10):
        cache.get(uuid.uuid4(), _registry((f"gone{i}", "TEXT")))
        assert len(cache) <= 3
    gc.collect()
    assert person_input() is None  # only the evicted schema had it
    assert company_input() is not None  # the cached ones still share it
    # Parts alive: those of the cached schemas, not of every schema built.
    alive = schema_parts.live_parts()
    for i in range(10, 40):
        cache.get(uuid.uuid4(), _registry((f"gone{i}", "TEXT")))
    gc.collect()
    assert schema_parts.live_parts() <= alive + 5


def _post(client: Any, query: str) -> Any:
    got = client.post("/graphql", json={"query": query})
    assert got.status_code == 200, got.text
    return got.json()


def _person_fields(client: Any) -> set[str]:
    body = _post(client, '{ __type(name: "Person") { fields { name } } }')
    return {f["name"] for f in body["data"]["__type"]["fields"]}


def test_fields_added_renamed_and_deleted_stay_in_their_workspace(db_url: str) -> None:
    tag = uuid.uuid4().hex[:6]
    mine, theirs = f"mine{tag}", f"theirs{tag}"
    with LiveServer(db_url) as server:
        keys = [
            factories.make_key(db_url, workspace=factories.make_workspace(db_url)) for _ in "ab"
        ]
        with factories.http(server.url, keys[0]) as a, factories.http(server.url, keys[1]) as b:
            for client, name in ((a, mine), (b, theirs)):
                body = {"objectName": "person", "name": name, "type": "TEXT"}
                assert client.post("/rest/metadata/fields", json=body).status_code == 201
            assert mine in _person_fields(a) and theirs not in _person_fields(a)
            assert theirs in _person_fields(b) and mine not in _person_fields(b)
            field_id = next(
                f["id"]
                for f in a.get("/rest/metadata/fields", params={"object": "person"}).json()["data"][
                    "fields"
                ]
                if f["name"] == mine
            )
            renamed = f"renamed{tag}"
            got = a.patch(f"/rest/metadata/fields/{field_id}", json={"name": renamed})
            assert got.status_code == 200, got.text
            fields_a = _person_fields(a)
            assert renamed in fields_a and mine not in fields_a and theirs not in fields_a
            fields_b = _person_fields(b)
            assert renamed not in fields_b and mine not in fields_b and theirs in fields_b
            query = f"{{ people {{ edges {{ node {{ {mine} }} }} }} }}"
            assert "errors" in _post(a, query)  # the old name is gone from the schema
            assert a.delete(f"/rest/metadata/fields/{field_id}").status_code == 200
            assert renamed not in _person_fields(a)
            assert theirs in _person_fields(b)
            created = _post(a, 'mutation { createPerson(data: {name: "X"}) { id } }')
            assert "errors" not in created, created
            filtered = _post(b, f'{{ people(filter: {{{theirs}: {{eq: "v"}}}}) {{ totalCount }} }}')
            assert "errors" not in filtered, filtered

"""The GraphQL schema cache keeps at most its bound of schemas, whatever the tenants."""

from __future__ import annotations

import gc
import threading
import uuid
import weakref

import pytest
from graphql import GraphQLObjectType, GraphQLSchema

from rolodex.api.graphql.schema_cache import SchemaCache
from rolodex.metadata import registry as reg
from rolodex.metadata.registry import Registry
from rolodex.metadata.repository import FieldRow
from tests import factories
from tests.conftest import LiveServer


def _registry(*names: str, version: int = 1) -> Registry:
    rows = [FieldRow(uuid.uuid4(), "person", n, "TEXT", n, "", {}) for n in names]
    return reg.build(version, rows)


def _person_fields(schema: GraphQLSchema) -> set[str]:
    person = schema.type_map["Person"]
    assert isinstance(person, GraphQLObjectType)
    return set(person.fields)


def test_schemas_beyond_the_bound_are_collected() -> None:
    cache = SchemaCache(max_shapes=4, max_workspaces=100)
    refs = []
    for i in range(12):
        schema = cache.get(uuid.uuid4(), _registry(f"field{i}"))
        refs.append(weakref.ref(schema))
        del schema
        assert len(cache) <= 4
    gc.collect()
    assert sum(ref() is not None for ref in refs) <= 4
    # The most recent ones are those kept.
    assert all(ref() is not None for ref in refs[-4:])


def test_workspaces_with_the_same_metadata_share_one_schema() -> None:
    cache = SchemaCache(max_shapes=2, max_workspaces=100)
    schemas = {id(cache.get(uuid.uuid4(), _registry("lead", version=v))) for v in range(1, 30)}
    assert len(schemas) == 1 and len(cache) == 1


def test_a_workspace_whose_schema_was_evicted_gets_a_correct_one() -> None:
    cache = SchemaCache(max_shapes=2, max_workspaces=100)
    ws = uuid.uuid4()
    registry = _registry("lead")
    first = cache.get(ws, registry)
    first_serial = first.extensions["serial"]
    del first
    for i in range(5):  # other shapes push it out
        cache.get(uuid.uuid4(), _registry(f"other{i}"))
    again = cache.get(ws, registry)
    assert again.extensions["serial"] != first_serial  # rebuilt
    assert "lead" in _person_fields(again)
    assert cache.get(ws, registry) is again  # and cached again


def test_the_workspace_map_is_bounded_too() -> None:
    cache = SchemaCache(max_shapes=2, max_workspaces=5)
    registry = _registry("lead")
    for _ in range(50):
        cache.get(uuid.uuid4(), registry)
    assert len(cache._by_workspace) == 5
    # A forgotten workspace still gets the shared schema, without a build.
    assert cache.get(uuid.uuid4(), registry) is cache.get(uuid.uuid4(), registry)


def test_threads_asking_for_one_shape_get_one_schema() -> None:
    cache = SchemaCache(max_shapes=4, max_workspaces=100)
    registry = _registry("lead")
    barrier = threading.Barrier(8)
    got: list[GraphQLSchema] = []

    def ask() -> None:
        barrier.wait()
        got.append(cache.get(uuid.uuid4(), registry))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(got) == 8 and len({id(s) for s in got}) == 1


def test_the_bound_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROLODEX_GRAPHQL_SCHEMA_CACHE", "3")
    assert SchemaCache().max_shapes == 3
    monkeypatch.setenv("ROLODEX_GRAPHQL_SCHEMA_CACHE", "0")
    with pytest.raises(SystemExit):
        SchemaCache()
    monkeypatch.setenv("ROLODEX_GRAPHQL_SCHEMA_CACHE", "many")
    with pytest.raises(SystemExit):
        SchemaCache()


def _live_schemas_with(prefix: str) -> int:
    gc.collect()
    count = 0
    for o in gc.get_objects():
        if isinstance(o, GraphQLSchema) and "Person" in o.type_map:
            count += any(name.startswith(prefix) for name in _person_fields(o))
    return count


def test_a_server_keeps_its_bound_over_many_workspaces(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROLODEX_GRAPHQL_SCHEMA_CACHE", "2")
    prefix = "bound" + uuid.uuid4().hex[:8]
    with LiveServer(db_url, registry_cache=2) as server:
        keys = []
        for i in range(5):
            ws = factories.make_workspace(db_url)
            key = factories.make_key(db_url, workspace=ws)
            with factories.http(server.url, key) as c:
                body = {"objectName": "person", "name": f"{prefix}{i}", "type": "TEXT"}
                assert c.post("/rest/metadata/fields", json=body).status_code == 201
                person = {"name": f"P{i}", f"{prefix}{i}": f"value {i}"}
                assert c.post("/rest/people", json=person).status_code == 201
            keys.append(key)

        def ask(i: int) -> None:
            query = f"{{ people {{ edges {{ node {{ name {prefix}{i} }} }} }} }}"
            with factories.http(server.url, keys[i]) as c:
                got = c.post("/graphql", json={"query": query})
            assert got.status_code == 200, got.text
            node = got.json()["data"]["people"]["edges"][0]["node"]
            assert node == {"name": f"P{i}", f"{prefix}{i}": f"value {i}"}

        for i in range(5):
            ask(i)
            assert _live_schemas_with(prefix) <= 2
        ask(0)  # evicted long ago: rebuilt, and right
        assert _live_schemas_with(prefix) <= 2

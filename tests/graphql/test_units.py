"""The GraphQL layer's parts on their own: limits, loaders, filters, rewrite, caches, rules."""

from __future__ import annotations

import asyncio
import sys
import uuid
from typing import Any

import pytest
from graphql import parse, print_ast

from rolodex.api.graphql.execution import Runner
from rolodex.api.graphql.filters import to_filter
from rolodex.api.graphql.limits import Limits
from rolodex.api.graphql.loaders import DataLoader
from rolodex.api.graphql.rewrite import rewrite
from rolodex.api.graphql.schema import build_schema
from rolodex.api.graphql.schema_cache import SchemaCache
from rolodex.metadata import registry as reg
from rolodex.metadata.repository import FieldRow
from rolodex.records.query import And, Cond, Not, Or


def test_limits_from_env() -> None:
    assert Limits.from_env({}) == Limits()
    assert Limits().max_page_size >= 100 and Limits().max_batch >= 1000
    got = Limits.from_env({"ROLODEX_GRAPHQL_MAX_DEPTH": "3", "ROLODEX_GRAPHQL_MAX_PAGE_SIZE": "20"})
    assert got.max_depth == 3 and got.max_page_size == 20
    assert got.default_page_size == 20  # never above the cap
    for bad in ("x", "0", "-5"):
        with pytest.raises(SystemExit, match="ROLODEX_GRAPHQL_MAX_DEPTH"):
            Limits.from_env({"ROLODEX_GRAPHQL_MAX_DEPTH": bad})


def test_to_filter() -> None:
    assert to_filter(None) is None and to_filter({}) is None
    assert to_filter({"email": {"eq": "a"}}) == Cond("email", "eq", "a")
    assert to_filter({"name": {"gte": "a", "lt": "b"}}) == And(
        (Cond("name", "gte", "a"), Cond("name", "lt", "b"))
    )
    got = to_filter(
        {"or": [{"name": {"eq": "a"}}, {"name": {"eq": "b"}}], "not": {"email": {"is": "NULL"}}}
    )
    assert got == And(
        (
            Or((Cond("name", "eq", "a"), Cond("name", "eq", "b"))),
            Not(Cond("email", "is", "NULL")),
        )
    )
    # An empty alternative matches everything, so the whole "or" does.
    assert to_filter({"or": [{"name": {"eq": "a"}}, {}]}) is None
    assert to_filter({"email": None, "name": {"eq": None}}) is None
    deep: dict[str, Any] = {"name": {"eq": "x"}}
    for _ in range(40):
        deep = {"not": deep}
    with pytest.raises(Exception, match="nest at most"):
        to_filter(deep)


def test_data_loader_batches_one_tick_of_keys() -> None:
    calls: list[list[Any]] = []

    async def batch(keys: list[Any]) -> dict[Any, Any]:
        calls.append(keys)
        return {k: k * 10 for k in keys if k != 3}

    async def main() -> None:
        loader = DataLoader(batch)
        futures = [loader.load(k) for k in (1, 2, 3, 2)]
        assert futures[1] is futures[3]
        assert await asyncio.gather(*futures) == [10, 20, None, 20]
        assert calls == [[1, 2, 3]]

        # Keys asked for by tasks that wake together are batched together too.
        async def ask(k: int) -> Any:
            await asyncio.sleep(0)
            return await loader.load(k)

        assert await asyncio.gather(*(ask(k) for k in (4, 5, 1))) == [40, 50, 10]
        assert calls[1] == [4, 5]
        loader.clear()
        assert await loader.load(1) == 10 and calls[2] == [1]

    asyncio.run(main())


def test_data_loader_failures_reach_every_caller() -> None:
    async def batch(keys: list[Any]) -> dict[Any, Any]:
        raise ValueError("down")

    async def main() -> None:
        loader = DataLoader(batch)
        results = await asyncio.gather(loader.load(1), loader.load(2), return_exceptions=True)
        assert [type(r) for r in results] == [ValueError, ValueError]

    asyncio.run(main())


def _field(object_name: str, name: str, field_type: str = "TEXT") -> FieldRow:
    return FieldRow(uuid.uuid4(), object_name, name, field_type, name, "", {})


def test_schema_cache_shares_shapes_and_follows_versions() -> None:
    cache = SchemaCache()
    ws1, ws2 = uuid.uuid4(), uuid.uuid4()
    standard = reg.build(1, [])
    first = cache.get(ws1, standard)
    assert cache.get(ws1, standard) is first
    assert cache.get(ws2, reg.build(7, [])) is first  # same shape, other workspace
    with_field = reg.build(2, [_field("person", "lead")])
    second = cache.get(ws1, with_field)
    assert second is not first
    assert "lead" in second.type_map["Person"].fields  # type: ignore[union-attr]
    # A different custom field id with the same shape reuses the schema.
    assert cache.get(ws2, reg.build(8, [_field("person", "lead")])) is second


def test_schema_leaves_out_names_graphql_cannot_hold() -> None:
    schema = build_schema(reg.build(1, [_field("person", "bad-name"), _field("person", "ok")]))
    fields = schema.type_map["Person"].fields  # type: ignore[union-attr]
    assert "ok" in fields and "bad-name" not in fields


def test_rewrite_leaves_connections_alone() -> None:
    schema = build_schema(reg.standard())
    doc = parse("{ companies { edges { node { people { totalCount } } } } }")
    assert rewrite(schema, doc) is doc
    doc = parse("{ companies { edges { node { people { id } } } } }")
    assert "people: peopleList {" in print_ast(rewrite(schema, doc))
    # Cyclic fragments do not loop; validation reports them.
    cyclic = parse(
        "{ companies { edges { node { people { ...A } } } } }"
        " fragment A on PersonConnection { ...B } fragment B on PersonConnection { ...A }"
    )
    assert rewrite(schema, cyclic) is cyclic


def test_prepared_documents_are_cached_and_bounded() -> None:
    runner = Runner(Limits(document_cache=2))
    schema = build_schema(reg.standard())
    a = runner.prepare(schema, "{ people { totalCount } }")
    assert runner.prepare(schema, "{ people { totalCount } }") is a
    runner.prepare(schema, "{ companies { totalCount } }")
    runner.prepare(schema, "{ notes { totalCount } }")
    assert runner.prepare(schema, "{ people { totalCount } }") is not a
    assert len(runner._documents) == 2
    other = build_schema(reg.build(1, [_field("person", "x")]))
    assert runner.prepare(other, "{ people { totalCount } }") is not a


def _fragment_bomb(depth: int) -> str:
    """Fragments spreading the previous one twice: 2**depth fields once expanded."""
    parts = ["fragment F0 on Person { name }"]
    for i in range(1, depth):
        spread = f"...F{i - 1}"
        parts.append(
            f"fragment F{i} on Person {{ {spread} a{i}: company {{ people {{ {spread} }} }} }}"
        )
    return f"{{ people {{ edges {{ node {{ ...F{depth - 1} }} }} }} }} " + " ".join(parts)


def _calls(work: Any) -> tuple[Any, int]:
    """``work()`` and how many Python calls it made: a measure of work, not of time."""
    count = 0

    def profile(_frame: Any, event: str, _arg: Any) -> None:
        nonlocal count
        if event == "call":
            count += 1

    sys.setprofile(profile)
    try:
        result = work()
    finally:
        sys.setprofile(None)
    return result, count


def test_limit_rules_are_linear_on_fragment_bombs() -> None:
    runner = Runner(Limits())
    schema = build_schema(reg.standard())
    _, small = _calls(lambda: runner.prepare(schema, _fragment_bomb(10)))
    prepared, large = _calls(lambda: runner.prepare(schema, _fragment_bomb(30)))
    # Three times the fragments may cost about three times the work; expanding
    # them would cost 2**20 times as much.
    assert large < 5 * small, (small, large)
    codes = {e["extensions"]["code"] for e in prepared.errors}
    assert "BAD_USER_INPUT" in codes

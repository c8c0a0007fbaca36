"""The bounded map behind per-process caches, and the compiled-statement cache."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from rolodex.kit.db import Database
from rolodex.kit.lru import LRU


def test_lru_forgets_the_least_recently_used() -> None:
    lru: LRU[str, int] = LRU(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1  # now the most recent
    lru.put("c", 3)
    assert "b" not in lru and lru.get("a") == 1 and lru.get("c") == 3
    assert len(lru) == 2
    assert lru.pop("a") == 1 and lru.pop("a") is None
    with pytest.raises(ValueError):
        LRU(0)


def test_statement_cache_is_bounded_and_keeps_what_is_used() -> None:
    db = Database("sqlite:///:memory:", statement_cache=3)
    built: list[int] = []

    def build(n: int) -> sa.TextClause:
        built.append(n)
        return sa.text(f"SELECT {n}")

    hot = db.sql("hot", lambda: build(-1))
    for n in range(10):
        assert db.sql(("shape", n), lambda n=n: build(n)).text == f"SELECT {n}"  # type: ignore[misc]
        assert db.sql("hot", lambda: build(-1)) is hot  # used all along: never evicted
        assert len(db._cache) <= 3
    assert built.count(-1) == 1
    # An evicted statement is compiled again, the same.
    assert db.sql(("shape", 0), lambda: build(0)).text == "SELECT 0"
    assert built.count(0) == 2


def test_statement_cache_bound_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ROLODEX_STATEMENT_CACHE", "11")
    assert Database("sqlite:///:memory:")._cache.size == 11


def test_lru_stands_in_for_a_dict() -> None:
    lru: LRU[str, int] = LRU(1)
    lru["a"] = 1
    lru["b"] = 2
    assert "a" not in lru and lru.get("b") == 2
    assert lru.pop("a", 7) == 7 and lru.items() == [("b", 2)]


def test_webhook_caches_per_workspace_are_bounded() -> None:
    from rolodex.webhooks import service
    from rolodex.webhooks.dispatcher import Dispatcher

    assert isinstance(service._seen_types, LRU)
    dispatcher = Dispatcher(Database("sqlite:///:memory:"))
    assert isinstance(dispatcher._hooks, LRU) and dispatcher._hooks.size >= 1000

"""GraphQL totals: counted only when selected, bounded like REST's, flagged when estimated."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from rolodex.kit import db as kit_db
from tests import factories
from tests.conftest import LiveServer
from tests.graphql.helpers import data, error

BOUND = 5


@pytest.fixture
def api(db_url: str, api_key: str) -> Iterator[httpx.Client]:
    with LiveServer(db_url, count_limit=BOUND) as live, factories.http(live.url, api_key) as c:
        yield c


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The text of every statement the server fetches with (it runs in this process)."""
    seen: list[str] = []
    for cls in (kit_db.PgConn, kit_db.SqliteConn):
        original = cls.fetch

        async def fetch(
            self: Any,
            sql: kit_db.Sql,
            params: Any = None,
            *,
            last: bool = False,
            _original: Any = original,
        ) -> Any:
            seen.append(sql.text)
            return await _original(self, sql, params, last=last)

        monkeypatch.setattr(cls, "fetch", fetch)
    return seen


def seed(client: httpx.Client, n: int) -> None:
    people = [{"name": f"P{i}", "jobTitle": f"T{i % 3}"} for i in range(n)]
    assert client.post("/rest/batch/people", json=people).status_code == 201


def counting(texts: list[str]) -> list[str]:
    return [t for t in texts if "count(" in t.lower()]


def test_no_count_without_totalcount(api: httpx.Client, statements: list[str]) -> None:
    seed(api, 12)
    statements.clear()
    got = data(api, "{ people(first: 2) { edges { node { id } } pageInfo { hasNextPage } } }")
    assert len(got["people"]["edges"]) == 2
    assert statements and counting(statements) == [], statements
    # Through a fragment too, and with both count fields: one bounded count.
    statements.clear()
    query = """
      query { people(first: 2) { ...total } }
      fragment total on PersonConnection { totalCount totalCountIsExact }
    """
    got = data(api, query)["people"]
    assert got["totalCountIsExact"] is False and got["totalCount"] >= BOUND + 1
    [text] = counting(statements)
    assert f"LIMIT {BOUND + 1}" in text


def test_exactness_alone_counts(api: httpx.Client) -> None:
    seed(api, 3)
    got = data(api, "{ people { totalCountIsExact } }")
    assert got == {"people": {"totalCountIsExact": True}}


def test_count_modes(api: httpx.Client, backend: str) -> None:
    seed(api, 12)
    fields = "totalCount totalCountIsExact"
    default = data(api, f"{{ people(first: 1) {{ {fields} }} }}")["people"]
    assert default["totalCountIsExact"] is False and default["totalCount"] >= BOUND + 1
    if backend == "sqlite":
        assert default["totalCount"] == BOUND + 1
    estimate = data(api, f"{{ people(first: 1, count: ESTIMATE) {{ {fields} }} }}")["people"]
    assert estimate == default
    exact = data(api, f"{{ people(first: 1, count: EXACT) {{ {fields} }} }}")["people"]
    assert exact == {"totalCount": 12, "totalCountIsExact": True}
    none = data(api, f"{{ people(count: NONE) {{ {fields} }} }}")["people"]
    assert none == {"totalCount": None, "totalCountIsExact": None}
    query = 'query($c: CountMode) { people(first: 1, count: $c, filter: {jobTitle: {eq: "T1"}}) '
    filtered = data(api, query + f"{{ {fields} }} }}", {"c": "ESTIMATE"})["people"]
    assert filtered == {"totalCount": 4, "totalCountIsExact": True}


def test_a_bad_count_mode_is_refused(api: httpx.Client) -> None:
    e = error(api, "{ people(count: SOME) { totalCount } }")
    assert "CountMode" in e["message"]
    e = error(api, "query($c: CountMode) { people(count: $c) { totalCount } }", {"c": "exact"})
    assert "CountMode" in e["message"] or "exact" in e["message"]


def test_nested_totals_are_exact(api: httpx.Client) -> None:
    acme = factories.company(api, name="Acme")
    for i in range(3):
        factories.person(api, name=f"P{i}", companyId=acme["id"])
    got = data(api, "{ companies { edges { node { people { totalCount totalCountIsExact } } } } }")
    [edge] = got["companies"]["edges"]
    assert edge["node"]["people"] == {"totalCount": 3, "totalCountIsExact": True}

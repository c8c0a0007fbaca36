"""REST list totals: exact up to the count bound, estimated (and flagged) beyond it.

The server here counts at most ``BOUND`` matches exactly (``count_limit``, as
``ROLODEX_COUNT_LIMIT`` sets it), so a dozen records are already "many".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
from tests import factories
from tests.conftest import LiveServer

BOUND = 5


@pytest.fixture
def small(db_url: str) -> Iterator[LiveServer]:
    with LiveServer(db_url, count_limit=BOUND) as live:
        yield live


@pytest.fixture
def api(small: LiveServer, api_key: str) -> Iterator[httpx.Client]:
    with factories.http(small.url, api_key) as c:
        yield c


def seed(client: httpx.Client, n: int, **fields: Any) -> None:
    people = [{"name": f"P{i}", "jobTitle": f"T{i % 3}", **fields} for i in range(n)]
    r = client.post("/rest/batch/people", json=people)
    assert r.status_code == 201, r.text


def listed(client: httpx.Client, **params: Any) -> dict[str, Any]:
    r = client.get("/rest/people", params=params)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def assert_estimated(body: dict[str, Any], backend: str, at_least: int) -> None:
    """Past the bound: flagged, never below what was counted; SQLite says what it counted."""
    assert body["totalCountIsExact"] is False, body
    assert body["totalCount"] >= at_least
    if backend == "sqlite":
        assert body["totalCount"] == BOUND + 1


def test_within_the_bound_the_total_is_exact_in_twentys_shape(api: httpx.Client) -> None:
    seed(api, BOUND)
    body = listed(api, limit=2)
    assert body["totalCount"] == BOUND
    assert set(body) == {"data", "pageInfo", "totalCount"}  # exact: nothing added


def test_past_the_bound_the_total_is_flagged_as_an_estimate(
    api: httpx.Client, backend: str
) -> None:
    seed(api, 12)
    body = listed(api, limit=2)
    assert_estimated(body, backend, BOUND + 1)
    assert len(body["data"]["people"]) == 2 and body["pageInfo"]["hasNextPage"]
    assert listed(api, limit=2, count="estimate") == body


def test_exact_counts_every_match(api: httpx.Client) -> None:
    seed(api, 12)
    body = listed(api, limit=2, count="exact")
    assert body["totalCount"] == 12 and body["totalCountIsExact"] is True
    assert listed(api, count="EXACT")["totalCount"] == 12  # any case


def test_none_does_not_count(api: httpx.Client) -> None:
    seed(api, 3)
    body = listed(api, count="none")
    assert body["totalCount"] is None and body["totalCountIsExact"] is None
    assert len(body["data"]["people"]) == 3


def test_filtered_totals(api: httpx.Client, backend: str) -> None:
    seed(api, 12)  # four of each job title
    few = listed(api, filter="jobTitle[eq]:T1", limit=1)
    assert few["totalCount"] == 4 and "totalCountIsExact" not in few
    many = listed(api, filter="jobTitle[in]:[T0,T1]", limit=1)
    assert_estimated(many, backend, BOUND + 1)
    assert listed(api, filter="jobTitle[in]:[T0,T1]", count="exact")["totalCount"] == 8
    # A negation (matching most records) is bounded too.
    negated = listed(api, filter="jobTitle[neq]:T2", limit=1)
    assert_estimated(negated, backend, BOUND + 1)
    assert listed(api, filter="not(jobTitle[eq]:T2)", count="exact")["totalCount"] == 8
    assert listed(api, filter="name[eq]:nobody")["totalCount"] == 0


def test_a_page_past_the_end_counts_as_the_first_does(api: httpx.Client, backend: str) -> None:
    seed(api, 12)
    first = listed(api, limit=200)
    after = first["pageInfo"]["endCursor"]
    beyond = listed(api, limit=2, starting_after=after)
    assert beyond["data"]["people"] == []
    assert_estimated(beyond, backend, BOUND + 1)
    exact = listed(api, limit=2, starting_after=after, count="exact")
    assert exact["totalCount"] == 12 and exact["totalCountIsExact"] is True


def test_soft_deleted_records_are_not_counted(api: httpx.Client) -> None:
    seed(api, BOUND + 1)
    victim = listed(api, limit=1)["data"]["people"][0]["id"]
    assert api.delete(f"/rest/people/{victim}", params={"soft_delete": "true"}).is_success
    body = listed(api)
    assert body["totalCount"] == BOUND and "totalCountIsExact" not in body


def test_postgresql_estimates_from_its_statistics(
    api: httpx.Client, backend: str, db_url: str
) -> None:
    if backend != "postgresql":
        pytest.skip("the planner's estimate is PostgreSQL's")
    seed(api, 300)
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("ANALYZE person")
    body = listed(api, limit=1)
    assert body["totalCountIsExact"] is False
    assert 200 <= body["totalCount"] <= 450, body["totalCount"]
    some = listed(api, filter="jobTitle[eq]:T0", limit=1)  # 100 of the 300
    assert some["totalCountIsExact"] is False
    assert 50 <= some["totalCount"] <= 200, some["totalCount"]


def test_substring_filters_ask_the_planner_before_counting(
    api: httpx.Client, backend: str, db_url: str
) -> None:
    seed(api, 300)
    if backend == "postgresql":
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute("ANALYZE person")
    many = listed(api, filter="name[like]:%P%", limit=1)
    assert_estimated(many, backend, BOUND + 1)
    if backend == "postgresql":
        assert 150 <= many["totalCount"] <= 600, many["totalCount"]
    assert listed(api, filter="name[like]:%P%", count="exact")["totalCount"] == 300
    # A result that fits on the page is exact whatever the planner guessed.
    few = listed(api, filter="name[like]:P29_", limit=60)
    assert few["totalCount"] == 10 and few.get("totalCountIsExact", True) is True, few


def test_custom_objects_count_the_same_way(api: httpx.Client) -> None:
    r = api.post(
        "/rest/metadata/objects",
        json={"nameSingular": "deal", "namePlural": "deals", "labelSingular": "Deal"},
    )
    assert r.status_code == 201, r.text
    r = api.post("/rest/batch/deals", json=[{"name": f"D{i}"} for i in range(BOUND + 2)])
    assert r.status_code == 201, r.text
    assert api.get("/rest/deals", params={"limit": 2}).json()["totalCountIsExact"] is False
    whole = api.get("/rest/deals").json()  # every match on the page: counted, so exact
    assert whole["totalCount"] == BOUND + 2 and "totalCountIsExact" not in whole
    exact = api.get("/rest/deals", params={"count": "exact"}).json()
    assert exact["totalCount"] == BOUND + 2 and exact["totalCountIsExact"] is True
    assert api.get("/rest/deals", params={"count": "none"}).json()["totalCount"] is None
    assert api.get("/rest/deals", params={"count": "nope"}).status_code == 400


@pytest.mark.parametrize("value", ["nope", "exactly", "0", "true"])
def test_a_bad_count_is_a_400_naming_the_choices(api: httpx.Client, value: str) -> None:
    r = api.get("/rest/people", params={"count": value})
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["statusCode"] == 400
    for choice in ("exact", "estimate", "none"):
        assert choice in body["message"], body


def test_the_default_bound_counts_ten_thousand(client: httpx.Client) -> None:
    """Without configuration, a small list is counted exactly and says nothing more."""
    seed(client, 30)
    body = listed(client, limit=1)
    assert body["totalCount"] == 30 and set(body) == {"data", "pageInfo", "totalCount"}
    assert listed(client, count="estimate")["totalCountIsExact"] is True


def test_the_bound_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from rolodex.config import COUNT_LIMIT, Settings

    assert Settings().count_limit == COUNT_LIMIT == 10_000
    monkeypatch.setenv("ROLODEX_COUNT_LIMIT", "250")
    assert Settings().count_limit == 250
    for bad in ("-1", "many"):
        monkeypatch.setenv("ROLODEX_COUNT_LIMIT", bad)
        with pytest.raises(SystemExit, match="ROLODEX_COUNT_LIMIT"):
            Settings()


def test_the_openapi_document_offers_count(client: httpx.Client) -> None:
    doc = client.get("/rest/openapi.json").json()
    op = doc["paths"]["/rest/people"]["get"]
    names = set()
    for p in op["parameters"]:
        if "$ref" in p:
            p = doc["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]]
        names.add(p["name"])
    assert "count" in names
    schema = op["responses"]["200"]["content"]["application/json"]["schema"]
    assert "totalCountIsExact" in schema["properties"]
    assert "totalCountIsExact" not in schema["required"]


def test_after_an_overflow_small_results_of_the_same_shape_stay_exact(
    api: httpx.Client, backend: str, db_url: str
) -> None:
    # T0 overflows the bound many times over; once it has, lists of the same
    # shape ask the planner first, and one that matches a few records must
    # still count them exactly.
    seed(api, 300)
    seed(api, 3, jobTitle="Rare")
    if backend == "postgresql":
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute("ANALYZE person")
    for _ in range(2):
        many = listed(api, filter="jobTitle[eq]:T0", limit=1)
        assert_estimated(many, backend, BOUND + 1)
        if backend == "postgresql":
            assert 50 <= many["totalCount"] <= 200, many["totalCount"]
    rare = listed(api, filter="jobTitle[eq]:Rare", limit=1)
    assert rare["totalCount"] == 3 and "totalCountIsExact" not in rare, rare
    assert listed(api, filter="jobTitle[eq]:T0", count="exact")["totalCount"] == 100

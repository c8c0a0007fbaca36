"""The GraphQL ``search`` root field, in Twenty's shape."""

from __future__ import annotations

from typing import Any

import httpx

from tests import factories
from tests.graphql.helpers import data, error

SEARCH = """
query Search($q: String, $objects: [String!], $limit: Int) {
  search(query: $q, objects: $objects, limit: $limit) {
    edges { node { recordId id objectNameSingular object label imageUrl score tsRank tsRankCD }
            cursor }
    pageInfo { hasNextPage endCursor }
  }
}
"""

TWENTY = """
query Search($searchInput: String!, $limit: Int!, $included: [String!], $excluded: [String!]) {
  search(searchInput: $searchInput, limit: $limit, includedObjectNameSingulars: $included,
         excludedObjectNameSingulars: $excluded) {
    edges { node { recordId objectNameSingular label imageUrl tsRankCD tsRank } cursor }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def _create(client: httpx.Client, objects: str, body: dict[str, Any]) -> dict[str, Any]:
    r = client.post(f"/rest/{objects}", json=body)
    assert r.status_code == 201, r.text
    return next(iter(r.json()["data"].values()))


def test_search_query(client: httpx.Client) -> None:
    ada = _create(client, "people", {"name": "Ada Lovelace"})
    _create(client, "companies", {"name": "Lovelace Labs", "domain": "lovelace.example"})
    _create(client, "people", {"name": "Zoë Lovell"})
    result = data(client, SEARCH, {"q": "LOVELACE", "objects": ["people"]})["search"]
    (edge,) = result["edges"]
    node = edge["node"]
    assert node["recordId"] == node["id"] == ada["id"]
    assert (node["objectNameSingular"], node["object"], node["label"]) == (
        "person",
        "people",
        "Ada Lovelace",
    )
    assert node["imageUrl"] is None
    assert node["score"] == node["tsRank"] == node["tsRankCD"]
    assert result["pageInfo"] == {"hasNextPage": False, "endCursor": edge["cursor"]}
    every = data(client, SEARCH, {"q": "lov"})["search"]["edges"]
    assert {e["node"]["label"] for e in every} == {"Ada Lovelace", "Lovelace Labs", "Zoë Lovell"}
    one = data(client, SEARCH, {"q": "lov", "limit": 1})["search"]
    assert len(one["edges"]) == 1 and one["pageInfo"]["hasNextPage"] is True


def test_twenty_arguments(client: httpx.Client) -> None:
    _create(client, "people", {"name": "Ada Lovelace"})
    _create(client, "companies", {"name": "Lovelace Labs"})
    found = data(client, TWENTY, {"searchInput": "zoe lov", "limit": 10})["search"]["edges"]
    assert found == []
    found = data(client, TWENTY, {"searchInput": "lovelace", "limit": 10, "included": ["company"]})
    assert [e["node"]["label"] for e in found["search"]["edges"]] == ["Lovelace Labs"]
    found = data(client, TWENTY, {"searchInput": "lovelace", "limit": 10, "excluded": ["company"]})
    assert [e["node"]["label"] for e in found["search"]["edges"]] == ["Ada Lovelace"]


def test_errors(client: httpx.Client) -> None:
    for variables, part in (
        ({"q": ""}, "query is required"),
        ({"q": "ada", "objects": ["persn"]}, "Did you mean"),
        ({"q": "ada", "limit": 101}, "limit is 1 to 100"),
        ({"q": "x" * 300}, "at most 200"),
    ):
        e = error(client, SEARCH, variables)
        assert part in e["message"], (variables, e)
        assert e["extensions"]["code"] == "BAD_USER_INPUT"


def test_scope_and_isolation(server: Any, db_url: str, client: httpx.Client) -> None:
    _create(client, "people", {"name": "Ada Lovelace"})
    key = factories.make_key(db_url, scopes=["metadata:read"])
    with factories.http(server.url, key) as c:
        e = error(c, SEARCH, {"q": "ada"})
        assert e["extensions"]["code"] == "FORBIDDEN"
    other = factories.make_workspace(db_url)
    with factories.http(server.url, factories.make_key(db_url, workspace=other)) as c:
        assert data(c, SEARCH, {"q": "ada"})["search"]["edges"] == []


def test_metadata_says_which_fields_are_searched(client: httpx.Client) -> None:
    found = data(client, "{ metadata { objects { name fields { name isSearchable } } } }")[
        "metadata"
    ]["objects"]
    person = next(o for o in found if o["name"] == "person")
    searched = {f["name"] for f in person["fields"] if f["isSearchable"]}
    assert searched == {"name", "email", "jobTitle"}

"""Filters and orderings through a relation (docs/api.md, "Filters and ordering across
relations"): REST and GraphQL, to-one and to-many, standard and custom relations."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests import factories


def batch(client: httpx.Client, plural: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    r = client.post(f"/rest/batch/{plural}", json=items)
    assert r.status_code == 201, r.text
    return next(iter(r.json()["data"].values()))  # type: ignore[no-any-return]


def names(client: httpx.Client, plural: str, label: str = "name", **params: Any) -> list[str]:
    r = client.get(f"/rest/{plural}", params={"limit": 200, **params})
    assert r.status_code == 200, r.text
    body = r.json()
    records = body["data"][plural]
    assert body["totalCount"] == len(records), params
    return [rec[label] for rec in records]


def matching(client: httpx.Client, plural: str, flt: str) -> set[str]:
    return set(names(client, plural, filter=flt))


def bad(r: httpx.Response, *needles: str) -> str:
    assert r.status_code == 400, f"{r.status_code} {r.text[:300]}"
    message = r.json()["message"]
    for needle in needles:
        assert needle in message, (needle, message)
    return str(message)


@pytest.fixture
def crm(client: httpx.Client) -> dict[str, Any]:
    """Three companies, five people (one without a company), notes on some of them."""
    companies = {
        c["name"]: c
        for c in batch(
            client,
            "companies",
            [
                {"name": "Acme", "employees": 500},
                {"name": "Globex", "employees": 50},
                {"name": "Initech", "employees": 100},
            ],
        )
    }
    rows = [
        ("Ada", "Acme"),
        ("Bob", "Globex"),
        ("Carol", "Acme"),
        ("Dan", None),
        ("Eve", "Initech"),
    ]
    people = {
        p["name"]: p
        for p in batch(
            client,
            "people",
            [{"name": n, "companyId": c and companies[c]["id"]} for n, c in rows],
        )
    }
    batch(
        client,
        "notes",
        [
            {"title": "n1", "body": "Talked about PRICING", "personId": people["Ada"]["id"]},
            {"title": "n2", "body": "lunch", "personId": people["Ada"]["id"]},
            {"title": "n3", "body": "pricing again", "personId": people["Bob"]["id"]},
            {"title": "n4", "body": "nothing", "personId": people["Carol"]["id"]},
            {"title": "n5", "body": "pricing, company-wide", "companyId": companies["Acme"]["id"]},
        ],
    )
    return {"companies": companies, "people": people}


def test_to_one_filters(client: httpx.Client, crm: dict[str, Any]) -> None:
    cases = {
        "company.name[eq]:Acme": {"Ada", "Carol"},
        "company.employees[gte]:100": {"Ada", "Carol", "Eve"},
        "company.employees[lt]:100": {"Bob"},
        "company.name[in]:[Globex,Initech]": {"Bob", "Eve"},
        "company.name[ilike]:%TECH": {"Eve"},
        # "Has a company that is not Acme": Dan has none.
        "company.name[neq]:Acme": {"Bob", "Eve"},
        # not(...) keeps the people without a company.
        "not(company.name[eq]:Acme)": {"Bob", "Dan", "Eve"},
        "or(company.name[eq]:Globex,name[eq]:Dan)": {"Bob", "Dan"},
        "and(company.employees[gte]:100,not(company.name[eq]:Acme))": {"Eve"},
        "company.name[eq]:Acme,name[startsWith]:C": {"Carol"},
        "company_id[is]:NULL": {"Dan"},
        "company.id[eq]:" + crm["companies"]["Globex"]["id"]: {"Bob"},
    }
    got = {flt: matching(client, "people", flt) for flt in cases}
    assert got == cases


def test_to_many_means_has_at_least_one(client: httpx.Client, crm: dict[str, Any]) -> None:
    cases = {
        "notes.body[ilike]:%pricing%": {"Ada", "Bob"},
        "notes.body[eq]:nothing": {"Carol"},
        "not(notes.body[ilike]:%pricing%)": {"Carol", "Dan", "Eve"},
        "notes.title[is]:NOT_NULL": {"Ada", "Bob", "Carol"},
        "or(notes.body[eq]:nothing,company.name[eq]:Initech)": {"Carol", "Eve"},
        # Each condition is its own "has at least one": Ada's two notes match both.
        "and(notes.body[ilike]:%pricing%,notes.body[eq]:lunch)": {"Ada"},
    }
    got = {flt: matching(client, "people", flt) for flt in cases}
    assert got == cases
    # The other way round: companies with a person named Bob; with a pricing note.
    assert matching(client, "companies", "people.name[eq]:Bob") == {"Globex"}
    assert matching(client, "companies", "notes.body[contains]:pricing") == {"Acme"}
    # And from notes to their person's company is two relations deep.
    bad(
        client.get("/rest/notes", params={"filter": "person.company.name[eq]:Acme"}),
        "person.company.name",
        "one relation deep",
    )


def test_soft_deleted_related_records_do_not_count(
    client: httpx.Client, crm: dict[str, Any]
) -> None:
    note = names(client, "notes", label="id", filter="body[eq]:nothing")[0]
    assert client.delete(f"/rest/notes/{note}", params={"soft_delete": "true"}).is_success
    assert matching(client, "people", "notes.body[eq]:nothing") == set()


def test_counts_and_estimates_with_relation_filters(
    client: httpx.Client, crm: dict[str, Any]
) -> None:
    for count in ("exact", "estimate"):
        r = client.get(
            "/rest/people",
            params={"filter": "notes.body[ilike]:%pricing%", "count": count, "limit": 1},
        )
        assert r.status_code == 200, r.text
        assert r.json()["totalCount"] == 2
        assert len(r.json()["data"]["people"]) == 1
        after = r.json()["pageInfo"]["endCursor"]
        r = client.get(
            "/rest/people",
            params={
                "filter": "notes.body[ilike]:%pricing%",
                "count": count,
                "limit": 1,
                "starting_after": after,
            },
        )
        assert r.status_code == 200, r.text
        assert r.json()["totalCount"] == 2
        [second] = r.json()["data"]["people"]
        assert second["name"] in {"Ada", "Bob"} and r.json()["pageInfo"]["hasNextPage"] is False

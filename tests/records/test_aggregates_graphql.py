"""GraphQL aggregates: Twenty's aggregate fields on connections, and ``{objects}GroupBy``."""

from __future__ import annotations

from typing import Any

import httpx
from tests import factories
from tests.graphql.helpers import data, error


def batch(client: httpx.Client, objects: str, items: list[dict[str, Any]]) -> list[Any]:
    r = client.post(f"/rest/batch/{objects}", json=items)
    assert r.status_code == 201, r.text
    return next(iter(r.json()["data"].values()))  # type: ignore[no-any-return]


def seed_companies(client: httpx.Client) -> None:
    batch(
        client,
        "companies",
        [
            {"name": "A", "employees": 10, "address": "x"},
            {"name": "A", "employees": 30},
            {"name": "B", "employees": 5, "address": "y"},
            {"name": "C"},
        ],
    )


def test_connection_aggregate_fields(client: httpx.Client) -> None:
    seed_companies(client)
    got = data(
        client,
        """{ companies(first: 1) {
              totalCount sumEmployees avgEmployees minEmployees maxEmployees
              countEmptyEmployees countNotEmptyAddress countUniqueValuesName
              percentageEmptyEmployees percentageNotEmptyAddress
              ...more
              edges { node { name } }
           } }
           fragment more on CompanyConnection { minCreatedAt maxCreatedAt }""",
    )["companies"]
    assert got["totalCount"] == 4 and len(got["edges"]) == 1  # over the filter, not the page
    assert got["sumEmployees"] == 45 and got["avgEmployees"] == 15
    assert got["minEmployees"] == 5 and got["maxEmployees"] == 30
    assert got["countEmptyEmployees"] == 1 and got["countNotEmptyAddress"] == 2
    assert got["countUniqueValuesName"] == 3
    assert got["percentageEmptyEmployees"] == 0.25 and got["percentageNotEmptyAddress"] == 0.5
    assert got["minCreatedAt"] <= got["maxCreatedAt"]
    filtered = data(
        client,
        '{ companies(filter: {name: {eq: "A"}}) { sumEmployees countUniqueValuesEmployees } }',
    )["companies"]
    assert filtered == {"sumEmployees": 40, "countUniqueValuesEmployees": 2}


def test_aggregate_fields_exist_only_where_they_apply(client: httpx.Client) -> None:
    assert "Cannot query field 'sumName'" in error(client, "{ companies { sumName } }")["message"]
    assert "avgJobTitle" in error(client, "{ people { avgJobTitle } }")["message"]
    names = data(client, '{ __type(name: "PersonConnection") { fields { name } } }')["__type"][
        "fields"
    ]
    have = {f["name"] for f in names}
    assert {"countEmptyJobTitle", "countNotEmptyEmail", "minCreatedAt", "maxUpdatedAt"} <= have
    assert "countUniqueValuesTags" not in have and "sumJobTitle" not in have


def test_group_by_with_dates_relations_and_two_levels(client: httpx.Client) -> None:
    acme = factories.company(client, name="Acme", employees=100)
    batch(
        client,
        "people",
        [
            {"name": "A", "jobTitle": "CTO", "companyId": acme["id"]},
            {"name": "B", "jobTitle": "CTO"},
            {"name": "C", "jobTitle": "CEO", "companyId": acme["id"]},
        ],
    )
    groups = data(
        client,
        """{ peopleGroupBy(groupBy: [{jobTitle: true}]) {
              groupByDimensionValues key totalCount countNotEmptyCompanyId
           } }""",
    )["peopleGroupBy"]
    assert groups == [
        {
            "groupByDimensionValues": ["CTO"],
            "key": {"jobTitle": "CTO"},
            "totalCount": 2,
            "countNotEmptyCompanyId": 1,
        },
        {
            "groupByDimensionValues": ["CEO"],
            "key": {"jobTitle": "CEO"},
            "totalCount": 1,
            "countNotEmptyCompanyId": 1,
        },
    ]
    by_company = data(
        client,
        """query($f: PersonFilterInput) {
             peopleGroupBy(groupBy: [{companyId: true}, {createdAt: {granularity: MONTH}}],
                           filter: $f, limit: 10) { key labels totalCount } }""",
        {"f": {"companyId": {"is": "NOT_NULL"}}},
    )["peopleGroupBy"]
    assert len(by_company) == 1
    assert by_company[0]["labels"] == {"companyId": "Acme"} and by_company[0]["totalCount"] == 2
    assert by_company[0]["key"]["createdAt"].endswith("-01")
    tasks = batch(
        client,
        "tasks",
        [
            {"title": "a", "dueDate": "2025-10-27T08:00:00Z"},
            {"title": "b", "dueDate": "2025-11-02T08:00:00Z"},
        ],
    )
    assert len(tasks) == 2
    weeks = data(
        client,
        "{ tasksGroupBy(groupBy: [{dueDate: {granularity: WEEK}}]) { key totalCount } }",
    )["tasksGroupBy"]
    assert weeks == [{"key": {"dueDate": "2025-10-27"}, "totalCount": 2}]
    companies = data(
        client, "{ companiesGroupBy(groupBy: []) { totalCount sumEmployees avgEmployees } }"
    )["companiesGroupBy"]
    assert companies == [{"totalCount": 1, "sumEmployees": 100, "avgEmployees": 100}]


def test_group_by_custom_fields(client: httpx.Client) -> None:
    for body in (
        {"name": "tier", "type": "SELECT", "options": ["GOLD", "SILVER"]},
        {"name": "score", "type": "NUMBER"},
        {"name": "vip", "type": "BOOLEAN"},
    ):
        r = client.post("/rest/metadata/fields", json={"objectName": "person", **body})
        assert r.status_code == 201, r.text
    batch(
        client,
        "people",
        [
            {"name": "A", "tier": "GOLD", "score": 2, "vip": True},
            {"name": "B", "tier": "GOLD", "score": 4, "vip": False},
            {"name": "C", "tier": "SILVER", "score": 1},
        ],
    )
    got = data(
        client,
        "{ peopleGroupBy(groupBy: [{tier: true}, {vip: true}]) "
        "{ groupByDimensionValues totalCount sumScore } }",
    )["peopleGroupBy"]
    assert got == [
        {"groupByDimensionValues": ["GOLD", "false"], "totalCount": 1, "sumScore": 4},
        {"groupByDimensionValues": ["GOLD", "true"], "totalCount": 1, "sumScore": 2},
        {"groupByDimensionValues": ["SILVER", None], "totalCount": 1, "sumScore": 1},
    ]
    assert data(client, "{ people { avgScore } }")["people"] == {"avgScore": 7 / 3}


def test_group_by_errors(client: httpx.Client) -> None:
    too_many = error(
        client,
        "{ peopleGroupBy(groupBy: [{jobTitle: true}, {name: true}, {planet: true}]) { key } }",
    )
    assert "planet" in too_many["message"]  # not a field of the input
    three = error(
        client,
        "{ peopleGroupBy(groupBy: [{jobTitle: true}, {name: true}, {email: true}]) { key } }",
    )
    assert "at most 2 fields" in three["message"]
    both = error(client, "{ peopleGroupBy(groupBy: [{jobTitle: true, name: true}]) { key } }")
    assert "names one field" in both["message"]
    unit = error(client, "{ peopleGroupBy(groupBy: [{createdAt: {granularity: NONE}}]) { key } }")
    assert "Group createdAt by a unit" in unit["message"]
    limit = error(client, "{ peopleGroupBy(groupBy: [{jobTitle: true}], limit: 5000) { key } }")
    assert "limit" in limit["message"]
    assert "tags" in error(client, "{ peopleGroupBy(groupBy: [{tags: true}]) { key } }")["message"]


def test_nested_connections_leave_aggregates_null_and_scopes_hold(
    client: httpx.Client, server: Any, db_url: str
) -> None:
    acme = factories.company(client, name="Acme", employees=3)
    factories.person(client, name="Ada", companyId=acme["id"])
    got = data(
        client,
        "{ companies { sumEmployees edges { node { people { totalCount countNotEmptyName } } } } }",
    )["companies"]
    assert got["sumEmployees"] == 3
    assert got["edges"][0]["node"]["people"] == {"totalCount": 1, "countNotEmptyName": None}
    other = factories.make_key(db_url, workspace=factories.make_workspace(db_url))
    with factories.http(server.url, other) as c:
        got = data(c, "{ companies { sumEmployees countNotEmptyName percentageEmptyName } }")
        assert got["companies"] == {
            "sumEmployees": None,
            "countNotEmptyName": 0,
            "percentageEmptyName": None,
        }
        assert data(c, "{ companiesGroupBy(groupBy: [{name: true}]) { key } }") == {
            "companiesGroupBy": []
        }
    no_records = factories.make_key(db_url, scopes=["metadata:read"])
    with factories.http(server.url, no_records) as c:
        denied = error(c, "{ companiesGroupBy(groupBy: [{name: true}]) { key } }")
        assert denied["extensions"]["code"] == "FORBIDDEN"

"""REST aggregates: ``GET /rest/{objects}/aggregate`` on both databases."""

from __future__ import annotations

from typing import Any

import httpx
from tests import factories


def agg(client: httpx.Client, path: str = "people", status: int = 200, **params: Any) -> Any:
    r = client.get(f"/rest/{path}/aggregate", params=params)
    assert r.status_code == status, r.text
    return r.json()["data"] if status == 200 else r.json()


def batch(client: httpx.Client, objects: str, items: list[dict[str, Any]]) -> list[Any]:
    r = client.post(f"/rest/batch/{objects}", json=items)
    assert r.status_code == 201, r.text
    return next(iter(r.json()["data"].values()))  # type: ignore[no-any-return]


def field(client: httpx.Client, **body: Any) -> None:
    r = client.post("/rest/metadata/fields", json=body)
    assert r.status_code == 201, r.text


def test_count_without_groups_and_the_route_is_not_a_record_id(client: httpx.Client) -> None:
    batch(client, "people", [{"name": f"P{i}"} for i in range(3)])
    assert agg(client) == {"groups": [{"key": {}, "count": 3}], "hasMore": False}
    assert client.get("/rest/people/aggregate/").status_code == 200  # trailing slash
    # Other methods still reach the record routes, which refuse the id.
    assert client.patch("/rest/people/aggregate", json={"name": "x"}).status_code in (400, 404)


def test_group_by_text_orders_by_count_then_key_with_empty_last(client: httpx.Client) -> None:
    titles = ["CTO", "CEO", "CTO", None, "CEO", "CTO", None, "Dev"]
    batch(client, "people", [{"name": f"P{i}", "jobTitle": t} for i, t in enumerate(titles)])
    got = agg(client, group_by="jobTitle")
    assert [(g["key"]["jobTitle"], g["count"]) for g in got["groups"]] == [
        ("CTO", 3),
        ("CEO", 2),
        (None, 2),
        ("Dev", 1),
    ]
    assert got["hasMore"] is False
    limited = agg(client, group_by="jobTitle", limit=2, totals="true")
    assert [g["key"]["jobTitle"] for g in limited["groups"]] == ["CTO", "CEO"]
    assert limited["hasMore"] is True
    assert limited["totals"] == {"count": 8}


def test_every_metric_over_numbers(client: httpx.Client) -> None:
    batch(
        client,
        "companies",
        [
            {"name": "A", "employees": 10, "address": "x"},
            {"name": "B", "employees": 30},
            {"name": "C", "employees": 30, "address": "y"},
            {"name": "D", "address": ""},
        ],
    )
    metrics = (
        "count,sum:employees,avg:employees,min:employees,max:employees,"
        "countEmpty:employees,countNotEmpty:address,countDistinct:employees,"
        "countUniqueValues:employees,min:createdAt"
    )
    got = agg(client, "companies", metrics=metrics)["groups"][0]
    assert got["count"] == 4
    assert got["sum"] == {"employees": 70}
    assert got["avg"]["employees"] == 70 / 3
    assert got["min"]["employees"] == 10 and got["max"] == {"employees": 30}
    assert got["countEmpty"] == {"employees": 1}
    assert got["countNotEmpty"] == {"address": 2}  # an empty string is no value
    assert got["countDistinct"] == {"employees": 2}  # countUniqueValues is the same metric
    assert got["min"]["createdAt"].endswith("Z")


def test_metrics_per_group_and_filters(client: httpx.Client) -> None:
    batch(
        client,
        "companies",
        [
            {"name": "A", "employees": 10, "tags": ["x"]},
            {"name": "A", "employees": 20},
            {"name": "B", "employees": 5},
            {"name": "C", "employees": 500},
        ],
    )
    got = agg(
        client,
        "companies",
        group_by="name",
        metrics="sum:employees,max:employees",
        filter="employees[lt]:100",
    )
    assert got["groups"] == [
        {"key": {"name": "A"}, "count": 2, "sum": {"employees": 30}, "max": {"employees": 20}},
        {"key": {"name": "B"}, "count": 1, "sum": {"employees": 5}, "max": {"employees": 5}},
    ]
    got = agg(client, "companies", group_by="name", filter="or(name[eq]:C,tags[contains]:x)")
    assert [(g["key"]["name"], g["count"]) for g in got["groups"]] == [("A", 1), ("C", 1)]


def test_deleted_records_are_left_out_as_lists_do(client: httpx.Client) -> None:
    people = batch(client, "people", [{"name": f"P{i}", "jobTitle": "X"} for i in range(3)])
    assert client.delete(f"/rest/people/{people[0]['id']}?soft_delete=true").status_code == 200
    assert agg(client, group_by="jobTitle")["groups"][0]["count"] == 2
    deleted = agg(client, filter="deletedAt[is]:NOT_NULL")
    assert deleted["groups"][0]["count"] == 1


def test_group_by_select_and_dates_cut_to_units(client: httpx.Client) -> None:
    days = [
        "2025-10-27T08:00:00Z",  # a Monday
        "2025-11-02T23:59:00Z",  # the Sunday of the same ISO week
        "2025-11-03T00:00:00Z",  # the next Monday
        "2025-10-01T00:00:00Z",
    ]
    batch(
        client,
        "tasks",
        [
            {"title": f"T{i}", "dueDate": d, "status": "TODO" if i == 2 else "DONE"}
            for i, d in enumerate(days)
        ],
    )
    week = agg(client, "tasks", group_by="dueDate:week")["groups"]
    assert [(g["key"]["dueDate"], g["count"]) for g in week] == [
        ("2025-10-27", 2),
        ("2025-09-29", 1),
        ("2025-11-03", 1),
    ]
    month = agg(client, "tasks", group_by="dueDate:month")["groups"]
    assert [(g["key"]["dueDate"], g["count"]) for g in month] == [
        ("2025-10-01", 2),
        ("2025-11-01", 2),
    ]
    day = agg(client, "tasks", group_by="dueDate:day", limit=1)["groups"]
    assert day[0]["count"] == 1 and day[0]["key"]["dueDate"] == "2025-10-01"
    year = agg(client, "tasks", group_by="dueDate:YEAR")["groups"]
    assert year == [{"key": {"dueDate": "2025-01-01"}, "count": 4}]
    two = agg(client, "tasks", group_by="status,dueDate:month")["groups"]
    assert [(g["key"]["status"], g["key"]["dueDate"], g["count"]) for g in two] == [
        ("DONE", "2025-10-01", 2),
        ("DONE", "2025-11-01", 1),
        ("TODO", "2025-11-01", 1),
    ]
    created = agg(client, "tasks", group_by="createdAt:day")["groups"]
    assert (
        len(created) == 1 and created[0]["count"] == 4 and len(created[0]["key"]["createdAt"]) == 10
    )


def test_group_by_a_relation_names_the_related_record(client: httpx.Client) -> None:
    acme = factories.company(client, name="Acme")
    globex = factories.company(client, name="Globex")
    batch(
        client,
        "people",
        [
            {"name": "A", "companyId": acme["id"], "jobTitle": "CTO"},
            {"name": "B", "companyId": acme["id"], "jobTitle": "CEO"},
            {"name": "C", "companyId": globex["id"], "jobTitle": "CTO"},
            {"name": "D"},
        ],
    )
    got = agg(client, group_by="companyId")["groups"]
    assert [(g["key"]["companyId"], g["labels"]["companyId"], g["count"]) for g in got] == [
        (acme["id"], "Acme", 2),
        (globex["id"], "Globex", 1),
        (None, None, 1),
    ]
    assert agg(client, group_by="company")["groups"] == got  # the relation's name works too
    two = agg(client, group_by="companyId,jobTitle", filter="companyId[is]:NOT_NULL")["groups"]
    assert [(g["labels"]["companyId"], g["key"]["jobTitle"], g["count"]) for g in two] == [
        ("Acme", "CEO", 1),
        ("Acme", "CTO", 1),
        ("Globex", "CTO", 1),
    ]  # ids are time-ordered: Acme's comes first


def test_custom_fields_and_custom_objects(client: httpx.Client) -> None:
    field(client, objectName="person", name="score", type="NUMBER")
    field(client, objectName="person", name="vip", type="BOOLEAN")
    field(client, objectName="person", name="tier", type="SELECT", options=["GOLD", "SILVER"])
    field(client, objectName="person", name="metAt", type="DATE_TIME")
    field(client, objectName="person", name="born", type="DATE")
    batch(
        client,
        "people",
        [
            {
                "name": "A",
                "score": 1.5,
                "vip": True,
                "tier": "GOLD",
                "metAt": "2025-03-04T10:00:00Z",
            },
            {"name": "B", "score": 2.5, "vip": True, "tier": "GOLD", "born": "1990-05-17"},
            {
                "name": "C",
                "score": 4,
                "vip": False,
                "tier": "SILVER",
                "metAt": "2025-03-30T10:00:00Z",
            },
            {"name": "D"},
        ],
    )
    got = agg(client, group_by="tier", metrics="sum:score,avg:score,max:metAt,countEmpty:vip")
    assert got["groups"] == [
        {
            "key": {"tier": "GOLD"},
            "count": 2,
            "sum": {"score": 4},
            "avg": {"score": 2},
            "max": {"metAt": "2025-03-04T10:00:00.000Z"},
            "countEmpty": {"vip": 0},
        },
        {
            "key": {"tier": "SILVER"},
            "count": 1,
            "sum": {"score": 4},
            "avg": {"score": 4},
            "max": {"metAt": "2025-03-30T10:00:00.000Z"},
            "countEmpty": {"vip": 0},
        },
        {
            "key": {"tier": None},
            "count": 1,
            "sum": {"score": None},
            "avg": {"score": None},
            "max": {"metAt": None},
            "countEmpty": {"vip": 1},
        },
    ]
    vip = agg(client, group_by="vip")["groups"]
    assert [(g["key"]["vip"], g["count"]) for g in vip] == [(True, 2), (False, 1), (None, 1)]
    met = agg(client, group_by="metAt:month", filter="metAt[is]:NOT_NULL")["groups"]
    assert met == [{"key": {"metAt": "2025-03-01"}, "count": 2}]
    born = agg(client, group_by="born:week", filter="born[is]:NOT_NULL")["groups"]
    assert born == [{"key": {"born": "1990-05-14"}, "count": 1}]
    exact = agg(client, group_by="born", filter="born[is]:NOT_NULL")["groups"]
    assert exact == [{"key": {"born": "1990-05-17"}, "count": 1}]

    r = client.post("/rest/metadata/objects", json={"nameSingular": "deal", "namePlural": "deals"})
    assert r.status_code == 201, r.text
    field(client, objectName="deal", name="stage", type="SELECT", options=["NEW", "WON"])
    field(client, objectName="deal", name="value", type="NUMBER")
    field(client, objectName="deal", name="company", type="RELATION", relationTarget="company")
    acme = factories.company(client, name="Acme")
    batch(
        client,
        "deals",
        [
            {"name": "a", "stage": "NEW", "value": 5, "companyId": acme["id"]},
            {"name": "b", "stage": "NEW", "value": 7},
            {"name": "c", "stage": "WON", "value": 100, "companyId": acme["id"]},
        ],
    )
    deals = agg(client, "deals", group_by="stage", metrics="sum:value")["groups"]
    assert deals == [
        {"key": {"stage": "NEW"}, "count": 2, "sum": {"value": 12}},
        {"key": {"stage": "WON"}, "count": 1, "sum": {"value": 100}},
    ]
    by_company = agg(client, "deals", group_by="companyId", metrics="sum:value")["groups"]
    assert by_company[0]["labels"] == {"companyId": "Acme"} and by_company[0]["sum"] == {
        "value": 105
    }
    # Another object of the same table is not counted.
    assert agg(client, "deals")["groups"][0]["count"] == 3


def test_bad_requests_are_clear_400s(client: httpx.Client) -> None:
    def error(**params: Any) -> str:
        body = agg(client, status=400, **params)
        return str(body["message"])

    assert "Did you mean 'jobTitle'?" in error(group_by="jobTitel")
    assert "Did you mean 'jobTitle'?" in error(metrics="countEmpty:jobTitl")
    assert "sum does not apply to jobTitle (TEXT)" in error(metrics="sum:jobTitle")
    assert "avg does not apply" in error(metrics="avg:name")
    assert "min does not apply" in error(metrics="min:jobTitle")
    assert "at most 2 fields" in error(group_by="jobTitle,name,city")
    assert "Unknown unit 'hour'" in error(group_by="createdAt:hour")
    assert "only dates are cut" in error(group_by="jobTitle:day")
    assert "Group createdAt by a unit" in error(group_by="createdAt")
    assert "Cannot group people by tags" in error(group_by="tags")
    assert "Cannot group people by id" in error(group_by="id")
    assert "aggregate its note records by 'personId'" in error(group_by="notes")
    assert "Unknown metric 'total'" in error(metrics="total")
    assert "Did you mean 'count'?" in error(metrics="cont")
    assert "sum needs a field" in error(metrics="sum")
    assert "count takes no field" in error(metrics="count:name")
    assert "empty item" in error(group_by="jobTitle,")
    assert "Group by a field once" in error(group_by="jobTitle,jobTitle")
    assert "limit" in error(limit="0") and "limit" in error(limit="1001")
    assert "Cannot filter people by 'nope'" in error(filter="nope[eq]:1")
    assert "groupBy" in error(groupBy="jobTitle")  # unknown parameters are named
    r = client.get("/rest/persn/aggregate")
    assert r.status_code == 404 and "people" in r.text


def test_tenants_and_scopes(client: httpx.Client, server: Any, db_url: str) -> None:
    batch(client, "people", [{"name": "A", "jobTitle": "CTO"}])
    other = factories.make_key(db_url, workspace=factories.make_workspace(db_url))
    with factories.http(server.url, other) as c:
        assert agg(c, group_by="jobTitle") == {"groups": [], "hasMore": False}
        assert agg(c)["groups"] == [{"key": {}, "count": 0}]
    writer_only = factories.make_key(db_url, scopes=["metadata:read"])
    with factories.http(server.url, writer_only) as c:
        assert c.get("/rest/people/aggregate").status_code == 403
    reader = factories.make_key(db_url, scopes=["record:read"])
    with factories.http(server.url, reader) as c:
        assert agg(c)["groups"][0]["count"] == 1
    assert httpx.get(f"{server.url}/rest/people/aggregate").status_code == 401

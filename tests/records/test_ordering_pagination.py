"""REST list ordering, keyset pagination and ``depth=1`` end to end on a live server.

The pagination tests walk 260 people forwards and backwards in pages of 25 and
check the pages add up to exactly the ordered list: the hard case is a nullable,
heavily duplicated order key, where the cursor must carry the ``id`` tiebreak.
"""

from __future__ import annotations

import base64
import functools
import json
import time
from typing import Any

import httpx

# -- helpers ------------------------------------------------------------------------------


def batch(client: httpx.Client, plural: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Create ``items`` in one batch request and return the created records."""
    r = client.post(f"/rest/batch/{plural}", json=items)
    assert r.status_code == 201, r.text
    return next(iter(r.json()["data"].values()))  # type: ignore[no-any-return]


def get_list(client: httpx.Client, plural: str, **params: Any) -> dict[str, Any]:
    r = client.get(f"/rest/{plural}", params=params)
    assert r.status_code == 200, f"{params}: {r.text[:300]}"
    return r.json()  # type: ignore[no-any-return]


def assert_bad(r: httpx.Response) -> None:
    assert r.status_code == 400, f"{r.request.url}: {r.status_code} {r.text[:300]}"
    body = r.json()
    assert body["statusCode"] == 400 and body["error"] and body["message"]


def ordered(records: list[dict[str, Any]], keys: list[tuple[str, str]]) -> list[str]:
    """The ids of ``records`` in the order ``keys`` give, ``id`` ascending breaking ties."""

    def cmp(a: dict[str, Any], b: dict[str, Any]) -> int:
        for field, direction in [*keys, ("id", "AscNullsFirst")]:
            x, y = a[field], b[field]
            if x == y:
                continue
            if x is None or y is None:
                first = direction.endswith("NullsFirst")
                return (-1 if first else 1) * (1 if x is None else -1)
            c = -1 if x < y else 1
            return -c if direction.startswith("Desc") else c
        return 0

    return [r["id"] for r in sorted(records, key=functools.cmp_to_key(cmp))]


def names(body: dict[str, Any], plural: str) -> list[str]:
    return [r["name"] or r["email"] for r in body["data"][plural]]


# -- ordering -----------------------------------------------------------------------------

STAFF = [
    {"name": "Ann", "jobTitle": "Analyst"},
    {"name": "Ben"},
    {"name": "Cat", "jobTitle": "Engineer"},
    {"name": "Dan", "jobTitle": "Analyst"},
    {"name": "Eve"},
    {"name": "Fay", "jobTitle": "Engineer"},
    {"name": "Gus", "jobTitle": "Manager"},
    {"email": "anon@x.com", "jobTitle": "Analyst"},  # no name
]


def test_order_directions_put_nulls_where_asked(client):
    made = batch(client, "people", STAFF)
    ids = [p["id"] for p in made]
    assert ids == sorted(ids), "ids follow creation order"
    cases = {
        "jobTitle[AscNullsFirst]": "Ben Eve Ann Dan anon@x.com Cat Fay Gus",
        "jobTitle[AscNullsLast]": "Ann Dan anon@x.com Cat Fay Gus Ben Eve",
        "jobTitle[DescNullsFirst]": "Ben Eve Gus Cat Fay Ann Dan anon@x.com",
        "jobTitle[DescNullsLast]": "Gus Cat Fay Ann Dan anon@x.com Ben Eve",
        "jobTitle[asc]": "Ben Eve Ann Dan anon@x.com Cat Fay Gus",
        "jobTitle[desc]": "Gus Cat Fay Ann Dan anon@x.com Ben Eve",
        "jobTitle": "Ben Eve Ann Dan anon@x.com Cat Fay Gus",
        "name[AscNullsFirst]": "anon@x.com Ann Ben Cat Dan Eve Fay Gus",
        "name[DescNullsLast]": "Gus Fay Eve Dan Cat Ben Ann anon@x.com",
        "jobTitle[AscNullsLast],name[DescNullsFirst]": "anon@x.com Dan Ann Fay Cat Gus Eve Ben",
        "jobTitle[DescNullsLast], name[AscNullsLast]": "Gus Cat Fay Ann Dan anon@x.com Ben Eve",
        "id[desc]": " ".join(p.get("name") or p["email"] for p in reversed(STAFF)),
    }
    wrong = {}
    for order_by, want in cases.items():
        got = " ".join(names(get_list(client, "people", order_by=order_by), "people"))
        if got != want:
            wrong[order_by] = got
    assert not wrong, wrong
    default = get_list(client, "people")["data"]["people"]
    assert [p["id"] for p in default] == ids


def test_order_by_created_at_and_by_employees(client):
    first = batch(client, "people", [{"name": "Old One"}, {"name": "Old Two"}])
    time.sleep(0.01)  # instants are kept to the millisecond
    later = batch(client, "people", [{"name": "New One"}, {"name": "New Two"}])
    assert first[0]["createdAt"] < later[0]["createdAt"]
    body = get_list(client, "people", order_by="createdAt[DescNullsLast]")
    assert names(body, "people") == ["New One", "New Two", "Old One", "Old Two"]
    body = get_list(client, "people", order_by="createdAt[AscNullsFirst],name[desc]")
    assert names(body, "people") == ["Old Two", "Old One", "New Two", "New One"]

    batch(
        client,
        "companies",
        [
            {"name": "Zero", "employees": 0},
            {"name": "Big", "employees": 250},
            {"name": "TenA", "employees": 10},
            {"name": "Unknown"},
            {"name": "TenB", "employees": 10},
        ],
    )
    body = get_list(client, "companies", order_by="employees[AscNullsLast]")
    assert [c["name"] for c in body["data"]["companies"]] == [
        "Zero",
        "TenA",
        "TenB",
        "Big",
        "Unknown",
    ]
    body = get_list(client, "companies", order_by="employees[DescNullsFirst]")
    assert [c["name"] for c in body["data"]["companies"]] == [
        "Unknown",
        "Big",
        "TenA",
        "TenB",
        "Zero",
    ]


def test_bad_order_by_is_400(client):
    bad = [
        "nope",
        "company",  # a relation
        "tags",  # a list
        "createdBy",  # a JSON document
        "name[Sideways]",
        "name[]",
        "name[asc",
        "name,name",
        "name,",
        ",",
        "name[asc]extra",
        "x" * 10_001,
    ]
    for order_by in bad:
        assert_bad(client.get("/rest/people", params={"order_by": order_by}))


# -- pagination ---------------------------------------------------------------------------

TITLES = ["Analyst", "Engineer", "Manager", "Sales"]


def crowd(client: httpx.Client) -> list[dict[str, Any]]:
    """260 people; a third have no job title and the rest share four titles."""
    items = [
        {"name": f"Person {i:03d}", "jobTitle": None if i % 3 == 0 else TITLES[i % 4]}
        for i in range(260)
    ]
    return batch(client, "people", items[:130]) + batch(client, "people", items[130:])


def assert_pages(client: httpx.Client, want: list[str], limit: int, **params: Any) -> None:
    """Page forwards, then backwards, through ``/rest/people`` and compare with ``want``."""
    total = len(want)
    if total > limit:
        big = get_list(client, "people", limit=min(total, 200), **params)["data"]["people"]
        assert [p["id"] for p in big] == want[:200], "one big read disagrees with the order"

    pages: list[dict[str, Any]] = []
    query: dict[str, Any] = {}
    while True:
        body = get_list(client, "people", limit=limit, **params, **query)
        pages.append(body)
        info = body["pageInfo"]
        assert body["totalCount"] == total
        assert info["hasPreviousPage"] is (len(pages) > 1), f"page {len(pages)}"
        if not info["hasNextPage"]:
            break
        assert len(body["data"]["people"]) == limit
        assert len(pages) <= total // limit + 1, "paging does not end"
        query = {"starting_after": info["endCursor"]}
    seen = [p["id"] for page in pages for p in page["data"]["people"]]
    assert len(seen) == len(set(seen)), "a record appeared on two pages"
    assert set(seen) == set(want), "records missing from the pages"
    assert seen == want, "pages are out of order"

    end = get_list(
        client, "people", limit=limit, starting_after=pages[-1]["pageInfo"]["endCursor"], **params
    )
    assert end["data"]["people"] == [] and end["pageInfo"]["hasNextPage"] is False
    assert end["totalCount"] == total  # an empty page still counts every match

    back: list[dict[str, Any]] = []
    cursor = pages[-1]["pageInfo"]["startCursor"]
    while True:
        body = get_list(client, "people", limit=limit, ending_before=cursor, **params)
        back.insert(0, body)
        info = body["pageInfo"]
        assert body["totalCount"] == total
        assert info["hasNextPage"] is True
        assert len(body["data"]["people"]) == limit
        if not info["hasPreviousPage"]:
            break
        assert len(back) <= total // limit + 1, "paging back does not end"
        cursor = info["startCursor"]
    seen_back = [p["id"] for page in back for p in page["data"]["people"]]
    last = len(pages[-1]["data"]["people"])
    assert seen_back == want[: total - last], "backward pages disagree with forward ones"


def test_paging_in_the_default_order(client):
    people = crowd(client)
    want = sorted(p["id"] for p in people)
    assert want == [p["id"] for p in people]
    assert_pages(client, want, 25)


def test_paging_on_a_nullable_key_with_ties(client):
    people = crowd(client)
    for direction in ("AscNullsLast", "DescNullsFirst"):
        want = ordered(people, [("jobTitle", direction)])
        assert_pages(client, want, 25, order_by=f"jobTitle[{direction}]")


def test_paging_with_a_filter(client):
    people = crowd(client)
    kept = [p for p in people if p["jobTitle"] != "Engineer"]
    want = ordered(kept, [("jobTitle", "AscNullsFirst"), ("name", "DescNullsLast")])
    assert 100 < len(want) < 260
    assert_pages(
        client,
        want,
        20,
        order_by="jobTitle[AscNullsFirst],name[DescNullsLast]",
        filter="jobTitle[neq]:Engineer",
    )


def _tampered(cursor: str, change: Any) -> str:
    payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    payload = change(payload)
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def test_bad_cursors_are_400(client):
    batch(client, "people", STAFF)
    by_title = get_list(client, "people", limit=2, order_by="jobTitle[AscNullsLast]")
    cursor = by_title["pageInfo"]["endCursor"]
    by_id = get_list(client, "people", limit=2)["pageInfo"]["endCursor"]
    bad: list[dict[str, Any]] = [
        {"starting_after": cursor},  # ordered by jobTitle, used with the default order
        {"starting_after": by_id, "order_by": "jobTitle[AscNullsLast]"},
        {"ending_before": cursor, "order_by": "jobTitle[DescNullsLast]"},
        {"starting_after": "garbage"},
        {"starting_after": "!!!"},
        {"ending_before": "e30"},  # {}
        {"starting_after": _tampered(by_id, lambda p: [p[0], "nope"])},
        {"starting_after": _tampered(by_id, lambda p: [p[0], 42])},
        {"starting_after": _tampered(by_id, lambda p: p[:1])},
        {"starting_after": _tampered(by_id, lambda p: [*p, "extra"])},
        {
            "starting_after": _tampered(cursor, lambda p: [p[0], {"x": 1}, p[2]]),
            "order_by": "jobTitle[AscNullsLast]",
        },
        {"starting_after": by_id, "ending_before": by_id},
    ]
    for params in bad:
        assert_bad(client.get("/rest/people", params=params))


def test_limit_bounds(client):
    batch(client, "people", STAFF)
    for limit in ("-1", "201", "abc", "1.5", "1e2"):
        assert_bad(client.get("/rest/people", params={"limit": limit}))
    body = get_list(client, "people", limit=0)
    assert body["data"]["people"] == [] and body["totalCount"] == len(STAFF)
    assert len(get_list(client, "people", limit=200)["data"]["people"]) == len(STAFF)
    body = get_list(client, "people", limit=3)
    assert len(body["data"]["people"]) == 3 and body["pageInfo"]["hasNextPage"] is True


# -- depth --------------------------------------------------------------------------------


def test_depth_one_embeds_relations(client):
    (acme,) = batch(client, "companies", [{"name": "Acme"}])
    staff, loner = batch(
        client, "people", [{"name": "Staff Member", "companyId": acme["id"]}, {"name": "Loner"}]
    )
    (note,) = batch(client, "notes", [{"title": "Met", "personId": staff["id"]}])
    (task,) = batch(
        client, "tasks", [{"title": "Call", "personId": staff["id"], "companyId": acme["id"]}]
    )

    people = {p["name"]: p for p in get_list(client, "people", depth=1)["data"]["people"]}
    s, lone = people["Staff Member"], people["Loner"]
    assert s["company"]["id"] == acme["id"] and s["company"]["name"] == "Acme"
    assert [n["id"] for n in s["notes"]] == [note["id"]]
    assert [t["id"] for t in s["tasks"]] == [task["id"]]
    assert lone["id"] == loner["id"] and lone["company"] is None
    assert lone["notes"] == [] and lone["tasks"] == []
    flat = get_list(client, "people")["data"]["people"][0]
    assert not {"company", "notes", "tasks"} & set(flat)

    r = client.get(f"/rest/companies/{acme['id']}", params={"depth": 1})
    assert r.status_code == 200, r.text
    company = r.json()["data"]["company"]
    assert [p["id"] for p in company["people"]] == [staff["id"]]
    assert [t["id"] for t in company["tasks"]] == [task["id"]]
    assert company["notes"] == []
    r = client.get(f"/rest/people/{staff['id']}", params={"depth": "1"})
    assert r.json()["data"]["person"]["company"]["id"] == acme["id"]

    for depth in ("2", "-1", "x"):
        assert_bad(client.get("/rest/people", params={"depth": depth}))
        assert_bad(client.get(f"/rest/companies/{acme['id']}", params={"depth": depth}))

"""Plausible mistakes in ``PATCH /rest/metadata/fields/{id}`` (and ``updateField``) are 400s."""

from __future__ import annotations

from typing import Any

import httpx
from tests import factories
from tests.api.test_errors import check_error
from tests.graphql.helpers import post


def make(client: httpx.Client, **body: Any) -> dict[str, Any]:
    r = client.post("/rest/metadata/fields", json={"objectName": "person", **body})
    assert r.status_code == 201, r.text
    return r.json()["data"]["createField"]  # type: ignore[no-any-return]


def test_a_field_cannot_become_a_relation(client: httpx.Client) -> None:
    f = make(client, name="score", type="NUMBER")
    factories.person(client, name="Ada", score=3)
    for t in ("RELATION", "relation"):
        body = check_error(client.patch(f"/rest/metadata/fields/{f['id']}", json={"type": t}), 400)
        assert body["field"] == "type" and "relationTarget" in body["message"], body
    doc = "mutation($id: ID!, $d: JSON!) { updateField(id: $id, data: $d) }"
    got = post(client, doc, {"id": f["id"], "d": {"type": "RELATION"}})
    err = got["errors"][0]
    assert err["extensions"]["code"] == "BAD_USER_INPUT" and "relationTarget" in err["message"], got
    again = client.get(f"/rest/metadata/fields/{f['id']}").json()["data"]["field"]
    assert again["type"] == "NUMBER"
    assert client.get("/rest/people").json()["data"]["people"][0]["score"] == 3


def test_a_relation_cannot_become_another_type(client: httpx.Client) -> None:
    rel = make(
        client, name="employer", type="RELATION", relationTarget="company", inverseName="staff"
    )
    for body in ({"type": "TEXT"}, {"name": "boss"}, {"isIndexed": True}, {"type": "RELATION"}):
        err = check_error(client.patch(f"/rest/metadata/fields/{rel['id']}", json=body), 400)
        assert err["field"] == next(iter(body)), err
    ok = client.patch(f"/rest/metadata/fields/{rel['id']}", json={"label": "Employer"})
    assert ok.status_code == 200, ok.text


def test_other_patch_mistakes_are_400s(client: httpx.Client) -> None:
    f = make(client, name="stage", type="TEXT")
    factories.person(client, name="Ada", stage="won")
    sel = make(client, name="tier", type="SELECT", options=["GOLD", "SILVER"])
    mistakes: list[tuple[str, Any]] = [
        (f["id"], {"type": None}),
        (f["id"], {"type": 5}),
        (f["id"], {"type": ["TEXT"]}),
        (f["id"], {"type": "ACTOR"}),
        (f["id"], {"type": "SELECT"}),
        (f["id"], {"type": "SELECT", "options": ["lost"]}),
        (f["id"], {"type": "NUMBER"}),
        (f["id"], {"options": ["a"]}),
        (f["id"], {"name": "Not Valid"}),
        (f["id"], {"name": "email"}),
        (f["id"], {"name": None}),
        (f["id"], {"label": ""}),
        (f["id"], {"label": 7}),
        (f["id"], {"isActive": "yes"}),
        (f["id"], {"isNullable": 1}),
        (f["id"], {"isIndexed": "true"}),
        (f["id"], {"settings": [1]}),
        (f["id"], {"settings": {"decimals": 2}}),
        (f["id"], {"description": {"a": 1}}),
        (f["id"], {"isUnique": True}),
        (f["id"], {"relationTarget": "company"}),
        (f["id"], {"objectName": "company"}),
        (f["id"], [{"label": "x"}]),
        (f["id"], "label"),
        (sel["id"], {"defaultValue": "BRONZE"}),
        (sel["id"], {"options": []}),
        (sel["id"], {"options": [{"value": ""}]}),
        (sel["id"], {"options": ["GOLD", "GOLD"]}),
        ("person.name", {"label": "x"}),
        ("00000000-0000-0000-0000-000000000000", {"label": "x"}),
    ]
    for fid, body in mistakes:
        r = client.patch(f"/rest/metadata/fields/{fid}", json=body)
        check_error(r)
        assert "None" not in r.json()["message"], (body, r.text)
    again = client.get(f"/rest/metadata/fields/{f['id']}").json()["data"]["field"]
    assert (again["name"], again["type"], again["label"]) == ("stage", "TEXT", "stage")

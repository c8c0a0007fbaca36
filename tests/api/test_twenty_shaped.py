"""Records the routes write in Twenty's shapes themselves (``records.twenty.shaper``)
read as the default routes' records put through ``record_out``, keys in the same order.
(Custom documents passed through as stored may keep PostgreSQL's spacing.)"""

from __future__ import annotations

import httpx
import orjson
from tests import factories

from rolodex.records.twenty import record_out


def _same(client: httpx.Client, path: str, params: dict[str, str] | None = None) -> None:
    default = client.get(f"/rest/{path}", params=params)
    native = client.get(f"/twenty/rest/{path}", params=params)
    assert default.status_code == 200 and native.status_code == 200, (default.text, native.text)
    expected = orjson.dumps(record_out(default.json()))
    assert orjson.dumps(native.json()) == expected, native.text


def test_reads_match_record_out(client: httpx.Client) -> None:
    fields = [
        ("person", {"name": "motto", "type": "TEXT"}),
        ("company", {"name": "budget", "type": "CURRENCY"}),  # in the custom document
    ]
    for object_name, body in fields:
        r = client.post("/rest/metadata/fields", json={"objectName": object_name, **body})
        assert r.status_code == 201, r.text
    member = client.post("/rest/members", json={"name": "Owner", "email": "o@acme.com"})
    assert member.status_code == 201, member.text
    owner = member.json()["data"]["createMember"]["id"]
    company = factories.create(
        client,
        "companies",
        name="Acme",
        postalAddress={"addressCity": "Paris"},
        ownerId=owner,
        budget={"amount": 12.5, "currencyCode": "EUR"},
    )
    person = factories.create(
        client,
        "people",
        firstName="Ada",
        lastName=None,
        motto="Notes",
        companyId=company["id"],
        emails={"primaryEmail": "ada@acme.com", "additionalEmails": []},
    )
    factories.create(client, "people", firstName="Bob", lastName="B")
    deal = factories.create(
        client,
        "opportunities",
        name="Deal",
        amount={"amount": 10, "currencyCode": "USD"},
        companyId=company["id"],
        pointOfContactId=person["id"],
    )
    for plural, record in (("people", person), ("companies", company), ("opportunities", deal)):
        _same(client, f"{plural}/{record['id']}")
        _same(client, f"{plural}/{record['id']}", {"depth": "1"})
        _same(client, plural)
        _same(client, plural, {"depth": "1", "limit": "5"})

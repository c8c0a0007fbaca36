"""GraphQL operations beyond records: webhooks, schema changes, consent and history."""

from __future__ import annotations

import httpx

from tests import factories
from tests.graphql.helpers import code, data


def test_webhooks_through_graphql(client: httpx.Client) -> None:
    made = data(
        client,
        """mutation($d: JSON!) { createWebhook(data: $d) }""",
        {
            "d": {
                "name": "crm sync",
                "targetUrl": "https://example.com/hook",
                "subscriptions": [{"eventType": "person.*"}],
                "secret": "your-secret",
            }
        },
    )["createWebhook"]
    assert made["secret"] == "your-secret" and made["name"] == "crm sync"
    hid = made["id"]
    got = data(client, "query($id: ID!) { webhook(id: $id) }", {"id": hid})["webhook"]
    assert "secret" not in got or got["secret"] != "your-secret"
    listed = data(client, "{ webhooks(limit: 10) }")["webhooks"]
    assert listed["totalCount"] == 1 and listed["webhooks"][0]["id"] == hid
    upd = data(
        client,
        'mutation($id: ID!) { updateWebhook(id: $id, data: {name: "renamed"}) }',
        {"id": hid},
    )["updateWebhook"]
    assert upd["name"] == "renamed"
    rot = data(client, "mutation($id: ID!) { rotateWebhookSecret(id: $id) }", {"id": hid})[
        "rotateWebhookSecret"
    ]
    assert rot["secret"].startswith("whsec_")
    # The same REST API sees the same webhook.
    assert client.get(f"/rest/webhooks/{hid}").json()["data"]["webhook"]["name"] == "renamed"
    assert data(client, "mutation($id: ID!) { deleteWebhook(id: $id) }", {"id": hid})[
        "deleteWebhook"
    ]["success"]
    assert code(client, "query($id: ID!) { webhook(id: $id) }", {"id": hid}) == "NOT_FOUND"
    assert code(client, 'mutation { createWebhook(data: {targetUrl: "ftp://x"}) }') == (
        "BAD_USER_INPUT"
    )


def test_custom_fields_and_objects_through_graphql(client: httpx.Client) -> None:
    f = data(
        client,
        """mutation { createField(data: {objectName: "person", name: "lead_score",
             type: "NUMBER"}) }""",
    )["createField"]
    assert f["name"] == "leadScore"
    # The next request's schema has the field: write it as a plain key and as customFields.
    p = data(
        client,
        """mutation { createPerson(data: {name: "Ada", leadScore: 87}) {
             id leadScore } }""",
    )["createPerson"]
    assert p["leadScore"] == 87
    q = data(
        client,
        """mutation { createPerson(data: {name: "Bob", customFields: [
             {fieldId: "lead_score", value: "42"}]}) { customFields { fieldId value } } }""",
    )
    assert [c["value"] for c in q["createPerson"]["customFields"]] == [42]
    found = data(client, "{ people(filter: {leadScore: {gte: 50}}) { edges { node { name } } } }")
    assert [e["node"]["name"] for e in found["people"]["edges"]] == ["Ada"]
    defs = data(client, '{ customFieldDefinitions(object: "person") }')["customFieldDefinitions"]
    assert [d["name"] for d in defs] == ["leadScore"]
    data(client, "mutation($id: ID!) { deleteField(id: $id) }", {"id": f["id"]})
    assert code(client, "{ people { edges { node { leadScore } } } }") == (
        "GRAPHQL_VALIDATION_FAILED"
    )
    data(client, "mutation($id: ID!) { restoreField(id: $id) }", {"id": f["id"]})
    data(client, "{ people { edges { node { leadScore } } } }")

    data(client, 'mutation { createObject(data: {nameSingular: "deal", namePlural: "deals"}) }')
    d = data(client, 'mutation { createDeal(data: {name: "Big"}) { id name } }')["createDeal"]
    assert client.get(f"/rest/deals/{d['id']}").status_code == 200
    assert code(client, 'mutation { createObject(data: {nameSingular: "person"}) }') == "CONFLICT"
    assert (
        code(
            client,
            'mutation { createField(data: {objectName: "person", name: "x", type: "NOPE"}) }',
        )
        == "BAD_USER_INPUT"
    )


def test_consent_and_timeline_through_graphql(client: httpx.Client, db_url: str) -> None:
    p = factories.person(client, name="Grace Hopper")
    given = data(
        client,
        """mutation($id: ID!) { giveConsent(personId: $id,
                 data: {purpose: "newsletter", legalBasis: "consent", source: "form"}) }""",
        {"id": p["id"]},
    )["giveConsent"]
    assert given["active"] and given["purpose"] == "newsletter"
    assert (
        code(
            client,
            """mutation($id: ID!) { giveConsent(personId: $id,
                data: {purpose: "spam", legalBasis: "consent"}) }""",
            {"id": p["id"]},
        )
        == "BAD_USER_INPUT"
    )
    found = data(
        client,
        '{ people(filter: {consents: {contains: "newsletter"}}) { edges { node { name } } } }',
    )
    assert [e["node"]["name"] for e in found["people"]["edges"]] == ["Grace Hopper"]
    out = data(
        client,
        """mutation($id: ID!) { withdrawConsent(personId: $id,
               purpose: "newsletter") }""",
        {"id": p["id"]},
    )["withdrawConsent"]
    assert out["withdrawnAt"]
    listed = data(client, "query($id: ID!) { personConsents(personId: $id) }", {"id": p["id"]})[
        "personConsents"
    ]
    assert [c["active"] for c in listed] == [False]
    opts = data(client, "{ consentOptions }")["consentOptions"]
    assert "newsletter" in opts["purposes"]
    history = data(
        client, 'query($id: ID!) { recordTimeline(object: "person", id: $id) }', {"id": p["id"]}
    )["recordTimeline"]
    assert [i["type"] for i in history["timeline"]] == [
        "person.unconsented",
        "person.consented",
        "person.created",
    ]


def test_scopes_and_tenants(server, db_url: str, client: httpx.Client) -> None:  # type: ignore[no-untyped-def]
    reader = factories.make_key(db_url, scopes=["record:read"])
    with factories.http(server.url, reader) as c:
        assert code(c, "{ webhooks }") == "FORBIDDEN"
        assert (
            code(
                c, 'mutation { createField(data: {objectName: "person", name: "x", type: "TEXT"}) }'
            )
            == "FORBIDDEN"
        )
    p = factories.person(client)
    other = factories.make_key(db_url, workspace=factories.make_workspace(db_url))
    with factories.http(server.url, other) as c:
        assert (
            code(
                c, 'query($id: ID!) { recordTimeline(object: "person", id: $id) }', {"id": p["id"]}
            )
            == "NOT_FOUND"
        )
        assert (
            code(
                c,
                """mutation($id: ID!) { giveConsent(personId: $id,
                    data: {purpose: "newsletter", legalBasis: "consent"}) }""",
                {"id": p["id"]},
            )
            == "NOT_FOUND"
        )

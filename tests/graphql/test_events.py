"""GraphQL writes go through the record service: the same events as REST, one transaction
per mutation field."""

from __future__ import annotations

from typing import Any

import httpx

from tests import factories
from tests.graphql.helpers import data, post

FIELDS = {"name": "Ada Lovelace", "email": "ada@example.com", "phone": "+44 20 7946 0000"}
VOLATILE = {"id", "createdAt", "updatedAt"}


def _shape(event: dict[str, Any]) -> dict[str, Any]:
    """An event without what differs between two creates of the same fields."""
    record = {k: v for k, v in event["record"].items() if k not in VOLATILE}
    return {
        "type": event["type"],
        "object_name": event["object_name"],
        "actor": event["actor"],
        "changes": event["changes"],
        "previous": event["previous"],
        "record": record,
    }


def test_events_match_rest(client: httpx.Client, db_url: str) -> None:
    rest = factories.person(client, **FIELDS)
    client.patch(f"/rest/people/{rest['id']}", json={"jobTitle": "Engineer"})
    client.delete(f"/rest/people/{rest['id']}")
    rest_events = factories.events(db_url, rest["id"])

    made = data(
        client,
        "mutation($d: PersonCreateInput!) { createPerson(data: $d) { id } }",
        {"d": FIELDS},
    )["createPerson"]
    data(
        client,
        'mutation($id: ID!) { updatePerson(id: $id, data: {jobTitle: "Engineer"}) { id } }',
        made,
    )
    data(client, "mutation($id: ID!) { deletePerson(id: $id) { success id } }", made)
    gql_events = factories.events(db_url, made["id"])

    assert [e["type"] for e in gql_events] == ["person.created", "person.updated", "person.deleted"]
    assert [_shape(e) for e in gql_events] == [_shape(e) for e in rest_events]
    assert gql_events[0]["record"]["id"] == made["id"]


def test_each_mutation_field_is_its_own_transaction(client: httpx.Client, db_url: str) -> None:
    body = post(
        client,
        """mutation {
          first: createPerson(data: {name: "Kept", email: "kept@example.com"}) { id }
          clash: createPerson(data: {name: "Clash", email: "kept@example.com"}) { id }
          batch: createPeople(data: [{name: "B1"}, {name: "B2", email: "bad"}]) { id }
          last: createPerson(data: {name: "Also kept"}) { id }
        }""",
    )
    assert body["data"]["first"]["id"] and body["data"]["last"]["id"]
    assert body["data"]["clash"] is None and body["data"]["batch"] is None
    codes = {e["path"][0]: e["extensions"] for e in body["errors"]}
    assert codes["clash"]["code"] == "CONFLICT"
    assert codes["batch"] == {"code": "BAD_USER_INPUT", "field": "email", "index": 1}
    people = data(client, "{ people { edges { node { name } } } }")["people"]["edges"]
    names = [e["node"]["name"] for e in people]
    assert names == ["Kept", "Also kept"]
    created = [e for e in factories.events(db_url) if e["type"] == "person.created"]
    assert [e["record"]["name"] for e in created] == ["Kept", "Also kept"]


def test_soft_delete_restore_and_destroy(client: httpx.Client, db_url: str) -> None:
    made = data(client, 'mutation { createPerson(data: {name: "Ada"}) { id } }')["createPerson"]
    gone = data(client, "mutation($id: ID!) { softDeletePerson(id: $id) { success id } }", made)
    assert gone == {"softDeletePerson": {"success": True, "id": made["id"]}}
    assert data(client, "{ people { totalCount } }") == {"people": {"totalCount": 0}}
    hidden = data(client, "{ people(filter: { deletedAt: { is: NOT_NULL } }) { totalCount } }")
    assert hidden == {"people": {"totalCount": 1}}
    back = data(client, "mutation($id: ID!) { restorePerson(id: $id) { name deletedAt } }", made)
    assert back == {"restorePerson": {"name": "Ada", "deletedAt": None}}
    done = data(client, "mutation($id: ID!) { destroyPerson(id: $id) { success } }", made)
    assert done == {"destroyPerson": {"success": True}}
    types = [e["type"] for e in factories.events(db_url, made["id"])]
    assert types == ["person.created", "person.softdeleted", "person.restored", "person.deleted"]

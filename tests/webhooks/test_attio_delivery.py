"""Attio's event types, object filters and delivery format, end to end to a real receiver."""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import subprocess
import time
from typing import Any

import httpx
import pytest

from rolodex.webhooks import attio
from rolodex.webhooks.catalogue import object_id
from tests import factories
from tests.webhooks.helpers import deliveries
from tests.webhooks.receiver import Receiver, Request

PERSON_ID = object_id(None, "person")
COMPANY_ID = object_id(None, "company")


def v2_hook(client: httpx.Client, url: str, subscriptions: list[dict[str, Any]]) -> dict[str, Any]:
    body = {"data": {"target_url": url, "subscriptions": subscriptions}}
    r = client.post("/v2/webhooks", json=body)
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()["data"]
    assert data["subscriptions"] == subscriptions  # read back exactly as sent
    return data


def by_object(value: str, operator: str = "equals") -> dict[str, Any]:
    return {"$and": [{"field": "id.object_id", "operator": operator, "value": value}]}


def verify_attio(secret: str, req: Request) -> dict[str, Any]:
    """What Attio's guide tells a receiver to do: hex HMAC-SHA256 of the raw body."""
    expected = hmac.new(secret.encode(), req.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, req.header("Attio-Signature") or "")
    assert req.header("X-Attio-Signature") == req.header("Attio-Signature")
    return req.json()  # type: ignore[no-any-return]


def test_record_events_filtered_by_object(client: httpx.Client) -> None:
    with Receiver() as rx:
        subs = [
            {"event_type": "record.created", "filter": by_object(PERSON_ID)},
            {"event_type": "record.updated", "filter": by_object("people")},  # a slug
            {"event_type": "record.deleted", "filter": by_object("company")},
        ]
        hook = v2_hook(client, f"{rx.url}/attio", subs)
        secret, hook_id = hook["secret"], hook["id"]["webhook_id"]
        acme = factories.company(client, name="Acme")  # no record.created: not a person
        ada = factories.person(client, name="Ada Lovelace", companyId=acme["id"])
        client.patch(f"/rest/people/{ada['id']}", json={"jobTitle": "Analyst"})
        client.patch(f"/rest/companies/{acme['id']}", json={"name": "Acme Inc"})  # filtered out
        assert client.delete(f"/rest/companies/{acme['id']}").status_code == 200
        # Deleting Acme also clears Ada's companyId: a second record.updated on people.
        requests = rx.wait_for(4)
        time.sleep(0.3)  # nothing more arrives
        assert len(rx.requests) == 4
        bodies = [verify_attio(secret, r) for r in requests]
        for b in bodies:
            assert b["webhook_id"] == hook_id and set(b) == {"webhook_id", "events"}
        events = [e for b in bodies for e in b["events"]]
        assert sorted(e["event_type"] for e in events) == [
            "record.created",
            "record.deleted",
            "record.updated",
            "record.updated",
        ]
        ws_id = hook["id"]["workspace_id"]
        created = next(e for e in events if e["event_type"] == "record.created")
        updated = next(e for e in events if e["event_type"] == "record.updated")
        deleted = next(e for e in events if e["event_type"] == "record.deleted")
        assert created == {
            "event_type": "record.created",
            "id": {"workspace_id": ws_id, "object_id": PERSON_ID, "record_id": ada["id"]},
            "actor": {"type": "api-token", "id": created["actor"]["id"]},
        }
        assert created["actor"]["id"]
        assert updated["event_type"] == "record.updated"
        assert updated["id"]["record_id"] == ada["id"] and updated["id"]["object_id"] == PERSON_ID
        assert updated["id"]["attribute_id"]
        assert deleted["event_type"] == "record.deleted"
        assert deleted["id"]["object_id"] == COMPANY_ID and deleted["id"]["record_id"] == acme["id"]
        # Retries keep the key; the log names the Attio event type.
        assert requests[0].header("Idempotency-Key")
        assert requests[0].header("Content-Type") == "application/json"
        names = {d["eventType"] for d in deliveries(client, hook_id)}
        assert names == {"record.created", "record.updated", "record.deleted"}


def test_not_equals_and_actor_filters(client: httpx.Client) -> None:
    with Receiver() as rx:
        v2_hook(
            client,
            f"{rx.url}/not-people",
            [{"event_type": "record.created", "filter": by_object("people", "not_equals")}],
        )
        v2_hook(
            client,
            f"{rx.url}/api",
            [
                {
                    "event_type": "record.created",
                    "filter": {
                        "$or": [{"field": "actor.type", "operator": "equals", "value": "api-token"}]
                    },
                }
            ],
        )
        factories.person(client, name="Ada")
        factories.company(client, name="Acme")
        rx.wait_for(3)
        time.sleep(0.3)
        paths = sorted(r.path for r in rx.requests)
        assert [p.rsplit("/", 1)[-1] for p in paths] == ["api", "api", "not-people"]
        company = next(r for r in rx.requests if r.path.endswith("/not-people")).json()
        assert company["events"][0]["id"]["object_id"] == COMPANY_ID


def test_custom_object_by_slug_and_by_id(client: httpx.Client) -> None:
    r = client.post(
        "/rest/metadata/objects",
        json={"nameSingular": "deal", "namePlural": "deals", "labelSingular": "Deal"},
    )
    if r.status_code not in (200, 201):
        pytest.skip(f"custom objects are not available here: {r.status_code}")
    deal_object = client.get("/rest/metadata/objects/deals").json()["data"]["object"]["id"]
    with Receiver() as rx:
        v2_hook(
            client,
            f"{rx.url}/slug",
            [{"event_type": "record.created", "filter": by_object("deals")}],
        )
        v2_hook(
            client,
            f"{rx.url}/id",
            [{"event_type": "record.created", "filter": by_object(deal_object)}],
        )
        factories.person(client, name="Ada")
        deal = factories.create(client, "deals", name="Big one")
        rx.wait_for(2)
        time.sleep(0.3)
        assert sorted(r.path.rsplit("/", 1)[-1] for r in rx.requests) == ["id", "slug"]
        for req in rx.requests:
            event = req.json()["events"][0]
            assert event["id"]["object_id"] == deal_object
            assert event["id"]["record_id"] == deal["id"]


def test_notes_tasks_and_members(client: httpx.Client) -> None:
    with Receiver() as rx:
        subs = [
            {
                "event_type": "note.created",
                "filter": {
                    "$and": [{"field": "parent_object_id", "operator": "equals", "value": "people"}]
                },
            },
            {"event_type": "note.deleted", "filter": None},
            {"event_type": "task.created", "filter": None},
            {"event_type": "task.updated", "filter": None},
            {"event_type": "task.deleted", "filter": None},
            {"event_type": "workspace-member.created", "filter": None},
        ]
        hook = v2_hook(client, rx.url, subs)
        ws_id = hook["id"]["workspace_id"]
        ada = factories.person(client, name="Ada")
        acme = factories.company(client, name="Acme")
        note = factories.create(client, "notes", title="Met Ada", personId=ada["id"])
        factories.create(client, "notes", title="About Acme", companyId=acme["id"])  # filtered
        assert client.delete(f"/rest/notes/{note['id']}").status_code == 200
        task = factories.create(client, "tasks", title="Call Ada", personId=ada["id"])
        client.patch(f"/rest/tasks/{task['id']}", json={"status": "DONE"})  # one task.updated
        assert client.delete(f"/rest/tasks/{task['id']}").status_code == 200
        member = factories.create(client, "members", name="Grace", email="grace@example.com")
        rx.wait_for(6)
        time.sleep(0.3)
        events = [verify_attio(hook["secret"], r)["events"][0] for r in rx.requests]
        got = sorted(e["event_type"] for e in events)
        assert got == sorted(
            [
                "note.created",
                "note.deleted",
                "task.created",
                "task.updated",
                "task.deleted",
                "workspace-member.created",
            ]
        )
        kinds = {e["event_type"]: e for e in events}
        assert kinds["note.created"]["id"] == {"workspace_id": ws_id, "note_id": note["id"]}
        assert kinds["note.created"]["parent_object_id"] == PERSON_ID
        assert kinds["note.created"]["parent_record_id"] == ada["id"]
        assert kinds["task.updated"]["id"] == {"workspace_id": ws_id, "task_id": task["id"]}
        assert kinds["workspace-member.created"]["id"] == {
            "workspace_id": ws_id,
            "workspace_member_id": member["id"],
        }


def test_record_merged_is_accepted_and_mapped(client: httpx.Client) -> None:
    """``<object>.merged`` (from a merge) maps onto Attio's ``record.merged``, one event per
    record merged away; the subscription is accepted whether or not merges happen here."""
    hook = v2_hook(
        client, "https://example.com/merged", [{"event_type": "record.merged", "filter": None}]
    )
    assert hook["subscriptions"][0]["event_type"] == "record.merged"
    event = {
        "type": "person.merged",
        "object_name": "person",
        "workspace_id": "w",
        "record_id": "primary",
        "actor": {"type": "apiKey", "id": "k"},
        "changes": [],
        "previous": {"mergedIds": ["dup1", "dup2"]},
    }
    assert attio.attio_type("person.merged") == "record.merged"
    merged = attio.events(event, None)
    assert [e["duplicate_record_id"] for e in merged] == ["dup1", "dup2"]
    assert all(e["id"]["record_id"] == "primary" for e in merged)
    assert merged[0]["duplicate_object_id"] == merged[0]["id"]["object_id"] == PERSON_ID


def test_mapping_of_event_types() -> None:
    assert attio.attio_type("person.created") == "record.created"
    assert attio.attio_type("company.restored") == "record.created"
    assert attio.attio_type("deal.softdeleted") == "record.deleted"
    assert attio.attio_type("note.updated") == "note.updated"
    assert attio.attio_type("member.created") == "workspace-member.created"
    assert attio.attio_type("member.updated") is None  # Attio has no such event
    assert attio.attio_type("task.completed") is None  # it comes with a task.updated
    assert attio.attio_type("webhook.disabled") is None


def test_rest_form_reads_attio_subscriptions_and_other_formats(client: httpx.Client) -> None:
    with Receiver() as rx:
        hook = v2_hook(client, rx.url, [{"event_type": "record.created", "filter": None}])
        hook_id = hook["id"]["webhook_id"]
        rest = client.get(f"/rest/webhooks/{hook_id}").json()["data"]["webhook"]
        assert rest["format"] == "attio"
        assert rest["subscriptions"] == [{"eventType": "record.created", "filter": None}]
        # The same subscriptions, delivered in the rolodex format, name the Attio event.
        r = client.patch(f"/rest/webhooks/{hook_id}", json={"format": "rolodex"})
        assert r.status_code == 200, r.text
        ada = factories.person(client, name="Ada")
        (req,) = rx.wait_for(1)
        assert req.json()["event"] == "record.created" and req.json()["recordId"] == ada["id"]
        assert req.header("Attio-Signature") is None
        # /rest does not take Attio's event types (they are Attio's form).
        bad = client.post(
            "/rest/webhooks",
            json={"targetUrl": rx.url, "subscriptions": [{"eventType": "record.created"}]},
        )
        assert bad.status_code == 400


def test_a_rest_webhook_in_attio_format(client: httpx.Client) -> None:
    with Receiver() as rx:
        r = client.post(
            "/rest/webhooks",
            json={"targetUrl": rx.url, "format": "attio", "operations": ["company.created"]},
        )
        assert r.status_code == 201, r.text
        hook = r.json()["data"]["createWebhook"]
        acme = factories.company(client, name="Acme")
        (req,) = rx.wait_for(1)
        body = verify_attio(hook["secret"], req)
        assert body["events"][0]["event_type"] == "record.created"
        assert body["events"][0]["id"]["record_id"] == acme["id"]
        assert req.header("X-Rolodex-Event") == "company.created"


NODE = shutil.which("node")
# A receiver written from Attio's guide: the hex HMAC-SHA256 of the request body, keyed by the
# webhook's secret, compared with Attio-Signature; and the same over a re-serialised body, as
# receivers behind express.json() compute it.
NODE_VERIFY = r"""
const crypto = require('crypto');
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const sign = (secret, text) => crypto.createHmac('sha256', secret).update(text).digest('hex');
process.stdout.write(JSON.stringify(cases.map(({secret, raw, headers}) => ({
  raw: sign(secret, raw) === headers['attio-signature'],
  reserialised: sign(secret, JSON.stringify(JSON.parse(raw))) === headers['attio-signature'],
}))));
"""


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_attio_signature_verifies_in_node(client: httpx.Client) -> None:
    with Receiver() as rx:
        hook = v2_hook(client, rx.url, [{"event_type": "record.created", "filter": None}])
        factories.person(client, name="Zoë Ünïcode", email="zoe@example.com")
        (req,) = rx.wait_for(1)
        case = {
            "secret": hook["secret"],
            "raw": req.body.decode(),
            "headers": {k.lower(): v for k, v in req.headers.items()},
        }
        assert NODE is not None
        done = subprocess.run(
            [NODE, "-e", NODE_VERIFY],
            input=json.dumps([case]).encode(),
            capture_output=True,
            timeout=30,
            check=True,
        )
        assert json.loads(done.stdout) == [{"raw": True, "reserialised": True}]


def test_a_sample_in_attio_format(client: httpx.Client) -> None:
    with Receiver() as rx:
        hook = v2_hook(client, rx.url, [{"event_type": "record.updated", "filter": None}])
        hook_id = hook["id"]["webhook_id"]
        for event_type in ("person.updated", "note.created", "task.completed"):
            r = client.post(f"/rest/webhooks/{hook_id}/test", json={"eventType": event_type})
            assert r.status_code == 202, r.text
        requests = rx.wait_for(3)
        bodies = [verify_attio(hook["secret"], r) for r in requests]
        by_type = {b["events"][0]["event_type"]: b["events"] for b in bodies}
        assert set(by_type) == {"record.updated", "note.created", "task.completed"}
        update = by_type["record.updated"]
        assert all(e["id"]["workspace_id"] == hook["id"]["workspace_id"] for e in update)
        assert all(e["id"]["attribute_id"] for e in update)
        assert by_type["note.created"][0]["id"]["note_id"]
        assert by_type["task.completed"][0]["actor"] == {"type": "system", "id": None}

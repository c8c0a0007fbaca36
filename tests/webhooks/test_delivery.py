"""End to end: record writes reach real HTTP receivers, with retries, order and filters."""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections import defaultdict
from typing import Any

import httpx
import pytest

from rolodex.webhooks import delivery_log
from tests import factories
from tests.conftest import LiveServer
from tests.webhooks.helpers import deliveries, eventually, hook, make_hook
from tests.webhooks.receiver import Receiver, Reply, Request


def test_every_event_and_wildcard(client: httpx.Client, db_url: str) -> None:
    with Receiver() as rx:
        subs = {
            "all": None,
            "person": ["person.*"],
            "created": ["*.created"],
            "changed": ["person.changed"],
            "completed": ["task.completed"],
            "star": ["*"],
            "none": [],
        }
        for name, ops in subs.items():
            body: dict[str, Any] = {} if ops is None else {"operations": ops}
            if name == "none":
                body = {"subscriptions": []}
            make_hook(client, f"{rx.url}/{name}", **body)
        acme = factories.company(client, name="Acme")
        ada = factories.person(client, name="Ada Lovelace", companyId=acme["id"])
        client.patch(f"/rest/people/{ada['id']}", json={"jobTitle": "Analyst"})
        task = factories.create(client, "tasks", title="Call Ada", personId=ada["id"])
        client.patch(f"/rest/tasks/{task['id']}", json={"status": "DONE"})
        factories.create(client, "notes", title="Met Ada", personId=ada["id"])
        assert client.delete(f"/rest/companies/{acme['id']}").status_code == 200

        events = [e for e in factories.events(db_url) if e["object_name"] != "webhook"]
        types = [e["type"] for e in events]
        assert {"task.completed", "company.deleted", "person.updated"} <= set(types)
        expected = {
            "all": types,
            "star": types,
            "person": [t for t in types if t.startswith("person.")],
            "created": [t for t in types if t.endswith(".created")],
            "changed": ["person.changed" for t in types if t == "person.updated"],
            "completed": ["task.completed"],
            "none": [],
        }
        total = sum(len(v) for v in expected.values())
        rx.wait_for(total)
        time.sleep(0.3)  # nothing more arrives
        got: dict[str, list[str]] = defaultdict(list)
        for req in rx.requests:
            got[req.path.rsplit("/", 1)[-1]].append(req.json()["event"])
            assert req.header("X-Rolodex-Event") == req.json()["event"]
        for name, names in expected.items():
            assert sorted(got[name]) == sorted(names), name
        ids = {r.json()["eventId"] for r in rx.requests if r.path.endswith("/all")}
        assert ids == {str(e["id"]) for e in events}


def test_payload_embeds_relations_and_is_sent_as_stored(client: httpx.Client) -> None:
    with Receiver() as rx:
        h = make_hook(client, rx.url, operations=["person.*"])
        acme = factories.company(client, name="Acme")
        ada = factories.person(client, name="Ada Lovelace", companyId=acme["id"])
        client.patch(f"/rest/people/{ada['id']}", json={"email": "ada@acme.com"})
        created, updated = (r.json() for r in rx.wait_for(2))
        rest = client.get(f"/rest/people/{ada['id']}").json()["data"]["person"]
        assert created["event"] == "person.created"
        assert created["data"]["company"] == {"id": acme["id"], "name": "Acme"}
        assert created["data"]["owner"] is None
        assert created["data"]["firstName"] == "Ada" and created["data"]["lastName"] == "Lovelace"
        assert {k: v for k, v in updated["data"].items() if k not in ("company", "owner")} == rest
        assert list(updated["data"])[: len(rest)] == list(rest)
        assert updated["changes"] == ["email", "emails"]  # emails: the same value (mirrors)
        assert updated["previous"]["email"] is None and "emails" in updated["previous"]
        assert updated["actor"]["type"] == "apiKey"
        assert updated["webhookId"] == h["id"] and updated["recordId"] == ada["id"]
        logged = deliveries(client, h["id"])
        bodies = {d["eventType"]: d["body"] for d in logged}
        assert bodies["person.updated"].encode() == rx.requests[1].body


def test_retries_retry_after_gone_redirects_and_timeouts(
    db_url: str, api_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROLODEX_WEBHOOK_TIMEOUT", "0.5")

    def respond(req: Request, _n: int) -> Reply:
        kind = req.path.rsplit("/", 1)[-1]
        seen = sum(1 for r in rx.requests if r.path == req.path)
        if kind == "flaky":
            return Reply(500, body=b"not yet") if seen <= 2 else Reply()
        if kind == "busy":
            return Reply(429, {"Retry-After": "1"}) if seen <= 1 else Reply()
        if kind == "gone":
            return Reply(410)
        if kind == "moved":
            return Reply(302, {"Location": rx.url + "/elsewhere"})
        if kind == "slow":
            return Reply(delay=1.5)
        return Reply()

    with (
        Receiver(respond) as rx,
        LiveServer(db_url) as live,
        factories.http(live.url, api_key) as c,
    ):
        kinds = ("flaky", "busy", "gone", "moved", "slow")
        hooks = {k: make_hook(c, f"{rx.url}/{k}", operations=["person.created"]) for k in kinds}
        watcher = make_hook(c, f"{rx.url}/watch", operations=["webhook.disabled"])
        factories.person(c, name="Grace Hopper")

        def settled() -> bool:
            logs = [deliveries(c, h["id"]) for h in hooks.values()]
            return all(log and all(d["status"] != "pending" for d in log) for log in logs)

        eventually(settled, timeout=15)
        by = {k: deliveries(c, h["id"])[0] for k, h in hooks.items()}

        flaky = by["flaky"]
        assert flaky["status"] == "succeeded" and flaky["attempts"] == 3
        log = flaky["attemptLog"]
        assert [a["responseStatus"] for a in log] == [500, 500, 200]
        assert log[0]["responseBody"] == "not yet" and log[0]["nextAttemptAt"] is not None
        assert log[0]["requestHeaders"]["webhook-signature"] == "***"
        assert log[0]["requestHeaders"]["X-Twenty-Webhook-Signature"] == "***"
        flaky_reqs = [r for r in rx.requests if r.path.endswith("/flaky")]
        assert len({r.body for r in flaky_reqs}) == 1  # the same bytes every time
        assert len({r.header("webhook-id") for r in flaky_reqs}) == 1
        assert len({r.header("X-Twenty-Webhook-Timestamp") for r in flaky_reqs}) == 3

        busy = [r for r in rx.requests if r.path.endswith("/busy")]
        assert by["busy"]["status"] == "succeeded" and len(busy) == 2
        assert busy[1].at - busy[0].at >= 0.9  # Retry-After: 1, not the 0.2 s schedule

        assert by["gone"]["status"] == "failed" and by["gone"]["attempts"] == 1
        gone = hook(c, hooks["gone"]["id"])
        assert gone["status"] == "disabled" and "410" in gone["statusReason"]
        disabled = rx.wait_for(1, 5) and [
            r.json() for r in rx.requests if r.path.endswith("/watch")
        ]
        eventually(lambda: [r for r in rx.requests if r.path.endswith("/watch")], timeout=5)
        disabled = [r.json() for r in rx.requests if r.path.endswith("/watch")]
        assert disabled[0]["event"] == "webhook.disabled"
        assert disabled[0]["recordId"] == hooks["gone"]["id"]
        assert "secret" not in disabled[0]["data"]
        assert watcher["id"] != hooks["gone"]["id"]

        moved = by["moved"]
        assert moved["status"] == "failed" and moved["attempts"] == 3
        assert "redirect" in moved["attemptLog"][0]["error"]
        assert not [r for r in rx.requests if r.path.endswith("/elsewhere")]
        assert hook(c, hooks["moved"]["id"])["status"] == "degraded"

        slow = by["slow"]
        assert slow["status"] == "failed" and slow["attempts"] == 3
        assert "timed out" in slow["attemptLog"][0]["error"]
        assert slow["attemptLog"][0]["responseStatus"] is None

        # A success brings a degraded webhook back.
        rx.respond = lambda req, n: Reply()
        r = c.post(f"/rest/webhooks/{hooks['moved']['id']}/deliveries/{moved['id']}/resend")
        assert r.status_code == 202
        eventually(lambda: hook(c, hooks["moved"]["id"])["status"] == "active", timeout=5)


def test_disabled_after_failing_for_too_long(
    db_url: str, api_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROLODEX_WEBHOOK_SCHEDULE", "0,0.3,0.3,0.3,0.3,0.3,0.3")
    monkeypatch.setenv("ROLODEX_WEBHOOK_DISABLE_AFTER", "0.5")
    with (
        Receiver(lambda r, n: Reply(503)) as rx,
        LiveServer(db_url) as live,
        factories.http(live.url, api_key) as c,
    ):
        h = make_hook(c, rx.url)
        factories.person(c, name="Failing")
        eventually(lambda: hook(c, h["id"])["status"] == "disabled", timeout=10)
        got = hook(c, h["id"])
        assert "failed continuously" in got["statusReason"]
        assert got["failingSince"] is not None
        sent = len(rx.requests)
        time.sleep(0.8)
        assert len(rx.requests) == sent  # a disabled webhook is not sent to
        assert [e for e in factories.events(db_url) if e["type"] == "webhook.disabled"]
        # Enabling it again resumes the pending delivery.
        rx.respond = lambda r, n: Reply()
        c.patch(f"/rest/webhooks/{h['id']}", json={"status": "active"})
        eventually(lambda: deliveries(c, h["id"])[0]["status"] == "succeeded", timeout=5)
        assert hook(c, h["id"])["failingSince"] is None


def test_per_record_order(client: httpx.Client) -> None:
    """Events about one record arrive in commit order even when some attempts fail."""
    accepted: list[dict[str, Any]] = []

    def respond(req: Request, _n: int) -> Reply:
        digest = hashlib.sha256(req.body).digest()
        if req.header("X-Rolodex-Attempt") == "1" and digest[0] < 128:
            return Reply(500)
        accepted.append(req.json())
        return Reply()

    with Receiver(respond) as rx:
        h = make_hook(client, rx.url, operations=["person.*"])
        people = [factories.person(client, name=f"P{i}") for i in range(4)]
        key = str(client.headers["authorization"]).split(" ", 1)[1]

        failed: list[str] = []  # a failed assertion in a thread would not fail the test

        def edit(pid: str) -> None:
            with factories.http(str(client.base_url), key) as c:
                for n in range(5):
                    r = c.patch(f"/rest/people/{pid}", json={"jobTitle": f"v{n}"})
                    if not r.is_success:
                        failed.append(f"{pid} v{n}: {r.status_code} {r.text[:200]}")

        writers = [threading.Thread(target=edit, args=(p["id"],)) for p in people]
        for w in writers:
            w.start()
        for w in writers:
            w.join()
        assert not failed
        eventually(lambda: len(accepted) == 24, timeout=20)
        assert len(rx.requests) > 24  # some first attempts failed
        order: dict[str, list[str]] = defaultdict(list)
        for body in accepted:
            order[body["recordId"]].append(body["data"].get("jobTitle") or "created")
        for p in people:
            assert order[p["id"]] == ["created", "v0", "v1", "v2", "v3", "v4"], order[p["id"]]
        # The receiver holds a body before the sender has recorded its answer: every
        # delivery ends succeeded once the sender has written the last attempt.
        eventually(
            lambda: all(d["status"] == "succeeded" for d in deliveries(client, h["id"])),
            timeout=10,
        )


def test_filters(client: httpx.Client) -> None:
    with Receiver() as rx:
        make_hook(
            client,
            rx.url,
            subscriptions=[
                {
                    "eventType": "person.created",
                    "filter": {
                        "$and": [{"field": "data.email", "operator": "contains", "value": "@acme"}]
                    },
                },
                {
                    "eventType": "person.changed",
                    "filter": {
                        "$or": [
                            {"field": "email", "operator": "changed"},
                            {"field": "data.jobTitle", "operator": "equals", "value": "CEO"},
                        ]
                    },
                },
            ],
        )
        a = factories.person(client, name="A", email="a@acme.com")
        factories.person(client, name="B", email="b@other.org")
        client.patch(f"/rest/people/{a['id']}", json={"phone": "+1 555 0100"})
        client.patch(f"/rest/people/{a['id']}", json={"email": "a@acme.io"})
        client.patch(f"/rest/people/{a['id']}", json={"jobTitle": "CEO"})
        rx.wait_for(3)
        time.sleep(0.3)
        got = [(r.json()["event"], r.json()["data"]["email"]) for r in rx.requests]
        assert sorted(got) == sorted(
            [
                ("person.created", "a@acme.com"),
                ("person.changed", "a@acme.io"),
                ("person.changed", "a@acme.io"),
            ]
        )


def test_the_log_counts_up_to_a_bound(client: httpx.Client, db_url: str) -> None:
    """A webhook's log grows until the retention purge: its total is counted only so far."""
    with Receiver(lambda r, n: Reply(500)) as rx:
        h = make_hook(client, rx.url, operations=["person.created"])
        for i in range(4):
            factories.person(client, name=f"Person {i}")
        eventually(lambda: len(deliveries(client, h["id"])) == 4, timeout=10)
    ws, hid = uuid.UUID(h["workspaceId"]), uuid.UUID(h["id"])

    def page(limit: int, offset: int) -> Any:
        return factories.run_db(
            db_url,
            lambda conn: delivery_log.list_for_webhook(
                conn, ws, hid, None, limit, offset, count_limit=2
            ),
            write=False,
        )

    first = page(1, 0)
    assert (len(first.items), first.total, first.exact) == (1, 3, False)  # 2 and more
    assert page(1, 3).total == 4 and page(1, 3).exact  # past the bound: counted to the page
    # One read: the dispatcher may retry a delivery between two reads of its row.
    whole = page(10, 0)
    assert (len(whole.items), whole.total, whole.exact) == (4, 4, True)


def test_log_resend_recover_and_test(client: httpx.Client) -> None:
    with Receiver(lambda r, n: Reply(500, body=b"x" * 5000)) as rx:
        h = make_hook(client, rx.url, operations=["person.created"])
        for i in range(3):
            factories.person(client, name=f"Person {i}")
        eventually(lambda: len(deliveries(client, h["id"], status="failed")) == 3, timeout=10)
        first = deliveries(client, h["id"])[0]
        assert len(first["attemptLog"][0]["responseBody"]) == 2048
        page = client.get(
            f"/rest/webhooks/{h['id']}/deliveries", params={"limit": 1, "offset": 1}
        ).json()
        assert page["totalCount"] == 3 and len(page["data"]["deliveries"]) == 1
        assert page["totalCountIsExact"] is True
        assert deliveries(client, h["id"], status="succeeded") == []
        bad = client.get(f"/rest/webhooks/{h['id']}/deliveries", params={"status": "lost"})
        assert bad.status_code == 400

        rx.respond = lambda r, n: Reply()
        r = client.post(f"/rest/webhooks/{h['id']}/recover", json={"since": "2000-01-01T00:00:00Z"})
        assert r.status_code == 202 and r.json()["data"]["requeued"] == 3
        eventually(lambda: len(deliveries(client, h["id"], status="succeeded")) == 3, timeout=10)
        done = deliveries(client, h["id"])[0]
        assert done["attempts"] == 4 and done["attemptLog"][-1]["responseStatus"] == 200

        before = len(rx.requests)
        r = client.post(f"/rest/webhooks/{h['id']}/deliveries/{done['id']}/resend")
        assert r.status_code == 202, r.text
        rx.wait_for(before + 1)
        assert rx.requests[-1].json()["eventId"] == done["eventId"]
        assert rx.requests[-1].body.decode() == done["body"]
        missing = client.post(f"/rest/webhooks/{h['id']}/deliveries/{h['id']}/resend")
        assert missing.status_code == 404

        r = client.post(f"/rest/webhooks/{h['id']}/test", json={"eventType": "company.deleted"})
        assert r.status_code == 202, r.text
        rx.wait_for(before + 2)
        sample = rx.requests[-1].json()
        assert sample["event"] == "company.deleted" and sample["data"]["name"] == "Ada Lovelace"
        assert (
            client.post(f"/rest/webhooks/{h['id']}/test", json={"eventType": "*"}).status_code
            == 400
        )
        r = client.post(f"/rest/webhooks/{h['id']}/recover", json={})
        assert r.status_code == 400 and r.json()["field"] == "since"

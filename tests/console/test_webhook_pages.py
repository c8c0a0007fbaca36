"""Webhook pages over HTTP: the filter builder (``changed`` included) round-trips
through the webhook service; state, disabling, rotation, the log's filters and
recovery. And a person's page with its notes, tasks and consents."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx

from tests import factories
from tests.console.helpers import Console, make_member
from tests.webhooks.receiver import Receiver, Reply


def _admin(server: Any, db_url: str) -> Console:
    make_member(db_url, "ada@example.org", "admin")
    console = Console(server.url)
    assert console.sign_in("ada@example.org").status_code == 303
    return console


def _hook_id(response: httpx.Response) -> str:
    found = re.search(r"/console/webhooks/([0-9a-f-]{36})/deliveries", response.text)
    assert found, response.text
    return found.group(1)


def test_the_filter_builder_makes_the_apis_subscriptions(
    server: Any, db_url: str, client: httpx.Client
) -> None:
    console = _admin(server, db_url)
    form = {
        "targetUrl": "https://hooks.example.org/in",
        "name": "email changes",
        "format": "superoffice",
        "sub-0-event": "person.changed",
        "sub-0-match": "any",
        "sub-0-cond-0-field": "email",
        "sub-0-cond-0-op": "changed",
        "sub-0-cond-0-value": "",
        "sub-0-cond-1-field": "data.tags",
        "sub-0-cond-1-op": "in",
        "sub-0-cond-1-value": "vip, 3",
    }
    r = console.post("/console/webhooks", form, token_from="/console/webhooks")
    assert r.status_code == 201, r.text
    hook_id = _hook_id(r)
    assert re.search(r'id="wh-secret" readonly value="[^"]+"', r.text)  # shown once
    hook = client.get(f"/rest/webhooks/{hook_id}").json()
    hook = hook.get("data", hook)
    hook = hook.get("webhook", hook)
    assert hook["format"] == "superoffice"
    assert hook["subscriptions"] == [
        {
            "eventType": "person.changed",
            "filter": {
                "$or": [
                    {"field": "email", "operator": "changed", "value": True},
                    {"field": "data.tags", "operator": "in", "value": ["vip", 3]},
                ]
            },
        }
    ]
    page = console.get(f"/console/webhooks/{hook_id}").text
    assert 'value="person.changed"' in page and "healthy" in page
    # The service's own message for a bad operator or event type.
    bad = console.post(
        "/console/webhooks",
        {"targetUrl": "https://hooks.example.org/x", "sub-0-event": "person"},
        token_from="/console/webhooks",
    )
    assert bad.status_code == 400 and "is not an event type" in bad.text
    # Disable, enable, rotate with a grace period.
    r = console.post(f"/console/webhooks/{hook_id}/status", {"status": "disabled"})
    assert "Disabled." in r.text and 'id="wh-state">disabled' in r.text
    r = console.post(f"/console/webhooks/{hook_id}/status", {"status": "active"})
    assert 'id="wh-state">healthy' in r.text
    r = console.post(f"/console/webhooks/{hook_id}/rotate", {"graceHours": "2"})
    assert "keeps signing for 2 hours" in r.text
    assert re.search(r'id="wh-secret" readonly value="[^"]+"', r.text)
    r = console.post(f"/console/webhooks/{hook_id}/rotate", {"graceHours": "9999"})
    assert r.status_code == 400 and "graceSeconds must be between" in r.text


def test_the_delivery_log_filters_and_recovers(
    server: Any, db_url: str, client: httpx.Client
) -> None:
    console = _admin(server, db_url)
    down = {"on": True}
    with Receiver(lambda _r, _n: Reply(503) if down["on"] else Reply()) as receiver:
        r = console.post(
            "/console/webhooks",
            {"targetUrl": receiver.url, "all_events": "1"},
            token_from="/console/webhooks",
        )
        hook_id = _hook_id(r)
        factories.person(client, name="A")
        factories.company(client, name="B")
        log = f"/console/webhooks/{hook_id}/deliveries"
        deadline = time.monotonic() + 20
        while console.get(log, params={"status": "failed"}).text.count('class="delivery') < 2:
            assert time.monotonic() < deadline, console.get(log).text
            time.sleep(0.2)
        failed = console.get(log, params={"status": "failed", "eventType": "company.created"})
        assert failed.text.count('class="delivery') == 1 and "company.created" in failed.text
        assert "503" in failed.text
        # Authorization-like headers are masked in the log.
        assert "whsec_" not in failed.text
        down["on"] = False
        r = console.post(
            f"{log.rsplit('/', 1)[0]}/recover",
            {"since": "2000-01-01T00:00", "until": ""},
            token_from=log,
        )
        assert "2 failed deliveries are queued again" in r.text
        deadline = time.monotonic() + 20
        while console.get(log, params={"status": "succeeded"}).text.count('class="delivery') < 2:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert len(receiver.requests) >= 5  # three tries each for two, then two more
        assert "healthy" in console.get("/console/webhooks").text


def test_a_persons_page_shows_notes_tasks_and_consents(
    server: Any, db_url: str, client: httpx.Client
) -> None:
    console = _admin(server, db_url)
    person = factories.person(client, name="Ada", email="ada@example.com")
    factories.create(client, "notes", title="Met at the fair", personId=person["id"])
    factories.create(client, "tasks", title="Send the deck", personId=person["id"])
    r = client.post(
        f"/rest/people/{person['id']}/consents",
        json={"purpose": "newsletter", "legalBasis": "consent", "source": "web form"},
    )
    assert r.status_code == 201, r.text
    page = console.get(f"/console/records/people/{person['id']}").text
    assert "Met at the fair" in page and "Send the deck" in page
    assert "newsletter: given" in page
    tasks = console.get("/console/records/tasks").text
    assert "Send the deck" in tasks

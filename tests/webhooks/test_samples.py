"""Test deliveries: a sample is a record that could exist; the CLI reports the server's verdict."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

import httpx

from tests.conftest import LiveServer
from tests.webhooks.helpers import deliveries, eventually, make_hook
from tests.webhooks.receiver import Receiver
from tests.webhooks.test_workers import COMMAND

SAMPLES = [
    f"{obj}.{action}"
    for obj in ("person", "company", "note", "task", "member")
    for action in ("created", "updated", "changed", "deleted")
] + ["task.completed"]


def _sample(client: httpx.Client, hook_id: str, event_type: str) -> dict[str, Any]:
    r = client.post(f"/rest/webhooks/{hook_id}/test", json={"eventType": event_type})
    assert r.status_code == 202, r.text
    return json.loads(r.json()["data"]["delivery"]["body"])  # type: ignore[no-any-return]


def test_samples_are_consistent_records(client: httpx.Client) -> None:
    with Receiver() as rx:
        hook = make_hook(client, rx.url)
        for event_type in SAMPLES:
            body = _sample(client, hook["id"], event_type)
            _check(event_type, body)


def _check(event_type: str, body: dict[str, Any]) -> None:
    obj, _, action = event_type.partition(".")
    data, changes, previous = body["data"], body["changes"], body.get("previous")
    where = (event_type, body)
    assert body["event"] == event_type and body["recordId"] == data["id"], where
    if obj == "person":
        assert data["name"] == f"{data['firstName']} {data['lastName']}", where
    assert data["createdAt"] <= data["updatedAt"], where
    if action in ("deleted",):
        assert data["deletedAt"] is not None and data["deletedAt"] >= data["updatedAt"], where
    else:
        assert data["deletedAt"] is None, where
    if action == "created":
        assert data["createdAt"] == data["updatedAt"], where
        assert previous is None, where
        assert changes and all(data[k] not in (None, [], {}) for k in changes), where
        assert not {"id", "createdAt", "updatedAt", "deletedAt"} & set(changes), where
    elif action in ("updated", "changed"):
        assert changes and set(previous) == set(changes), where
        assert all(previous[k] != data[k] for k in changes), where
        if obj == "person":
            assert previous["name"] == f"{data['firstName']} {previous['lastName']}", where
    else:
        assert previous is None or set(previous) == set(changes), where
    if obj == "task":
        assert (data["status"] == "DONE") == (data["completedAt"] is not None), where
        assert (action == "completed") == (data["status"] == "DONE"), where


def _cli(db_url: str, *args: str, allow_private: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROLODEX_")}
    env["COLUMNS"] = "200"
    if allow_private:
        env["ROLODEX_WEBHOOK_ALLOW_PRIVATE"] = "1"
    return subprocess.run(
        [*COMMAND, "webhooks", *args, "--database", db_url],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_cli_test_reports_what_the_server_did(
    server: LiveServer, client: httpx.Client, db_url: str
) -> None:
    # The server may reach the local receiver; the CLI's own environment may not.
    with Receiver() as rx:
        hook = make_hook(client, rx.url, operations=["company.created"])
        done = _cli(db_url, "test", hook["id"], "--json", allow_private=False)
        assert done.returncode == 0, (done.stdout, done.stderr)
        info = json.loads(done.stdout)
        assert info["sentBy"] == "server" and info["status"] == "succeeded", info
        assert info["responseStatus"] == 200 and info["error"] is None, info
        assert [r.header("X-Rolodex-Delivery-Id") for r in rx.requests] == [info["deliveryId"]]
        done = _cli(db_url, "test", hook["id"], "-e", "person.updated", allow_private=False)
        assert done.returncode == 0, (done.stdout, done.stderr)
        assert "Delivered person.updated: HTTP 200" in done.stdout
        assert "sent by the server" in done.stdout
        logged = eventually(lambda: deliveries(client, hook["id"]))
        assert {d["status"] for d in logged} == {"succeeded"}
        assert [d["attempts"] for d in logged] == [1, 1]


def test_cli_test_without_a_server_says_who_refused(db_url: str, api_key: str) -> None:
    with Receiver() as rx:
        os.environ["ROLODEX_DISPATCHER"] = "0"
        try:
            with (
                LiveServer(db_url) as live,
                httpx.Client(
                    base_url=live.url, headers={"Authorization": f"Bearer {api_key}"}
                ) as c,
            ):
                hook = make_hook(c, rx.url)
        finally:
            del os.environ["ROLODEX_DISPATCHER"]
        done = _cli(db_url, "test", hook["id"], "--wait", "0.3", allow_private=False)
        assert done.returncode == 1, (done.stdout, done.stderr)
        message = " ".join(done.stderr.split())
        assert "sent by this command" in message and "refused" in message, message
        assert "It is retried at" in message, message
        assert rx.requests == []
        done = _cli(db_url, "test", hook["id"], "--wait", "0.3", "--json", allow_private=True)
        assert done.returncode == 0, (done.stdout, done.stderr)
        assert json.loads(done.stdout)["sentBy"] == "cli"
        assert len(rx.requests) == 1

"""Webhook management and raw GraphQL through the client, with deliveries verified end to end."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import pytest

from rolodex import AsyncClient, Client, NotFoundError, RolodexError, ValidationError
from rolodex.client.verify import WebhookVerificationError, verify
from tests.client.scripted import Reply, Scripted, Seen
from tests.conftest import LiveServer

STANDARD = ("webhook-id", "webhook-timestamp", "webhook-signature")
TWENTY = ("x-twenty-webhook-timestamp", "x-twenty-webhook-signature")


@pytest.fixture
def server(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    """The live server, allowed to deliver to loopback receivers, retrying quickly."""
    monkeypatch.setenv("ROLODEX_WEBHOOK_ALLOW_PRIVATE", "1")
    monkeypatch.setenv("ROLODEX_WEBHOOK_SCHEDULE", "0,0.2,0.2")
    monkeypatch.setenv("ROLODEX_WEBHOOK_JITTER", "0")
    monkeypatch.setenv("ROLODEX_WEBHOOK_POLL", "0.05")
    monkeypatch.delenv("ROLODEX_DISPATCHER", raising=False)
    with LiveServer(db_url) as live:
        yield live


@pytest.fixture
def hooks_available(rdx: Client) -> None:
    try:
        rdx.webhooks.list()
    except NotFoundError:
        pytest.skip("this server has no /rest/webhooks")


@pytest.fixture
def graphql_available(rdx: Client) -> None:
    try:
        rdx.graphql("{ __typename }")
    except NotFoundError:
        pytest.skip("this server has no /graphql")


def only(seen: Seen, names: tuple[str, ...]) -> dict[str, str]:
    """The request's headers of one signing scheme only."""
    return {k: v for k, v in seen.headers.items() if k.lower() in names}


def settled(rdx: Client, hook_id: str, n: int, timeout: float = 10.0) -> list[dict[str, Any]]:
    """The webhook's deliveries once ``n`` of them have succeeded."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = rdx.webhooks.deliveries(hook_id, status="succeeded").items
        if len(done) >= n:
            return done
        time.sleep(0.05)
    raise AssertionError(f"fewer than {n} deliveries succeeded")


def test_webhooks(rdx: Client, hooks_available: None) -> None:
    with Scripted() as receiver:
        hook = rdx.webhooks.create(
            receiver.url + "/hook",
            name="CRM sync",
            subscriptions=[{"eventType": "person.created"}],
            format="rolodex",
        )
        secret = hook["secret"]
        assert secret.startswith("whsec_") and hook["targetUrl"].endswith("/hook")
        listed = rdx.webhooks.list(limit=10, offset=0)
        assert listed.total_count == 1 and [h["id"] for h in listed] == [hook["id"]]
        assert "secret" not in rdx.webhooks.get(hook["id"])
        updated = rdx.webhooks.update(hook["id"], description="to the warehouse")
        assert updated["description"] == "to the warehouse" and updated["name"] == "CRM sync"

        person = rdx.people.create(name="Doe, John", email="john@example.com")
        first = receiver.wait_for(1)[0]
        # Each scheme alone verifies, on the raw bytes received.
        for names in (STANDARD, TWENTY):
            event = verify(first.body, only(first, names), secret)
            assert event["data"]["id"] == person["id"]
        with pytest.raises(WebhookVerificationError):
            verify(first.body.replace(b"John", b"Jane"), first.headers, secret)

        sent = rdx.webhooks.test(hook["id"], event_type="person.created")
        assert sent["id"]
        assert verify(receiver.wait_for(2)[1].body, receiver.seen[1].headers, secret)
        deliveries = rdx.webhooks.deliveries(hook["id"])
        assert deliveries.total_count is not None and deliveries.total_count >= 2
        done = settled(rdx, hook["id"], 2)
        assert rdx.webhooks.resend(hook["id"], done[0]["id"])["id"] == done[0]["id"]
        receiver.wait_for(3)

        rotated = rdx.webhooks.rotate_secret(hook["id"], grace_seconds=60)
        assert rotated["secret"] != secret
        rdx.webhooks.test(hook["id"])
        latest = receiver.wait_for(4)[3]
        assert verify(latest.body, latest.headers, rotated["secret"])
        # During the grace period the old secret still verifies the Standard signature.
        assert verify(latest.body, only(latest, STANDARD), secret)

        since = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
        assert rdx.webhooks.recover(hook["id"], since=since) == 0
        assert rdx.webhooks.delete(hook["id"]) == {"id": hook["id"]}
        with pytest.raises(NotFoundError):
            rdx.webhooks.get(hook["id"])
        with pytest.raises(ValidationError) as bad:
            rdx.webhooks.create("ftp://example.com")
        assert bad.value.field == "targetUrl"


def test_async_webhooks(rdx: Client, hooks_available: None, run_async) -> None:
    async def scenario(c: AsyncClient) -> None:
        with Scripted() as receiver:
            hook = await c.webhooks.create(receiver.url, secret="my-plain-secret")
            assert (await c.webhooks.list()).total_count == 1
            assert (await c.webhooks.get(hook["id"]))["id"] == hook["id"]
            assert (await c.webhooks.update(hook["id"], name="renamed"))["name"] == "renamed"
            await c.webhooks.test(hook["id"])
            got = receiver.wait_for(1)[0]
            assert verify(got.body, got.headers, "my-plain-secret")["event"] == "person.created"
            page = await c.webhooks.deliveries(hook["id"], limit=5)
            assert len(page) >= 1
            assert await c.webhooks.resend(hook["id"], page[0]["id"])
            assert (await c.webhooks.rotate_secret(hook["id"]))["secret"].startswith("whsec_")
            assert await c.webhooks.recover(hook["id"], since="2020-01-01T00:00:00Z") >= 0
            assert (await c.webhooks.delete(hook["id"]))["id"] == hook["id"]

    run_async(scenario)


def test_graphql(rdx: Client, graphql_available: None) -> None:
    made = rdx.graphql(
        "mutation Create($input: PersonCreateInput!) { createPerson(data: $input) { id name } }",
        {"input": {"name": "Jane Smith", "email": "jane@example.com"}},
    )
    pid = made["createPerson"]["id"]
    data = rdx.graphql(
        'query { people(filter: { email: { eq: "jane@example.com" } }) '
        "{ edges { node { id name } } } }"
    )
    assert data["people"]["edges"][0]["node"]["id"] == pid
    with pytest.raises(NotFoundError) as missing:
        rdx.graphql('{ person(id: "0193b3a0-0000-7000-8000-000000000000") { id } }')
    assert missing.value.code == "NOT_FOUND" and missing.value.errors
    assert missing.value.data == {"person": None}
    with pytest.raises(RolodexError) as broken:
        rdx.graphql("{ people { nope } }")
    assert broken.value.errors


def test_async_graphql(rdx: Client, graphql_available: None, run_async) -> None:
    async def scenario(c: AsyncClient) -> None:
        data = await c.graphql(
            "query People($first: Int) { people(first: $first) { edges { node { id } } } }",
            {"first": 5},
            operation_name="People",
        )
        assert data == {"people": {"edges": []}}
        with pytest.raises(NotFoundError):
            await c.graphql('{ person(id: "0193b3a0-0000-7000-8000-000000000000") { id } }')

    run_async(scenario)


def test_resend_during_an_attempt_in_flight(rdx: Client, hooks_available: None) -> None:
    with Scripted(Reply(delay=1.0), Reply()) as receiver:
        hook = rdx.webhooks.create(receiver.url)
        sent = rdx.webhooks.test(hook["id"])
        receiver.wait_for(1)  # the receiver is holding its answer: the attempt is in flight
        assert rdx.webhooks.resend(hook["id"], sent["id"])["id"] == sent["id"]
        receiver.wait_for(2, timeout=5)


def test_a_rotation_signs_the_next_delivery(rdx: Client, hooks_available: None) -> None:
    with Scripted() as receiver:
        hook = rdx.webhooks.create(receiver.url)
        rdx.webhooks.test(hook["id"])
        receiver.wait_for(1)
        rotated = rdx.webhooks.rotate_secret(hook["id"], secret="brand-new", grace_seconds=0)
        assert rotated["secret"] == "brand-new"
        rdx.webhooks.test(hook["id"])
        latest = receiver.wait_for(2)[1]
        assert verify(latest.body, latest.headers, "brand-new")

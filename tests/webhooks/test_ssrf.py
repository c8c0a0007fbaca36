"""Server-side request forgery: every spelling of a private address is refused, twice.

At creation (REST, ``/v2/webhooks``, GraphQL) with a 400 naming the field,
and again at delivery, where the sender checks literal hosts itself and the
resolver checks what a name resolves to.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from rolodex.webhooks.sender import Outcome, Sender, refusal
from tests.webhooks.receiver import Receiver, Reply

# Each is, or wraps, a private, link-local, loopback or reserved address.
HIDDEN = [
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of 169.254.169.254
    "http://[64:ff9b:1::a9fe:a9fe]/",  # local-use NAT64
    "http://[2002:a9fe:a9fe::]/",  # 6to4
    "http://[::a9fe:a9fe]/",  # IPv4-compatible
    "http://[::ffff:0:a9fe:a9fe]/",  # IPv4-translated
    "http://[::ffff:169.254.169.254]/",  # IPv4-mapped
    "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",  # Teredo
    "http://[fec0::1]/",  # site-local
    "http://[fd12:3456::1]/",  # unique-local
    "http://[fe80::1]/",  # link-local
    "http://[ff02::1]/",  # multicast
    "http://[2001:db8::1]/",  # documentation
    "http://100.64.0.1/",  # shared address space (CGNAT)
    "http://198.18.0.1/",  # benchmarking
    "http://192.0.2.1/",  # documentation
    "http://240.0.0.1/",  # reserved
    "http://224.0.0.1/",  # multicast
    "http://2852039166/",  # 169.254.169.254 in decimal
    "http://0xa9fea9fe/",  # in hex
    "http://0251.0376.0251.0376/",  # in octal
    "http://127.1/",  # two-part form of 127.0.0.1
]
PUBLIC = ["http://8.8.8.8/", "http://[64:ff9b::808:808]/", "http://[::ffff:8.8.8.8]/"]
BAD_HOSTS = [
    "http://exa mple.com/",
    "http://example.com%00/",
    "http://exam\nple.com/",
    "http://example.com\r\n/",
    "http://ex\x01ample.com/",
    "http://ex\tample.com/",
    "http://-bad-.example.com/",
]


@pytest.fixture
def strict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ROLODEX_WEBHOOK_ALLOW_PRIVATE", raising=False)


def test_hidden_private_addresses_are_refused_at_creation(
    client: httpx.Client, strict: None
) -> None:
    for url in HIDDEN:
        r = client.post("/rest/webhooks", json={"targetUrl": url})
        assert r.status_code == 400, (url, r.text)
        assert r.json()["field"] == "targetUrl"
        assert "ROLODEX_WEBHOOK_ALLOW_PRIVATE" in r.json()["message"], url
        r = client.post("/v2/webhooks", json={"data": {"target_url": url, "subscriptions": []}})
        assert r.status_code == 400, (url, r.text)
    for url in PUBLIC:
        r = client.post("/rest/webhooks", json={"targetUrl": url})
        assert r.status_code == 201, (url, r.text)


def _post(url: str) -> Outcome:
    async def go() -> Outcome:
        sender = Sender(2)
        try:
            return await sender.post(url, b"{}", {"content-type": "application/json"})
        finally:
            await sender.close()

    return asyncio.run(go())


def test_the_delivery_check_refuses_them_too(strict: None) -> None:
    for url in [*HIDDEN, "http://localhost:9/"]:
        outcome = _post(url)
        assert outcome.status is None and outcome.error is not None, url
        assert "refused" in outcome.error and "ALLOW_PRIVATE" in outcome.error, (url, outcome)


def test_redirects_to_private_addresses_are_not_followed(strict: None) -> None:
    with Receiver(lambda _r, _n: Reply(302, {"Location": "http://169.254.169.254/"})) as rx:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("ROLODEX_WEBHOOK_ALLOW_PRIVATE", "127.0.0.0/8")
            outcome = _post(rx.url)
        assert outcome.status == 302 and "not followed" in (outcome.error or "")
        assert len(rx.requests) == 1


def test_allow_private_still_opens_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROLODEX_WEBHOOK_ALLOW_PRIVATE", "1")
    assert all(refusal(a) is None for a in ("64:ff9b::a9fe:a9fe", "fec0::1", "100.64.0.1"))
    # A list of ranges opens those, whichever way the address is written.
    monkeypatch.setenv("ROLODEX_WEBHOOK_ALLOW_PRIVATE", "169.254.0.0/16")
    assert refusal("64:ff9b::a9fe:a9fe") is None
    assert refusal("::ffff:169.254.1.1") is None
    assert refusal("::ffff:10.0.0.1") is not None
    assert refusal("fec0::1") is not None


def _graphql(client: httpx.Client, query: str, variables: dict[str, object]) -> dict[str, object]:
    r = client.post("/graphql", json={"query": query, "variables": variables})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_hosts_with_spaces_or_control_characters_are_refused_at_creation(
    client: httpx.Client,
) -> None:
    good = client.post("/rest/webhooks", json={"targetUrl": "https://example.com/"})
    hook_id = good.json()["data"]["createWebhook"]["id"]
    for url in BAD_HOSTS:
        r = client.post("/rest/webhooks", json={"targetUrl": url})
        assert r.status_code == 400 and r.json()["field"] == "targetUrl", (url, r.text)
        r = client.patch(f"/rest/webhooks/{hook_id}", json={"targetUrl": url})
        assert r.status_code == 400 and r.json()["field"] == "targetUrl", (url, r.text)
        r = client.post("/v2/webhooks", json={"data": {"target_url": url, "subscriptions": []}})
        assert r.status_code == 400 and r.json()["field"] == "target_url", (url, r.text)
        result = _graphql(
            client, "mutation($d: JSON!) { createWebhook(data: $d) }", {"d": {"targetUrl": url}}
        )
        errors = result["errors"]
        assert isinstance(errors, list)
        assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT", (url, result)
        assert errors[0]["extensions"]["field"] == "targetUrl", (url, result)
        result = _graphql(
            client,
            "mutation($id: ID!, $d: JSON!) { updateWebhook(id: $id, data: $d) }",
            {"id": hook_id, "d": {"targetUrl": url}},
        )
        assert result["errors"][0]["extensions"]["field"] == "targetUrl", (url, result)  # type: ignore[index]
    listed = client.get("/rest/webhooks").json()["data"]["webhooks"]
    assert [h["targetUrl"] for h in listed] == ["https://example.com/"]

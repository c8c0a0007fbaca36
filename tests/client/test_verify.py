"""Webhook verification: both signing schemes, every way a request can be untrustworthy."""

from __future__ import annotations

import base64
import json
import os
import time

import pytest

from rolodex.client.verify import WebhookVerificationError, sign_standard, sign_twenty, verify

SECRET = "whsec_" + base64.b64encode(os.urandom(32)).decode()
BODY = json.dumps({"event": "person.created", "data": {"name": "Doe, John"}}).encode()


def standard(body: bytes = BODY, secret: str = SECRET, ts: float | None = None) -> dict[str, str]:
    ts_s = str(int(time.time() if ts is None else ts))
    return {
        "webhook-id": "msg_1",
        "webhook-timestamp": ts_s,
        "webhook-signature": sign_standard(secret, "msg_1", ts_s, body),
    }


def twenty(body: bytes = BODY, secret: str = SECRET, ts: float | None = None) -> dict[str, str]:
    ts_ms = str(int((time.time() if ts is None else ts) * 1000))
    return {
        "X-Twenty-Webhook-Timestamp": ts_ms,
        "X-Twenty-Webhook-Signature": sign_twenty(secret, ts_ms, body),
    }


@pytest.mark.parametrize("scheme", [standard, twenty])
def test_valid_requests_return_the_payload(scheme) -> None:
    assert verify(BODY, scheme(), SECRET) == json.loads(BODY)
    assert verify(BODY.decode(), scheme(), SECRET)["data"]["name"] == "Doe, John"
    # Header names in any case, as a list of pairs too.
    upper = {k.upper(): v for k, v in scheme().items()}
    assert verify(BODY, upper, SECRET)["event"] == "person.created"
    assert verify(BODY, list(scheme().items()), SECRET)["event"] == "person.created"


def test_both_schemes_together_and_plain_secrets() -> None:
    assert verify(BODY, {**standard(), **twenty()}, SECRET)["event"] == "person.created"
    plain = "not-a-whsec-secret"
    assert verify(BODY, standard(secret=plain), plain)["event"] == "person.created"
    assert verify(BODY, twenty(secret=plain), plain)["event"] == "person.created"


@pytest.mark.parametrize("scheme", [standard, twenty])
def test_tampered_body_wrong_secret_and_stale_timestamps_raise(scheme) -> None:
    headers = scheme()
    with pytest.raises(WebhookVerificationError, match="does not match"):
        verify(BODY.replace(b"John", b"Jane"), headers, SECRET)
    with pytest.raises(WebhookVerificationError, match="does not match"):
        verify(BODY + b" ", headers, SECRET)
    with pytest.raises(WebhookVerificationError, match="does not match"):
        verify(BODY, headers, "whsec_" + base64.b64encode(b"x" * 32).decode())
    with pytest.raises(WebhookVerificationError, match="old, outside the 300s tolerance"):
        verify(BODY, scheme(ts=time.time() - 301), SECRET)
    with pytest.raises(WebhookVerificationError, match="in the future"):
        verify(BODY, scheme(ts=time.time() + 400), SECRET)
    # A custom tolerance, and a fixed clock.
    old = scheme(ts=time.time() - 100)
    with pytest.raises(WebhookVerificationError):
        verify(BODY, old, SECRET, tolerance=60)
    assert verify(BODY, old, SECRET, now=time.time() - 100, tolerance=1)


def test_missing_and_malformed_headers_raise() -> None:
    with pytest.raises(WebhookVerificationError, match="Missing signature headers"):
        verify(BODY, {"content-type": "application/json"}, SECRET)
    for name in ("webhook-id", "webhook-timestamp", "webhook-signature"):
        headers = standard()
        del headers[name]
        with pytest.raises(WebhookVerificationError, match=f"Missing header {name}"):
            verify(BODY, headers, SECRET)
    for name in ("X-Twenty-Webhook-Timestamp", "X-Twenty-Webhook-Signature"):
        headers = twenty()
        del headers[name]
        with pytest.raises(WebhookVerificationError, match=f"Missing header {name}"):
            verify(BODY, headers, SECRET)
    with pytest.raises(WebhookVerificationError, match="not a number"):
        verify(BODY, {**standard(), "webhook-timestamp": "soon"}, SECRET)
    with pytest.raises(WebhookVerificationError, match="no v1 signature"):
        verify(BODY, {**standard(), "webhook-signature": "v2,abc"}, SECRET)
    with pytest.raises(WebhookVerificationError, match="No secret"):
        verify(BODY, standard(), "")


def test_rotation_several_signatures_and_secrets() -> None:
    old = "whsec_" + base64.b64encode(b"o" * 32).decode()
    ts = str(int(time.time()))
    headers = {
        "webhook-id": "msg_2",
        "webhook-timestamp": ts,
        "webhook-signature": " ".join(sign_standard(s, "msg_2", ts, BODY) for s in (SECRET, old)),
    }
    assert verify(BODY, headers, old)["event"] == "person.created"
    assert verify(BODY, twenty(secret=old), [SECRET, old])["event"] == "person.created"
    ts_ms = str(int(time.time() * 1000))
    with_previous = {
        "X-Twenty-Webhook-Timestamp": ts_ms,
        "X-Twenty-Webhook-Signature": sign_twenty(SECRET, ts_ms, BODY),
        "X-Twenty-Webhook-Signature-Previous": sign_twenty(old, ts_ms, BODY),
    }
    assert verify(BODY, with_previous, old)["event"] == "person.created"


def test_a_valid_signature_on_a_non_json_body() -> None:
    with pytest.raises(WebhookVerificationError, match="not JSON"):
        verify(b"not json", standard(body=b"not json"), SECRET)


def test_agrees_with_the_standardwebhooks_library() -> None:
    sw = pytest.importorskip("standardwebhooks", reason="standardwebhooks is not installed")
    lib = sw.Webhook(SECRET)
    now = time.time()
    import datetime as dt

    signature = lib.sign("msg_3", dt.datetime.fromtimestamp(now, tz=dt.UTC), BODY.decode())
    headers = {
        "webhook-id": "msg_3",
        "webhook-timestamp": str(int(now)),
        "webhook-signature": signature,
    }
    assert verify(BODY, headers, SECRET)["event"] == "person.created"
    # And the library accepts what we sign.
    ours = standard()
    assert lib.verify(BODY, ours) == json.loads(BODY)
    # A plain secret is the library's whsec_ + base64 of its bytes.
    plain = "plain-secret"
    assert sw.Webhook("whsec_" + base64.b64encode(plain.encode()).decode()).verify(
        BODY, standard(secret=plain)
    )

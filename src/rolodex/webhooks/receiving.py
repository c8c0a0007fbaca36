"""Verifying webhook requests from Rolodex (or Twenty) before trusting them.

Rolodex signs every delivery two ways at once, and ``verify`` accepts either:

- Standard Webhooks: ``webhook-id``, ``webhook-timestamp`` (seconds) and
  ``webhook-signature``, space-separated ``v1,<base64>`` entries, each the
  HMAC-SHA256 of ``"{id}.{timestamp}.{body}"``. The key of a ``whsec_``
  secret is the base64 after the prefix; any other secret's key is its UTF-8
  bytes.
- Twenty: ``X-Twenty-Webhook-Timestamp`` (milliseconds) and
  ``X-Twenty-Webhook-Signature``, the hex HMAC-SHA256 of
  ``timestamp + ":" + body`` keyed by the secret string
  (``X-Twenty-Webhook-Signature-Previous`` carries the rotated-out secret's).

Usage, in any web framework, with the raw body exactly as received::

    from rolodex.client.verify import WebhookVerificationError, verify
    # or, the same functions: from rolodex.webhooks import WebhookVerificationError, verify

    try:
        event = verify(request_body, request.headers, secret)
    except WebhookVerificationError:
        return 401
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["WebhookVerificationError", "sign_standard", "sign_twenty", "verify"]


class WebhookVerificationError(Exception):
    """A webhook request that must not be trusted: bad or missing signature, stale timestamp."""


PREFIX = "whsec_"
DEFAULT_TOLERANCE = 300
_STANDARD = ("webhook-id", "webhook-timestamp", "webhook-signature")
_TWENTY = ("x-twenty-webhook-timestamp", "x-twenty-webhook-signature")
_TWENTY_PREVIOUS = "x-twenty-webhook-signature-previous"

Headers = Mapping[str, str] | Iterable[tuple[str, str]]


def standard_key(secret: str) -> bytes:
    """The HMAC key Standard Webhooks derives from ``secret``."""
    if secret.startswith(PREFIX):
        try:
            return base64.b64decode(secret[len(PREFIX) :] + "==")
        except (binascii.Error, ValueError):
            raise WebhookVerificationError("The whsec_ secret is not valid base64") from None
    return secret.encode()


def _hmac(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def sign_standard(secret: str, msg_id: str, timestamp: int | str, body: bytes | str) -> str:
    """A ``webhook-signature`` entry (``v1,<base64>``) for ``body``."""
    message = f"{msg_id}.{timestamp}.".encode() + _bytes(body)
    return "v1," + base64.b64encode(_hmac(standard_key(secret), message)).decode()


def sign_twenty(secret: str, timestamp_ms: int | str, body: bytes | str) -> str:
    """An ``X-Twenty-Webhook-Signature`` value (hex) for ``body``."""
    return _hmac(secret.encode(), f"{timestamp_ms}:".encode() + _bytes(body)).hex()


def _bytes(body: bytes | str) -> bytes:
    if isinstance(body, bytes | bytearray | memoryview):
        return bytes(body)
    if isinstance(body, str):
        return body.encode()
    raise TypeError(f"The body must be the raw bytes or text received, not {type(body).__name__}")


def _lower(headers: Headers) -> dict[str, str]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    return {str(k).lower(): str(v) for k, v in items}


def _timestamp(raw: str, name: str, divisor: float, now: float, tolerance: float) -> None:
    try:
        sent = int(raw.strip()) / divisor
    except ValueError:
        raise WebhookVerificationError(f"The {name} header is not a number: {raw[:40]!r}") from None
    if tolerance >= 0 and abs(now - sent) > tolerance:
        age = now - sent
        when = f"{age:.0f}s old" if age > 0 else f"{-age:.0f}s in the future"
        raise WebhookVerificationError(
            f"The {name} header is {when}, outside the {tolerance:g}s tolerance "
            "(a replayed request, or a clock out of sync)"
        )


def _check_standard(
    h: dict[str, str], body: bytes, secrets: Sequence[str], now: float, tolerance: float
) -> None:
    msg_id, ts, header = (h.get(name, "") for name in _STANDARD)
    missing = [
        name for name, value in zip(_STANDARD, (msg_id, ts, header), strict=True) if not value
    ]
    if missing:
        raise WebhookVerificationError(f"Missing header {missing[0]}")
    _timestamp(ts, "webhook-timestamp", 1, now, tolerance)
    given = [
        part.split(",", 1)[1] for part in header.split() if part.startswith("v1,") and len(part) > 3
    ]
    if not given:
        raise WebhookVerificationError("webhook-signature holds no v1 signature")
    for secret in secrets:
        expected = sign_standard(secret, msg_id, ts, body).split(",", 1)[1]
        for sig in given:
            if hmac.compare_digest(expected.encode(), sig.encode()):
                return
    raise WebhookVerificationError("webhook-signature does not match: wrong secret or altered body")


def _check_twenty(
    h: dict[str, str], body: bytes, secrets: Sequence[str], now: float, tolerance: float
) -> None:
    ts, sig = (h.get(name, "") for name in _TWENTY)
    if not ts:
        raise WebhookVerificationError("Missing header X-Twenty-Webhook-Timestamp")
    if not sig:
        raise WebhookVerificationError("Missing header X-Twenty-Webhook-Signature")
    _timestamp(ts, "X-Twenty-Webhook-Timestamp", 1000, now, tolerance)
    given = [s.strip().lower() for s in (sig, h.get(_TWENTY_PREVIOUS, "")) if s.strip()]
    for secret in secrets:
        expected = sign_twenty(secret, ts.strip(), body)
        for candidate in given:
            if hmac.compare_digest(expected.encode(), candidate.encode()):
                return
    raise WebhookVerificationError(
        "X-Twenty-Webhook-Signature does not match: wrong secret or altered body"
    )


def verify(
    body: bytes | str,
    headers: Headers,
    secret: str | Sequence[str],
    tolerance: float = DEFAULT_TOLERANCE,
    *,
    now: float | None = None,
) -> Any:
    """Check a webhook request's signature and freshness; return its parsed JSON payload.

    ``body`` is the raw request body as received (bytes, or the text exactly as
    received): never a re-serialised object, whose bytes would differ.
    ``headers`` is any mapping (or list of pairs); names are matched ignoring
    case. ``secret`` is the webhook's secret, or several (during a rotation,
    the new one and the old one). ``tolerance`` is how many seconds the
    signature's timestamp may differ from now (negative disables the check,
    which invites replays). Raises ``WebhookVerificationError`` on any failure.
    """
    raw = _bytes(body)
    secrets = [secret] if isinstance(secret, str) else list(secret)
    if not secrets or not all(isinstance(s, str) and s for s in secrets):
        raise WebhookVerificationError("No secret to verify with")
    h = _lower(headers)
    clock = time.time() if now is None else now
    checks = []
    if any(name in h for name in _STANDARD):
        checks.append(_check_standard)
    if any(name in h for name in _TWENTY):
        checks.append(_check_twenty)
    if not checks:
        raise WebhookVerificationError(
            "Missing signature headers: expected webhook-id/webhook-timestamp/webhook-signature "
            "or X-Twenty-Webhook-Timestamp/X-Twenty-Webhook-Signature"
        )
    failures: list[WebhookVerificationError] = []
    for check in checks:
        try:
            check(h, raw, secrets, clock, tolerance)
        except WebhookVerificationError as exc:
            failures.append(exc)
            continue
        try:
            return json.loads(raw)
        except ValueError:
            raise WebhookVerificationError(
                "The signature is valid but the body is not JSON"
            ) from None
    raise WebhookVerificationError("; ".join(str(f) for f in failures))

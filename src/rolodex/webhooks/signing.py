"""Secrets and signatures: every delivery is signed three ways, with fresh timestamps.

- Twenty: ``X-Twenty-Webhook-Timestamp`` (milliseconds) and
  ``X-Twenty-Webhook-Signature``, the hex HMAC-SHA256 of
  ``timestamp + ":" + body`` keyed by the secret string's UTF-8 bytes.
- Standard Webhooks: ``webhook-id``, ``webhook-timestamp`` (seconds) and
  ``webhook-signature`` (``v1,<base64>``, several separated by spaces while a
  rotated-out secret is still in its grace period) over
  ``id + "." + timestamp + "." + body``. A ``whsec_`` secret's key is the
  base64 after the prefix, as the ``standardwebhooks`` libraries read it; any
  other secret's key is its UTF-8 bytes (verify those with
  ``"whsec_" + base64(secret)``).
- SuperOffice (format ``superoffice`` only): ``X-Superoffice-Signature``, the
  base64 HMAC-SHA256 of the body keyed by the secret string.
- Attio (format ``attio`` only): ``Attio-Signature`` and its copy
  ``X-Attio-Signature``, the hex HMAC-SHA256 of the body keyed by the secret
  string, and ``Idempotency-Key``, the event id (the same on every retry).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import time
from collections.abc import Mapping, Sequence

from rolodex.kit.errors import ValidationError
from rolodex.kit.version import VERSION as __version__
from rolodex.webhooks import attio
from rolodex.webhooks.payloads import content_type

PREFIX = "whsec_"
USER_AGENT = f"Rolodex-Webhooks/{__version__}"
MASK = "***"
# Headers whose values are signatures (or could carry credentials): never stored.
SECRET_HEADERS = frozenset(
    {
        "webhook-signature",
        "x-twenty-webhook-signature",
        "x-twenty-webhook-signature-previous",
        "x-superoffice-signature",
        "x-superoffice-signature-previous",
        "attio-signature",
        "x-attio-signature",
        "authorization",
    }
)


def generate_secret() -> str:
    """``whsec_`` and 32 random bytes in base64, the Standard Webhooks form."""
    return PREFIX + base64.b64encode(os.urandom(32)).decode()


def check_secret(secret: object, field: str = "secret") -> str:
    """A user-given secret, or a 400 naming ``field``."""
    if not isinstance(secret, str) or not secret.strip():
        raise ValidationError(f"{field} must be a non-empty string", field=field)
    if len(secret) > 500:
        raise ValidationError(f"{field} is at most 500 characters", field=field)
    if secret.startswith(PREFIX):
        try:
            key = base64.b64decode(secret[len(PREFIX) :], validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError(
                f"{field}: a secret starting with whsec_ must be base64 after the prefix",
                field=field,
            ) from None
        if not key:
            raise ValidationError(f"{field}: the whsec_ key is empty", field=field)
    return secret


def standard_key(secret: str) -> bytes:
    """The HMAC key Standard Webhooks uses for ``secret``."""
    if secret.startswith(PREFIX):
        return base64.b64decode(secret[len(PREFIX) :] + "==")
    return secret.encode()


def _hmac(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def twenty_signature(secret: str, timestamp_ms: str, body: bytes) -> str:
    return _hmac(secret.encode(), timestamp_ms.encode() + b":" + body).hex()


def standard_signature(secret: str, msg_id: str, timestamp_s: str, body: bytes) -> str:
    message = msg_id.encode() + b"." + timestamp_s.encode() + b"." + body
    return "v1," + base64.b64encode(_hmac(standard_key(secret), message)).decode()


def superoffice_signature(secret: str, body: bytes) -> str:
    return base64.b64encode(_hmac(secret.encode(), body)).decode()


def headers(
    *,
    fmt: str,
    secrets: Sequence[str],
    body: bytes,
    msg_id: str,
    event_name: str,
    delivery_id: str,
    attempt: int,
    now: float | None = None,
) -> dict[str, str]:
    """The headers of one attempt: ``secrets`` is the current secret, then any older one."""
    now = time.time() if now is None else now
    ts_ms = str(int(now * 1000))
    ts_s = str(int(now))
    current = secrets[0]
    out = {
        "Content-Type": content_type(fmt),
        "User-Agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": ts_s,
        "webhook-signature": " ".join(standard_signature(s, msg_id, ts_s, body) for s in secrets),
        "X-Twenty-Webhook-Timestamp": ts_ms,
        "X-Twenty-Webhook-Signature": twenty_signature(current, ts_ms, body),
        "X-Twenty-Webhook-Nonce": os.urandom(16).hex(),
        "X-Rolodex-Event": event_name,
        "X-Rolodex-Event-Id": msg_id,
        "X-Rolodex-Delivery-Id": delivery_id,
        "X-Rolodex-Attempt": str(attempt),
    }
    if len(secrets) > 1:
        out["X-Twenty-Webhook-Signature-Previous"] = twenty_signature(secrets[1], ts_ms, body)
    if fmt == "superoffice":
        out["X-Superoffice-Event"] = event_name
        out["X-Superoffice-Eventid"] = msg_id
        out["X-Superoffice-Signature"] = superoffice_signature(current, body)
        if len(secrets) > 1:
            out["X-Superoffice-Signature-Previous"] = superoffice_signature(secrets[1], body)
    if fmt == "attio":
        for name in attio.SIGNATURE_HEADERS:
            out[name] = attio.signature(current, body)
        out["Idempotency-Key"] = msg_id
    return out


def masked(hdrs: Mapping[str, str]) -> dict[str, str]:
    """``hdrs`` safe to store and show: signatures replaced by ``***``."""
    return {k: (MASK if k.lower() in SECRET_HEADERS else v) for k, v in hdrs.items()}


def preview(secret: str) -> str:
    """Enough of a secret to recognise it, never enough to use it."""
    if secret.startswith(PREFIX):
        return secret[: len(PREFIX) + 4] + "…"
    return secret[:2] + "…" if len(secret) > 8 else "…"

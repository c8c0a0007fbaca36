"""Webhooks: subscriptions, signed at-least-once delivery, retries and the delivery log.

``rolodex.webhooks.verify(body, headers, secret)`` checks a delivery's
signature on the receiving side (it lives with the Python client).
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # Lazy: the server imports this package and must not load the HTTP client.
    if name in ("verify", "WebhookVerificationError"):
        from rolodex.client import verify as _verify

        return getattr(_verify, name)
    raise AttributeError(name)

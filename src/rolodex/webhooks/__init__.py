"""Webhooks: subscriptions, signed at-least-once delivery, retries and the delivery log.

``rolodex.webhooks.verify(body, headers, secret)`` checks a delivery's
signature on the receiving side (``webhooks/receiving.py``, standard library
only; the Python client re-exports it as ``rolodex.client.verify``).
"""

from __future__ import annotations

from rolodex.webhooks.receiving import WebhookVerificationError, verify

__all__ = ["WebhookVerificationError", "verify"]

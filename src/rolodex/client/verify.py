"""Verifying webhook requests from Rolodex (or Twenty) before trusting them.

The functions are ``rolodex.webhooks.receiving``'s (the signing scheme is the
webhooks package's; a receiver needs nothing else of the server)::

    from rolodex.client.verify import WebhookVerificationError, verify

    try:
        event = verify(request_body, request.headers, secret)
    except WebhookVerificationError:
        return 401
"""

from rolodex.webhooks.receiving import (
    WebhookVerificationError,
    sign_standard,
    sign_twenty,
    standard_key,
    verify,
)

__all__ = ["WebhookVerificationError", "sign_standard", "sign_twenty", "standard_key", "verify"]

"""The Python client for the Rolodex API: ``Client`` (sync) and ``AsyncClient`` (asyncio).

    from rolodex import Client

    with Client() as rolodex:  # ROLODEX_API_KEY / ROLODEX_BASE_URL
        person = rolodex.people.create(name="Ada Lovelace", email="ada@example.com")

Webhook receivers verify requests with ``rolodex.client.verify.verify``.
See docs/client.md.
"""

from rolodex.client.aio import AsyncClient
from rolodex.client.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    ConflictError,
    GraphQLError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RolodexError,
    ServerError,
    ValidationError,
    WebhookVerificationError,
)
from rolodex.client.models import Listing, Page, Record
from rolodex.client.sync import Client

__all__ = [
    "APIConnectionError",
    "APITimeoutError",
    "AsyncClient",
    "AuthenticationError",
    "Client",
    "ConflictError",
    "GraphQLError",
    "Listing",
    "NotFoundError",
    "Page",
    "PermissionDeniedError",
    "RateLimitError",
    "Record",
    "RolodexError",
    "ServerError",
    "ValidationError",
    "WebhookVerificationError",
]

"""Rolodex: a self-hostable, headless CRM server."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rolodex.kit.version import VERSION as __version__

__all__ = [
    "APIConnectionError",
    "APITimeoutError",
    "AsyncClient",
    "AuthenticationError",
    "Client",
    "ConflictError",
    "GraphQLError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RolodexError",
    "ServerError",
    "ValidationError",
    "WebhookVerificationError",
    "__version__",
]

# The client's names, importable as ``from rolodex import Client``. They are
# loaded on first use so that importing the server never imports the client.
_CLIENT_EXPORTS = frozenset(__all__) - {"__version__"}

if TYPE_CHECKING:
    from rolodex.client import (
        APIConnectionError,
        APITimeoutError,
        AsyncClient,
        AuthenticationError,
        Client,
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


def __getattr__(name: str) -> Any:
    if name in _CLIENT_EXPORTS:
        from rolodex import client

        return getattr(client, name)
    raise AttributeError(f"module 'rolodex' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_CLIENT_EXPORTS})

"""The client's exceptions: one class per kind of failure, each carrying what the server said.

Every error from a Rolodex server has one JSON shape (``statusCode``, ``error``,
``message``, ``field``); GraphQL puts the same facts in ``errors[].extensions``.
``error_from_response`` turns either into the matching class here, so callers
can write ``except NotFoundError`` rather than inspect status codes.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping
from typing import Any

from rolodex.webhooks.receiving import WebhookVerificationError

__all__ = [
    "APIConnectionError",
    "APITimeoutError",
    "AuthenticationError",
    "ConflictError",
    "GraphQLError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RolodexError",
    "ServerError",
    "ValidationError",
    "WebhookVerificationError",
]


class RolodexError(Exception):
    """Base of every error the client raises about a request.

    ``status`` is the HTTP status (``None`` when no response came back),
    ``code`` the server's machine code (``NOT_FOUND``, ``VALIDATION_ERROR``...),
    ``field`` the offending field when the server named one, and ``body`` the
    decoded error body. GraphQL failures also carry ``errors`` and ``data``.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        field: str | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        errors: list[dict[str, Any]] | None = None,
        data: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.field = field
        self.body = body
        self.headers = dict(headers or {})
        self.errors = errors or []
        self.data = data

    def __str__(self) -> str:
        parts = [str(self.status)] if self.status is not None else []
        if self.code:
            parts.append(self.code)
        prefix = " ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, "
            f"field={self.field!r}, message={self.message!r})"
        )


class ValidationError(RolodexError):
    """400: bad input (unknown field, wrong type, malformed filter...)."""


class AuthenticationError(RolodexError):
    """401: the API key is missing, unknown, expired or revoked."""


class PermissionDeniedError(RolodexError):
    """403: the key lacks the scope this call needs."""


class NotFoundError(RolodexError):
    """404: no such record, object, route or webhook."""


class ConflictError(RolodexError):
    """409: a unique value (email, domain, id) is taken; ``existing_id`` names the holder."""

    @property
    def existing_id(self) -> str | None:
        value = self.body.get("existingId") if isinstance(self.body, dict) else None
        return value if isinstance(value, str) else None


class RateLimitError(RolodexError):
    """429: too many requests; ``retry_after`` is how many seconds the server asked to wait."""

    @property
    def retry_after(self) -> float | None:
        return parse_retry_after(self.headers.get("retry-after"))


class ServerError(RolodexError):
    """5xx: the server (or a proxy before it) failed."""


class GraphQLError(RolodexError):
    """A GraphQL error whose code has no more specific class."""


class APIConnectionError(RolodexError):
    """No response: the connection failed or broke before an answer came back."""


class APITimeoutError(APIConnectionError):
    """No response within the configured timeout."""


_BY_STATUS: dict[int, type[RolodexError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: ValidationError,
    429: RateLimitError,
}

_BY_GRAPHQL_CODE: dict[str, type[RolodexError]] = {
    "BAD_USER_INPUT": ValidationError,
    "GRAPHQL_VALIDATION_FAILED": ValidationError,
    "GRAPHQL_PARSE_FAILED": ValidationError,
    "UNAUTHENTICATED": AuthenticationError,
    "FORBIDDEN": PermissionDeniedError,
    "NOT_FOUND": NotFoundError,
    "CONFLICT": ConflictError,
    "RATE_LIMITED": RateLimitError,
    "INTERNAL_SERVER_ERROR": ServerError,
}


def error_class(status: int) -> type[RolodexError]:
    """The class for an HTTP error status."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500:
        return ServerError
    return RolodexError


def error_from_response(status: int, body: Any, headers: Mapping[str, str]) -> RolodexError:
    """The exception for an error response, REST- or GraphQL-shaped (or not JSON at all)."""
    headers = {k.lower(): v for k, v in headers.items()}
    if isinstance(body, dict) and isinstance(body.get("errors"), list) and body["errors"]:
        return graphql_error(status, body, headers)
    if isinstance(body, dict):
        message = body.get("message")
        if not isinstance(message, str):
            message = f"HTTP {status}"
        code = body.get("error") if isinstance(body.get("error"), str) else None
        field = body.get("field") if isinstance(body.get("field"), str) else None
    else:
        text = body.strip() if isinstance(body, str) else ""
        message = text[:500] or f"HTTP {status}"
        code, field = None, None
    cls = error_class(status)
    return cls(message, status=status, code=code, field=field, body=body, headers=headers)


def graphql_error(status: int, body: dict[str, Any], headers: Mapping[str, str]) -> RolodexError:
    """The exception for a GraphQL ``errors`` list: its first error decides the class."""
    errors = [e for e in body["errors"] if isinstance(e, dict)] or [{"message": "GraphQL error"}]
    first = errors[0]
    ext: dict[str, Any] = first.get("extensions") or {}
    if not isinstance(ext, dict):
        ext = {}
    code = ext.get("code") if isinstance(ext.get("code"), str) else None
    field = ext.get("field") if isinstance(ext.get("field"), str) else None
    message = str(first.get("message") or "GraphQL error")
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''})"
    cls = _BY_GRAPHQL_CODE.get(code or "")
    if cls is None:
        cls = error_class(status) if status >= 400 else GraphQLError
    return cls(
        message,
        status=status,
        code=code,
        field=field,
        body=body,
        headers=headers,
        errors=errors,
        data=body.get("data"),
    )


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds: a number of seconds or an HTTP date; ``None`` if absent."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())

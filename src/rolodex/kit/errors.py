"""The one error hierarchy: every interface renders these, nothing else.

Each error carries an HTTP status, a machine code and, where there is one, the
offending field. REST renders them as JSON, GraphQL as ``extensions.code`` and
the CLI as one line with exit code 1.
"""

from __future__ import annotations

from typing import Any


class RolodexError(Exception):
    """Base of every error a user can cause; never a bug."""

    status = 400
    code = "BAD_REQUEST"
    graphql_code = "BAD_USER_INPUT"

    def __init__(self, message: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "statusCode": self.status,
            "error": self.code,
            "message": self.message,
            "messages": [self.message],
        }
        if self.field is not None:
            body["field"] = self.field
        body.update(self.extra)
        return body


class ValidationError(RolodexError):
    status = 400
    code = "VALIDATION_ERROR"


class BadRequest(RolodexError):
    status = 400
    code = "BAD_REQUEST"


class Unauthenticated(RolodexError):
    status = 401
    code = "UNAUTHENTICATED"
    graphql_code = "UNAUTHENTICATED"


class Forbidden(RolodexError):
    status = 403
    code = "FORBIDDEN"
    graphql_code = "FORBIDDEN"


class NotFound(RolodexError):
    status = 404
    code = "NOT_FOUND"
    graphql_code = "NOT_FOUND"


class MethodNotAllowed(RolodexError):
    status = 405
    code = "METHOD_NOT_ALLOWED"


class Conflict(RolodexError):
    status = 409
    code = "CONFLICT"
    graphql_code = "CONFLICT"


class PayloadTooLarge(RolodexError):
    status = 413
    code = "PAYLOAD_TOO_LARGE"


class UnsupportedMediaType(RolodexError):
    status = 415
    code = "UNSUPPORTED_MEDIA_TYPE"


class RateLimited(RolodexError):
    status = 429
    code = "RATE_LIMITED"
    graphql_code = "RATE_LIMITED"

    def __init__(
        self,
        message: str,
        *,
        retry_after: int,
        limit: float | None = None,
        burst: float | None = None,
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.limit = limit  # the refused bucket's rate, per second
        self.burst = burst  # and its size

    def headers(self) -> dict[str, str]:
        """``Retry-After``, and the limit that refused (``RateLimit-*``, ``X-RateLimit-*``)."""
        out = {"Retry-After": str(self.retry_after)}
        if self.limit is not None:
            out["X-RateLimit-Limit"] = f"{self.limit:g}"
            out["X-RateLimit-Remaining"] = "0"
            out["X-RateLimit-Reset"] = str(self.retry_after)
        if self.burst is not None:
            out["RateLimit-Limit"] = str(int(self.burst))
            out["RateLimit-Remaining"] = "0"
            out["RateLimit-Reset"] = str(self.retry_after)
        return out


class Unavailable(RolodexError):
    status = 503
    code = "UNAVAILABLE"
    graphql_code = "INTERNAL_SERVER_ERROR"

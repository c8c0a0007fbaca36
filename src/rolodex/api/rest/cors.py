"""CORS for browser front ends: the allowlist of ``ROLODEX_CORS_ORIGINS``, through Starlette.

Unset, no CORS header is sent and browsers keep their same-origin rule. Set,
preflights (``OPTIONS`` with ``Access-Control-Request-Method``) are answered
for the listed origins, and responses to them expose the rate-limit and
idempotency headers, which scripts could not read otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp

ALLOW_METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS")
ALLOW_HEADERS = ("Authorization", "Content-Type", "Idempotency-Key", "Accept")
EXPOSE_HEADERS = (
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "Retry-After",
    "Idempotent-Replayed",
    "Location",
    "Allow",
)
# How long a browser may cache a preflight's answer, in seconds.
MAX_AGE = 600


def cors(app: ASGIApp, origins: Sequence[str]) -> ASGIApp:
    """``app`` behind Starlette's CORS middleware for ``origins`` (``*`` allows any)."""
    return CORSMiddleware(
        app,
        allow_origins=list(origins),
        allow_methods=ALLOW_METHODS,
        allow_headers=ALLOW_HEADERS,
        expose_headers=EXPOSE_HEADERS,
        # Keys travel in Authorization, not cookies: no credentials mode.
        allow_credentials=False,
        max_age=MAX_AGE,
    )

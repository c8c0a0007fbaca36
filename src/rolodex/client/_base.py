"""What the sync and async clients share: configuration, calls, retries, responses.

A ``Call`` describes one API operation (method, path, body, how to read the
answer, whether repeating it is safe); ``Retrier`` decides after each attempt
whether to retry, fall back or give up. The two clients only do the I/O and
the sleeping, so both behave identically.
"""

from __future__ import annotations

import logging
import os
import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from rolodex.client.errors import (
    APIConnectionError,
    APITimeoutError,
    RolodexError,
    error_from_response,
    parse_retry_after,
)
from rolodex.kit.version import VERSION as __version__

log = logging.getLogger("rolodex.client")

DEFAULT_BASE_URL = "http://localhost:8080"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 3
USER_AGENT = f"rolodex-python/{__version__}"
# Statuses after which an idempotent call is repeated (429 is repeated for any call).
RETRY_STATUSES = frozenset({500, 502, 503, 504})
# Writes carry an Idempotency-Key, the same on every attempt of one call, so the
# server runs a repeated write once and answers its repeats with the first answer.
KEYED_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
IDEMPOTENCY_HEADER = "Idempotency-Key"
# The server's answer while the first attempt with the same key is still running.
KEY_IN_FLIGHT = "IDEMPOTENCY_KEY_IN_FLIGHT"


def _env(*names: str) -> str | None:
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    return None


def normalise_base_url(url: str) -> str:
    """``http://host:8080``, whether given with a trailing slash, ``/rest`` or ``/graphql``."""
    url = url.strip().rstrip("/")
    for suffix in ("/rest", "/graphql"):
        if url.endswith(suffix):
            url = url[: -len(suffix)]
    return url


@dataclass(frozen=True)
class Config:
    """Resolved client settings; see ``Client`` for what each one means."""

    api_key: str
    base_url: str
    timeout: float = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES
    backoff: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 60.0
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def resolve(
        cls,
        api_key: str | None,
        base_url: str | None,
        *,
        timeout: float,
        max_retries: int,
        backoff: float,
        max_backoff: float,
        max_retry_after: float,
        headers: Mapping[str, str] | None,
    ) -> Config:
        """Arguments first, then ``ROLODEX_*``, then the ``TWENTY_*`` variables of Twenty setups."""
        key = api_key or _env("ROLODEX_API_KEY", "TWENTY_API_KEY")
        if not key:
            raise ValueError(
                "No API key: pass api_key=... or set ROLODEX_API_KEY (or TWENTY_API_KEY)."
            )
        url = base_url or _env("ROLODEX_BASE_URL", "TWENTY_BASE_URL") or DEFAULT_BASE_URL
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        return cls(
            api_key=key,
            base_url=normalise_base_url(url),
            timeout=timeout,
            max_retries=max_retries,
            backoff=backoff,
            max_backoff=max_backoff,
            max_retry_after=max_retry_after,
            headers=dict(headers or {}),
        )

    def http_headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.api_key}",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
            **self.headers,
        }


_NO_BODY: Any = object()


def _identity(body: Any) -> Any:
    return body


@dataclass(frozen=True)
class Call:
    """One API operation.

    ``idempotent`` says whether repeating it after a 5xx or a lost response is
    harmless on its own. Every other write carries an ``Idempotency-Key``
    (``idempotency_key``, made once per call and sent on each attempt), which
    makes it safe to repeat against a Rolodex server: a repeat is
    answered with the first attempt's response and nothing runs twice.
    ``if_retried`` maps a status seen on a *repeated* attempt to what
    it means there: a 409 on a repeated create-with-id means the first attempt
    landed (so fetch the record), a 404 on a repeated delete means it is gone.
    Each value is another ``Call`` to run, or a function giving the result.
    """

    method: str
    path: str
    params: Mapping[str, Any] | None = None
    json: Any = _NO_BODY
    idempotent: bool = False
    unwrap: Callable[[Any], Any] = _identity
    if_retried: Mapping[int, Call | Callable[[], Any]] = field(default_factory=dict)
    idempotency_key: str | None = None

    def __post_init__(self) -> None:
        # A call that is idempotent already needs no key (and a GraphQL query,
        # sent as a POST, should not cost the server a stored answer).
        if (
            self.idempotency_key is None
            and not self.idempotent
            and self.method.upper() in KEYED_METHODS
        ):
            object.__setattr__(self, "idempotency_key", uuid.uuid4().hex)

    @property
    def repeatable(self) -> bool:
        """Whether a repeat after a possible arrival is safe: idempotent, or keyed."""
        return self.idempotent or self.idempotency_key is not None

    def request_kwargs(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.idempotency_key is not None:
            out["headers"] = {IDEMPOTENCY_HEADER: self.idempotency_key}
        if self.params:
            out["params"] = {k: v for k, v in self.params.items() if v is not None}
        if self.json is not _NO_BODY:
            out["json"] = self.json
        return out


def decode(response: httpx.Response) -> Any:
    """The response body as JSON, else as text (a proxy's HTML error page, say)."""
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


@dataclass(frozen=True)
class Step:
    """What to do after an attempt: return ``value``, run ``fallback``, or sleep ``delay``."""

    value: Any = None
    fallback: Call | None = None
    delay: float | None = None
    done: bool = False


class Retrier:
    """The retry policy: exponential backoff with full jitter, ``Retry-After`` honoured.

    - Connection failures before anything was sent, and 429s, are repeated for
      every call: the server did nothing.
    - 5xx answers and responses lost after sending (timeouts, dropped
      connections) are repeated only for idempotent or keyed calls; a keyed
      repeat that finds its first attempt still running (409
      ``IDEMPOTENCY_KEY_IN_FLIGHT``) waits and asks again.
    - A ``Retry-After`` longer than ``max_retry_after`` is not waited out: the
      error is raised at once, carrying ``retry_after``.
    """

    def __init__(self, config: Config) -> None:
        self.config = config

    def backoff(self, attempt: int) -> float:
        cap = min(self.config.max_backoff, self.config.backoff * (2**attempt))
        return random.uniform(0, cap)

    def after_response(self, call: Call, attempt: int, response: httpx.Response) -> Step:
        """The next step after an answer; raises the mapped error when giving up."""
        status = response.status_code
        if 200 <= status < 300:
            body = decode(response)
            try:
                return Step(value=call.unwrap(body), done=True)
            except (KeyError, TypeError, AttributeError, StopIteration):
                raise RolodexError(
                    f"Unexpected answer to {call.method} {call.path}: {str(body)[:200]}",
                    status=status,
                    body=body,
                    headers=response.headers,
                ) from None
        error = error_from_response(status, decode(response), response.headers)
        in_flight = attempt > 0 and status == 409 and getattr(error, "code", None) == KEY_IN_FLIGHT
        if attempt > 0 and status in call.if_retried and not in_flight:
            then = call.if_retried[status]
            log.debug("%s %s: %s on a repeated attempt", call.method, call.path, status)
            if isinstance(then, Call):
                return Step(fallback=then)
            return Step(value=then(), done=True)
        retryable = status == 429 or in_flight or (status in RETRY_STATUSES and call.repeatable)
        if not retryable or attempt >= self.config.max_retries:
            raise error
        delay = self._delay(attempt, response.headers.get("retry-after"))
        if delay is None:
            raise error
        log.info(
            "%s %s answered %s; retry %d/%d in %.2fs",
            call.method,
            call.path,
            status,
            attempt + 1,
            self.config.max_retries,
            delay,
        )
        return Step(delay=delay)

    def after_exception(self, call: Call, attempt: int, exc: httpx.TransportError) -> Step:
        """The next step after a transport failure; raises ``APIConnectionError`` when giving up."""
        # Nothing reached the server when connecting (or waiting for a pooled
        # connection) failed, so even a non-idempotent call may be repeated.
        unsent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
        if (unsent or call.repeatable) and attempt < self.config.max_retries:
            delay = self.backoff(attempt)
            log.info("%s %s failed (%s); retry in %.2fs", call.method, call.path, exc, delay)
            return Step(delay=delay)
        raise connection_error(call, exc) from exc

    def _delay(self, attempt: int, retry_after: str | None) -> float | None:
        asked = parse_retry_after(retry_after)
        if asked is None:
            return self.backoff(attempt)
        if asked > self.config.max_retry_after:
            return None
        return asked


def connection_error(call: Call, exc: httpx.TransportError) -> RolodexError:
    cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    what = "timed out" if cls is APITimeoutError else "failed"
    return cls(f"{call.method} {call.path} {what}: {exc!r}")

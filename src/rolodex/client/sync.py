"""``Client``: the synchronous Rolodex API client."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any

import httpx

from rolodex.client import _calls as c
from rolodex.client._base import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, Call, Config, Retrier
from rolodex.client.resources import Consents, Keys, Metadata, Records, Webhooks


class Client:
    """A Rolodex API client over HTTP, safe to share between threads.

    ``api_key`` and ``base_url`` default to ``ROLODEX_API_KEY`` /
    ``ROLODEX_BASE_URL``, then ``TWENTY_API_KEY`` / ``TWENTY_BASE_URL``, and the
    URL to ``http://localhost:8080``. ``timeout`` is in seconds per request.
    Failed attempts are retried up to ``max_retries`` times (see ``Retrier``)
    after ``backoff * 2**n`` seconds at most (full jitter, capped at
    ``max_backoff``), or after the server's ``Retry-After`` when it is at most
    ``max_retry_after``. ``transport`` replaces httpx's (for proxies or tests).

    Use it as a context manager, or call ``close()``, to release connections.
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        max_retry_after: float = 60.0,
        headers: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.config = Config.resolve(
            api_key,
            base_url,
            timeout=timeout,
            max_retries=max_retries,
            backoff=backoff,
            max_backoff=max_backoff,
            max_retry_after=max_retry_after,
            headers=headers,
        )
        self._retrier = Retrier(self.config)
        self._http = httpx.Client(
            base_url=self.config.base_url,
            headers=self.config.http_headers(),
            timeout=httpx.Timeout(timeout),
            transport=transport,
        )
        self.people = Records(self._run, "people")
        self.companies = Records(self._run, "companies")
        self.notes = Records(self._run, "notes")
        self.tasks = Records(self._run, "tasks")
        self.members = Records(self._run, "members")
        self.metadata = Metadata(self._run)
        self.consents = Consents(self._run)
        self.keys = Keys(self._run)
        self.webhooks = Webhooks(self._run)

    def __repr__(self) -> str:
        return f"<Client {self.config.base_url}>"

    def objects(self, plural: str) -> Records:
        """The records of any object by its plural name, custom ones included."""
        return Records(self._run, plural)

    def __getattr__(self, name: str) -> Records:
        # Only reached for names not set in __init__: ``client.deals`` is ``objects("deals")``.
        if name.startswith("_"):
            raise AttributeError(name)
        return self.objects(name)

    def search(
        self, query: str, *, objects: Iterable[str] | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Records across objects matching ``query``, best first (``GET /rest/search``):
        each ``{object, objectNameSingular, id, label, score}``."""
        return self._run(c.search(query, objects, limit))

    def graphql(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        operation_name: str | None = None,
    ) -> Any:
        """Run a GraphQL document; returns ``data`` and raises on any ``errors``."""
        return self._run(c.graphql(query, variables, operation_name))

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
    ) -> Any:
        """Any other endpoint: the decoded JSON answer, errors mapped and retries applied.

        ``idempotent`` defaults to true for GET, PUT and DELETE.
        """
        method = method.upper()
        safe = method in ("GET", "HEAD", "PUT", "DELETE") if idempotent is None else idempotent
        call = Call(method, path, params, idempotent=safe)
        if json is not None:
            call = Call(method, path, params, json=json, idempotent=safe)
        return self._run(call)

    def _run(self, call: Call) -> Any:
        attempt = 0
        while True:
            try:
                response = self._http.request(call.method, call.path, **call.request_kwargs())
            except httpx.TransportError as exc:
                step = self._retrier.after_exception(call, attempt, exc)
            else:
                step = self._retrier.after_response(call, attempt, response)
            if step.done:
                return step.value
            if step.fallback is not None:
                return self._run(step.fallback)
            time.sleep(step.delay or 0.0)
            attempt += 1

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

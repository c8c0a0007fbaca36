"""Sending one attempt over HTTP with aiohttp, guarded against server-side request forgery.

Target URLs that are, or resolve to, addresses ``addresses.refusal`` refuses
(private, loopback, link-local, IPv4 inside IPv6, ...) are refused, at
creation and again at delivery; redirects are never followed. At
delivery the name is resolved once by ``GuardedResolver`` and the connection
goes to the address that was checked (the Host header and TLS SNI still carry
the name), so a DNS answer cannot change between the check and the connect.

aiohttp, not httpx: posting to a local receiver it does ~9,600 posts/s
against httpx's ~700 (shared/notes/measurements.md), and the delivery target
is 2,000/s.
"""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp.resolver import ThreadedResolver

from rolodex.kit.errors import ValidationError
from rolodex.webhooks.addresses import parse_literal, refusal

__all__ = ["BlockedAddress", "GuardedResolver", "Outcome", "Sender", "check_target", "refusal"]
RESPONSE_LIMIT = 2048


class BlockedAddress(OSError):
    """A target resolved only to addresses webhooks may not reach."""


class GuardedResolver(ThreadedResolver):
    """Resolves like the default resolver, then keeps only addresses webhooks may reach."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[Any]:
        results = await super().resolve(host, port, family)
        allowed = [r for r in results if refusal(r["host"]) is None]
        if not allowed:
            reason = refusal(results[0]["host"]) if results else "no address"
            raise BlockedAddress(f"{host} refused: {reason}")
        return allowed


def _literal(host: str) -> str | None:
    ip = parse_literal(host)
    return str(ip) if ip is not None else None


async def check_target(url: str, field: str = "targetUrl") -> None:
    """At creation: refuse a URL whose host is, or resolves only to, a forbidden address.

    A name that does not resolve (yet) is accepted: delivery checks again.
    """
    host = urlsplit(url).hostname or ""
    literal = _literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(host, None, type=socket.SOCK_STREAM), timeout=3
            )
        except (OSError, TimeoutError):
            return
        addresses = [str(info[4][0]) for info in infos]
    reasons = [refusal(a) for a in addresses]
    if addresses and all(reasons):
        raise ValidationError(f"{field}: {host} refused: {reasons[0]}", field=field)


@dataclass(slots=True)
class Outcome:
    """What one HTTP attempt gave: a status and the start of the body, or an error."""

    status: int | None
    body: str | None
    error: str | None
    duration_ms: int
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class Sender:
    """One aiohttp session per event loop, with the guarded resolver; redirects not followed."""

    def __init__(self, timeout: float = 15.0) -> None:
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                resolver=GuardedResolver(),
                limit=0,  # the dispatcher caps concurrency itself
                use_dns_cache=False,  # check every new connection's address afresh
                enable_cleanup_closed=True,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                auto_decompress=False,
            )
        return self._session

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> Outcome:
        started = time.perf_counter()

        def took() -> int:
            return int((time.perf_counter() - started) * 1000)

        host = urlsplit(url).hostname or ""
        literal = _literal(host)
        reason = refusal(literal) if literal is not None else None
        if reason is not None:
            return Outcome(None, None, f"refused: {reason}", took())
        try:
            async with self._client().post(
                url, data=body, headers=headers, allow_redirects=False
            ) as resp:
                chunk = await resp.content.read(RESPONSE_LIMIT)
                text = chunk.decode("utf-8", "replace")
                wait = None
                if resp.status in (429, 503):
                    wait = retry_after(resp.headers.get("Retry-After"))
                error = None
                if 300 <= resp.status < 400:
                    where = resp.headers.get("Location", "")
                    error = f"redirect to {where[:200]!r} not followed"
                return Outcome(resp.status, text, error, took(), wait)
        except TimeoutError:
            return Outcome(None, None, f"timed out after {self.timeout:g} s", took())
        except aiohttp.ClientConnectorError as exc:
            inner = exc.os_error
            detail = str(inner) if isinstance(inner, BlockedAddress) else str(exc)
            return Outcome(None, None, f"connection failed: {detail}", took())
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            return Outcome(None, None, f"{type(exc).__name__}: {exc}"[:500], took())

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

"""Console test helpers: members made through the workspace session, and an HTTP
client that signs in and posts forms with their CSRF token, as a browser does."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

import httpx

from rolodex.auth.schemas import SYSTEM
from rolodex.kit.db import Database
from rolodex.metadata.registry import RegistryCache
from rolodex.session import WRITE, LocalPrincipal, Sessions

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf" value="([^"]*)"')


def make_member(
    db_url: str,
    email: str,
    role: str = "admin",
    password: str | None = PASSWORD,
    workspace: uuid.UUID | None = None,
) -> str:
    """A member with ``role`` (and ``password``) in a workspace; its one-time link token."""

    async def main() -> str:
        db = Database(db_url, pool_size=1)
        await db.open()
        try:
            sessions = Sessions(db, RegistryCache(0))
            principal = (
                LocalPrincipal(workspace, SYSTEM)
                if workspace is not None
                else await sessions.local(None)
            )
            async with sessions.open(principal, WRITE) as s:
                info, token = await s.members.invite(email, role)
                if password is not None:
                    await s.members.set_password(uuid.UUID(info["id"]), password)
            return token
        finally:
            await db.close()

    return in_thread(lambda: asyncio.run(main()))


def in_thread(work: Any) -> Any:
    """Run ``work`` in a thread of its own: Playwright's sync API keeps an event loop
    running in the test's thread, where ``asyncio.run`` is refused."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result()


def make_key(db_url: str) -> str:
    from tests import factories

    return str(in_thread(lambda: factories.make_key(db_url)))


def csrf(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no form token"
    return found.group(1)


class Console:
    """A signed-in member's browser, without the browser."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=30, follow_redirects=False)

    def sign_in(self, email: str, password: str = PASSWORD) -> httpx.Response:
        page = self.http.get("/console/sign-in")
        assert page.status_code == 200, page.text
        return self.http.post(
            "/console/sign-in",
            data={"csrf": csrf(page.text), "email": email, "password": password, "next": ""},
        )

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.get(path, **kw)

    def post(
        self, path: str, data: dict[str, Any], *, token_from: str | None = None
    ) -> httpx.Response:
        """Post ``data`` with the CSRF token of the page at ``token_from`` (or ``path``)."""
        page = self.http.get(token_from or "/console/account")
        return self.http.post(path, data={"csrf": csrf(page.text), **data})

    def close(self) -> None:
        self.http.close()

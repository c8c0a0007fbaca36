"""Signing in to the console: passwords, one-time links, cookies, CSRF, fixation,
throttling, signing out everywhere; on both backends, against a live server."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer
from tests.console.helpers import PASSWORD, Console, csrf, make_member


def _cookie(response: httpx.Response, name: str) -> str:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            return header
    raise AssertionError(f"no {name} cookie in {response.headers}")


def test_sign_in_sets_a_flagged_cookie_and_opens_the_console(server: Any, db_url: str) -> None:
    make_member(db_url, "ada@example.org", "admin")
    console = Console(server.url)
    r = console.sign_in("ada@example.org")
    assert r.status_code == 303 and r.headers["location"] == "/console/"
    cookie = _cookie(r, "rolodex_console").lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/console" in cookie
    assert "secure" not in cookie  # plain HTTP, no trusted proxy
    home = console.get("/console/")
    assert home.status_code == 200 and "ada@example.org" in home.text
    assert "form-action 'self'" in home.headers["content-security-policy"]
    # The session's token is never stored: only its digest is.
    token = console.http.cookies["rolodex_console"]
    assert token.split(".", 1)[1] not in _dump(db_url)


def _dump(db_url: str) -> str:
    from tests.factories import run_db

    async def work(conn: Any) -> str:
        from rolodex.kit.tables import console_session

        rows = await conn.fetch(conn.db.compile(console_session.select()))
        return repr([dict(r) for r in rows])

    return run_db(db_url, work, write=False)


def test_cookie_is_secure_behind_a_trusted_https_proxy(db_url: str) -> None:
    make_member(db_url, "ada@example.org", "admin")
    with LiveServer(db_url, trusted_proxies=("127.0.0.1",)) as live:
        http = httpx.Client(base_url=live.url, headers={"X-Forwarded-Proto": "https"})
        page = http.get("/console/sign-in")
        set_csrf = _cookie(page, "rolodex_console_csrf")
        assert "secure" in set_csrf.lower()
        # httpx keeps Secure cookies for https alone; the proxy would pass it on.
        http.cookies.set("rolodex_console_csrf", set_csrf.split(";")[0].split("=", 1)[1])
        r = http.post(
            "/console/sign-in",
            data={"csrf": csrf(page.text), "email": "ada@example.org", "password": PASSWORD},
        )
        assert r.status_code == 303
        assert "secure" in _cookie(r, "rolodex_console").lower()


def test_a_wrong_password_is_refused_and_attempts_are_throttled(db_url: str) -> None:
    make_member(db_url, "ada@example.org", "admin")
    with LiveServer(db_url, signin_failure_burst=3, signin_failure_rate=0.001) as live:
        console = Console(live.url)
        statuses = [
            console.sign_in("ada@example.org", "wrong password!!").status_code for _ in range(5)
        ]
        assert statuses[:3] == [401, 401, 401]
        assert statuses[3:] == [429, 429]
        # Even the right password waits now: the address is out of attempts.
        assert console.sign_in("ada@example.org").status_code == 429


def test_forms_without_the_csrf_token_are_refused(server: Any, db_url: str) -> None:
    make_member(db_url, "ada@example.org", "admin")
    console = Console(server.url)
    console.sign_in("ada@example.org")
    for data in ({"name": "no token"}, {"name": "bad token", "csrf": "0" * 64}):
        r = console.http.post("/console/keys", data=data)
        assert r.status_code == 403, r.text
        assert "security token" in r.text
    keys = console.get("/console/keys")
    assert "no token" not in keys.text and "bad token" not in keys.text
    # The sign-in form too: its double-submit cookie must match.
    anon = httpx.Client(base_url=server.url)
    anon.get("/console/sign-in")
    r = anon.post(
        "/console/sign-in",
        data={"csrf": "forged", "email": "ada@example.org", "password": PASSWORD},
    )
    assert r.status_code == 403


def test_sign_in_never_keeps_a_session_id_it_came_with(server: Any, db_url: str) -> None:
    make_member(db_url, "ada@example.org", "admin")
    first = Console(server.url)
    first.sign_in("ada@example.org")
    planted = first.http.cookies["rolodex_console"]
    # A browser carrying that session id (planted, say) signs in: it gets a new one,
    # and the planted one stops working.
    victim = Console(server.url)
    form = victim.get("/console/sign-in")
    victim.http.cookies.set("rolodex_console", planted, path="/console")
    r = victim.http.post(
        "/console/sign-in",
        data={"csrf": csrf(form.text), "email": "ada@example.org", "password": PASSWORD},
    )
    assert r.status_code == 303
    fresh = re.search(r"rolodex_console=([^;]+)", _cookie(r, "rolodex_console"))
    assert fresh and fresh.group(1) != planted
    assert first.get("/console/keys").status_code == 303  # back to sign-in


def test_one_time_link_signs_in_once_then_a_password(server: Any, db_url: str) -> None:
    token = make_member(db_url, "grace@example.org", "member", password=None)
    http = httpx.Client(base_url=server.url)
    page = http.get(f"/console/link/{token}")
    assert page.status_code == 200 and "Sign in" in page.text
    r = http.post("/console/link", data={"csrf": csrf(page.text), "token": token})
    assert r.status_code == 303 and r.headers["location"] == "/console/account"
    account = http.get("/console/account")
    r = http.post(
        "/console/account/password",
        data={"csrf": csrf(account.text), "password": "short"},
    )
    assert r.status_code == 400 and "at least 12 characters" in r.text
    r = http.post(
        "/console/account/password", data={"csrf": csrf(account.text), "password": PASSWORD}
    )
    assert r.status_code == 200 and "password is set" in r.text
    # The link is used up.
    again = httpx.Client(base_url=server.url)
    page = again.get(f"/console/link/{token}")
    r = again.post("/console/link", data={"csrf": csrf(page.text), "token": token})
    assert r.status_code == 401
    assert Console(server.url).sign_in("grace@example.org").status_code == 303


def test_sign_out_everywhere_ends_every_session(server: Any, db_url: str) -> None:
    make_member(db_url, "ada@example.org", "admin")
    laptop, phone = Console(server.url), Console(server.url)
    laptop.sign_in("ada@example.org")
    phone.sign_in("ada@example.org")
    assert phone.get("/console/keys").status_code == 200
    r = laptop.post("/console/account/sign-out-everywhere", {})
    assert r.status_code == 303
    assert phone.get("/console/keys").status_code == 303
    assert laptop.get("/console/keys").status_code == 303


@pytest.mark.parametrize(
    ("path", "post"),
    [
        ("/console/keys", "/console/keys"),
        ("/console/webhooks", "/console/webhooks"),
        ("/console/schema", "/console/schema/fields"),
        ("/console/members", "/console/members"),
    ],
)
def test_members_cannot_reach_admin_pages_or_post_their_forms(
    server: Any, db_url: str, path: str, post: str
) -> None:
    make_member(db_url, "bob@example.org", "member")
    console = Console(server.url)
    assert console.sign_in("bob@example.org").status_code == 303
    page = console.get(path)
    assert page.status_code == 403
    assert "owners and admins" in page.text
    # With a valid form token (from a page a member may open), the post is refused too.
    r = console.post(post, {"name": "sneaky", "targetUrl": "http://127.0.0.1:9/"})
    assert r.status_code == 403
    assert console.get("/console/records/people").status_code == 200

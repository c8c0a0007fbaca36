"""API keys, members and the playground links: owners' and admins' pages."""

from __future__ import annotations

import os
from typing import Any

from starlette.responses import Response

from rolodex.auth.scopes import ALL_SCOPES
from rolodex.cli.members import link_url
from rolodex.console.web import Page
from rolodex.kit.errors import RolodexError

SCOPES = sorted(s.value for s in ALL_SCOPES)


def _expiry(text: str) -> str | None:
    """A date from the form (the end of that day, UTC) or nothing."""
    text = text.strip()
    if not text:
        return None
    return f"{text}T23:59:59Z" if len(text) == 10 else text


async def _keys_page(page: Page, status: int = 200, **extra: Any) -> Response:
    async with page.session() as s:
        keys = [k.to_dict() for k in await s.keys.list()]
    keys.reverse()  # the newest first
    return page.render("keys.html", status=status, keys=keys, scopes=SCOPES, **extra)


async def list_keys(page: Page) -> Response:
    return await _keys_page(page)


async def create_key(page: Page) -> Response:
    assert page.member is not None
    body: dict[str, Any] = {"name": page.value("name")}
    if page.values("scopes"):
        body["scopes"] = page.values("scopes")
    expires = _expiry(page.value("expires"))
    if expires:
        body["expiresAt"] = expires
    try:
        async with page.session(write=True) as s:
            key, secret = await s.keys.create(body, held=page.member.scopes)
    except RolodexError as exc:
        return await _keys_page(page, status=exc.status, error=exc.message)
    return await _keys_page(
        page, status=201, created=key.to_dict(), secret=secret, notice="The key is created."
    )


async def revoke_key(page: Page) -> Response:
    async with page.session(write=True) as s:
        key = await s.keys.revoke(page.request.path_params["id"])
    return await _keys_page(page, notice=f"The key {key.name} is revoked.")


async def playgrounds(page: Page) -> Response:
    return page.render("playgrounds.html")


async def _members_page(page: Page, status: int = 200, **extra: Any) -> Response:
    async with page.session() as s:
        members = await s.members.list()
    return page.render("members.html", status=status, members=members, **extra)


async def members(page: Page) -> Response:
    return await _members_page(page)


async def set_role(page: Page) -> Response:
    """Change a member's role; only an owner grants or takes ownership, and no one
    changes their own role (so a workspace keeps the owner who signed in)."""
    assert page.member is not None
    target = page.request.path_params["id"]
    role = page.value("role")
    if target == str(page.member.member_id):
        return await _members_page(page, status=403, error="You cannot change your own role.")
    async with page.session() as s:
        current = {m["id"]: m["role"] for m in await s.members.list()}
    if "owner" in (role, current.get(target)) and page.member.role.value != "owner":
        return await _members_page(page, status=403, error="Only an owner can change an owner.")
    try:
        async with page.session(write=True) as s:
            await s.members.set_role(target, role)
    except RolodexError as exc:
        return await _members_page(page, status=exc.status, error=exc.message)
    return await _members_page(page, notice="The role is changed.")


async def invite(page: Page) -> Response:
    assert page.member is not None
    role = page.value("role", "member")
    if role == "owner" and page.member.role.value != "owner":
        return await _members_page(page, status=403, error="Only an owner can invite an owner.")
    try:
        async with page.session(write=True) as s:
            info, token = await s.members.invite(
                page.value("email"), role, name=page.value("name") or None
            )
    except RolodexError as exc:
        return await _members_page(page, status=exc.status, error=exc.message)
    # Behind a proxy the request's own address may not be the one people use.
    origin = os.environ.get("ROLODEX_PUBLIC_URL") or (
        f"{page.request.url.scheme}://{page.request.url.netloc}"
    )
    return await _members_page(
        page,
        status=201,
        link=link_url(origin, token),
        notice=f"{info['email']} is invited as {info['role']}.",
    )

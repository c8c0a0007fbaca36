"""Signing in and out: password, one-time links, the account page."""

from __future__ import annotations

from starlette.responses import Response

from rolodex.console.web import CSRF_COOKIE, SESSION_COOKIE, Page, set_cookie
from rolodex.kit.errors import RolodexError
from rolodex.members.service import SESSION_HOURS


def _next(raw: str) -> str:
    """Where to go after signing in: a console path only, never another site."""
    if raw.startswith("/console/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return "/console/"


def _signed_in(page: Page, token: str, target: str) -> Response:
    response = page.redirect("/")
    response.headers["location"] = _next(target)
    set_cookie(page.request, response, SESSION_COOKIE, token, max_age=SESSION_HOURS * 3600)
    response.delete_cookie(CSRF_COOKIE, path="/console")
    return response


async def sign_in_form(page: Page) -> Response:
    return page.render("sign_in.html", next=page.query("next"), email="")


async def sign_in(page: Page) -> Response:
    old = page.request.cookies.get(SESSION_COOKIE)
    try:
        _, token = await page.auth.sign_in(
            page.value("email"), page.value("password"), page.request.scope, old
        )
    except RolodexError as exc:
        return page.render(
            "sign_in.html",
            status=exc.status,
            error=exc.message,
            next=page.value("next"),
            email=page.value("email"),
        )
    return _signed_in(page, token, page.value("next"))


async def link_form(page: Page) -> Response:
    # A GET only shows a button: link previews and prefetchers must not use the link up.
    return page.render("link.html", token=page.request.path_params["token"])


async def redeem_link(page: Page) -> Response:
    old = page.request.cookies.get(SESSION_COOKIE)
    try:
        _, token = await page.auth.redeem_link(page.value("token"), page.request.scope, old)
    except RolodexError as exc:
        return page.render("refused.html", status=exc.status, message=exc.message)
    return _signed_in(page, token, "/console/account")


async def sign_out(page: Page) -> Response:
    await page.auth.sign_out(page.token)
    response = page.redirect("/sign-in")
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response


async def home(page: Page) -> Response:
    async with page.session() as s:
        objects = [o for o in s.registry.objects.values() if o.name != "member"]
    return page.render("home.html", objects=objects)


async def account(page: Page) -> Response:
    return page.render("account.html")


async def set_password(page: Page) -> Response:
    assert page.member is not None
    try:
        async with page.session(write=True) as s:
            await s.members.set_password(page.member.member_id, page.value("password"))
    except RolodexError as exc:
        return page.render("account.html", status=exc.status, error=exc.message)
    return page.render("account.html", notice="Your password is set.")


async def sign_out_everywhere(page: Page) -> Response:
    assert page.member is not None
    async with page.session(write=True) as s:
        await s.members.sign_out_everywhere(page.member.member_id)
    response = page.redirect("/sign-in")
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response

"""What every console page shares: templates, headers, cookies, CSRF and the member.

Sessions live in an HttpOnly, SameSite=Lax cookie (Secure when the request
came over HTTPS, directly or through a trusted proxy's X-Forwarded-Proto).
Every form carries a CSRF token: a session's is derived from its secret
(``members.service.csrf_token``); the sign-in forms, before any session,
use a double-submit cookie. Both are compared with ``hmac.compare_digest``.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from rolodex.kit import jsonutil
from rolodex.kit.errors import PayloadTooLarge, RolodexError
from rolodex.members.schemas import MemberPrincipal
from rolodex.members.service import MemberAuth, csrf_token
from rolodex.session import READ, WRITE, WorkspaceSession
from rolodex.state import AppState

SESSION_COOKIE = "rolodex_console"
CSRF_COOKIE = "rolodex_console_csrf"
MAX_FORM = 256 * 1024
CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,  # every stored value is text in the page, whatever it holds
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.filters["json"] = lambda v: jsonutil.dumps(v).decode() if not isinstance(v, str) else v


class Refused(Exception):
    """A console request refused with a page: 403 for a role or a CSRF token, 401 to sign in."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Page:
    """One console request: the member (None before sign-in), its form and its session."""

    request: Request
    state: AppState
    auth: MemberAuth
    member: MemberPrincipal | None
    token: str | None
    form: dict[str, list[str]] = field(default_factory=dict)
    fresh_csrf: str | None = None  # a new double-submit token, set as a cookie with the page

    @property
    def base(self) -> str:
        # Inside the mount, root_path already ends with /console; the app's own is apart.
        scope = self.request.scope
        return f"{scope.get('app_root_path', scope.get('root_path', ''))}/console"

    def session(self, write: bool = False) -> WorkspaceSession:
        """A workspace session opened from the signed-in member."""
        assert self.member is not None
        return self.state.sessions.open(self.member, WRITE if write else READ)

    def value(self, name: str, default: str = "") -> str:
        values = self.form.get(name)
        return values[0] if values else default

    def values(self, name: str) -> list[str]:
        return self.form.get(name, [])

    def query(self, name: str, default: str = "") -> str:
        return self.request.query_params.get(name, default)

    @property
    def csrf(self) -> str:
        if self.token is not None:
            return csrf_token(self.token)
        cookie = self.request.cookies.get(CSRF_COOKIE)
        if cookie:
            return cookie
        if self.request.method != "GET":
            return ""  # a post must bring the cookie it was given
        if self.fresh_csrf is None:
            self.fresh_csrf = secrets.token_urlsafe(32)
        return self.fresh_csrf

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        body = templates.get_template(template).render(
            page=self, member=self.member, base=self.base, csrf=self.csrf, **context
        )
        response = HTMLResponse(body, status_code=status, headers=HEADERS)
        if self.fresh_csrf is not None:
            set_cookie(self.request, response, CSRF_COOKIE, self.fresh_csrf, max_age=None)
        return response

    def redirect(self, path: str) -> RedirectResponse:
        return RedirectResponse(f"{self.base}{path}", status_code=303)


def secure(request: Request) -> bool:
    """Whether the browser reached us over HTTPS (directly or through a trusted proxy)."""
    if request.url.scheme == "https":
        return True
    state: AppState = request.app.state.rolodex
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    if proto != "https" or not state.settings.trusted_proxies:
        return False
    client = request.client.host if request.client else ""
    try:
        ip = ipaddress.ip_address(client)
    except ValueError:
        return False
    return any(
        ip in ipaddress.ip_network(p.strip(), strict=False) for p in state.settings.trusted_proxies
    )


def set_cookie(
    request: Request, response: Response, name: str, value: str, max_age: int | None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/console",
        httponly=True,
        secure=secure(request),
        samesite="lax",
    )


async def read_form(request: Request) -> dict[str, list[str]]:
    """An urlencoded form body, bounded; every value a list (checkboxes repeat)."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            raise PayloadTooLarge("The form is too large.")
    return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=2000)


def check_csrf(page: Page) -> None:
    sent = page.value("csrf")
    expected = page.csrf
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        raise Refused(403, "The form's security token is missing or out of date. Reload it.")


Handler = Callable[[Page], Awaitable[Response]]


def view(handler: Handler, *, admin: bool = False, public: bool = False) -> Any:
    """A console endpoint: finds the member, checks the role and (for posts) the CSRF
    token, and turns errors into pages, never a 500 for a user's mistake."""

    async def endpoint(request: Request) -> Response:
        state: AppState = request.app.state.rolodex
        auth: MemberAuth = request.app.state.console_auth
        token = request.cookies.get(SESSION_COOKIE)
        # Sign-in pages work before any session: their forms carry the
        # double-submit token, whatever session cookie the browser brings.
        member = await auth.principal(token) if token and not public else None
        page = Page(request, state, auth, member, token if member else None)
        try:
            if request.method == "POST":
                page.form = await read_form(request)
            if member is None and not public:
                if request.method == "GET":
                    target = quote(
                        request.url.path + ("?" + request.url.query if request.url.query else "")
                    )
                    return page.redirect(f"/sign-in?next={target}")
                raise Refused(401, "Sign in first.")
            if request.method == "POST":
                check_csrf(page)
            if admin and member is not None and not member.manages:
                raise Refused(403, "Only owners and admins can open this page.")
            return await handler(page)
        except Refused as exc:
            return page.render("refused.html", status=exc.status, message=exc.message)
        except RolodexError as exc:
            return page.render("refused.html", status=exc.status, message=exc.message)

    return endpoint

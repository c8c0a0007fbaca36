"""The console's routes, mounted at ``/console`` by ``app.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from rolodex.console import keys, records, schema, signin, webhooks
from rolodex.console.web import view

STATIC = Path(__file__).parent / "static"


def _get_post(path: str, get: Any, post: Any, **kw: Any) -> list[Route]:
    return [
        Route(path, view(get, **kw), methods=["GET"]),
        Route(path, view(post, **kw), methods=["POST"]),
    ]


def routes() -> list[Any]:
    admin = {"admin": True}
    inner: list[Any] = [
        Mount("/static", app=StaticFiles(directory=STATIC), name="console-static"),
        Route("/", view(signin.home), methods=["GET"]),
        *_get_post("/sign-in", signin.sign_in_form, signin.sign_in, public=True),
        Route("/link/{token}", view(signin.link_form, public=True), methods=["GET"]),
        Route("/link", view(signin.redeem_link, public=True), methods=["POST"]),
        Route("/sign-out", view(signin.sign_out), methods=["POST"]),
        Route("/account", view(signin.account), methods=["GET"]),
        Route("/account/password", view(signin.set_password), methods=["POST"]),
        Route("/account/sign-out-everywhere", view(signin.sign_out_everywhere), methods=["POST"]),
        # Owners and admins: keys, webhooks, members, schema, playgrounds, live events.
        *_get_post("/keys", keys.list_keys, keys.create_key, **admin),
        Route("/keys/{id}/revoke", view(keys.revoke_key, **admin), methods=["POST"]),
        Route("/playgrounds", view(keys.playgrounds, **admin), methods=["GET"]),
        *_get_post("/members", keys.members, keys.invite, **admin),
        Route("/members/{id}/role", view(keys.set_role, **admin), methods=["POST"]),
        *webhooks.routes(view, admin),
        *schema.routes(view, admin),
        # Everyone: records.
        *records.routes(view),
    ]
    # ``/console/`` arrives as ``/console`` (app.StripTrailingSlash).
    return [Route("/console", view(signin.home), methods=["GET"]), Mount("/console", routes=inner)]

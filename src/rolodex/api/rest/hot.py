"""The REST API's hot path: record routes served ahead of Starlette's middleware and router.

Starlette's stack (error and exception middleware, the trailing-slash
middleware, the router's matching, the request-response wrapper) cost about
a fifth of the CPU of a GET by id (docs/performance.md). Record routes are
most of the traffic, and their paths are recognised with one split, so they
are served here directly. Handlers are the same ``endpoint`` wrappers the
Starlette routes use: authentication, rate limit, scope check and error
rendering stay in one place.

Anything not matched here (another path, or a record path with a method its
routes do not list) goes on to Starlette unchanged, which keeps 404, 405 and
HEAD behaviour with one router.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Send
from starlette.types import Scope as AsgiScope

from rolodex.api.rest.http import endpoint, internal_error

if TYPE_CHECKING:
    from rolodex.api.rest.http import Handler
    from rolodex.auth.scopes import Scope

Endpoint = Callable[[Request], Awaitable[Response]]

# The path templates the record routes use, by the number of segments they have.
_SHAPES = {
    "/rest/{objects:objects}": 3,
    "/rest/{objects:objects}/{id}": 4,
    "/rest/{objects:objects}/{id}/restore": 5,
}
# Routes of an object's own (``/rest/people/duplicates``): their last segment is a
# name, never an id, whatever the method.
_NAMED = "/rest/{objects:objects}/"


class HotRoutes:
    """Record routes by (segment count, method), for paths like ``/rest/people/{id}``."""

    def __init__(
        self, objects_regex: str, rows: Sequence[tuple[str, Scope, Handler, list[str]]]
    ) -> None:
        self.objects = re.compile(objects_regex)
        self.table: dict[tuple[int, str], Endpoint] = {}
        self.named: dict[str, dict[str, Endpoint]] = {}
        for path, scope, handler, methods in rows:
            wrapped = endpoint(scope, handler)
            for method in methods:
                if path in _SHAPES:
                    self.table[(_SHAPES[path], method)] = wrapped
                else:
                    name = path.removeprefix(_NAMED)
                    assert "/" not in name and "{" not in name, path
                    self.named.setdefault(name, {})[method] = wrapped

    def match(self, scope: AsgiScope) -> Endpoint | None:
        """This request's endpoint, with ``path_params`` set; None lets Starlette route it."""
        path: str = scope["path"]
        if not path.startswith("/rest/"):
            return None
        parts = path.rstrip("/").split("/")
        count = len(parts)
        if count < 3 or count > 5 or (count == 5 and parts[4] != "restore"):
            return None
        named = self.named.get(parts[3]) if count == 4 else None
        if named is not None:
            # Another method on a named route goes to Starlette (its 405), not to {id}.
            handler = named.get(scope["method"])
            if handler is None or not self.objects.fullmatch(parts[2]):
                return None
            scope["path_params"] = {"objects": parts[2]}
            return handler
        handler = self.table.get((count, scope["method"]))
        if handler is None or not self.objects.fullmatch(parts[2]):
            return None
        if count == 3:
            scope["path_params"] = {"objects": parts[2]}
        elif parts[3]:
            scope["path_params"] = {"objects": parts[2], "id": parts[3]}
        else:
            return None
        return handler

    async def serve(
        self, handler: Endpoint, scope: AsgiScope, receive: Receive, send: Send
    ) -> None:
        request = Request(scope, receive)
        try:
            response = await handler(request)
        except Exception as exc:  # what Starlette's error middleware would do
            response = internal_error(request, exc)
        await response(scope, receive, send)

"""What the app serves, for tests that must cover every route (the OpenAPI
document, the isolation and scope sweep)."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from rolodex.api.rest import hot


def app_routes(app: Any) -> set[tuple[str, str]]:
    """(method, path template) of every route: Starlette's and the record routes'
    hot path; HEAD left implied (Starlette answers it wherever it answers GET,
    and OpenAPI leaves it implied), trailing slashes folded; the console left out."""
    found = set()
    for route in app.router.routes:
        if getattr(route, "path", "").startswith("/console"):
            # The console's pages sign people in with cookies, not keys; their
            # isolation, roles and CSRF checks are tested in tests/console.
            continue
        assert isinstance(route, Route), f"cannot walk {route!r}"
        for method in route.methods or ():
            if method != "HEAD":
                found.add((method, route.path.rstrip("/") or "/"))
    assert app.hot is not None
    shapes = {count: path for path, count in hot._SHAPES.items()}
    found |= {(method, shapes[count]) for count, method in app.hot.table}
    found |= {
        (method, hot._NAMED + name) for name, methods in app.hot.named.items() for method in methods
    }
    return found

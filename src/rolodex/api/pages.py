"""What Rolodex's browser pages share: a strict Content-Security-Policy, the tags
of their pinned assets, and the page shown instead when those files are missing.

The pages (GraphiQL, the REST playground, the landing page) may load only
what this server serves: ``'self'``, plus ``data:`` images and fonts that the
stylesheets embed. Nothing is fetched from another origin.
"""

from __future__ import annotations

import html
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from rolodex.api.assets import PAGES_CSS, Asset, how_to_install, missing

CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
_HEADERS = {
    "Content-Security-Policy": CSP,
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def html_response(body: str, status_code: int = 200) -> HTMLResponse:
    """A page with the headers every Rolodex page carries."""
    return HTMLResponse(body, status_code=status_code, headers=_HEADERS)


def asset_url(request: Request, asset: Asset) -> str:
    return f"{request.scope.get('root_path', '')}/assets/{asset.path}"


def asset_tag(request: Request, asset: Asset) -> str:
    """A ``<script>`` or stylesheet ``<link>`` for ``asset``, with its integrity when pinned."""
    url = html.escape(asset_url(request, asset))
    integrity = f' integrity="{asset.integrity}"' if asset.integrity else ""
    if asset.path.endswith(".css"):
        return f'<link rel="stylesheet" href="{url}"{integrity}>'
    return f'<script src="{url}"{integrity}></script>'


def config_tag(config: dict[str, Any]) -> str:
    """Settings for a page's start script, as JSON the browser does not run."""
    literal = json.dumps(config).replace("<", "\\u003c")
    return f'<script id="rolodex-config" type="application/json">{literal}</script>'


def document(request: Request, title: str, head: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
{head}
{asset_tag(request, PAGES_CSS)}
</head>
<body>
{body}
</body>
</html>
"""


def app_page(
    request: Request,
    title: str,
    name: str,
    assets: list[Asset],
    config: dict[str, Any],
    loading: str,
    instead: str,
) -> HTMLResponse:
    """A page titled ``title`` that runs ``name`` from ``assets`` (stylesheets, then scripts).

    When any of them is missing the page says which and how to install it,
    with a 503, rather than a loading line that never ends. ``instead`` tells
    what works without the page.
    """
    absent = missing(assets)
    if absent:
        lines = dict.fromkeys(how_to_install(a) for a in absent)  # one per package
        items = "\n".join(f"<li>{html.escape(line)}</li>" for line in lines)
        body = f"""<main class="rolodex-notice" id="rolodex-missing">
<h1>{html.escape(name)} cannot start on this server</h1>
<p>Its browser files are not installed:</p>
<ul>
{items}
</ul>
<p>{instead}</p>
</main>"""
        return html_response(document(request, title, "", body), status_code=503)
    styles = "\n".join(asset_tag(request, a) for a in assets if a.path.endswith(".css"))
    scripts = "\n".join(asset_tag(request, a) for a in assets if not a.path.endswith(".css"))
    body = f"""{config_tag(config)}
<div id="rolodex-app"><p class="rolodex-notice">{html.escape(loading)}</p></div>
{scripts}"""
    return html_response(document(request, title, styles, body))

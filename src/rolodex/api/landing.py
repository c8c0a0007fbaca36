"""``GET /`` and ``GET /rest``: where a person or a client that lands here goes next.

JSON for API clients; a small HTML page when the client asks for ``text/html``
(a browser). No key is needed: it names only public paths and the version.
"""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import rolodex
from rolodex.api.pages import document, html_response
from rolodex.api.rest.http import JSONResponse

# (key in the JSON, path, what a person finds there)
_LINKS = [
    ("graphql", "/graphql", "GraphQL endpoint; GraphiQL when opened in a browser"),
    ("playground", "/rest/docs", "REST API playground (Swagger UI)"),
    ("openApi", "/rest/open-api", "OpenAPI 3.1 document of the REST API"),
    ("rest", "/rest/{objects}", "REST records: people, companies, notes, tasks, members"),
    ("health", "/healthz", "liveness check; /readyz checks the database"),
]
_DOCS = (
    "docs/api.md (REST, errors, keys), docs/webhooks.md, docs/metadata.md and the README "
    "in the Rolodex source; rolodex --help for the command line"
)
_AUTH = "Send Authorization: Bearer YOUR_API_KEY to /rest and /graphql."


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


async def landing(request: Request) -> Response:
    root = request.scope.get("root_path", "")
    if not _wants_html(request):
        return JSONResponse(
            {
                "name": "Rolodex",
                "version": rolodex.__version__,
                "links": {key: root + path for key, path, _ in _LINKS},
                "docs": _DOCS,
                "auth": _AUTH,
            },
            headers={"Vary": "Accept"},
        )
    items = "\n".join(
        f'<li><a href="{html.escape(root + path)}"><code>{html.escape(path)}</code></a>: '
        f"{html.escape(text)}</li>"
        for _, path, text in _LINKS
        if "{" not in path
    )
    body = f"""<main class="rolodex-notice">
<h1>Rolodex {html.escape(rolodex.__version__)}</h1>
<p>A headless CRM server. Where to go from here:</p>
<ul>
{items}
</ul>
<p>{html.escape(_AUTH)}</p>
<p>Documentation: {html.escape(_DOCS)}.</p>
</main>"""
    response = html_response(document(request, "Rolodex", "", body))
    response.headers["Vary"] = "Accept"
    return response


def routes() -> list[Route]:
    return [Route("/", landing, methods=["GET"]), Route("/rest", landing, methods=["GET"])]

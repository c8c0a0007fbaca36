"""The REST playground page: Swagger UI on the OpenAPI document, at GET /rest/docs.

Swagger UI's files come with the ``swagger-ui-bundle-v2`` package at a pinned
version and are served by Rolodex (api/assets.py): the page, where users
paste keys, loads nothing from another origin and works offline.
"""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import HTMLResponse

from rolodex.api.assets import PLAYGROUND_START, SWAGGER_CSS, SWAGGER_JS
from rolodex.api.pages import app_page

ASSETS = [SWAGGER_CSS, SWAGGER_JS, PLAYGROUND_START]


def docs_page(request: Request) -> HTMLResponse:
    """The playground on ``/rest/open-api``; no key is needed to open it."""
    spec_url = request.scope.get("root_path", "") + "/rest/open-api"
    link = html.escape(spec_url)
    return app_page(
        request,
        "Rolodex API playground",
        "The API playground",
        ASSETS,
        {"specUrl": spec_url},
        loading="Loading the API playground…",
        instead=(
            f'The OpenAPI document is at <a href="{link}">{link}</a>, and the '
            "API works without the playground."
        ),
    )

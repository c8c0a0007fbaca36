"""GraphiQL, the in-browser GraphQL IDE, served at GET /graphql to browsers.

Its files are served by Rolodex at pinned versions (api/assets.py), so the
page works offline and loads nothing from another origin. The headers tab
opens with an ``Authorization`` template: paste an API key there.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse

from rolodex.api.assets import GRAPHIQL_CSS, GRAPHIQL_JS, GRAPHIQL_START, REACT, REACT_DOM
from rolodex.api.pages import app_page

ASSETS = [GRAPHIQL_CSS, REACT, REACT_DOM, GRAPHIQL_JS, GRAPHIQL_START]

_HEADERS = '{\n  "Authorization": "Bearer YOUR_API_KEY"\n}'
_QUERY = """# Paste your API key in the Headers tab below, then run this query.
query GetPeople {
  people(first: 10) {
    edges { node { id name email company { name } } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}
"""


def graphiql_page(request: Request) -> HTMLResponse:
    """The page, posting to the path it was served from."""
    endpoint = request.url.path
    return app_page(
        request,
        "Rolodex GraphQL",
        "GraphiQL",
        ASSETS,
        {"url": endpoint, "headers": _HEADERS, "query": _QUERY},
        loading="Loading GraphiQL…",
        instead=(
            "The GraphQL API works without it: <code>POST /graphql</code> with "
            "<code>Authorization: Bearer YOUR_API_KEY</code> and a JSON body "
            '<code>{"query": "..."}</code>.'
        ),
    )

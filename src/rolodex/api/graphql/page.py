"""GraphiQL, the in-browser GraphQL IDE, served at GET /graphql to browsers.

Loaded from a CDN at pinned versions with subresource integrity. The headers
tab opens with an ``Authorization`` template: paste an API key there.
"""

from __future__ import annotations

import html
import json

_CDN = "https://unpkg.com"
_ASSETS = {
    "css": (
        f"{_CDN}/graphiql@3.8.3/graphiql.min.css",
        "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
    ),
    "react": (
        f"{_CDN}/react@18.3.1/umd/react.production.min.js",
        "sha384-DGyLxAyjq0f9SPpVevD6IgztCFlnMF6oW/XQGmfe+IsZ8TqEiDrcHkMLKI6fiB/Z",
    ),
    "react-dom": (
        f"{_CDN}/react-dom@18.3.1/umd/react-dom.production.min.js",
        "sha384-gTGxhz21lVGYNMcdJOyq01Edg0jhn/c22nsx0kyqP0TxaV5WVdsSH1fSDUf5YJj1",
    ),
    "graphiql": (
        f"{_CDN}/graphiql@3.8.3/graphiql.min.js",
        "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
    ),
}

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


def _script(name: str) -> str:
    url, digest = _ASSETS[name]
    return f'<script crossorigin="anonymous" src="{url}" integrity="{digest}"></script>'


def graphiql_html(endpoint: str) -> str:
    """The page, posting to ``endpoint`` (the path it was served from)."""
    css_url, css_digest = _ASSETS["css"]
    config = json.dumps({"url": endpoint, "headers": _HEADERS, "query": _QUERY}).replace(
        "<", "\\u003c"
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Rolodex GraphQL</title>
<link rel="stylesheet" href="{css_url}" integrity="{css_digest}" crossorigin="anonymous">
<style>body {{ margin: 0; height: 100vh; }} #graphiql {{ height: 100vh; }}</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL from {html.escape(_CDN)}&hellip;</div>
{_script("react")}
{_script("react-dom")}
{_script("graphiql")}
<script>
const config = {config};
const fetcher = GraphiQL.createFetcher({{ url: config.url }});
ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, {{
    fetcher: fetcher,
    defaultQuery: config.query,
    defaultHeaders: config.headers,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: true,
    defaultEditorToolsVisibility: "headers",
  }})
);
</script>
</body>
</html>
"""

"""``GET /`` and ``GET /rest``: a landing response, not a bare 404, with no key needed."""

from __future__ import annotations

import re

import httpx
import pytest

import rolodex
from rolodex.api.pages import CSP

# The landing response does not touch the database.
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.mark.parametrize("path", ["/", "/rest", "/rest/"])
def test_api_clients_get_json_pointing_to_the_apis(anon: httpx.Client, path: str) -> None:
    response = anon.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["name"] == "Rolodex"
    assert body["version"] == rolodex.__version__
    links = body["links"]
    assert links["graphql"] == "/graphql"
    assert links["playground"] == "/rest/docs"
    assert links["openApi"] == "/rest/open-api"
    assert "docs/api.md" in body["docs"]
    # Every plain link leads somewhere that answers without a key.
    for link in links.values():
        if "{" not in link and link != "/graphql":
            assert anon.get(link).status_code == 200, link


def test_browsers_get_a_small_page_with_links(anon: httpx.Client) -> None:
    for path in ["/", "/rest"]:
        response = anon.get(path, headers={"Accept": "text/html,*/*;q=0.8"})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["content-security-policy"] == CSP
        assert response.headers["vary"] == "Accept"
        page = response.text
        assert f"Rolodex {rolodex.__version__}" in page
        hrefs = re.findall(r'<a href="([^"]+)"', page)
        assert {"/graphql", "/rest/docs", "/rest/open-api"} <= set(hrefs)
        assert "docs/api.md" in page
        assert not re.search(r"https?://", page)


def test_other_unknown_paths_are_still_404(anon: httpx.Client) -> None:
    response = anon.get("/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"] == "NOT_FOUND"

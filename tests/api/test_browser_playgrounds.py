"""GraphiQL (``/graphql``) and the REST playground (``/rest/docs``) offline.

The browser tests drive Debian's Chromium with Playwright, with every host but
this machine's loopback unreachable: a request to any other host is aborted
and recorded, and none may be attempted. The other tests check what the
pages and their assets are served with, and what a page says when its files
are not installed.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from rolodex.api import assets
from rolodex.api.graphql.page import ASSETS as GRAPHIQL_ASSETS
from rolodex.api.pages import CSP
from rolodex.api.rest.playground import ASSETS as PLAYGROUND_ASSETS

CHROMIUM = "/usr/bin/chromium"
# In CI a missing browser or missing assets fail the run instead of skipping it.
REQUIRED = os.environ.get("CI") == "true" or os.environ.get("ROLODEX_TEST_REQUIRE_POSTGRES") == "1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
HTML = {"Accept": "text/html,application/xhtml+xml"}

# The pages and their files do not depend on the database, and the API calls
# they make are tested on both backends in their own folders: one is enough.
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(reason)
    pytest.skip(reason)


@dataclass
class Offline:
    """A page whose requests to any host but loopback are aborted and kept in ``blocked``."""

    page: Any
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def check(self) -> None:
        assert self.blocked == [], f"the page tried to reach other hosts: {self.blocked}"
        assert self.errors == [], f"errors in the page: {self.errors}"


@pytest.fixture
def offline(client: httpx.Client, api_key: str) -> Iterator[Offline]:
    """A fresh Chromium with one page, started after the server and the key.

    Playwright's sync API keeps an event loop running in this thread while it
    is open, so the fixtures that run ``asyncio.run`` (the key) must come first.
    """
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium).")
    absent = assets.missing(list(assets.ASSETS.values()))
    if absent:
        _unavailable(" ".join(assets.how_to_install(a) for a in absent))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed: pip install -e '.[dev]'.")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield from _offline_page(browser)
        finally:
            browser.close()


def _offline_page(browser: Any) -> Iterator[Offline]:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    state = Offline(page)

    def route(route: Any) -> None:
        if urlsplit(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            state.blocked.append(route.request.url)
            route.abort("addressunreachable")

    def console(message: Any) -> None:
        # The pages start with no key, so a first 401 is expected; anything
        # else (a CSP violation, a script error) is a failure.
        if message.type == "error" and "status of 401" not in message.text:
            state.errors.append(message.text)

    context.route("**/*", route)
    page.on("console", console)
    page.on("pageerror", lambda exc: state.errors.append(str(exc)))
    try:
        yield state
    finally:
        context.close()


def test_graphiql_runs_a_query_with_the_key(
    server: Any, client: httpx.Client, api_key: str, offline: Offline
) -> None:
    from playwright.sync_api import expect

    email = f"ada-{uuid.uuid4().hex[:8]}@example.org"
    client.post("/rest/people", json={"name": "Ada Lovelace", "email": email}).raise_for_status()
    page = offline.page
    page.goto(f"{server.url}/graphql")
    expect(page.locator(".graphiql-container")).to_be_visible()

    # As a person would: open the Headers tab and type the key into its editor.
    page.get_by_role("button", name="Headers", exact=True).click()
    editor = page.locator(".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror")
    editor.click()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.press("Delete")
    page.keyboard.type(f'{{"Authorization": "Bearer {api_key}"}}')
    page.locator(".graphiql-execute-button").click()

    result = page.locator(".result-window")
    expect(result).to_contain_text(email)
    expect(result).to_contain_text('"totalCount": 1')
    offline.check()


def test_playground_lists_operations_and_runs_one(
    server: Any, client: httpx.Client, api_key: str, offline: Offline
) -> None:
    from playwright.sync_api import expect

    email = f"grace-{uuid.uuid4().hex[:8]}@example.org"
    client.post("/rest/people", json={"name": "Grace Hopper", "email": email}).raise_for_status()
    page = offline.page
    page.goto(f"{server.url}/rest/docs")
    list_people = page.locator(".opblock-get").filter(
        has=page.locator('.opblock-summary-path[data-path="/rest/people"]')
    )
    expect(list_people).to_be_visible()
    assert page.locator(".opblock").count() >= 20

    page.locator(".auth-wrapper .btn.authorize").click()
    page.locator(".modal-ux input").first.fill(api_key)
    page.locator(".modal-ux .auth-btn-wrapper .btn.authorize").click()
    page.locator(".modal-ux .btn-done").click()

    list_people.locator(".opblock-summary").click()
    list_people.locator(".try-out__btn").click()
    list_people.locator(".btn.execute").click()
    live = list_people.locator(".live-responses-table .response")
    expect(live.locator(".response-col_status").first).to_have_text("200")
    expect(list_people.locator(".live-responses-table")).to_contain_text(email)
    offline.check()


def _tags(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', page)


@pytest.mark.parametrize(
    ("path", "needed"), [("/graphql", GRAPHIQL_ASSETS), ("/rest/docs", PLAYGROUND_ASSETS)]
)
def test_pages_load_only_pinned_files_from_this_server(
    anon: httpx.Client, path: str, needed: list[assets.Asset]
) -> None:
    if assets.missing(needed):
        _unavailable(" ".join(assets.how_to_install(a) for a in assets.missing(needed)))
    page = anon.get(path, headers=HTML)
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CSP
    assert "default-src 'none'" in CSP and "script-src 'self'" in CSP
    assert "http" not in CSP  # no other origin is allowed
    assert not re.search(r"https?://", page.text), "the page names another origin"
    assert "<script>" not in page.text  # inline scripts would be refused by the policy
    urls = _tags(page.text)
    assert sorted(urls) == sorted(f"/assets/{a.path}" for a in [*needed, assets.PAGES_CSS])
    for asset in needed:
        if asset.integrity:
            assert f'integrity="{asset.integrity}"' in page.text
        served = anon.get(f"/assets/{asset.path}")
        assert served.status_code == 200
        assert served.headers["x-content-type-options"] == "nosniff"
        if asset.sha384:
            assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
            assert assets._sha384(served.content) == asset.sha384
        else:
            assert served.headers["cache-control"] == "no-cache"


def test_graphiql_says_when_its_files_are_not_installed(
    anon: httpx.Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROLODEX_ASSETS_DIR", str(tmp_path / "empty"))
    page = anon.get("/graphql", headers=HTML)
    assert page.status_code == 503
    assert page.headers["content-security-policy"] == CSP
    assert "GraphiQL cannot start" in page.text
    assert "graphiql@3.8.3 from npm is not installed" in page.text
    assert "python -m rolodex.api.assets install" in page.text
    assert "<script" not in page.text  # nothing left to hang on a loading line
    missing = anon.get(f"/assets/{assets.GRAPHIQL_JS.path}")
    assert missing.status_code == 404
    assert "not installed" in missing.json()["message"]
    # The API itself still answers.
    assert anon.post("/graphql", json={"query": "{ __typename }"}).status_code == 401


def test_a_file_that_is_not_the_pinned_one_is_not_served(
    anon: httpx.Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROLODEX_ASSETS_DIR", str(tmp_path))
    for asset in assets.NPM_ASSETS:
        (tmp_path / asset.path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / asset.path).write_text("alert('not the pinned file')")
    assert anon.get(f"/assets/{assets.REACT.path}").status_code == 404
    page = anon.get("/graphql", headers=HTML)
    assert page.status_code == 503
    assert "react@18.3.1 from npm is not the pinned file" in page.text


def test_only_known_assets_are_served(anon: httpx.Client) -> None:
    for path in ["/assets/../app.py", "/assets/rolodex/../assets.py", "/assets/nothing.js"]:
        assert anon.get(path).status_code == 404

"""The console in Debian's Chromium (Playwright with ``executable_path``), offline.

One browser per module. Each page is checked with axe-core (no serious or
critical violation) and photographed at 1280 and 375 pixels wide into
``build/screenshots/console`` (``ROLODEX_SCREENSHOTS`` elsewhere), which CI keeps.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests import factories
from tests.console.helpers import PASSWORD, make_key, make_member
from tests.webhooks.receiver import Receiver, Reply

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "tests/node/node_modules/axe-core/axe.min.js"
SHOTS = Path(os.environ.get("ROLODEX_SCREENSHOTS", ROOT / "build/screenshots/console"))
REQUIRED = os.environ.get("CI") == "true" or os.environ.get("ROLODEX_TEST_REQUIRE_POSTGRES") == "1"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

# The pages do not depend on the database; the HTTP tests run both backends.
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = [p for p in (Path(CHROMIUM), AXE) if not p.exists()]
    if missing:
        reason = f"{missing[0]} is missing: `make test` installs it"
        if REQUIRED:
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Tab:
    """One browser context: offline but for this machine, checked for errors and axe."""

    def __init__(self, browser: Any, base: str) -> None:
        # axe is injected as an inline script, which the console's CSP would refuse.
        self.context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.base = base
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _route(self, route: Any) -> None:
        if urlsplit(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort("addressunreachable")

    def go(self, path: str) -> Any:
        self.page.goto(self.base + path)
        return self.page

    def check(self, name: str) -> None:
        """axe finds no serious or critical violation; screenshots at both widths."""
        page = self.page
        page.add_script_tag(path=str(AXE))
        found, passed = page.evaluate(
            """async () => {
                 const r = await axe.run(document);
                 return [r.violations
                   .filter(v => v.impact === 'serious' || v.impact === 'critical')
                   .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')),
                   r.passes.length];
               }"""
        )
        assert found == [], f"{name}: {found}"
        assert passed > 10, f"{name}: axe checked almost nothing"
        SHOTS.mkdir(parents=True, exist_ok=True)
        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
            if width == 375:  # nothing wider than the screen: no sideways scrolling
                wide = page.evaluate("document.documentElement.scrollWidth")
                assert wide <= 375, f"{name} is {wide}px wide at 375"
        page.set_viewport_size({"width": 1280, "height": 900})
        assert self.blocked == [] and self.errors == [], (self.blocked, self.errors)

    def close(self) -> None:
        self.context.close()


def _sign_in(tab: Tab, email: str) -> None:
    page = tab.go("/console/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")  # keyboard only
    page.wait_for_url("**/console/")


def _reload_until(page: Any, locator: Any, text: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in (locator.first.text_content() or ""):
            return
        time.sleep(0.3)
        page.reload()
    raise AssertionError(f"{text!r} never appeared: {locator.first.text_content()}")


@pytest.mark.slow
def test_an_admin_runs_keys_webhooks_schema_and_records(
    server: Any, db_url: str, browser: Any
) -> None:
    from playwright.sync_api import expect

    make_member(db_url, "ada@example.org", "owner")
    tab = Tab(browser, server.url)
    try:
        tab.go("/console/sign-in")
        tab.check("sign-in")
        _sign_in(tab, "ada@example.org")
        tab.check("home")
        page = tab.page

        # A key, shown once with a copy button, used against the API.
        page.get_by_role("link", name="API keys").first.click()
        page.get_by_label("Name").fill("integration")
        page.get_by_label("Expires on (optional)").fill("2999-12-31")
        page.get_by_role("button", name="Create key").click()
        secret = page.locator("#new-secret").input_value()
        assert secret.startswith("rdx_")
        expect(page.get_by_role("button", name="Copy")).to_be_visible()
        tab.check("keys")
        api = factories.http(server.url, secret)
        assert api.get("/rest/people").status_code == 200

        with Receiver() as receiver:
            failing = {"on": False}
            receiver.respond = lambda _r, _n: Reply(500, body=b"down") if failing["on"] else Reply()
            # A webhook to the receiver, with a filter built from rows (`changed`).
            page.goto(f"{server.url}/console/webhooks")
            page.get_by_label("Target URL").fill(receiver.url)
            page.get_by_label("Name", exact=True).fill("crm sync")
            page.get_by_label("Every event (ignore the rows below)").uncheck()
            page.locator("#sub-0-event").fill("person.*")
            page.get_by_role("button", name="Create webhook").click()
            expect(page.locator("#wh-secret")).to_be_visible()
            tab.check("webhook")
            # A test event, and its delivery in the log.
            page.get_by_role("button", name="Send test event").click()
            page.wait_for_url("**/deliveries?test=*")
            _reload_until(page, page.locator(".delivery .d-status"), "succeeded")
            tab.check("deliveries")
            receiver.wait_for(1)

            # The receiver fails: the log shows the failed attempts and the retry.
            failing["on"] = True
            person = factories.person(api, name="Grace Hopper", email="grace@example.org")
            _reload_until(page, page.locator(".delivery .d-status"), "failed")
            first = page.locator(".delivery").first
            expect(first).to_contain_text("person.created")
            assert first.locator(".attempt").count() >= 2
            expect(first.locator(".a-status").first).to_have_text("500")
            # Back up: resend it.
            failing["on"] = False
            first.get_by_role("button", name=re.compile("Resend")).click()
            _reload_until(page, page.locator(".delivery .d-status"), "succeeded")
            assert receiver.bodies()[-1]["data"]["id"] == person["id"]
            page.goto(f"{server.url}/console/webhooks")
            expect(page.locator("table")).to_contain_text("crm sync")
            tab.check("webhooks")

        # A custom field, seen on a record.
        page.goto(f"{server.url}/console/schema")
        page.get_by_label("Object", exact=True).select_option("person")
        page.get_by_label("Name (camelCase, as the API names it)").fill("mastodonUrl")
        page.get_by_label("Label", exact=True).fill("Mastodon")
        page.get_by_role("button", name="Add field").click()
        expect(page.get_by_role("status")).to_contain_text("mastodonUrl")
        tab.check("schema")
        page.goto(f"{server.url}/console/records/people")
        page.get_by_role("link", name="Grace Hopper").click()
        expect(page.get_by_label("Mastodon")).to_be_visible()
        # Edit the record, and see it on its timeline, by this member.
        page.get_by_label("Mastodon").fill("https://example.org/grace")
        page.get_by_label("Job title").fill("Rear admiral")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("status")).to_have_text("Saved.")
        timeline = page.locator(".timeline li").first
        expect(timeline).to_contain_text("person.updated")
        expect(timeline).to_contain_text("ada")
        tab.check("record")
        page.goto(f"{server.url}/console/records/people")
        tab.check("people")
        for name, path in [
            ("members", "/console/members"),
            ("playgrounds", "/console/playgrounds"),
            ("events", "/console/events"),
            ("account", "/console/account"),
            ("companies", "/console/records/companies"),
        ]:
            tab.go(path)
            tab.check(name)
    finally:
        tab.close()


def test_live_events_and_the_playground_key(server: Any, db_url: str, browser: Any) -> None:
    from playwright.sync_api import expect

    api_key = make_key(db_url)
    make_member(db_url, "ada@example.org", "admin")
    tab = Tab(browser, server.url)
    try:
        _sign_in(tab, "ada@example.org")
        page = tab.go("/console/events")
        expect(page.locator("#live-state")).to_contain_text("Connected")
        with factories.http(server.url, api_key) as api:
            factories.person(api, name="Live Person")
        expect(page.locator("#live")).to_contain_text("person.created")
        expect(page.locator("#live")).to_contain_text("Live Person")
        # The playground gets the key chosen here, never the console's cookie.
        page = tab.go("/console/playgrounds")
        page.get_by_label("API key").fill(api_key)
        page.get_by_role("button", name="Open GraphiQL").click()
        page.wait_for_url("**/graphql")
        if page.locator("#rolodex-missing").count() == 0:  # GraphiQL's files are installed
            # GraphiQL moves stored headers into its tab state, and shows them.
            expect(page.locator(".graphiql-editor-tool")).to_contain_text(api_key)
        stored = page.evaluate("JSON.stringify(Object.assign({}, localStorage))")
        assert api_key in stored
        page = tab.go("/console/playgrounds")
        page.get_by_label("API key").fill(api_key)
        page.get_by_role("button", name="Open the REST playground").click()
        page.wait_for_url("**/rest/docs")
        assert api_key in page.evaluate("localStorage.getItem('authorized')")
        cookies = {c["name"]: c for c in tab.context.cookies()}
        assert cookies["rolodex_console"]["path"] == "/console"
        assert cookies["rolodex_console"]["httpOnly"] is True
        assert page.evaluate("document.cookie") == ""
    finally:
        tab.close()


def test_a_member_is_refused_keys_and_webhooks(server: Any, db_url: str, browser: Any) -> None:
    link = make_member(db_url, "bob@example.org", "member", password=None)
    tab = Tab(browser, server.url)
    try:
        # A one-time link, then the account page to set a password.
        page = tab.go(f"/console/link/{link}")
        tab.check("link")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/console/account")
        page.get_by_label("New password (at least 12 characters)").fill(PASSWORD)
        page.get_by_role("button", name="Set password").click()
        page.get_by_role("status").wait_for()
        assert page.get_by_role("link", name="API keys").count() == 0
        for path in ("/console/keys", "/console/webhooks"):
            response = page.goto(server.url + path)
            assert response.status == 403
        tab.check("refused")
        # A form posted from another page's token is refused as well.
        page.goto(server.url + "/console/account")
        token = page.locator("input[name=csrf]").first.input_value()
        status = page.evaluate(
            """async (token) => (await fetch('/console/keys', {method: 'POST',
                 headers: {'Content-Type': 'application/x-www-form-urlencoded'},
                 body: 'csrf=' + encodeURIComponent(token) + '&name=sneaky'})).status""",
            token,
        )
        assert status == 403
    finally:
        tab.close()

"""The console's pages over HTTP, on both backends: keys that work against the API,
records edited as the member, the schema with the API's messages, escaping, and
one workspace's member never seeing another's data."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests import factories
from tests.console.helpers import Console, make_member


def _signed_in(
    server: Any, db_url: str, role: str = "admin", email: str = "ada@example.org"
) -> Console:
    make_member(db_url, email, role)
    console = Console(server.url)
    assert console.sign_in(email).status_code == 303
    return console


def test_a_key_made_in_the_console_works_against_the_api(server: Any, db_url: str) -> None:
    console = _signed_in(server, db_url)
    r = console.post(
        "/console/keys",
        {"name": "zapier", "scopes": ["record:read"], "expires": "2999-01-01"},
        token_from="/console/keys",
    )
    assert r.status_code == 201, r.text
    secret = re.search(r'id="new-secret" readonly value="(rdx_[^"]+)"', r.text)
    assert secret, r.text
    with factories.http(server.url, secret.group(1)) as api:
        assert api.get("/rest/people").status_code == 200
        assert api.post("/rest/people", json={"name": "No"}).status_code == 403
    # Shown once: the list has its prefix, never the secret.
    listed = console.get("/console/keys")
    assert secret.group(1) not in listed.text and secret.group(1)[:12] in listed.text
    key_id = re.search(r"/console/keys/([0-9a-f-]{36})/revoke", listed.text)
    assert key_id
    console.post(f"/console/keys/{key_id.group(1)}/revoke", {}, token_from="/console/keys")
    assert "revoked" in console.get("/console/keys").text
    # The API's own check: a bad scope has its message.
    bad = console.post(
        "/console/keys", {"name": "x", "scopes": ["nope:read"]}, token_from="/console/keys"
    )
    assert bad.status_code == 400 and "Unknown scope" in bad.text


def test_an_edit_names_the_member_in_the_record_event_and_timeline(
    server: Any, db_url: str, client: httpx.Client
) -> None:
    console = _signed_in(server, db_url, role="member")
    person = factories.person(client, name="Ada Lovelace", email="ada.l@example.org")
    path = f"/console/records/people/{person['id']}"
    r = console.post(path, {"f-jobTitle": "Analyst"}, token_from=path)
    assert r.status_code == 200 and "Saved." in r.text
    record = client.get(f"/rest/people/{person['id']}").json()["data"]["person"]
    assert record["jobTitle"] == "Analyst"
    assert record["updatedBy"]["type"] == "member"
    updated = [e for e in factories.events(db_url, person["id"]) if e["type"] == "person.updated"]
    assert updated and updated[-1]["actor"]["type"] == "member"
    assert updated[-1]["actor"]["name"] == "ada"
    timeline = console.get(path).text
    assert "person.updated" in timeline and '<span class="actor">ada</span>' in timeline
    # Soft delete, then restore.
    gone = console.post(f"{path}/delete", {}, token_from=path)
    assert "This record is deleted" in gone.text
    assert client.get(f"/rest/people/{person['id']}").status_code == 404
    back = console.post(f"{path}/restore", {}, token_from="/console/account")
    assert "Restored." in back.text
    assert client.get(f"/rest/people/{person['id']}").status_code == 200


def test_stored_markup_is_shown_as_text(server: Any, db_url: str, client: httpx.Client) -> None:
    console = _signed_in(server, db_url)
    evil = "<script>alert('x')</script>"
    person = factories.person(client, name=evil, jobTitle='"><img src=x onerror=alert(1)>')
    for path in ("/console/records/people", f"/console/records/people/{person['id']}"):
        page = console.get(path).text
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(" in page


def test_a_member_never_sees_another_workspace(
    server: Any, db_url: str, client: httpx.Client
) -> None:
    theirs = factories.person(client, name="Secret Person", email="secret@example.org")
    other = factories.make_workspace(db_url, "Other")
    make_member(db_url, "eve@example.org", "admin", workspace=other)
    eve = Console(server.url)
    assert eve.sign_in("eve@example.org").status_code == 303
    assert "Secret Person" not in eve.get("/console/records/people").text
    assert eve.get(f"/console/records/people/{theirs['id']}").status_code == 404
    assert "test key" not in eve.get("/console/keys").text
    # Editing it by id fails too, and changes nothing.
    r = eve.post(
        f"/console/records/people/{theirs['id']}",
        {"f-name": "Pwned"},
        token_from="/console/records/people",
    )
    assert r.status_code == 404
    assert (
        client.get(f"/rest/people/{theirs['id']}").json()["data"]["person"]["name"]
        == "Secret Person"
    )


def test_custom_fields_with_the_apis_messages(
    server: Any, db_url: str, client: httpx.Client
) -> None:
    console = _signed_in(server, db_url)
    bad = {"objectName": "person", "name": "bad name!", "type": "TEXT"}
    r = console.post("/console/schema/fields", bad, token_from="/console/schema")
    api = client.post("/rest/metadata/fields", json=bad)
    assert r.status_code == api.status_code == 400
    assert api.json()["message"] in r.text.replace("&#39;", "'").replace("&#34;", '"')
    r = console.post(
        "/console/schema/fields",
        {
            "objectName": "person",
            "name": "tier",
            "label": "Tier",
            "type": "SELECT",
            "options": "GOLD=Gold\nSILVER",
        },
        token_from="/console/schema",
    )
    assert r.status_code == 201, r.text
    person = factories.person(client, name="Grace", tier="GOLD")
    page = console.get(f"/console/records/people/{person['id']}").text
    assert "Tier" in page and "GOLD" in page
    r = console.post(
        "/console/schema/objects",
        {"nameSingular": "deal", "namePlural": "deals"},
        token_from="/console/schema",
    )
    assert r.status_code == 201, r.text
    assert console.get("/console/records/deals").status_code == 200


def test_records_list_searches_sorts_and_pages(
    server: Any, db_url: str, client: httpx.Client
) -> None:
    console = _signed_in(server, db_url)
    for i in range(30):
        factories.person(client, name=f"Person {i:02d}", email=f"p{i}@example.org")
    page = console.get(
        "/console/records/people", params={"q": "person 0", "sort": "name", "dir": "asc"}
    )
    names = re.findall(r">(Person \d\d)</a>", page.text)
    assert names == [f"Person 0{i}" for i in range(10)]
    first = console.get(
        "/console/records/people", params={"sort": "name", "dir": "asc", "col": ["name", "email"]}
    )
    assert re.findall(r">(Person \d\d)</a>", first.text)[:2] == ["Person 00", "Person 01"]
    nxt = re.search(r'href="(\?[^"]*after=[^"]+)">Next page', first.text)
    assert nxt
    second = console.get("/console/records/people" + nxt.group(1).replace("&amp;", "&"))
    assert re.findall(r">(Person \d\d)</a>", second.text)[0] == "Person 25"
    assert '<th scope="col">Email</th>' in second.text  # the chosen columns stay
    bad = console.get("/console/records/people", params={"filter": "name[nope]:x"})
    assert bad.status_code == 400


def test_members_invite_prints_a_link(db_url: str) -> None:
    from tests.cli.test_cli import cli

    done = cli("members", "invite", "lin@example.org", "--role", "admin", database=db_url)
    link = done.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"http://127\.0\.0\.1:8080/console/link/[0-9a-f-]{36}\.[\w-]+", link)
    listed = cli("members", "list", "--json", database=db_url)
    assert '"role": "admin"' in listed.stdout or '"role":"admin"' in listed.stdout


def test_roles_change_only_as_their_rules_say(server: Any, db_url: str) -> None:
    console = _signed_in(server, db_url, role="admin")
    make_member(db_url, "bob@example.org", "member")
    make_member(db_url, "olga@example.org", "owner")
    page = console.get("/console/members").text
    found = re.findall(r"/console/members/([0-9a-f-]{36})/role", page)
    assert len(found) == 2  # no form for one's own role
    emails = re.findall(r"<td>([a-z]+@example\.org)</td>", page)
    by_email = dict(zip([e for e in emails if e != "ada@example.org"], found, strict=True))
    r = console.post(f"/console/members/{by_email['bob@example.org']}/role", {"role": "admin"})
    assert r.status_code == 200 and "The role is changed." in r.text
    # An admin cannot make or unmake owners.
    r = console.post(f"/console/members/{by_email['olga@example.org']}/role", {"role": "member"})
    assert r.status_code == 403
    r = console.post(f"/console/members/{by_email['bob@example.org']}/role", {"role": "owner"})
    assert r.status_code == 403
    r = console.post(f"/console/members/{by_email['bob@example.org']}/role", {"role": "king"})
    assert r.status_code == 400 and "role is owner, admin or member" in r.text
    bob = Console(server.url)
    bob.sign_in("bob@example.org")
    assert bob.get("/console/keys").status_code == 200  # an admin now


def test_records_are_created_from_the_list_page(
    server: Any, db_url: str, client: httpx.Client
) -> None:
    console = _signed_in(server, db_url, role="member")
    r = console.post(
        "/console/records/companies",
        {"f-name": "Acme", "f-domainName": "acme.example"},
        token_from="/console/records/companies",
    )
    assert r.status_code == 303, r.text
    page = console.get(r.headers["location"])
    assert page.status_code == 200 and "Acme" in page.text
    company_id = r.headers["location"].rsplit("/", 1)[1]
    r = console.post(
        "/console/records/people",
        {"f-name": "Linus", "f-email": "not an email", "f-companyId": company_id},
        token_from="/console/records/people",
    )
    assert r.status_code == 400  # the record service's own check
    api = client.post("/rest/people", json={"name": "Linus", "email": "not an email"})
    assert api.json()["message"].split(":")[0] in r.text.replace("&#39;", "'")
    r = console.post(
        "/console/records/people",
        {"f-name": "Linus", "f-email": "linus@example.org", "f-companyId": company_id},
        token_from="/console/records/people",
    )
    person = console.get(r.headers["location"]).text
    assert f'href="/console/records/companies/{company_id}"' in person  # the relation
    created = client.get("/rest/people", params={"filter": "email[eq]:linus@example.org"})
    assert created.json()["data"]["people"][0]["createdBy"]["type"] == "member"


def test_a_long_timeline_pages(server: Any, db_url: str, client: httpx.Client) -> None:
    console = _signed_in(server, db_url)
    person = factories.person(client, name="Ada")
    for i in range(55):
        assert client.patch(f"/rest/people/{person['id']}", json={"jobTitle": f"t{i}"}).is_success
    path = f"/console/records/people/{person['id']}"
    first = console.get(path).text
    assert first.count("<strong>person.updated</strong>") == 50
    older = re.search(r'href="(\?events=[^"]+)">Older events', first)
    assert older
    rest = console.get(path + older.group(1).replace("&amp;", "&")).text
    assert rest.count("<strong>person.updated</strong>") == 5
    assert "<strong>person.created</strong>" in rest and "Older events" not in rest

"""A company's domain is a host name, stored normalised, unique on every write path."""

from __future__ import annotations

import httpx
from tests import factories
from tests.api.test_errors import check_error
from tests.graphql.helpers import post


def domain_of(client: httpx.Client, cid: str) -> str | None:
    return client.get(f"/rest/companies/{cid}").json()["data"]["company"]["domain"]  # type: ignore[no-any-return]


def test_domains_are_normalised_before_storing(client: httpx.Client) -> None:
    for given, stored in (
        ("https://www.Acme.com/about?x=1#top", "acme.com"),
        ("HTTP://user@Sub.Example.ORG:8080", "sub.example.org"),
        ("example.net.", "example.net"),
        ("  www.foo.io  ", "foo.io"),
        ("www.com", "www.com"),
        ("xn--mnchen-3ya.de", "münchen.de"),
    ):
        c = factories.company(client, name=given, domain=given)
        assert c["domain"] == stored, given
        assert domain_of(client, c["id"]) == stored
    blank = factories.company(client, name="Blank", domain="  ")
    assert blank["domain"] is None


def test_what_is_not_a_host_name_is_refused(client: httpx.Client) -> None:
    for bad in (
        "not a domain",
        "localhost",
        "192.168.0.1",
        "acme",
        "-acme.com",
        "a..b.com",
        "acme.com:http",
        "acme_corp.com",
        "x" * 64 + ".com",
        "https://",
        5,
        ["acme.com"],
    ):
        r = client.post("/rest/companies", json={"name": "Bad", "domain": bad})
        assert check_error(r, 400)["field"] == "domain", bad
    c = factories.company(client, name="Acme", domain="acme.com")
    check_error(client.patch(f"/rest/companies/{c['id']}", json={"domain": "not a domain"}), 400)
    assert domain_of(client, c["id"]) == "acme.com"
    assert client.get("/rest/companies").json()["totalCount"] == 1


def test_uniqueness_compares_normalised_domains(client: httpx.Client) -> None:
    acme = factories.company(client, name="Acme", domain="acme.com")
    for clash in ("www.acme.com", "ACME.COM.", "https://acme.com/", "http://www.acme.com:443/x"):
        r = client.post("/rest/companies", json={"name": "Again", "domain": clash})
        body = check_error(r, 409)
        assert body["field"] == "domain" and body["existingId"] == acme["id"], clash
    other = factories.company(client, name="Other", domain="other.com")
    r = client.patch(f"/rest/companies/{other['id']}", json={"domain": "www.Acme.com"})
    assert check_error(r, 409)["field"] == "domain"
    # Both forms of an internationalised name are one domain.
    factories.company(client, name="M", domain="münchen.de")
    check_error(
        client.post("/rest/companies", json={"name": "M2", "domain": "xn--mnchen-3ya.de"}), 409
    )
    # In a batch, two spellings of one domain clash with each other.
    r = client.post(
        "/rest/batch/companies",
        json=[{"name": "A", "domain": "new.io"}, {"name": "B", "domain": "https://www.new.io"}],
    )
    assert check_error(r, 409)["index"] == 1
    # An upsert by another spelling updates the existing company.
    r = client.post(
        "/rest/companies?upsert=true", json={"name": "Acme Inc", "domain": "https://www.acme.com"}
    )
    assert r.status_code == 201, r.text
    assert r.json()["data"]["createCompany"]["id"] == acme["id"]
    r = client.post(
        "/rest/batch/companies?upsert=true", json=[{"name": "Acme 3", "domain": "WWW.ACME.COM"}]
    )
    assert r.json()["data"]["createCompanies"][0]["id"] == acme["id"]
    assert client.get("/rest/companies").json()["totalCount"] == 3


def test_graphql_writes_normalise_too(client: httpx.Client) -> None:
    doc = "mutation($d: CompanyCreateInput!) { createCompany(data: $d) { id domain } }"
    body = post(client, doc, {"d": {"name": "Acme", "domain": "https://www.Acme.com/"}})
    assert body["data"]["createCompany"]["domain"] == "acme.com", body
    body = post(client, doc, {"d": {"name": "Again", "domain": "www.acme.com"}})
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT", body
    body = post(client, doc, {"d": {"name": "Bad", "domain": "not a domain"}})
    assert body["errors"][0]["extensions"]["field"] == "domain", body

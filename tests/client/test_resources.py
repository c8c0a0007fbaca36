"""Metadata, consents and keys through the client, sync and async."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from rolodex import AsyncClient, AuthenticationError, Client, NotFoundError, ValidationError
from tests.conftest import LiveServer


def test_metadata(rdx: Client) -> None:
    names = {o["name"] for o in rdx.metadata.objects()}
    assert {"person", "company", "note", "task", "member"} <= names
    person = rdx.metadata.object("people")
    assert {f["name"] for f in person["fields"]} >= {"email", "name"}
    picks = rdx.metadata.picklists()
    assert any(p["objectName"] == "task" and p["fieldName"] == "status" for p in picks)
    field = rdx.metadata.create_field("person", "lead_score", "NUMBER", label="Lead score")
    assert field["name"] == "leadScore" and field["isCustom"]
    assert rdx.metadata.field(field["id"])["label"] == "Lead score"
    assert any(f["id"] == field["id"] for f in rdx.metadata.fields("person"))
    p = rdx.people.create(name="A", leadScore=87)
    assert rdx.people.list(filter={"leadScore": {"gte": 50}}).records[0]["id"] == p["id"]
    renamed = rdx.metadata.update_field(field["id"], label="Score", is_nullable=True)
    assert renamed["label"] == "Score"
    rdx.metadata.delete_field(field["id"])
    assert "leadScore" not in rdx.people.get(p["id"])
    assert rdx.metadata.restore_field(field["id"])["isActive"]
    rdx.metadata.delete_field(field["id"])
    rdx.metadata.delete_field(field["id"], purge=True)
    with pytest.raises(NotFoundError):
        rdx.metadata.field(field["id"])
    obj = rdx.metadata.create_object("invoice", label_singular="Invoice")
    assert obj["namePlural"] == "invoices" and obj["isCustom"]
    with pytest.raises(NotFoundError):
        rdx.metadata.object("persons")
    rdx.metadata.delete_object("invoice")
    with pytest.raises(NotFoundError):
        rdx.invoices.list()


def test_consents(rdx: Client) -> None:
    person = rdx.people.create(name="Ada", email="ada@example.com")
    given = rdx.consents.give(
        person["id"], purpose="newsletter", legal_basis="consent", source="web form", comment="x"
    )
    assert given["purpose"] == "newsletter" and given["active"] and given["source"] == "web form"
    assert [c["purpose"] for c in rdx.consents.list(person["id"])] == ["newsletter"]
    assert rdx.people.list(filter={"consents": {"contains": "newsletter"}}).total_count == 1
    withdrawn = rdx.consents.withdraw(person["id"], "newsletter")
    assert withdrawn["withdrawnAt"] and not withdrawn["active"]
    rdx.consents.give(person["id"], purpose="events", legal_basis="consent")
    rdx.consents.withdraw(person["id"], "events", remove=True)
    assert [c["purpose"] for c in rdx.consents.list(person["id"])] == ["newsletter"]
    assert "newsletter" in rdx.consents.options()["purposes"]
    with pytest.raises(ValidationError):
        rdx.consents.give(person["id"], purpose="newsletter", legal_basis="whim")


def test_keys(rdx: Client, server: LiveServer) -> None:
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    made = rdx.keys.create("reader", scopes=["record:read"], expires_at=expires)
    assert made["key"] and made["scopes"] == ["record:read"] and made["expiresAt"]
    assert any(k["id"] == made["id"] for k in rdx.keys.list())
    with Client(made["key"], server.url) as reader:
        assert reader.people.list().total_count == 0
    assert rdx.keys.revoke(made["id"])["revokedAt"]
    with Client(made["key"], server.url, max_retries=0) as reader:
        # The server trusts what it read about a key for up to a second.
        for _ in range(40):
            try:
                reader.people.list()
            except AuthenticationError:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the revoked key still works")


def test_async_resources(run_async) -> None:
    async def scenario(c: AsyncClient) -> None:
        assert "person" in {o["name"] for o in await c.metadata.objects()}
        assert (await c.metadata.object("person"))["name"] == "person"
        assert await c.metadata.picklists()
        field = await c.metadata.create_field("company", "tier", "SELECT", options=["A", "B"])
        assert (await c.metadata.update_field(field["id"], label="Tier"))["label"] == "Tier"
        assert (await c.metadata.delete_field(field["id"]))["isActive"] is False
        await c.metadata.create_object("deal", "deals")
        person = await c.people.create(name="Ada")
        await c.consents.give(person["id"], purpose="newsletter", legal_basis="consent")
        assert len(await c.consents.list(person["id"])) == 1
        assert (await c.consents.withdraw(person["id"], "newsletter"))["withdrawnAt"]
        key = await c.keys.create("temp")
        assert any(k["id"] == key["id"] for k in await c.keys.list())
        assert (await c.keys.revoke(key["id"]))["revokedAt"]

    run_async(scenario)

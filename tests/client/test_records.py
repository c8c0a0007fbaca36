"""Every record method against the live server, sync and async."""

from __future__ import annotations

import uuid

import pytest

from rolodex import AsyncClient, Client, ConflictError, NotFoundError, ValidationError
from rolodex.client import Page


def test_create_get_update(rdx: Client) -> None:
    acme = rdx.companies.create(name="Acme Corp", domain="acme.com", employees=250)
    person = rdx.people.create(
        {"name": "John Doe", "email": "john@acme.com"}, jobTitle="Sales", companyId=acme["id"]
    )
    assert person["firstName"] == "John" and person["companyId"] == acme["id"]
    assert rdx.people.get(person["id"]) == person
    deep = rdx.people.get(person["id"], depth=1)
    assert deep["company"]["name"] == "Acme Corp"
    updated = rdx.people.update(person["id"], phone="+1-555-9999")
    assert updated["phone"] == "+1-555-9999" and updated["jobTitle"] == "Sales"
    cleared = rdx.people.update(person["id"], {"jobTitle": None})
    assert cleared["jobTitle"] is None
    rid = str(uuid.uuid4())
    assert rdx.people.create(id=rid, name="Chosen Id")["id"] == rid
    note = rdx.notes.create(body="Met at the fair", personId=person["id"])
    task = rdx.tasks.create(title="Follow up", personId=person["id"], status="DONE")
    assert note["personId"] == person["id"] and task["completedAt"] is not None
    member = rdx.members.create(name="Sam Rep", email="sam@example.com")
    assert rdx.tasks.update(task["id"], assigneeId=member["id"])["assigneeId"] == member["id"]
    with pytest.raises(ValidationError) as info:
        rdx.people.create(name="X", email="nope")
    assert info.value.field == "email" and info.value.code == "VALIDATION_ERROR"
    with pytest.raises(ConflictError) as conflict:
        rdx.people.create(name="Again", email="JOHN@acme.com")
    assert conflict.value.existing_id == person["id"]


def test_list_filter_order_and_pages(rdx: Client) -> None:
    names = ["Doe, John", "Ann (Annie) Lee", 'Bob "B" Ray', "Carl Fox", "Dana Ann"]
    made = rdx.people.batch_create(
        [{"name": n, "email": f"p{i}@example.com"} for i, n in enumerate(names)]
    )
    assert [p["name"] for p in made] == names
    page = rdx.people.list(filter={"name": "Doe, John"})
    assert isinstance(page, Page) and [p["name"] for p in page] == ["Doe, John"]
    assert page.total_count == 1 and not page.has_next_page and page.next_cursor is None
    for name in names:
        assert rdx.people.list(filter={"name": {"eq": name}}).total_count == 1
    found = rdx.people.list(
        filter={"or": [{"name": {"contains": "ann"}}, {"email": {"eq": "p3@example.com"}}]},
        order_by=[("name", "AscNullsLast")],
    )
    assert [p["name"] for p in found] == ["Ann (Annie) Lee", "Carl Fox", "Dana Ann"]
    assert rdx.people.list(filter="email[startsWith]:p4").records[0]["name"] == "Dana Ann"
    first = rdx.people.list(limit=2, order_by="email")
    assert len(first) == 2 and first.total_count == 5 and first.has_next_page
    second = rdx.people.list(limit=2, order_by="email", starting_after=first.next_cursor)
    assert [p["email"] for p in second] == ["p2@example.com", "p3@example.com"]
    back = rdx.people.list(limit=2, order_by="email", ending_before=second.start_cursor)
    assert [p["id"] for p in back] == [p["id"] for p in first]
    everyone = list(rdx.people.iterate(page_size=2, order_by=[("email", "desc")]))
    assert [p["email"] for p in everyone] == [f"p{i}@example.com" for i in range(4, -1, -1)]
    assert [p["name"] for p in rdx.people.iterate(filter={"name": {"contains": "ann"}})] == [
        "Ann (Annie) Lee",
        "Dana Ann",
    ]
    assert list(rdx.people.iterate(filter={"email": "nobody@example.com"})) == []
    with pytest.raises(ValidationError):
        rdx.people.list(filter="name[nope]:x")


def test_upserts_and_batches(rdx: Client) -> None:
    first = rdx.people.upsert(name="Jane Smith", email="jane@example.com")
    again = rdx.people.upsert(name="Jane Smith", email="JANE@example.com", jobTitle="CMO")
    assert again["id"] == first["id"] and again["jobTitle"] == "CMO"
    batch = rdx.people.batch_create(
        [{"name": "Jane Smith", "email": "jane@example.com", "phone": "1"}, {"name": "New One"}],
        upsert=True,
    )
    assert batch[0]["id"] == first["id"] and batch[0]["phone"] == "1"
    assert rdx.people.list().total_count == 2
    with pytest.raises(ConflictError):
        rdx.people.batch_create([{"name": "A", "email": "x@example.com"}] * 2)
    with pytest.raises(TypeError):
        rdx.people.batch_create({"name": "not a list"})


def test_delete_restore_and_timeline(rdx: Client) -> None:
    person = rdx.people.create(name="Ada Lovelace")
    rdx.people.update(person["id"], jobTitle="Analyst")
    soft = rdx.people.delete(person["id"], soft=True)
    assert soft["id"] == person["id"] and soft["deletedAt"]
    with pytest.raises(NotFoundError) as info:
        rdx.people.get(person["id"])
    assert info.value.status == 404 and info.value.code == "NOT_FOUND"
    assert rdx.people.list(filter={"deletedAt": {"is": "NOT_NULL"}}).total_count == 1
    assert rdx.people.restore(person["id"])["deletedAt"] is None
    events = rdx.people.timeline(person["id"])
    assert [e["type"] for e in events] == [
        "person.restored",
        "person.softdeleted",
        "person.updated",
        "person.created",
    ]
    paged = rdx.people.timeline(person["id"], limit=3)
    assert len(paged) == 3 and paged.next_cursor
    rest = rdx.people.timeline(person["id"], limit=3, starting_after=paged.next_cursor)
    assert [e["type"] for e in rest] == ["person.created"]
    assert rdx.people.delete(person["id"]) == {"id": person["id"]}
    with pytest.raises(NotFoundError):
        rdx.people.delete(person["id"])


def test_custom_objects(rdx: Client) -> None:
    rdx.metadata.create_object("deal", "deals", label_singular="Deal")
    rdx.metadata.create_field("deal", "stage", "SELECT", options=["NEW", "WON"])
    deal = rdx.objects("deals").create(name="Big one", stage="NEW")
    assert rdx.deals.get(deal["id"])["stage"] == "NEW"
    assert rdx.deals.list(filter={"stage": "NEW"}).total_count == 1
    assert repr(rdx.deals) == "<Records deals>"
    with pytest.raises(NotFoundError):
        rdx.objects("persons").list()
    with pytest.raises(AttributeError):
        rdx._private  # noqa: B018


def test_async_records(run_async) -> None:
    async def scenario(c: AsyncClient) -> None:
        acme = await c.companies.create(name="Acme Corp", domain="acme.com")
        person = await c.people.create(
            {"name": "John Doe"}, email="john@acme.com", companyId=acme["id"]
        )
        assert (await c.people.get(person["id"], depth=1))["company"]["name"] == "Acme Corp"
        assert (await c.people.update(person["id"], phone="+1"))["phone"] == "+1"
        upserted = await c.people.upsert(name="John Doe", email="john@acme.com", jobTitle="X")
        assert upserted["id"] == person["id"]
        await c.people.batch_create([{"name": f"P{i}", "email": f"p{i}@x.com"} for i in range(4)])
        page = await c.people.list(filter={"email": {"like": "p%"}}, order_by="email", limit=3)
        assert page.total_count == 4 and page.next_cursor
        seen = [p["email"] async for p in c.people.iterate(order_by="email", page_size=2)]
        assert seen == ["john@acme.com", "p0@x.com", "p1@x.com", "p2@x.com", "p3@x.com"]
        await c.people.delete(person["id"], soft=True)
        with pytest.raises(NotFoundError):
            await c.people.get(person["id"])
        assert (await c.people.restore(person["id"]))["id"] == person["id"]
        types = [e["type"] for e in await c.people.timeline(person["id"])]
        assert types[0] == "person.restored" and types[-1] == "person.created"
        assert await c.people.delete(person["id"]) == {"id": person["id"]}
        note = await c.notes.create(body="n", companyId=acme["id"])
        task = await c.tasks.create(title="t", companyId=acme["id"])
        member = await c.members.create(name="Sam", email="sam@x.com")
        assert note["companyId"] == task["companyId"] == acme["id"] and member["email"]
        await c.metadata.create_object("deal")
        assert (await c.deals.create(name="D"))["name"] == "D"
        with pytest.raises(ConflictError):
            await c.members.create(name="Sam 2", email="SAM@x.com")

    run_async(scenario)

"""Importing into a real database (SQLite and PostgreSQL): messy files, rejects, upserts,
resuming, references and events."""

from __future__ import annotations

import csv
import json
import uuid
from pathlib import Path

import pytest
from tests import factories
from tests.importer.helpers import Jobs

from rolodex.importer.reading import FileProblem
from rolodex.importer.service import Summary
from rolodex.kit.errors import NotFound, ValidationError


def people_csv(path: Path, n: int, *, start: int = 0) -> Path:
    lines = ["Name,Email,Job title"]
    lines += [f"Person {i},p{i}@example.com,Engineer" for i in range(start, start + n)]
    path.write_text("\n".join(lines) + "\n")
    return path


def rejects(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        sample = f.readline()
        f.seek(0)
        return list(csv.DictReader(f, delimiter=";" if ";" in sample else ","))


def test_messy_csv(jobs: Jobs, tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes(
        "\ufeffFirst Name;Last Name;E-mail;Job Title;Tags;Favourite colour\r\n"
        'Ada;Lovelace;ada@example.com;"Engineer\r\nand poet";math, poetry;blue\r\n'
        "Grace;Hopper;not-an-email;Admiral;;green\r\n"
        "Zoë;Ünal;zoe@example.com;;;\r\n"
        '"Doe; John";;john@example.com;;;\r\n'.encode()
    )
    s = jobs.imp(path)
    assert (s.rows, s.created, s.rejected, s.updated, s.skipped) == (4, 3, 1, 0, 0)
    assert s.unknown_columns == ["Favourite colour"]
    people = {p["email"]: p for p in jobs.records()}
    ada = people["ada@example.com"]
    assert (ada["name"], ada["jobTitle"], ada["tags"]) == (
        "Ada Lovelace",
        "Engineer\r\nand poet",
        ["math", "poetry"],
    )
    assert people["zoe@example.com"]["name"] == "Zoë Ünal"
    assert people["john@example.com"]["firstName"] == "Doe; John"
    # The rejects file is the original row, in the original delimiter, plus a reason.
    assert s.rejects_file == str(tmp_path / "contacts.csv.rejects.csv")
    (bad,) = rejects(Path(s.rejects_file))
    assert bad["E-mail"] == "not-an-email" and bad["Favourite colour"] == "green"
    assert bad["_reason"] == "row 3: email must be an email address, got 'not-an-email'"


def test_duplicate_keys_in_the_file(jobs: Jobs, tmp_path: Path) -> None:
    path = tmp_path / "dups.csv"
    path.write_text(
        "name,email,jobTitle\nAda,ada@x.io,Engineer\nGrace,g@x.io,Admiral\nAda L,ADA@x.io,CTO\n"
    )
    s = jobs.imp(path, batch_size=50)
    assert (s.created, s.updated, s.rejected) == (2, 0, 1)
    (bad,) = rejects(tmp_path / "dups.csv.rejects.csv")
    assert "row 4: A person with email 'ADA@x.io' already exists" in bad["_reason"]

    other = tmp_path / "dups2.csv"
    other.write_text(path.read_text() + "Ada King,ada@X.io,Countess\n")
    s = jobs.imp(other, upsert_by="email")
    # rows 2 and 3 were imported above (other ids: not skipped, matched by email)
    assert (s.created, s.updated, s.rejected) == (0, 4, 0)
    people = {p["email"].lower(): p for p in jobs.records()}
    assert len(people) == 2 and len(jobs.records()) == 2
    assert (people["ada@x.io"]["name"], people["ada@x.io"]["jobTitle"]) == ("Ada King", "Countess")
    assert not (tmp_path / "dups2.csv.rejects.csv").exists()


def test_upsert_by_must_be_the_unique_key(jobs: Jobs, tmp_path: Path) -> None:
    path = people_csv(tmp_path / "p.csv", 2)
    with pytest.raises(ValidationError, match="unique key only, which is email"):
        jobs.imp(path, upsert_by="phone")
    with pytest.raises(ValidationError, match="notes have no unique key"):
        jobs.imp(path, "notes", upsert_by="title")
    with pytest.raises(NotFound, match="Did you mean 'people'"):
        jobs.imp(path, "persons")
    assert jobs.imp(path, upsert_by="E-mail").created == 2


def test_resume_after_an_interrupted_import(jobs: Jobs, tmp_path: Path, db_url: str) -> None:
    path = tmp_path / "many.csv"
    people_csv(path, 95)
    with path.open("a") as f:
        f.write("Bad,bad-email,x\n")
    batches: list[int] = []

    def crash(s: Summary) -> None:
        batches.append(s.created)
        if len(batches) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        jobs.imp(path, batch_size=10, on_batch=crash)
    assert batches == [10, 20, 30] and len(jobs.records()) == 30
    s = jobs.imp(path, batch_size=10)
    assert (s.rows, s.created, s.skipped, s.rejected) == (96, 65, 30, 1)
    people = jobs.records()
    assert sorted(p["email"] for p in people) == sorted(f"p{i}@example.com" for i in range(95))
    assert len(factories.events(db_url)) == 95  # one person.created each, nothing twice
    again = jobs.imp(path, batch_size=25)  # another batch size changes nothing
    assert (again.created, again.skipped, again.rejected) == (0, 95, 1)
    assert len(jobs.records()) == 95


def test_bad_rows_are_isolated_when_a_batch_fails(
    jobs: Jobs, tmp_path: Path, client: object, db_url: str
) -> None:
    import httpx

    assert isinstance(client, httpx.Client)
    taken = factories.person(client, email="taken@x.io")
    hidden = factories.person(client, email="hidden@x.io")
    assert client.delete(f"/rest/people/{hidden['id']}?soft_delete=true").status_code == 200
    company = factories.company(client, name="Acme", domain="acme.io")
    lines = ["id,name,email,companyId"]
    for i in range(9):
        lines.append(f"{uuid.uuid4()},P{i},p{i}@x.io,{company['id'] if i % 2 else ''}")
    lines.insert(3, f"{uuid.uuid4()},Clash,TAKEN@x.io,")  # a 409 that names its item
    lines.insert(6, f"{hidden['id']},Ghost,ghost@x.io,")  # a key clash that names nothing
    lines.insert(8, f"{uuid.uuid4()},Lost,lost@x.io,{uuid.uuid4()}")  # no such company
    path = tmp_path / "p.csv"
    path.write_text("\n".join(lines) + "\n")
    s = jobs.imp(path)
    assert (s.created, s.rejected) == (9, 3), rejects(tmp_path / "p.csv.rejects.csv")
    reasons = {r["name"]: r["_reason"] for r in rejects(tmp_path / "p.csv.rejects.csv")}
    assert reasons["Clash"].startswith("row 4: A person with email 'TAKEN@x.io' already exists")
    assert reasons["Ghost"].startswith("row 7: ")
    assert "companyId: no company with id" in reasons["Lost"]
    people = jobs.records()
    assert len(people) == 9 + 1 and taken["id"] in {p["id"] for p in people}
    assert sum(p["companyId"] == company["id"] for p in people) == 4


def test_events_and_the_no_webhooks_actor(jobs: Jobs, tmp_path: Path, db_url: str) -> None:
    s = jobs.imp(people_csv(tmp_path / "a.csv", 3))
    events = factories.events(db_url)
    assert [e["type"] for e in events] == ["person.created"] * 3
    actor = events[0]["actor"]
    assert actor["type"] == "import" and actor["name"] == "import a.csv"
    assert "deliver" not in actor
    assert s.created == 3
    jobs.imp(people_csv(tmp_path / "b.csv", 2, start=10), webhooks=False)
    quiet = factories.events(db_url)[3:]
    assert len(quiet) == 2
    for e in quiet:
        assert e["actor"]["deliver"] is False
        assert e["actor"]["name"] == "import b.csv (no webhooks)"
    person = next(p for p in jobs.records() if p["email"] == "p10@example.com")
    assert person["createdBy"]["type"] == "import"


def test_xlsx_import(jobs: Jobs, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Notes"])
    sheet = book.create_sheet("Accounts")
    sheet.append(["Company name", "Domain", "Employees", "Website"])
    sheet.append(["Acme", "acme.io", 120, "https://acme.io"])
    sheet.append(["Globex", "globex.io", 12.5, None])
    sheet.append(["Initech", None, None, "not a url"])
    path = tmp_path / "accounts.xlsx"
    book.save(path)
    s = jobs.imp(path, "companies", sheet="Accounts", maps={"Company name": "name"})
    assert (s.created, s.rejected) == (1, 2)
    (acme,) = jobs.records("companies")
    assert (acme["name"], acme["employees"], acme["website"]) == ("Acme", 120, "https://acme.io")
    reasons = [r["_reason"] for r in rejects(tmp_path / "accounts.xlsx.rejects.csv")]
    assert "whole number" in reasons[0] and "website must be a URL" in reasons[1]


def test_jsonl_import(jobs: Jobs, tmp_path: Path) -> None:
    path = tmp_path / "people.ndjson"
    lines = [
        {"name": "Ada Lovelace", "email": "ada@x.io", "tags": ["math"], "createdAt": "x"},
        {"name": "Bad", "email": 42},
        {"First Name": "Grace", "lastName": "Hopper", "phone": None},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n")
    s = jobs.imp(path)
    assert (s.created, s.rejected, s.ignored_columns) == (2, 2, ["createdAt"])
    names = sorted(p["name"] for p in jobs.records())
    assert names == ["Ada Lovelace", "Grace Hopper"]
    bad = [
        json.loads(x) for x in (tmp_path / "people.ndjson.rejects.jsonl").read_text().splitlines()
    ]
    assert bad[0]["email"] == 42 and "email must be a string" in bad[0]["_reason"]
    assert bad[1] == {"_line": "not json", "_reason": bad[1]["_reason"]}
    assert "line 4 is not valid JSON" in bad[1]["_reason"]


def test_custom_fields_and_empty_files(jobs: Jobs, tmp_path: Path) -> None:
    jobs.custom_field("person", {"name": "leadScore", "label": "Lead score", "type": "NUMBER"})
    jobs.custom_field("person", {"name": "vip", "type": "BOOLEAN"})
    path = tmp_path / "p.csv"
    path.write_text("name,Lead Score,VIP\nAda,42,yes\nGrace,,no\nAlan,high,\n")
    s = jobs.imp(path, rejects=tmp_path / "bad.csv")
    assert (s.created, s.rejected, s.rejects_file) == (2, 1, str(tmp_path / "bad.csv"))
    got = {p["name"]: (p["leadScore"], p["vip"]) for p in jobs.records()}
    assert got == {"Ada": (42, True), "Grace": (None, False)}

    header_only = tmp_path / "h.csv"
    header_only.write_text("name,email\n")
    s = jobs.imp(header_only)
    assert (s.rows, s.created, s.rejects_file) == (0, 0, None)
    empty = tmp_path / "e.csv"
    empty.write_text("")
    with pytest.raises(FileProblem, match="empty"):
        jobs.imp(empty)


def test_import_into_a_named_workspace(jobs: Jobs, tmp_path: Path, db_url: str) -> None:
    ws = jobs.workspace("Second")
    path = people_csv(tmp_path / "p.csv", 2)
    first = jobs.imp(path, workspace="Second")
    again = jobs.imp(path)  # the default workspace: same file, other records
    assert first.created == again.created == 2
    ids = {p["id"] for p in jobs.records(workspace=ws)}
    assert ids.isdisjoint(p["id"] for p in jobs.records())

"""Exporting: streaming pages, filters, and round trips through import into another workspace."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from tests.importer.helpers import Jobs, with_db

from rolodex.api.rest.grammar import parse_filter
from rolodex.importer.export import cell, export_local
from rolodex.kit.errors import RolodexError
from rolodex.metadata.registry import standard

STAMPS = ("createdAt", "updatedAt", "createdBy", "updatedBy")

COMPANIES = [
    {"name": "Acme, Inc.", "domain": "acme.io", "employees": 1200, "tags": ["b2b", "saas"]},
    {"name": 'The "Quoted" Co', "domain": "quoted.io", "website": "https://quoted.io"},
]
PEOPLE = [
    {
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "phone": "+44 20 7946 0000",
        "jobTitle": "Engineer,\nand poet",
        "location": "  London  ",
        "tags": ["math", "poetry, old"],
    },
    {"firstName": "Zoë", "lastName": "Ünal", "email": "zoe@example.com", "tags": []},
    {"name": "Cher"},
]


def seed(jobs: Jobs, tmp_path: Path) -> None:
    companies = tmp_path / "companies.jsonl"
    companies.write_text("".join(json.dumps(c) + "\n" for c in COMPANIES))
    assert jobs.imp(companies, "companies").created == 2
    acme = next(c for c in jobs.records("companies") if c["domain"] == "acme.io")
    people = tmp_path / "people.jsonl"
    rows = [{**p, "companyId": acme["id"]} if "email" in p else p for p in PEOPLE]
    people.write_text("".join(json.dumps(p) + "\n" for p in rows))
    assert jobs.imp(people).created == 3


def strip(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(({k: v for k, v in r.items() if k not in STAMPS} for r in records), key=str)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_round_trip_into_another_workspace(jobs: Jobs, tmp_path: Path, fmt: str) -> None:
    seed(jobs, tmp_path)
    copy = jobs.workspace("Copy")
    for obj in ("companies", "people"):  # companies first: people point at them
        path = tmp_path / f"export-{obj}.{fmt}"
        path.write_text(jobs.export(obj, fmt), encoding="utf-8")
        s = jobs.imp(path, obj, workspace="Copy")
        assert (s.created, s.rejected) == (len(jobs.records(obj)), 0), s
        readonly = {"createdAt", "updatedAt", "deletedAt", "createdBy", "updatedBy"}
        assert set(s.ignored_columns) == readonly | ({"consents"} if obj == "people" else set())
        assert strip(jobs.records(obj, workspace=copy)) == strip(jobs.records(obj))
    # Importing the same export again skips every record, by id.
    again = jobs.imp(tmp_path / f"export-people.{fmt}", "people", workspace="Copy")
    assert (again.created, again.skipped) == (0, 3)


def test_csv_shape_filter_and_paging(jobs: Jobs, tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    lines = ["name,email,jobTitle,tags"]
    lines += [f"P{i},p{i}@x.io,{'CTO' if i % 100 == 0 else 'Dev'},a" for i in range(1005)]
    path.write_text("\n".join(lines) + "\n")
    assert jobs.imp(path, batch_size=2000).created == 1005
    rows = list(csv.DictReader(io.StringIO(jobs.export())))
    assert len(rows) == 1005 and len({r["id"] for r in rows}) == 1005
    header = list(rows[0])
    assert header[:4] == ["id", "name", "firstName", "lastName"] and "company" not in header
    assert rows[0]["tags"] == '["a"]' and rows[0]["phone"] == ""
    assert json.loads(rows[0]["createdBy"])["type"] == "import"
    ctos = jobs.export(flt=parse_filter("jobTitle[eq]:CTO"), fmt="jsonl")
    got = [json.loads(line) for line in ctos.splitlines()]
    assert sorted(p["name"] for p in got) == sorted(f"P{i}" for i in range(0, 1005, 100))
    empty = jobs.export(flt=parse_filter("jobTitle[eq]:Nobody"))
    assert empty.splitlines() == [",".join(header)]


def test_a_failed_export_writes_nothing(jobs: Jobs, db_url: str) -> None:
    opened: list[str] = []

    def opener() -> io.StringIO:
        opened.append("x")
        return io.StringIO()

    with pytest.raises(RolodexError, match="nope"):
        with_db(
            db_url,
            lambda db: export_local(db, "people", "csv", opener, flt=parse_filter("nope[eq]:1")),
        )
    assert opened == []


def test_cells_read_back_as_the_same_values() -> None:
    from rolodex.metadata.types import kind

    people = standard().object("people")
    companies = standard().object("companies")
    cases = [
        (people.fields["tags"], ["a", "b, c"]),
        (companies.fields["employees"], 12),
        (people.fields["jobTitle"], ' spaced "quoted" '),
        (people.fields["companyId"], "0193c1c2-0000-7000-8000-000000000000"),
    ]
    for f, value in cases:
        text = cell(f, value)
        assert kind(f).to_json(kind(f).from_string(f, text)) == value, (f.name, text)
    assert cell(companies.fields["employees"], 3.0) == "3"
    assert cell(people.fields["tags"], None) == ""


def test_an_edited_export_updates_with_upsert(jobs: Jobs, tmp_path: Path) -> None:
    seed(jobs, tmp_path)
    path = tmp_path / "people.csv"
    rows = list(csv.DictReader(io.StringIO(jobs.export())))
    for row in rows:
        row["jobTitle"] = "Edited"
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    plain = jobs.imp(path)  # without --upsert-by, records already there are skipped
    assert (plain.skipped, plain.updated) == (3, 0)
    s = jobs.imp(path, upsert_by="email")
    # Cher has no email, so nothing matches her row and its id is taken: rejected.
    assert (s.updated, s.skipped, s.rejected) == (2, 0, 1)
    titles = {p["name"]: p["jobTitle"] for p in jobs.records()}
    assert titles == {"Ada Lovelace": "Edited", "Zoë Ünal": "Edited", "Cher": None}
    with pytest.raises(RolodexError, match="no such directory"):
        jobs.imp(path, rejects=tmp_path / "missing" / "bad.csv")

"""Files and rows that fill no field: refused before anything is written, or rejected."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from tests import factories
from tests.conftest import LiveServer
from tests.importer.helpers import Jobs
from tests.importer.test_remote import imp as remote_imp
from tests.importer.test_transfer_cli import cli, one_error, sqlite_only

from rolodex.importer.mapping import MappingError
from rolodex.importer.reading import FileProblem

README = """# Rolodex

Rolodex is a headless CRM.
It keeps people, companies, notes and tasks.

Run `make serve` to start it.
"""


def test_prose_is_refused_before_anything_is_written(
    jobs: Jobs, tmp_path: Path, db_url: str
) -> None:
    path = tmp_path / "README.md"
    path.write_text(README)
    old = tmp_path / "README.md.rejects.csv"
    old.write_text("kept\n")  # a previous run's rejects are not touched by a refusal
    with pytest.raises(MappingError) as caught:
        jobs.imp(path, format="csv")
    message = caught.value.message
    assert "no column of README.md fills a field of people" in message
    assert "'# Rolodex'" in message and "'email'" in message and "--map" in message
    assert jobs.records() == [] and factories.events(db_url) == []
    assert old.read_text() == "kept\n"


def test_columns_of_read_only_fields_or_ids_alone_fill_nothing(jobs: Jobs, tmp_path: Path) -> None:
    path = tmp_path / "ids.csv"
    path.write_text("id,createdAt,Shoe size\n3f1c9a8e-1b2c-4d5e-8f90-123456789abc,2025-01-01,40\n")
    with pytest.raises(MappingError, match=r"'id', 'createdAt', 'Shoe size'"):
        jobs.imp(path)
    path.write_text("Name,Notes\nAda,x\n")
    with pytest.raises(MappingError):
        jobs.imp(path, maps={"Name": "-"})
    assert jobs.records() == []


def test_a_row_that_sets_no_field_is_a_reject(jobs: Jobs, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("Name,Email,Shoe size\nAda,ada@x.io,38\n,,41\n")  # row 3: unknown only
    s = jobs.imp(path)
    assert (s.created, s.rejected) == (1, 1)
    rejected = (tmp_path / "p.csv.rejects.csv").read_text()
    assert "row 3: the row sets no field" in rejected
    path.write_text("id,Name,Shoe size\n3f1c9a8e-1b2c-4d5e-8f90-123456789abc,,41\n,Bob,\n")
    s = jobs.imp(path)  # an id alone sets nothing: it would be a blank person
    assert (s.created, s.rejected) == (1, 1)
    rejected = (tmp_path / "p.csv.rejects.csv").read_text()
    assert "row 2: the row sets no field" in rejected
    assert {p["name"] for p in jobs.records()} >= {"Ada", "Bob"}


def test_json_lines_whose_first_object_fills_nothing_is_refused(jobs: Jobs, tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text('{"colour": "blue"}\n{"name": "Ada"}\n')
    with pytest.raises(MappingError, match=r"no key of p.jsonl fills a field of people"):
        jobs.imp(path)
    path.write_text(README)
    with pytest.raises(FileProblem, match=r"not JSON Lines; none of its first 4 lines"):
        jobs.imp(path, format="jsonl")
    path.write_text('{"name": "Ada"}\n{"colour": "blue"}\n{}\n{"name": null}\n')
    s = jobs.imp(path)
    assert (s.created, s.rejected) == (1, 3)
    assert [p["name"] for p in jobs.records()] == ["Ada"]


@sqlite_only
def test_cli_exits_1_on_prose(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text(README)
    done = cli("import", "people", str(path), "-d", db_url, code=1)
    one_error(done, "Nothing imported", "notes.txt", "'# Rolodex'")
    assert not (tmp_path / "notes.txt.rejects.csv").exists()
    done = cli("export", "people", "-d", db_url, "-f", "jsonl")
    assert done.stdout == ""
    path.write_text("Name\nAda\n")
    summary = json.loads(cli("import", "people", str(path), "-d", db_url, "--json").stdout)
    assert summary["created"] == 1 and summary["importId"]


def test_remote_imports_refuse_and_reject_alike(
    server: LiveServer, api_key: str, client: httpx.Client, tmp_path: Path
) -> None:
    path = tmp_path / "README.md"
    path.write_text(README)
    with pytest.raises(MappingError, match=r"no column of README.md fills a field of people"):
        remote_imp(server, api_key, path, format="csv")
    path = tmp_path / "p.csv"
    path.write_text("Name,Shoe size\nAda,38\n,41\n")
    s = remote_imp(server, api_key, path)
    assert (s.created, s.rejected, s.import_id) == (1, 1, None)
    assert [p["name"] for p in client.get("/rest/people").json()["data"]["people"]] == ["Ada"]

"""Undoing an import: its id, ``createdBy`` filters, and ``rolodex import undo ID``."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import httpx
import pytest
from tests import factories
from tests.conftest import LiveServer
from tests.importer.helpers import Jobs, with_db
from tests.importer.test_transfer_cli import cli, one_error, sqlite_only

from rolodex.importer.undo import UndoSummary, undo_local
from rolodex.kit.errors import NotFound


def undo(jobs: Jobs, import_id: str) -> UndoSummary:
    return with_db(jobs.db_url, lambda db: undo_local(db, import_id))


def test_undo_removes_what_the_import_created_and_keeps_what_it_updated(
    jobs: Jobs, tmp_path: Path, db_url: str, client: httpx.Client, server: LiveServer
) -> None:
    kept = factories.person(client, name="Kept Person", email="kept@x.io")
    before = jobs.imp(_csv(tmp_path / "before.csv", "Earlier", "earlier@x.io"))
    path = _csv(
        tmp_path / "p.csv",
        "Ada Lovelace",
        "ada@x.io",
        "Grace Hopper",
        "grace@x.io",
        "Kept Updated",
        "KEPT@x.io",
    )
    s = jobs.imp(path, upsert_by="email")
    assert (s.created, s.updated) == (2, 1)
    assert s.import_id and s.import_id != before.import_id
    assert s.to_dict()["importId"] == s.import_id
    ada = next(p for p in jobs.records() if p["email"] == "ada@x.io")
    assert ada["createdBy"] == {"type": "import", "id": s.import_id, "name": "import p.csv"}

    # The REST API filters on the parts of createdBy.
    r = client.get("/rest/people", params={"filter": f"createdBy.id[eq]:{s.import_id}"})
    assert r.status_code == 200, r.text
    assert sorted(p["email"] for p in r.json()["data"]["people"]) == ["ada@x.io", "grace@x.io"]
    flt = f"and(createdBy.type[eq]:import,createdBy.id[neq]:{s.import_id})"
    r = client.get("/rest/people", params={"filter": flt})
    assert [p["email"] for p in r.json()["data"]["people"]] == ["earlier@x.io"]
    r = client.get("/rest/people", params={"filter": f"createdBy.id[in]:[{s.import_id},x]"})
    assert len(r.json()["data"]["people"]) == 2
    r = client.get("/rest/people", params={"filter": "createdBy.colour[eq]:x"})
    assert r.status_code == 400 and "createdBy.id" in r.json()["message"]
    r = client.get("/rest/people", params={"filter": "createdBy.id[gt]:x"})
    assert r.status_code == 400

    events_before = len(factories.events(db_url))
    done = undo(jobs, s.import_id)
    assert (done.removed, done.by_object, done.kept_updated) == (2, {"people": 2}, 1)
    emails = sorted(p["email"].lower() for p in jobs.records())
    assert emails == ["earlier@x.io", "kept@x.io"]
    kept_now = next(p for p in jobs.records() if p["email"].lower() == "kept@x.io")
    assert kept_now["id"] == kept["id"] and kept_now["name"] == "Kept Updated"
    events = factories.events(db_url)[events_before:]
    assert sorted(e["type"] for e in events) == ["person.softdeleted"] * 2
    assert {e["record_id"] for e in events} == {ada["id"], _id(jobs, db_url, "grace@x.io")}
    assert all(e["actor"]["id"] == s.import_id for e in events)
    r = client.get("/rest/people", params={"filter": f"createdBy.id[eq]:{s.import_id}"})
    assert r.json()["data"]["people"] == []

    again = undo(jobs, s.import_id)  # known, nothing left: a no-op
    assert (again.removed, again.by_object) == (0, {})
    with pytest.raises(NotFound, match="No import with id"):
        undo(jobs, str(uuid.uuid4()))
    with pytest.raises(NotFound, match="an import id is the UUID"):
        undo(jobs, "not-an-id")


def _csv(path: Path, *cells: str) -> Path:
    rows = [f"{cells[i]},{cells[i + 1]}" for i in range(0, len(cells), 2)]
    path.write_text("Name,Email\n" + "\n".join(rows) + "\n")
    return path


def _id(jobs: Jobs, db_url: str, email: str) -> str:
    for e in factories.events(db_url):
        if e["record"].get("email") == email:
            return str(e["record_id"])
    raise AssertionError(email)


def test_undo_of_a_no_webhooks_import_sends_nothing_either(
    jobs: Jobs, tmp_path: Path, db_url: str
) -> None:
    s = jobs.imp(_csv(tmp_path / "q.csv", "Ada", "ada@x.io"), webhooks=False)
    assert undo(jobs, str(s.import_id)).removed == 1
    deleted = factories.events(db_url)[-1]
    assert deleted["type"] == "person.softdeleted" and deleted["actor"]["deliver"] is False


@sqlite_only
def test_cli_undo(db_url: str, tmp_path: Path) -> None:
    path = _csv(tmp_path / "p.csv", "Ada", "ada@x.io", "Bob", "bob@x.io")
    done = cli("import", "people", str(path), "-d", db_url)
    line = next(x for x in done.stdout.splitlines() if x.startswith("Import id: "))
    import_id = line.split()[2]
    assert (
        json.loads(cli("import", "people", str(path), "-d", db_url, "--json").stdout)["importId"]
        == import_id
    )  # a re-run is the same import
    done = cli("import", "undo", import_id, "-d", db_url)
    assert "2 records removed (2 people)" in done.stdout
    summary = json.loads(cli("import", "undo", import_id, "-d", db_url, "--json").stdout)
    assert summary == {
        "importId": import_id,
        "removed": 0,
        "removedByObject": {},
        "keptUpdated": 0,
    }
    one_error(cli("import", "undo", str(uuid.uuid4()), "-d", db_url, code=1), "No import")
    done = cli("import", "undo", import_id, "--url", "http://127.0.0.1:9", code=2)
    one_error(done, "local database only")

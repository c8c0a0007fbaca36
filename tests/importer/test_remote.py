"""Import and export through a live server's REST API (``--url`` / ``--api-key``)."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from tests import factories
from tests.conftest import LiveServer
from tests.importer.helpers import Jobs

from rolodex.importer.export import ExportSummary, RecordWriter, write_all
from rolodex.importer.remote import client as remote_client
from rolodex.importer.remote import import_remote, remote_object, remote_pages
from rolodex.importer.service import ImportOptions, Summary
from rolodex.kit.errors import ValidationError

T = TypeVar("T")


def remote(server: LiveServer, key: str, work: Callable[[httpx.AsyncClient], Awaitable[T]]) -> T:
    async def main() -> T:
        async with remote_client(server.url, key) as c:
            return await work(c)

    return asyncio.run(main())


def imp(server: LiveServer, key: str, path: Path, obj: str = "people", **kw: Any) -> Summary:
    on_batch = kw.pop("on_batch", None)
    opts = ImportOptions(obj, path, **kw)
    return remote(server, key, lambda c: import_remote(c, opts, on_batch=on_batch))


def export(server: LiveServer, key: str, obj: str, flt: str | None = None) -> str:
    buf = io.StringIO()

    async def work(c: httpx.AsyncClient) -> ExportSummary:
        o = await remote_object(c, obj)
        return await write_all(
            remote_pages(c, o, flt),
            RecordWriter(o, "csv", lambda: buf),
            ExportSummary(obj, "csv", "-"),
        )

    remote(server, key, work)
    return buf.getvalue()


def test_remote_import_with_rejects_upsert_and_resume(
    server: LiveServer, api_key: str, client: httpx.Client, tmp_path: Path
) -> None:
    factories.person(client, name="Old Name", email="taken@x.io")
    path = tmp_path / "p.csv"
    lines = ["Name;E-mail;Job title"]
    lines += [f"P{i};p{i}@x.io;Dev" for i in range(25)]
    lines.insert(5, "Bad;nope;Dev")
    lines.insert(12, "Taken;TAKEN@x.io;CTO")  # the server's 409 names the item
    path.write_text("\n".join(lines) + "\n")
    seen: list[int] = []

    def crash(s: Summary) -> None:
        seen.append(s.created)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        imp(server, api_key, path, batch_size=10, on_batch=crash)
    s = imp(server, api_key, path, batch_size=10)
    assert (s.rows, s.rejected) == (27, 2)
    assert s.created + s.skipped == 25 and s.skipped == seen[-1]
    rejected = (tmp_path / "p.csv.rejects.csv").read_text().splitlines()
    reasons = [r["_reason"] for r in csv.DictReader(rejected, delimiter=";")]
    assert reasons[0].startswith("row 6: email must be an email address")
    assert reasons[1].startswith("row 13: A person with email 'TAKEN@x.io' already exists")
    body = client.get("/rest/people", params={"limit": 200}).json()
    assert body["totalCount"] == 26
    # With --upsert-by, the clashing row updates the existing person.
    s = imp(server, api_key, path, upsert_by="email")
    assert (s.created, s.rejected, s.skipped) == (0, 1, 25) and s.updated == 1
    taken = client.get("/rest/people", params={"filter": "email[ilike]:taken@x.io"}).json()
    assert taken["data"]["people"][0]["name"] == "Taken"
    with pytest.raises(ValidationError, match="local imports only"):
        imp(server, api_key, path, webhooks=False)


def test_remote_export_and_a_key_without_metadata_scope(
    server: LiveServer, db_url: str, api_key: str, tmp_path: Path
) -> None:
    jobs = Jobs(db_url)
    path = tmp_path / "p.csv"
    path.write_text("name,email,tags\n" + "".join(f"P{i},p{i}@x.io,a\n" for i in range(205)))
    narrow = factories.make_key(db_url, scopes=["record:read-write"])
    s = imp(server, narrow, path)  # no metadata:read: the standard fields are known anyway
    assert s.created == 205
    # The remote run derived the same ids as a local one: nothing is imported twice.
    assert (jobs.imp(path).skipped, len(jobs.records())) == (205, 205)
    text = export(server, narrow, "people")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 205
    assert text == jobs.export("people")  # the same bytes as a local export
    one = list(csv.DictReader(io.StringIO(export(server, api_key, "people", "email[eq]:p7@x.io"))))
    assert [r["name"] for r in one] == ["P7"]

"""``rolodex export``: records out to CSV or JSON Lines, a page at a time.

Pages come from ``RecordService.page`` with keyset cursors (or the REST API)
and are written as they arrive, so memory stays flat however many records
there are. CSV columns are the object's stored fields, lists and objects as
JSON text; the file imports back as it is (ids included).
"""

from __future__ import annotations

import contextlib
import csv
import time
from collections.abc import AsyncGenerator, Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import orjson

from rolodex.importer.reading import FileProblem
from rolodex.kit.db import Database
from rolodex.metadata.model import FieldDef, ObjectDef
from rolodex.metadata.registry import Registry, RegistryCache
from rolodex.metadata.types import js_number, kind
from rolodex.records.query import Filter, ListQuery
from rolodex.session import LocalPrincipal, Sessions

PAGE = 1000
EXPORT_FORMATS = ("csv", "jsonl")


@dataclass
class ExportSummary:
    object: str
    format: str
    file: str
    rows: int = 0
    elapsed: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "object": self.object,
            "format": self.format,
            "file": self.file,
            "rows": self.rows,
            "elapsedSeconds": round(self.elapsed, 3),
        }


def columns(obj: ObjectDef) -> list[FieldDef]:
    """The fields an export holds: every stored one, in the object's order."""
    return list(obj.stored_fields)


def cell(f: FieldDef, value: Any) -> str:
    """A value as CSV text that ``from_string`` reads back to the same value."""
    if value is None:
        return ""
    if kind(f).json_stored:
        return orjson.dumps(value).decode()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(js_number(value))
    return str(value)


class OutputClosed(Exception):
    """The reader of the export went away (``rolodex export people | head``)."""


class RecordWriter:
    """Writes records to a stream opened on first use (so a failed export creates nothing)."""

    def __init__(self, obj: ObjectDef, fmt: str, opener: Callable[[], IO[str]]) -> None:
        self.fields = columns(obj)
        self.fmt = fmt
        self.opener = opener
        self.stream: IO[str] | None = None
        self._csv: Any = None

    def _open(self) -> IO[str]:
        stream = self.opener()
        if self.fmt == "csv":
            self._csv = csv.writer(stream)
            self._csv.writerow([f.name for f in self.fields])
        return stream

    def write(self, records: list[dict[str, Any]]) -> None:
        with self._writing():
            if self.stream is None:
                self.stream = self._open()
            if self.fmt == "csv":
                self._csv.writerows([cell(f, r.get(f.name)) for f in self.fields] for r in records)
            else:
                self.stream.write("".join(orjson.dumps(r).decode() + "\n" for r in records))

    def finish(self) -> None:
        with self._writing():
            if self.stream is None:
                self.stream = self._open()  # an empty export still has its header
            self.stream.flush()

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        try:
            yield
        except BrokenPipeError:
            raise OutputClosed from None
        except OSError as exc:  # a full disk, say: one line, not "cannot reach the database"
            raise FileProblem(f"Cannot write the export: {exc.strerror or exc}") from None


async def write_all(
    pages: AsyncGenerator[list[dict[str, Any]], None], writer: RecordWriter, summary: ExportSummary
) -> ExportSummary:
    started = time.monotonic()
    async with contextlib.aclosing(pages):  # release the connection even when writing fails
        async for records in pages:
            writer.write(records)
            summary.rows += len(records)
    writer.finish()
    summary.elapsed = time.monotonic() - started
    return summary


async def local_pages(
    sessions: Sessions,
    operator: LocalPrincipal,
    registry: Registry,
    obj: ObjectDef,
    flt: Filter | None,
) -> AsyncGenerator[list[dict[str, Any]], None]:
    """Every record matching ``flt``, in pages of 1,000, walking keyset cursors."""
    async with sessions.open(operator, registry=registry) as session:
        svc = session.records
        cursor: str | None = None
        while True:
            q = ListQuery(filter=flt, limit=PAGE, after=cursor, with_total=False)
            page = await svc.page(obj, q)
            if page.records:
                yield page.records
            if not page.has_next or not page.records:
                return
            cursor = page.cursors[-1]


async def export_local(
    db: Database,
    object_name: str,
    fmt: str,
    opener: Callable[[], IO[str]],
    *,
    flt: Filter | None = None,
    workspace: str | None = None,
    target: str = "-",
) -> ExportSummary:
    """Export one object of a workspace of ``db`` (the default one unless named)."""
    sessions = Sessions(db, RegistryCache(0))
    operator = await sessions.local(workspace)
    async with sessions.open(operator) as session:
        registry = session.registry
    obj = registry.object(object_name)
    writer = RecordWriter(obj, fmt, opener)
    summary = ExportSummary(obj.plural, fmt, target)
    return await write_all(local_pages(sessions, operator, registry, obj, flt), writer, summary)

"""The import job: file rows in, records out through the record service, in batches.

Each batch is one transaction through ``RecordService.create_many``, so events
and history are written as for any other write. Rows are checked one by one
before a batch is written, bad ones go to the rejects file, and a batch that
still fails is split until the failing rows stand alone: a bad row never sinks
the good ones.

Re-running an import is safe: a row's record id is derived from the
workspace, the object, the file's content and the row's number (unless the
row carries an ``id``), and rows whose record already exists are skipped.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rolodex.auth import service as auth_service
from rolodex.auth.schemas import Actor
from rolodex.importer import repository
from rolodex.importer.limits import LimitExceeded
from rolodex.importer.mapping import (
    NO_FIELD,
    Mapper,
    check_columns,
    check_objects,
    from_cells,
    from_object,
)
from rolodex.importer.reading import (
    BadLine,
    FileProblem,
    Source,
    detect_format,
    file_digest,
    open_source,
)
from rolodex.importer.rejects import Rejects
from rolodex.importer.schemas import (
    Backend,
    BatchFailed,
    ImportActor,
    ImportOptions,
    Item,
    Summary,
    WriteResult,
)
from rolodex.kit.db import Database
from rolodex.kit.errors import RolodexError, ValidationError
from rolodex.metadata.model import FieldDef, ObjectDef
from rolodex.metadata.registry import Registry, RegistryCache
from rolodex.records import rules
from rolodex.records.repository import RecordRepository
from rolodex.records.schemas import check_required, validate
from rolodex.records.service import MAX_BATCH, RecordService

# Fixed forever: changing it would make re-runs of old imports create duplicates.
NAMESPACE = uuid.UUID("6f0d3c8e-5a3b-4c1e-9f7d-2b8e4a6c1d90")


def upsert_key(obj: ObjectDef, mapper: Mapper, name: str | None) -> bool:
    """Check ``--upsert-by``: only the object's unique key (its first) can match records."""
    if name is None:
        return False
    f = mapper.lookup(name)
    key = obj.unique_keys[:1]
    if not key:
        raise ValidationError(f"{obj.plural} have no unique key, so --upsert-by cannot be used.")
    if f is None or f.name != key[0]:
        raise ValidationError(
            f"--upsert-by {name}: {obj.plural} are matched on their unique key only, "
            f"which is {key[0]}.",
            field="upsertBy",
        )
    return True


class Importer:
    """Reads one file and writes it through a backend, batch by batch."""

    def __init__(
        self,
        backend: Backend,
        options: ImportOptions,
        scope: str,
        digest: str,
        summary: Summary | None = None,
        *,
        on_batch: Callable[[Summary], None] | None = None,
        on_progress: Callable[[Summary, float], None] | None = None,
    ) -> None:
        self.backend = backend
        self.obj = backend.obj
        self.options = options
        self.base = f"{scope}:{self.obj.name}:{digest}"
        self.summary = summary or Summary(self.obj.plural, str(options.path))
        self.on_batch = on_batch
        self.on_progress = on_progress
        self.unique = [
            f for f in self.obj.fields.values() if f.unique and not f.system and f.column
        ]
        self.summary.object = self.obj.plural
        self.upsert = False
        self._started = 0.0
        self._source: Source | None = None
        self._rejects: Rejects | None = None

    def record_id(self, row: int) -> str:
        return str(uuid.uuid5(NAMESPACE, f"{self.base}:{row}"))

    async def run(self) -> Summary:
        opts = self.options
        if not 1 <= opts.batch_size <= MAX_BATCH:
            raise ValidationError(f"The batch size is 1 to {MAX_BATCH}, not {opts.batch_size}.")
        fmt = detect_format(opts.path, opts.format)
        self._started = time.monotonic()
        mapper = Mapper(self.obj, opts.maps)
        self.upsert = upsert_key(self.obj, mapper, opts.upsert_by)
        with open_source(opts.path, fmt, opts.sheet, opts.limits) as source:
            # A file that fills no field (notes, a README) is refused before anything
            # is written: it would otherwise import as one blank record per line.
            if fmt == "jsonl":
                columns: list[tuple[int, FieldDef]] = []
                source.rows = check_objects(source, mapper)
            else:
                columns = mapper.columns(source.headers)
                check_columns(source, mapper, columns)
            with Rejects(opts.rejects_path(fmt), source) as rejects:
                try:
                    await self._rows(source, mapper, columns, rejects)
                    if isinstance(self.backend, LocalBackend):
                        await self.backend.finish()
                except LimitExceeded as exc:
                    raise LimitExceeded(exc.message + self._stopped()) from None
                finally:
                    s = self.summary
                    s.elapsed = time.monotonic() - self._started
                    s.unknown_columns = list(mapper.unknown)
                    s.ignored_columns = list(mapper.ignored)
                    s.rejects_file = str(rejects.path) if rejects.count else None
        return self.summary

    def _stopped(self) -> str:
        """What a limit crossed half-way leaves behind: the batches written before it."""
        s = self.summary
        if not (s.created or s.updated):
            return " Nothing was imported."
        done = f" {s.created:,} records were created and {s.updated:,} updated before it stopped"
        if s.import_id:
            return f"{done} (import id {s.import_id}; rolodex import undo removes them)."
        return f"{done}."

    async def _rows(
        self, source: Source, mapper: Mapper, columns: list[tuple[int, FieldDef]], rejects: Rejects
    ) -> None:
        width = len(source.headers)
        batch: list[Item] = []
        taken: set[tuple[str, str]] = set()
        self._source, self._rejects = source, rejects
        for number, raw in source.rows:
            self.summary.rows += 1
            try:
                if isinstance(raw, BadLine):
                    raise ValidationError(raw.reason)
                data = from_object(mapper, raw) if isinstance(raw, dict) else None
                if data is None:
                    data = from_cells(columns, width, raw)
                if not any(name != "id" for name in data):
                    raise ValidationError(NO_FIELD)
                item = self._check(number, raw, data)
            except RolodexError as exc:
                self._reject(number, raw, exc.message)
                if self.summary.rejected % 1000 == 0:
                    self._tick()  # a file of bad rows moves the progress bar too
                continue
            # A unique value seen twice goes in the next batch: the later row then
            # updates (with --upsert-by) or clashes with the earlier one, as it would alone.
            if len(batch) >= self.options.batch_size or not taken.isdisjoint(item.keys):
                await self._flush(batch)
                batch, taken = [], set()
            batch.append(item)
            taken.update(item.keys)
        await self._flush(batch)

    def _check(self, number: int, raw: Any, data: dict[str, Any]) -> Item:
        """Validate a row as ``create_many`` will, so that batches rarely fail."""
        given = data.pop("id", None)
        data = {"id": given or self.record_id(number), **data}
        checked = validate(self.obj, data, creating=True)
        rid = str(checked.record_id)
        data["id"] = rid
        values = checked.values
        keys = {("id", rid)}
        for f in self.unique:
            if isinstance(values.get(f.name), str):
                keys.add((f.name, values[f.name].lower()))
        rules.apply(self.obj, values, None)
        matchable = self.upsert and self.obj.unique_keys[0] in values
        if not matchable:  # an upsert that matches is an update, which needs nothing
            check_required(self.obj, values)
        return Item(number, raw, data, rid, frozenset(keys), given=bool(given))

    def _reject(self, number: int, raw: Any, reason: str) -> None:
        assert self._rejects is not None
        self.summary.rejected += 1
        self._rejects.add(raw, f"row {number}: {reason}")

    async def _flush(self, batch: list[Item]) -> None:
        if not batch:
            return
        pending = [batch]
        s = self.summary
        while pending:
            items = pending.pop()
            try:
                result = await self.backend.write(items, self.upsert)
            except BatchFailed as exc:
                if exc.item is not None:
                    self._reject(exc.item.row, exc.item.raw, exc.message)
                    rest = [i for i in items if i is not exc.item]
                    if rest:
                        pending.append(rest)
                elif len(items) == 1:
                    self._reject(items[0].row, items[0].raw, exc.message)
                else:
                    mid = len(items) // 2
                    pending += [items[mid:], items[:mid]]
                continue
            s.created += result.created
            s.updated += result.updated
            s.skipped += result.skipped
            for item, reason in result.rejected:
                self._reject(item.row, item.raw, reason)
        self._tick()
        if self.on_batch is not None:
            self.on_batch(s)

    def _tick(self) -> None:
        s = self.summary
        s.elapsed = time.monotonic() - self._started
        if self.on_progress is not None and self._source is not None:
            self.on_progress(s, self._source.progress())


class LocalBackend:
    """Batches written straight to the database, each in its own transaction."""

    def __init__(
        self, db: Database, registry: Registry, ws: uuid.UUID, obj: ObjectDef, actor: Actor
    ) -> None:
        self.db, self.registry, self.ws, self.obj, self.actor = db, registry, ws, obj, actor
        self.written = 0
        self.next_analyze = 0
        self.analyzed_at = -1  # rows written when last analyzed

    async def analyze(self) -> None:
        """Refresh PostgreSQL's statistics of the table as it grows under the import.

        The record service looks rows up with ``id IN (...)`` and ``lower(email)
        IN (...)`` through prepared statements. PostgreSQL soon plans those once,
        generically, from the table's statistics; for a table that was empty when
        last analysed, that plan scans every row of the workspace, and each batch
        gets slower than the last (100,000 people took 207 s instead of 16 s).
        ANALYZE after bulk loads is PostgreSQL's own advice; here it runs as the
        table doubles, a handful of times per import.
        """
        if self.db.sqlite or self.written < self.next_analyze:
            return
        self.next_analyze = max(2 * self.written, 1000)
        self.analyzed_at = self.written
        try:
            async with self.db.connect() as conn:
                await repository.analyze(conn, self.obj.table)
        except Exception:  # e.g. not the table's owner: slower, still right
            self.next_analyze = 1 << 62

    async def finish(self) -> None:
        """Analyze what the import wrote since the last ANALYZE, so that the next
        requests are planned for the table as it now is, not as it was."""
        if self.written > max(self.analyzed_at, 0):
            self.next_analyze = 0
            await self.analyze()

    async def write(self, items: list[Item], upsert: bool) -> WriteResult:
        await self.analyze()
        result = await self._write(items, upsert)
        self.written += result.created
        return result

    async def _write(self, items: list[Item], upsert: bool) -> WriteResult:
        result = WriteResult()
        sent: list[Item] = []
        try:
            async with self.db.transaction() as conn:
                repo = RecordRepository(conn, self.obj, self.ws)
                found = await repo.existing_ids([uuid.UUID(i.id) for i in items])
                todo = [i for i in items if not i.skip(found, upsert)]
                result.skipped = len(items) - len(todo)
                svc = RecordService(conn, self.registry, self.ws, self.actor)
                sent = await self._references(svc, todo, result)
                if sent:
                    records = await svc.create_many(self.obj, [i.data for i in sent], upsert=upsert)
                    for item, record in zip(sent, records, strict=True):
                        if record["id"] == item.id and item.id not in found:
                            result.created += 1
                        else:
                            result.updated += 1
        except RolodexError as exc:
            if exc.status >= 500:
                raise  # the database is unavailable: stop, rather than reject every row
            index = exc.extra.get("index")
            blamed = sent[index] if isinstance(index, int) and 0 <= index < len(sent) else None
            raise BatchFailed(exc.message, blamed) from None
        return result

    async def _references(
        self, svc: RecordService, items: list[Item], result: WriteResult
    ) -> list[Item]:
        """Reject rows whose relation ids name no record, before they fail the batch
        (the record service's own check, row by row)."""
        bad: dict[int, str] = {}
        for m in await svc.missing_references(self.obj, [i.data for i in items]):
            bad.setdefault(m.index, m.message)
        for n, reason in bad.items():
            result.rejected.append((items[n], reason))
        return [item for n, item in enumerate(items) if n not in bad]


def identity(path: Path) -> str:
    """The file's digest; a missing or unreadable file is a ``FileProblem``."""
    if not path.is_file():
        raise FileProblem(f"No such file: {path}" if not path.exists() else f"{path} is not a file")
    try:
        return file_digest(path)
    except OSError as exc:
        raise FileProblem(f"Cannot read {path}: {exc.strerror or exc}") from None


def import_actor(options: ImportOptions, job: str) -> Actor:
    name = f"import {options.path.name}"
    if not options.webhooks:
        return ImportActor("import", job, f"{name} (no webhooks)", deliver=False)
    return Actor("import", job, name)


async def import_local(
    db: Database,
    options: ImportOptions,
    *,
    workspace: str | None = None,
    summary: Summary | None = None,
    on_batch: Callable[[Summary], None] | None = None,
    on_progress: Callable[[Summary, float], None] | None = None,
) -> Summary:
    """Import ``options.path`` into a workspace of ``db`` (the default one unless named)."""
    async with db.transaction() as conn:
        ws = await auth_service.resolve_workspace(conn, workspace)
        registry = await RegistryCache(0).get(conn, ws)
    obj = registry.object(options.object)
    digest = identity(options.path)
    job = str(uuid.uuid5(NAMESPACE, f"{ws}:{obj.name}:{digest}"))
    backend = LocalBackend(db, registry, ws, obj, import_actor(options, job))
    importer = Importer(
        backend, options, str(ws), digest, summary, on_batch=on_batch, on_progress=on_progress
    )
    importer.summary.import_id = job  # the createdBy.id of its records: see ``undo``
    return await importer.run()


__all__ = [
    "NAMESPACE",
    "Backend",
    "BatchFailed",
    "ImportOptions",
    "Importer",
    "Item",
    "LocalBackend",
    "Summary",
    "WriteResult",
    "import_local",
]

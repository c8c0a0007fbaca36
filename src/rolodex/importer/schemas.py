"""Shapes of the import job: its options and summary, rows ready to write, batch outcomes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from rolodex.auth.schemas import Actor
from rolodex.importer.limits import Limits
from rolodex.metadata.model import ObjectDef

DEFAULT_BATCH = 500
_ITEM_PREFIX = re.compile(r"^Item \d+: ")


@dataclass
class ImportOptions:
    """What to import and how; the CLI's options, one to one."""

    object: str
    path: Path
    format: str | None = None
    sheet: str | None = None
    maps: dict[str, str] = field(default_factory=dict)
    upsert_by: str | None = None
    batch_size: int = DEFAULT_BATCH
    rejects: Path | None = None
    webhooks: bool = True
    limits: Limits = field(default_factory=Limits)

    def rejects_path(self, fmt: str) -> Path:
        suffix = ".rejects.jsonl" if fmt == "jsonl" else ".rejects.csv"
        return self.rejects or self.path.with_name(self.path.name + suffix)


@dataclass
class Summary:
    """What an import did; printed at the end, or as JSON with ``--json``."""

    object: str
    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0
    skipped: int = 0
    elapsed: float = 0.0
    unknown_columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    rejects_file: str | None = None
    interrupted: bool = False
    # What ``rolodex import undo`` takes; None through the API, where the key is the actor.
    import_id: str | None = None

    @property
    def rate(self) -> float:
        return self.rows / self.elapsed if self.elapsed > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "importId": self.import_id,
            "object": self.object,
            "file": self.file,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "rejected": self.rejected,
            "skipped": self.skipped,
            "elapsedSeconds": round(self.elapsed, 3),
            "rowsPerSecond": round(self.rate, 1),
            "unknownColumns": self.unknown_columns,
            "ignoredColumns": self.ignored_columns,
            "rejectsFile": self.rejects_file,
            "interrupted": self.interrupted,
        }


@dataclass(frozen=True, slots=True)
class ImportActor(Actor):
    """The actor of an import's writes; ``deliver=False`` asks webhooks to skip its events."""

    deliver: bool = True

    def to_dict(self) -> dict[str, Any]:
        out = Actor.to_dict(self)
        if not self.deliver:
            out["deliver"] = False
        return out


@dataclass(slots=True)
class Item:
    """One checked row, ready to write."""

    row: int
    raw: Any  # the row as read, for the rejects file
    data: dict[str, Any]  # the record body as the API takes it, id included
    id: str
    keys: frozenset[tuple[str, str]]  # its unique values: no two in one batch
    given: bool = False  # the id came from the file, not from the row's number

    def skip(self, existing: set[str], upsert: bool) -> bool:
        """Whether the row was imported before. With an upsert, a row that names its
        id is written again (an edited export updates its records); others are skipped."""
        return self.id in existing and not (upsert and self.given)


@dataclass
class WriteResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: list[tuple[Item, str]] = field(default_factory=list)


class BatchFailed(Exception):
    """A batch was refused as a whole; ``item`` is the row to blame when known."""

    def __init__(self, message: str, item: Item | None = None) -> None:
        super().__init__(message)
        self.message = _ITEM_PREFIX.sub("", message)
        self.item = item


class Backend(Protocol):
    """Where batches go: the local database or a server's REST API."""

    obj: ObjectDef

    async def write(self, items: list[Item], upsert: bool) -> WriteResult: ...

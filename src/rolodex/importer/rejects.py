"""The rejects file: every row an import refused, as it was read, plus why.

CSV and Excel imports write CSV (the file's header plus a ``_reason``
column, in the input's delimiter); JSON Lines imports write JSON Lines with a
``_reason`` key. Fix the rows and import the rejects file: ``_reason`` is an
unknown column there, reported and skipped.
"""

from __future__ import annotations

import contextlib
import csv
from pathlib import Path
from typing import IO, Any

import orjson

from rolodex.importer.reading import BadLine, FileProblem, Source


class Rejects:
    """Written lazily: an import without bad rows leaves no rejects file behind."""

    def __init__(self, path: Path, source: Source) -> None:
        if path.resolve() == source.path.resolve():
            raise FileProblem(f"The rejects file cannot be the input file itself ({path}).")
        if not path.parent.is_dir():
            raise FileProblem(f"Cannot write the rejects file {path}: no such directory.")
        self.path = path
        self.source = source
        self.count = 0
        self._file: IO[str] | None = None
        self._writer: Any = None
        # A previous run's rejects would mislead: this run's bad rows are written anew.
        with contextlib.suppress(FileNotFoundError):
            path.unlink()

    def _open(self) -> IO[str]:
        try:
            f = self.path.open("w", encoding="utf-8", newline="")
        except OSError as exc:
            raise FileProblem(
                f"Cannot write the rejects file {self.path}: {exc.strerror or exc}"
            ) from None
        if self.source.format != "jsonl":
            self._writer = csv.writer(f, delimiter=self.source.delimiter)
            self._writer.writerow([*self.source.headers, "_reason"])
        return f

    def add(self, raw: Any, reason: str) -> None:
        if self._file is None:
            self._file = self._open()
        self.count += 1
        if self.source.format == "jsonl":
            item = {**raw} if isinstance(raw, dict) else {"_line": getattr(raw, "text", raw)}
            item["_reason"] = reason
            self._file.write(orjson.dumps(item).decode() + "\n")
            return
        if isinstance(raw, BadLine):  # never for CSV, but keep the row visible if it happens
            raw = [raw.text]
        width = len(self.source.headers)
        cells = [*raw[:width], *([""] * (width - len(raw)))]
        self._writer.writerow([*cells, reason, *raw[width:]])

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> Rejects:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

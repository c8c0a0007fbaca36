"""Reading import files: CSV (any delimiter), Excel .xlsx and JSON Lines, as a stream of rows.

Every reader yields ``(row number, row)``: for CSV and Excel the row is a list
of cell texts in header order, for JSON Lines a dict (or a ``BadLine`` when the
line is not a JSON object). Row numbers are stable for a given file content,
which is what makes re-running an import safe (see ``service``). Every reader
stays within the import's ``Limits`` (see ``limits``).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import orjson

from rolodex.importer.limits import (
    BoundedLines,
    Counter,
    LimitExceeded,
    Limits,
    check_workbook,
    read_line,
)
from rolodex.kit.errors import BadRequest
from rolodex.metadata.types import js_number

FORMATS = ("csv", "xlsx", "jsonl")
DELIMITERS = ",;\t|"
SAMPLE = 64 * 1024
_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}


class FileProblem(BadRequest):
    """The file cannot be read as the format it claims to be (the CLI exits 1)."""


@dataclass(slots=True)
class BadLine:
    """A JSON Lines line that is not a JSON object: kept to write to the rejects file."""

    text: str
    reason: str


@dataclass
class Source:
    """An open import file: its format, header and rows, and how far reading has got."""

    path: Path
    format: str
    headers: list[str]
    rows: Iterator[tuple[int, Any]]
    progress: Callable[[], float]  # the share of the file read so far, 0 to 1
    delimiter: str = ","
    _close: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        for closer in self._close:
            closer()

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def detect_format(path: Path, explicit: str | None = None) -> str:
    """The format named by ``--format``, else by the file's extension (CSV when unsure)."""
    if explicit:
        return explicit
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise FileProblem(
            f"{path.name} is an old .xls workbook; save it as .xlsx or CSV and import that."
        )
    if suffix == ".json":
        raise FileProblem(
            f"{path.name}: import reads JSON Lines (one object per line, .jsonl); "
            "pass --format jsonl if that is what the file holds."
        )
    return _EXTENSIONS.get(suffix, "csv")


def file_digest(path: Path) -> str:
    """The SHA-256 of the file's bytes: the import's identity for re-runs."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def open_source(
    path: Path, fmt: str, sheet: str | None = None, limits: Limits | None = None
) -> Source:
    """Open ``path`` for reading; a missing, unreadable or malformed file is a ``FileProblem``,
    and one beyond ``limits`` a ``LimitExceeded`` (when opened, or as its rows are read)."""
    if not path.exists():
        raise FileProblem(f"No such file: {path}")
    if path.is_dir():
        raise FileProblem(f"{path} is a directory, not a file")
    limits = limits or Limits()
    try:
        if fmt == "xlsx":
            return _open_xlsx(path, sheet, limits)
        if fmt == "jsonl":
            return _open_jsonl(path, limits)
        return _open_csv(path, limits)
    except PermissionError:
        raise FileProblem(f"Cannot read {path}: permission denied") from None
    except OSError as exc:
        raise FileProblem(f"Cannot read {path}: {exc.strerror or exc}") from None


# -- text files -----------------------------------------------------------------------------
def _raw(path: Path) -> tuple[io.FileIO, Callable[[], float]]:
    """An unbuffered handle, and the share of the file read through it so far."""
    raw = io.FileIO(path, "rb")
    size = max(path.stat().st_size, 1)
    return raw, lambda: 1.0 if raw.closed else min(raw.tell() / size, 1.0)


def _encoding(path: Path) -> tuple[str, str]:
    """The encoding to read ``path`` with, and a decoded sample of its start.

    UTF-8 with or without a byte-order mark; UTF-16 when it has one (Excel's
    "Unicode text"). Binary data and anything else is refused up front.
    """
    with path.open("rb") as f:
        head = f.read(SAMPLE)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", head.decode("utf-16", errors="ignore")
    hint = ""
    if head.startswith(b"PK\x03\x04"):
        hint = " (it looks like an Excel workbook: name it .xlsx or pass --format xlsx)"
    if b"\x00" in head:
        raise FileProblem(f"{path.name} is not a text file: it holds binary data{hint}.")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        text = decoder.decode(head, final=len(head) < SAMPLE)
    except UnicodeDecodeError as exc:
        raise FileProblem(
            f"{path.name} is not UTF-8 text (byte 0x{head[exc.start]:02x} at offset "
            f'{exc.start}){hint}; save it as UTF-8 ("CSV UTF-8" in Excel).'
        ) from None
    return "utf-8-sig", text.removeprefix("\ufeff")


def sniff_delimiter(sample: str) -> str:
    """The delimiter among , ; tab |: csv.Sniffer's guess, checked against the header line."""
    complete = sample[: sample.rfind("\n") + 1] or sample  # no half-read last line
    header = complete.split("\n", 1)[0]
    counts = {d: header.count(d) for d in DELIMITERS}
    if not any(counts.values()):
        # One column: split on whatever the values never hold, so "Doe, John" stays whole.
        return min(DELIMITERS, key=lambda d: (complete.count(d), d != ","))
    head = complete[:16384]  # the Sniffer's time grows fast with its sample
    head = head[: head.rfind("\n") + 1] or head
    try:
        sniffed: str | None = csv.Sniffer().sniff(head, delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    if sniffed is not None and counts[sniffed]:
        return sniffed
    return max(counts, key=lambda d: counts[d])


def _open_csv(path: Path, limits: Limits) -> Source:
    encoding, sample = _encoding(path)
    delimiter = sniff_delimiter(sample)
    # Cells longer than csv's default limit (128 KiB) should reach validation, which
    # rejects the row, rather than stop the whole file; BoundedLines bounds a record.
    csv.field_size_limit(max(csv.field_size_limit(), 16 * 1024 * 1024, limits.max_line + 1))
    raw, progress = _raw(path)
    text = io.TextIOWrapper(io.BufferedReader(raw, 1 << 16), encoding=encoding, newline="")
    lines = BoundedLines(text, limits.max_line, path.name)
    reader = csv.reader(lines, delimiter=delimiter)
    count = Counter(limits, path.name)
    try:
        header = _next_row(reader, path, lines)
        while header is not None and not any(c.strip() for c in header):
            header = _next_row(reader, path, lines)
    except FileProblem:
        text.close()
        raise
    if header is None:
        text.close()
        raise FileProblem(f"{path.name} is empty: it has no header row.")
    headers = [c.strip().removeprefix("\ufeff").strip() for c in header]

    def rows() -> Iterator[tuple[int, Any]]:
        number = 1  # the header is row 1, as in a spreadsheet
        while True:
            cells = _next_row(reader, path, lines)
            if cells is None:
                return
            number += 1
            count.row(number - 1, len(cells))
            if any(c.strip() for c in cells):
                yield number, cells

    return Source(path, "csv", headers, rows(), progress, delimiter, [text.close])


def _next_row(reader: Any, path: Path, lines: BoundedLines) -> list[str] | None:
    lines.next_record()
    try:
        return next(reader)
    except StopIteration:
        return None
    except csv.Error as exc:
        raise FileProblem(f"{path.name}, line {reader.line_num}: not valid CSV ({exc})") from None
    except UnicodeDecodeError as exc:
        raise FileProblem(
            f"{path.name}, near line {reader.line_num}: not UTF-8 text ({exc.reason})"
        ) from None


def _open_jsonl(path: Path, limits: Limits) -> Source:
    _encoding(path)  # refuse binary files with a clear message
    raw, progress = _raw(path)
    buffered = io.BufferedReader(raw, 1 << 16)
    count = Counter(limits, path.name)

    def rows() -> Iterator[tuple[int, Any]]:
        number = 0
        while line := read_line(buffered, limits.max_line, path.name, number + 1):
            number += 1
            count.row(number, 0, header=False)
            if number == 1:
                line = line.removeprefix(codecs.BOM_UTF8)
            if not line.strip():
                continue
            text = line.decode("utf-8", errors="replace").rstrip("\r\n")
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                yield number, BadLine(text, f"line {number} is not valid JSON ({exc})")
                continue
            if not isinstance(value, dict):
                yield number, BadLine(text, f"line {number} is not a JSON object")
                continue
            count.row(number, len(value), header=False)
            yield number, value

    return Source(path, "jsonl", [], rows(), progress, _close=[buffered.close])


# -- Excel ------------------------------------------------------------------------------------
def cell_text(value: Any) -> str:
    """An Excel cell as the text a CSV export of it would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(js_number(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _not_xlsx(path: Path, exc: Exception) -> FileProblem:
    return FileProblem(f"{path.name} is not an Excel .xlsx workbook ({exc}).")


def _open_xlsx(path: Path, sheet: str | None, limits: Limits) -> Source:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    broken = (
        zipfile.BadZipFile,
        zlib.error,
        InvalidFileException,
        KeyError,
        ValueError,
        EOFError,
        SyntaxError,  # XML parse errors
    )
    try:
        check_workbook(path, limits)  # before openpyxl inflates anything
        book = load_workbook(path, read_only=True, data_only=True)
    except broken as exc:
        raise _not_xlsx(path, exc) from None
    count = Counter(limits, path.name)
    try:
        if sheet is None:
            ws = book.worksheets[0]
        elif sheet in book.sheetnames:
            ws = book[sheet]
        else:
            names = ", ".join(repr(n) for n in book.sheetnames)
            raise FileProblem(f"{path.name} has no sheet {sheet!r}; its sheets are {names}.")
        cells = ws.iter_rows(values_only=True)
        header: list[str] | None = None
        for index, values in enumerate(cells, start=1):
            count.row(index - 1, len(values))
            texts = [cell_text(v) for v in values]
            if any(t.strip() for t in texts):
                header = texts
                break
    except (FileProblem, LimitExceeded):
        book.close()
        raise
    except broken as exc:  # a damaged sheet, or one larger than its zip entry says
        book.close()
        raise _not_xlsx(path, exc) from None
    if header is None:
        book.close()
        raise FileProblem(f"{path.name} is empty: its sheet {ws.title!r} has no header row.")
    while header and not header[-1].strip():
        header.pop()
    total = ws.max_row or 0
    done = [0]

    def rows() -> Iterator[tuple[int, Any]]:
        # Row numbers count from the header, which is row 1 of the import.
        number = 1
        try:
            for values in cells:
                number += 1
                done[0] = number
                count.row(number - 1, len(values))
                texts = [cell_text(v) for v in values]
                if any(t.strip() for t in texts):
                    yield number, texts
        except broken as exc:
            raise FileProblem(f"{path.name}, row {number}: the sheet is damaged ({exc}).") from None

    def progress() -> float:
        return min(done[0] / total, 1.0) if total else 0.0

    headers = [h.strip() for h in header]
    return Source(path, "xlsx", headers, rows(), progress, _close=[book.close])

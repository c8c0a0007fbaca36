"""How much an import will read: rows, cells, line length and, for .xlsx, inflated size.

A hostile or broken file (a zip bomb, a line with no end, a sheet claiming a
million columns) must end in a clear error, quickly and in flat memory, not
in an exhausted machine. Each bound is a CLI option of ``rolodex import`` and
a ``ROLODEX_IMPORT_*`` setting; going over one is a ``FileProblem`` (exit 1)
that names the option to raise.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from rolodex.kit.errors import BadRequest

KB, MB, GB = 1000, 1000**2, 1000**3
KIB, MIB, GIB = 1024, 1024**2, 1024**3
_UNITS = {
    "": 1,
    "b": 1,
    "k": KB,
    "kb": KB,
    "m": MB,
    "mb": MB,
    "g": GB,
    "gb": GB,
    "kib": KIB,
    "mib": MIB,
    "gib": GIB,
}
_SIZE = re.compile(r"^\s*([0-9][0-9_,]*)\s*([a-zA-Z]*)\s*$")
# Members smaller than this may compress as well as they like: a small, very
# regular sheet legitimately does better than 100 to 1.
RATIO_FLOOR = 1 * MIB


class LimitExceeded(BadRequest):
    """The file goes beyond one of the import's bounds (the CLI exits 1)."""


@dataclass(frozen=True, slots=True)
class Limits:
    """The bounds of one import; the defaults suit files of a million rows."""

    max_rows: int = 1_000_000  # rows read, header and blank rows included
    max_cells: int = 50_000_000  # cells read over the whole file (JSON Lines: keys)
    max_line: int = 1 * MIB  # a CSV record or JSON Lines line (bytes; CSV: characters)
    max_unzipped: int = 200 * MB  # an .xlsx workbook's members, inflated, together
    max_ratio: int = 100  # an .xlsx member's inflated size over its compressed size

    def __post_init__(self) -> None:
        for name in ("max_rows", "max_cells", "max_line", "max_unzipped", "max_ratio"):
            if getattr(self, name) < 1:
                raise BadRequest(f"--{name.replace('_', '-')} must be at least 1")

    @classmethod
    def parse(cls, rows: str, cells: str, line: str, unzipped: str, ratio: str) -> Limits:
        """The bounds as the CLI's options give them; ``ValueError`` for a malformed one."""
        return cls(
            _count(rows, "--max-rows"),
            _count(cells, "--max-cells"),
            parse_size(line),
            parse_size(unzipped),
            _count(ratio, "--max-ratio"),
        )


def _count(text: str, option: str) -> int:
    try:
        return int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise ValueError(f"{option} takes a whole number, not {text!r}") from None


def parse_size(text: str) -> int:
    """``"1048576"``, ``"1 MiB"``, ``"200MB"`` as bytes; ``ValueError`` for anything else."""
    m = _SIZE.match(text)
    unit = _UNITS.get(m.group(2).lower()) if m else None
    if m is None or unit is None:
        raise ValueError(f"not a size: {text!r} (use a number of bytes, or 500kB, 1MiB, 2GB)")
    return int(m.group(1).replace("_", "").replace(",", "")) * unit


def size_text(n: int) -> str:
    """A byte count for a message: ``200 MB``, ``1 MiB``, ``12,345 bytes``."""
    for unit, name in ((GIB, "GiB"), (MIB, "MiB"), (KIB, "KiB"), (GB, "GB"), (MB, "MB")):
        if n >= unit and n % unit == 0:
            return f"{n // unit:,} {name}"
    if n >= MB:
        return f"{n / MB:,.1f} MB"
    return f"{n:,} bytes"


def _raise_it(option: str) -> str:
    setting = "ROLODEX_IMPORT_" + option.removeprefix("--").replace("-", "_").upper()
    return f"raise it with {option} or {setting} if the file is what you meant to import"


class Counter:
    """Counts rows and cells as a reader goes, and stops it at the first bound crossed."""

    def __init__(self, limits: Limits, name: str) -> None:
        self.limits, self.name, self.cells = limits, name, 0

    def row(self, index: int, cells: int, header: bool = True) -> None:
        """Row ``index`` (1 for the first after the header) was read, holding ``cells`` cells.

        Messages number rows as the rejects file does (the header is row 1).
        """
        lim = self.limits
        at = f"stopped at row {index + header:,}"
        if index > lim.max_rows:
            raise LimitExceeded(
                f"{self.name} has more than {lim.max_rows:,} rows, the limit of an import; "
                f"{at} ({_raise_it('--max-rows')})."
            )
        self.cells += cells
        if self.cells > lim.max_cells:
            raise LimitExceeded(
                f"{self.name} has more than {lim.max_cells:,} cells, the limit of an import; "
                f"{at} ({_raise_it('--max-cells')})."
            )


def too_long(name: str, line: int, limit: int, unit: str) -> LimitExceeded:
    return LimitExceeded(
        f"{name}, line {line:,}: longer than {size_text(limit).replace('bytes', unit)}, "
        f"the longest line an import reads ({_raise_it('--max-line')})."
    )


class BoundedLines:
    """A text stream's lines for ``csv.reader``, reading no record longer than the limit.

    A record is the lines of one CSV row (a quoted cell may hold line breaks);
    the reader calls ``next_record`` after each. ``readline`` with a size reads
    no further than that, so a file with no line break costs at most the limit.
    """

    def __init__(self, text: IO[str], limit: int, name: str) -> None:
        self.text, self.limit, self.name = text, limit, name
        self.used = 0  # characters of the record being read
        self.lines = 0

    def __iter__(self) -> BoundedLines:
        return self

    def __next__(self) -> str:
        room = self.limit - self.used
        line = self.text.readline(room + 1)
        if not line:
            raise StopIteration
        self.lines += 1
        if len(line) > room:
            raise too_long(self.name, self.lines, self.limit, "characters")
        self.used += len(line)
        return line

    def next_record(self) -> None:
        self.used = 0


def read_line(f: IO[bytes], limit: int, name: str, number: int) -> bytes:
    """The next line of a binary stream (b"" at the end), no longer than ``limit`` bytes."""
    line = f.readline(limit + 1)
    if len(line) > limit and not (len(line) == limit + 1 and line.endswith(b"\n")):
        raise too_long(name, number, limit, "bytes")
    return line


def check_workbook(path: Path, limits: Limits) -> None:
    """Refuse an .xlsx whose members inflate too far, from the zip directory alone.

    Nothing is inflated here. The sizes the directory declares are also the
    most ``zipfile`` will ever inflate (it stops there and fails the CRC
    check), so a directory that lies cannot make openpyxl read more.
    """
    total = 0
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            total += info.file_size
            packed = max(info.compress_size, 1)
            if info.file_size > RATIO_FLOOR and info.file_size > limits.max_ratio * packed:
                raise LimitExceeded(
                    f"{path.name} looks like a zip bomb: its part {info.filename} inflates "
                    f"from {size_text(info.compress_size)} to {size_text(info.file_size)}, "
                    f"more than {limits.max_ratio:,} times ({_raise_it('--max-ratio')})."
                )
    if total > limits.max_unzipped:
        raise LimitExceeded(
            f"{path.name} inflates to {size_text(total)}, more than "
            f"{size_text(limits.max_unzipped)}, the largest workbook an import reads "
            f"({_raise_it('--max-unzipped')})."
        )


__all__ = [
    "BoundedLines",
    "Counter",
    "LimitExceeded",
    "Limits",
    "check_workbook",
    "parse_size",
    "read_line",
    "size_text",
]

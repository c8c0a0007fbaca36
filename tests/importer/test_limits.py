"""Hostile import files: zip bombs, endless lines, too many rows or cells.

Each must fail quickly with a clear error (exit 1 from the CLI) and without
reading the file into memory. The files are built here, small on disk.
"""

from __future__ import annotations

import os
import struct
import subprocess
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from tests.importer.helpers import Jobs
from tests.importer.test_transfer_cli import COMMAND, cli, one_error, sqlite_only

from rolodex.importer.limits import LimitExceeded, Limits, parse_size
from rolodex.importer.reading import FileProblem, open_source

_XML = '<?xml version="1.0" encoding="UTF-8"?>'
_OOX = "http://schemas.openxmlformats.org"
_REL = f"{_OOX}/officeDocument/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _part(name: str, kind: str) -> str:
    return f'<Override PartName="/xl/{name}" ContentType="{_CT}.{kind}+xml"/>'


def _rel(n: int, kind: str, target: str) -> str:
    return f'<Relationship Id="rId{n}" Type="{_REL}/{kind}" Target="{target}"/>'


_TYPES = (
    f'{_XML}<Types xmlns="{_OOX}/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    + _part("workbook.xml", "sheet.main")
    + _part("worksheets/sheet1.xml", "worksheet")
    + _part("sharedStrings.xml", "sharedStrings")
    + "</Types>"
)
_RELS = (
    f'{_XML}<Relationships xmlns="{_OOX}/package/2006/relationships">'
    + _rel(1, "officeDocument", "xl/workbook.xml")
    + "</Relationships>"
)
_BOOK = (
    f'{_XML}<workbook xmlns="{_OOX}/spreadsheetml/2006/main" xmlns:r="{_REL}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_BOOK_RELS = (
    f'{_XML}<Relationships xmlns="{_OOX}/package/2006/relationships">'
    + _rel(1, "worksheet", "worksheets/sheet1.xml")
    + _rel(2, "sharedStrings", "sharedStrings.xml")
    + "</Relationships>"
)
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def workbook(path: Path, rows: int = 1, strings: int = 0) -> Path:
    """A real .xlsx: a Name and an Email column, ``rows`` people, and a shared strings
    table padded with ``strings`` bytes of one repeated string (it compresses ~1000:1)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _BOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _BOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w") as f:
            f.write(f'<worksheet {_NS}><sheetData><row r="1">'.encode())
            f.write(b'<c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>')
            for n in range(2, rows + 2):
                f.write(
                    f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>P{n}</t></is></c>'
                    f'<c r="B{n}" t="inlineStr"><is><t>p{n}@x.io</t></is></c></row>'.encode()
                )
            f.write(b"</sheetData></worksheet>")
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            f.write(f"<sst {_NS}><si><t>Name</t></si><si><t>Email</t></si>".encode())
            pad = b"<si><t>" + b"a" * 1000 + b"</t></si>"
            chunk = pad * 1024
            for _ in range(strings // len(chunk)):
                f.write(chunk)
            f.write(b"</sst>")
    return path


def quick(started: float) -> None:
    assert time.monotonic() - started < 20  # a guard against reading it all, not a target


def test_an_xlsx_zip_bomb_is_refused_from_its_directory(jobs: Jobs, tmp_path: Path) -> None:
    bomb = workbook(tmp_path / "bomb.xlsx", strings=60 * 1024 * 1024)
    assert bomb.stat().st_size < 1024 * 1024
    started = time.monotonic()
    with pytest.raises(LimitExceeded) as caught:
        jobs.imp(bomb)
    quick(started)
    message = caught.value.message
    assert "looks like a zip bomb" in message and "xl/sharedStrings.xml" in message
    assert "--max-ratio" in message and "ROLODEX_IMPORT_MAX_RATIO" in message
    assert jobs.records() == []
    # With the ratio allowed, the inflated size is still bounded.
    with pytest.raises(LimitExceeded, match=r"inflates to .* more than 10 MB"):
        jobs.imp(bomb, limits=Limits(max_ratio=100_000, max_unzipped=10_000_000))
    fine = workbook(tmp_path / "fine.xlsx", rows=3)
    assert jobs.imp(fine).created == 3


def test_an_xlsx_whose_directory_lies_fails_cleanly(jobs: Jobs, tmp_path: Path) -> None:
    path = workbook(tmp_path / "liar.xlsx", strings=20 * 1024 * 1024)
    data = bytearray(path.read_bytes())
    # Claim the shared strings are 2 kB, in the central directory and the local header.
    name = b"xl/sharedStrings.xml"
    for signature, name_at, size_at in ((b"PK\x01\x02", 46, 24), (b"PK\x03\x04", 30, 22)):
        at = data.find(signature)
        while data[at + name_at : at + name_at + len(name)] != name:
            at = data.find(signature, at + 4)
            assert at != -1
        struct.pack_into("<I", data, at + size_at, 2000)
    path.write_bytes(bytes(data))
    started = time.monotonic()
    with pytest.raises(FileProblem, match=r"liar.xlsx is not an Excel .xlsx workbook"):
        jobs.imp(path)
    quick(started)


def test_rows_and_cells_are_bounded(jobs: Jobs, tmp_path: Path) -> None:
    book = workbook(tmp_path / "many.xlsx", rows=3000)
    with pytest.raises(LimitExceeded, match=r"more than 400 rows.*--max-rows") as caught:
        jobs.imp(book, limits=Limits(max_rows=400))
    assert caught.value.message.endswith("Nothing was imported.")
    assert jobs.records() == []
    # Batches written before the limit are kept, and said so: a re-run finishes the import.
    with pytest.raises(LimitExceeded) as caught:
        jobs.imp(book, limits=Limits(max_rows=1000), batch_size=300)
    assert "900 records were created and 0 updated before it stopped (import id" in str(
        caught.value
    )
    assert len(jobs.records()) == 900
    s = jobs.imp(book)
    assert (s.created, s.skipped) == (2100, 900)
    path = tmp_path / "many.csv"
    path.write_text("Name\n" + "".join(f"P{i}\n" for i in range(3000)))
    with pytest.raises(
        LimitExceeded, match=r"more than 2,999 rows, the limit of an import; stopped at row 3,001"
    ):
        jobs.imp(path, limits=Limits(max_rows=2999))
    path.write_text(
        "Name," + ",".join(f"c{i}" for i in range(500)) + "\n" + ("x" + "," * 500 + "\n") * 30
    )
    with pytest.raises(LimitExceeded, match=r"more than 5,000 cells.*--max-cells"):
        jobs.imp(path, limits=Limits(max_cells=5000))
    lines = tmp_path / "many.jsonl"
    lines.write_text('{"name": "P"}\n' * 50)
    with pytest.raises(LimitExceeded, match=r"more than 10 rows"):
        jobs.imp(lines, limits=Limits(max_rows=10))
    assert jobs.imp(path, limits=Limits(max_cells=50_000)).created == 30


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_line_without_end_is_refused_in_flat_memory(jobs: Jobs, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"long.{fmt}"
    with path.open("w") as f:
        f.write("Name,Email\nAda,ada@x.io\n" if fmt == "csv" else '{"name": "Ada"}\n')
        f.write('{"name": "' if fmt == "jsonl" else "Bob,")
        for _ in range(64):
            f.write("b" * (1024 * 1024))
    tracemalloc.start()
    try:
        with open_source(path, fmt) as source, pytest.raises(LimitExceeded) as caught:
            for _ in source.rows:
                pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024, peak  # the file is 64 MiB
    line = 3 if fmt == "csv" else 2
    assert f"long.{fmt}, line {line}: longer than 1 MiB" in caught.value.message
    assert "--max-line" in caught.value.message
    with pytest.raises(LimitExceeded, match=r"Nothing was imported"):
        jobs.imp(path)
    assert jobs.records() == []


def test_a_quoted_record_is_bounded_as_a_whole(tmp_path: Path) -> None:
    path = tmp_path / "quoted.csv"
    path.write_text('Name,Notes\nAda,"' + "line\n" * 300 + '"\n')
    with (
        open_source(path, "csv", limits=Limits(max_line=1000)) as source,
        pytest.raises(LimitExceeded, match=r"line 2[0-9][0-9]: longer than 1,000 characters"),
    ):
        list(source.rows)
    with open_source(path, "csv", limits=Limits(max_line=2000)) as source:
        assert len(list(source.rows)) == 1


def test_sizes() -> None:
    assert parse_size("1MiB") == 1024 * 1024 and parse_size("200 MB") == 200_000_000
    assert parse_size("1_000") == 1000 and parse_size("2kb") == 2000
    with pytest.raises(ValueError, match=r"not a size"):
        parse_size("lots")


@sqlite_only
def test_cli_limits(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_text("Name\n" + "".join(f"P{i}\n" for i in range(20)))
    done = cli("import", "people", str(path), "-d", db_url, "--max-rows", "5", code=1)
    one_error(done, "more than 5 rows", "--max-rows", "ROLODEX_IMPORT_MAX_ROWS")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROLODEX_")}
    env["ROLODEX_IMPORT_MAX_LINE"] = "3"
    run = subprocess.run(
        [*COMMAND, "import", "people", str(path), "-d", db_url],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert run.returncode == 1 and "longer than 3 characters" in run.stderr, run.stderr
    done = cli("import", "people", str(path), "-d", db_url, "--max-line", "huge", code=2)
    one_error(done, "not a size")
    done = cli("import", "people", str(path), "-d", db_url, "--max-cells", "lots", code=2)
    one_error(done, "--max-cells takes a whole number")
    done = cli("import", "people", str(path), "-d", db_url, "--max-rows", "0", code=2)
    one_error(done, "--max-rows must be at least 1")
    assert "--max-unzipped" in cli("import", "--help").stdout

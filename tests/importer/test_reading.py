"""Reading messy files and mapping their columns: no database needed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rolodex.importer.mapping import Mapper, MappingError, from_cells, parse_maps
from rolodex.importer.reading import (
    BadLine,
    FileProblem,
    detect_format,
    open_source,
    sniff_delimiter,
)
from rolodex.kit.errors import ValidationError
from rolodex.metadata.registry import standard


def rows(path: Path, fmt: str = "csv", sheet: str | None = None) -> tuple[list[str], list]:
    with open_source(path, fmt, sheet) as src:
        return src.headers, list(src.rows)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_sniffed(tmp_path: Path, delimiter: str) -> None:
    d = delimiter
    text = f'name{d}email{d}jobTitle\n"Doe, John"{d}j@x.io{d}CTO\nAda{d}a@x.io{d}"a{d}b"\n'
    path = tmp_path / "p.csv"
    path.write_text(text)
    headers, got = rows(path)
    assert headers == ["name", "email", "jobTitle"]
    assert got == [(2, ["Doe, John", "j@x.io", "CTO"]), (3, ["Ada", "a@x.io", f"a{d}b"])]


def test_header_line_overrules_a_wrong_sniff() -> None:
    # Commas inside values must not win over the semicolons of the header.
    sample = "name;city\nDoe, John, Jr.;Paris, France\n"
    assert sniff_delimiter(sample) == ";"
    assert sniff_delimiter("email\na@x.io\n") == ","
    # one column whose values hold commas: they must not split
    assert sniff_delimiter("name\nDoe, John\nRoe, Jane\n") != ","


def test_bom_quoted_newlines_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(
        b'\xef\xbb\xbf Name ;Notes\r\n"Ada";"line one\r\nline two"\r\n\r\n;;\r\nGrace;"x ""q"""\r\n'
    )
    headers, got = rows(path)
    assert headers == ["Name", "Notes"]  # no BOM, no stray spaces
    # Row numbers count the header as row 1 and skip blank rows without renumbering.
    assert got == [(2, ["Ada", "line one\r\nline two"]), (5, ["Grace", 'x "q"'])]


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "p.txt"
    path.write_bytes("name\temail\nZoë\tz@x.io\n".encode("utf-16"))
    headers, got = rows(path)
    assert headers == ["name", "email"] and got == [(2, ["Zoë", "z@x.io"])]


def test_empty_and_header_only_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(FileProblem, match="empty"):
        open_source(empty, "csv")
    blank = tmp_path / "blank.csv"
    blank.write_text("\n \n")
    with pytest.raises(FileProblem, match="no header"):
        open_source(blank, "csv")
    header = tmp_path / "header.csv"
    header.write_text("name,email\n")
    assert rows(header) == (["name", "email"], [])


def test_binary_and_non_utf8_files_are_refused(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(os.urandom(4096) + b"\x00")
    with pytest.raises(FileProblem, match="not a text file"):
        open_source(garbage, "csv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("name\nJos\xe9\n".encode("latin-1"))
    with pytest.raises(FileProblem, match=r"not UTF-8 text \(byte 0xe9"):
        open_source(latin, "csv")
    zipped = tmp_path / "book.csv"
    zipped.write_bytes(b"PK\x03\x04\x14\x00\x00\x00")
    with pytest.raises(FileProblem, match="Excel"):
        open_source(zipped, "csv")
    with pytest.raises(FileProblem, match="No such file"):
        open_source(tmp_path / "missing.csv", "csv")


def test_formats_by_extension(tmp_path: Path) -> None:
    assert detect_format(Path("a.CSV")) == "csv"
    assert detect_format(Path("a.tsv")) == "csv"
    assert detect_format(Path("a.xlsx")) == "xlsx"
    assert detect_format(Path("a.ndjson")) == "jsonl"
    assert detect_format(Path("a.data")) == "csv"
    assert detect_format(Path("a.csv"), "jsonl") == "jsonl"
    with pytest.raises(FileProblem, match="xlsx"):
        detect_format(Path("old.xls"))
    with pytest.raises(FileProblem, match="JSON Lines"):
        detect_format(Path("a.json"))


def test_jsonl_lines(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"name": "Ada"}\n\n[1, 2]\n{oops\n{"name": "Grace"}\n')
    _, got = rows(path, "jsonl")
    assert got[0] == (1, {"name": "Ada"}) and got[3] == (5, {"name": "Grace"})
    assert isinstance(got[1][1], BadLine) and "not a JSON object" in got[1][1].reason
    assert isinstance(got[2][1], BadLine) and got[2][1].text == "{oops"


def test_xlsx_sheets_and_typed_cells(tmp_path: Path) -> None:
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    first.title = "People"
    first.append(["Name", "Employees", "Active", "Since", None])
    first.append(["Ada", 12, True, dt.date(2020, 1, 2), None])
    first.append([None, None, None, None, None])
    first.append(["Grace", 2.5, False, dt.datetime(2021, 3, 4, 5, 6), None])
    other = book.create_sheet("Companies")
    other.append(["name"])
    other.append(["Acme"])
    path = tmp_path / "book.xlsx"
    book.save(path)
    headers, got = rows(path, "xlsx")
    assert headers == ["Name", "Employees", "Active", "Since"]
    assert got[0] == (2, ["Ada", "12", "true", "2020-01-02T00:00:00", ""])
    assert got[1] == (4, ["Grace", "2.5", "false", "2021-03-04T05:06:00", ""])
    assert rows(path, "xlsx", "Companies") == (["name"], [(2, ["Acme"])])
    with pytest.raises(FileProblem, match=r"no sheet 'Nope'.*'People', 'Companies'"):
        open_source(path, "xlsx", "Nope")
    not_xlsx = tmp_path / "fake.xlsx"
    not_xlsx.write_text("name\nAda\n")
    with pytest.raises(FileProblem, match="not an Excel"):
        open_source(not_xlsx, "xlsx")


# -- mapping ------------------------------------------------------------------------------
def test_headers_map_by_normalised_name_label_and_alias() -> None:
    people = standard().object("people")
    m = Mapper(people)
    headers = ["First Name", "last_name", "E-MAIL", "Job title", "Phone Number", "Hobby", "id"]
    cols = m.columns([*headers, "createdAt", ""])
    assert [(i, f.name) for i, f in cols] == [
        (0, "firstName"),
        (1, "lastName"),
        (2, "email"),
        (3, "jobTitle"),
        (4, "phone"),
        (6, "id"),
    ]
    assert list(m.unknown) == ["Hobby"] and list(m.ignored) == ["createdAt"]


def test_map_overrides() -> None:
    people = standard().object("people")
    m = Mapper(people, parse_maps(["Courriel=email", "Notes=-", "Work = jobTitle"]))
    cols = m.columns(["Courriel", "Notes", "Work", "email"])
    # an explicit --map wins over a column that matches the field by name
    assert [(i, f.name) for i, f in cols] == [(0, "email"), (2, "jobTitle")]
    assert list(m.ignored) == ["Notes", "email"]
    with pytest.raises(MappingError, match="'Email' and 'email' both fill email"):
        Mapper(people).columns(["Email", "email"])
    with pytest.raises(MappingError, match="'A' and 'B' both fill email"):
        Mapper(people, {"A": "email", "B": "email"}).columns(["A", "B"])
    with pytest.raises(MappingError, match=r"no such column.*'Name'"):
        Mapper(people, {"Mail": "email"}).columns(["Name"])
    with pytest.raises(MappingError, match=r"no field 'emial'.*Did you mean 'email'"):
        Mapper(people, {"Mail": "emial"})
    with pytest.raises(MappingError, match="ids to companyId"):
        Mapper(people, {"Company": "company"})
    with pytest.raises(MappingError, match="createdAt cannot be imported"):
        Mapper(people, {"When": "createdAt"})
    with pytest.raises(ValueError, match="COLUMN=FIELD"):
        parse_maps(["email"])


def test_cells_convert_per_field_type() -> None:
    companies = standard().object("companies")
    m = Mapper(companies)
    headers = ["name", "employees", "tags", "website", "domain"]
    cols = m.columns(headers)
    data = from_cells(cols, 5, ["Acme", "1200", "b2b, saas", "", ""])
    assert data == {"name": "Acme", "employees": 1200, "tags": ["b2b", "saas"]}
    assert from_cells(cols, 5, ["Acme", "", '["x","y"]'])["tags"] == ["x", "y"]
    with pytest.raises(ValidationError, match="employees must be a number"):
        from_cells(cols, 5, ["Acme", "lots"])
    with pytest.raises(ValidationError, match="7 cells but the header only 5"):
        from_cells(cols, 5, ["Acme", "", "", "", "", "extra", ""])
    assert from_cells(cols, 5, ["Acme", "", "", "", "", "", " "]) == {"name": "Acme"}

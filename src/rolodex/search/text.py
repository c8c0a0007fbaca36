"""Text as the search index keeps it: folded (lowercase, without accents) and split into words.

Both databases are given text folded here, with ``unicodedata``, so they
agree on what matches: "Zoë" is stored as ``zoe``, and the query "ZOE" is
folded the same way before it is asked. A document is its words joined by
single spaces, which PostgreSQL's ``simple`` text search configuration and
SQLite's ``unicode61`` tokenizer both split back into the same words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from rolodex.kit.errors import ValidationError
from rolodex.metadata.model import FieldDef, ObjectDef

# Letters that do not decompose into a base letter and a mark.
_LETTERS = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"}
)
_WORD = re.compile(r"[^\W_]+")
# A document keeps at most this much text: a long note is found by its first
# pages, and one statement's parameters stay small.
MAX_DOCUMENT = 20_000
MAX_QUERY = 200
MAX_TERMS = 8


def fold(text: str) -> str:
    """``text`` lowercased, without accents: "Zoë Ærøskøbing" -> "zoe aeroskobing"."""
    if text.isascii():  # no accents to strip: 20 times faster for the usual name
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.translate(_LETTERS)


def words(text: str) -> list[str]:
    """The words of ``text``, folded: letters and digits, split at anything else."""
    return _WORD.findall(fold(text))


def searchable_fields(obj: ObjectDef) -> list[FieldDef]:
    """The fields of ``obj`` whose text the index keeps (standard ones, and custom
    text fields marked ``isSearchable``)."""
    fields = obj.cache.get("searchable")
    if fields is None:
        fields = obj.cache["searchable"] = [f for f in obj.fields.values() if f.searchable]
    return list(fields)


def stored_values(obj: ObjectDef, row: Mapping[str, Any]) -> dict[str, Any]:
    """The id and searchable values of a stored row (re-indexing, the migration's
    backfill): text columns as they are, custom values from the JSON document."""
    out: dict[str, Any] = {"id": row["id"]}
    custom: Any = None
    for f in searchable_fields(obj):
        if f.column is not None:
            # A column a later migration adds is absent from an older row (0013's backfill).
            # (``in`` on a sqlite3.Row looks at values, so its keys are asked.)
            out[f.name] = row[f.column] if f.column in row.keys() else None  # noqa: SIM118
            continue
        if custom is None:
            raw = row["custom"]
            custom = (orjson.loads(raw) if isinstance(raw, str | bytes) else raw) or {}
        out[f.name] = custom.get(f.name)
    return out


@dataclass(frozen=True, slots=True)
class Document:
    """One record's entry in the index."""

    record_id: str
    label: str
    label_words: str
    body: str


def label_of(obj: ObjectDef, record: dict[str, Any]) -> str:
    """What names the record in a hit: its label field, else its first searchable text."""
    value = record.get(obj.label_field)
    if isinstance(value, str) and value.strip():
        return value.strip()[:200]
    for f in searchable_fields(obj):
        other = record.get(f.name)
        if isinstance(other, str) and other.strip():
            return other.strip()[:200]
    return ""


def document(obj: ObjectDef, record: dict[str, Any]) -> Document:
    """The index entry of ``record`` (as the API shows it) of ``obj``."""
    parts: list[str] = []
    size = 0
    for f in searchable_fields(obj):
        value = record.get(f.name)
        if not isinstance(value, str) or not value:
            continue
        text = " ".join(words(value[: MAX_DOCUMENT * 2]))
        parts.append(text)
        size += len(text) + 1
        if size >= MAX_DOCUMENT:
            break
    label = label_of(obj, record)
    body = " ".join(parts)
    if len(body) > MAX_DOCUMENT:
        body = body[:MAX_DOCUMENT].rsplit(" ", 1)[0]
    return Document(str(record["id"]), label, " ".join(words(label)), body)


@dataclass(frozen=True, slots=True)
class Terms:
    """A query's words: each must begin a word of the document."""

    words: tuple[str, ...]

    @property
    def whole(self) -> str:
        return " ".join(self.words)


def parse_query(raw: Any) -> Terms:
    """The words of a search query; a 400 when there are none or too many characters."""
    if not isinstance(raw, str) or not raw.strip():
        raise ValidationError("query is required: the text to search for", field="query")
    if len(raw) > MAX_QUERY:
        raise ValidationError(
            f"query is at most {MAX_QUERY} characters, got {len(raw)}", field="query"
        )
    found = words(raw)
    if not found:
        raise ValidationError("query holds no letters or digits to search for", field="query")
    unique: list[str] = []
    for w in found:
        if w not in unique:
            unique.append(w)
    return Terms(tuple(unique[:MAX_TERMS]))

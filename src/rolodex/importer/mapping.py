"""Which column of an import file fills which field, and turning a row into a record.

Headers match fields by name or label, ignoring case, spaces, dashes, dots and
underscores (``First name``, ``first_name`` and ``FIRSTNAME`` all mean
``firstName``), plus a few common aliases. ``--map "Column=field"`` overrides
that and ``--map "Column=-"`` drops a column. Columns naming no field are
reported and skipped; columns naming read-only fields (``createdAt`` in an
export) are skipped too, so an export imports as it is.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from rolodex.kit.errors import BadRequest, ValidationError
from rolodex.kit.ids import parse_uuid
from rolodex.metadata.model import FieldDef, FieldType, ObjectDef, suggest
from rolodex.metadata.types import kind
from rolodex.records import twenty

if TYPE_CHECKING:
    from rolodex.importer.reading import Source

IGNORE = "-"
NO_FIELD = "the row sets no field (its cells are empty or in columns that fill no field)"
PEEK = 100  # JSON Lines lines read to find the first object, which stands for a header
_SEPARATORS = re.compile(r"[\s_\-.]+")
# Common spreadsheet headers that name a field differently; used when the field exists.
ALIASES = {
    "emailaddress": "email",
    "mail": "email",
    "fullname": "name",
    "phonenumber": "phone",
    "telephone": "phone",
    "title": "jobTitle",
    "url": "website",
}


class MappingError(BadRequest):
    """A ``--map`` that names no column or field, or two columns filling one field."""


def normalise(name: str) -> str:
    return _SEPARATORS.sub("", name).lower()


def parse_maps(items: Iterable[str]) -> dict[str, str]:
    """``["E-mail=email", "Notes=-"]`` as ``{"E-mail": "email", "Notes": "-"}``.

    Raises ``ValueError`` (a usage error) for an item without ``=``.
    """
    out: dict[str, str] = {}
    for item in items:
        column, sep, target = item.rpartition("=")
        if not sep or not column.strip() or not target.strip():
            raise ValueError(f"--map takes COLUMN=FIELD or COLUMN=-, not {item!r}")
        out[column.strip()] = target.strip()
    return out


def writable(f: FieldDef) -> bool:
    """Whether an import may set ``f`` (the record id included)."""
    return f.name == "id" or (f.stored and not f.read_only and not f.system)


class Mapper:
    """Headers (or JSON keys) to fields for one object, with what was skipped and why."""

    def __init__(self, obj: ObjectDef, overrides: dict[str, str] | None = None) -> None:
        self.obj = obj
        self.unknown: dict[str, None] = {}  # ordered sets
        self.ignored: dict[str, None] = {}
        self._cache: dict[str, FieldDef | None] = {}
        self._by_norm: dict[str, FieldDef] = {}
        for f in obj.fields.values():
            self._by_norm[normalise(f.label)] = f
        for f in obj.fields.values():  # a name wins over another field's label
            self._by_norm[normalise(f.name)] = f
        for alias, target in ALIASES.items():
            if alias not in self._by_norm and target in obj.fields:
                self._by_norm[alias] = obj.fields[target]
        self.overrides: dict[str, FieldDef | None] = {}
        for column, target in (overrides or {}).items():
            self.overrides[column] = None if target == IGNORE else self._target(column, target)

    def _target(self, column: str, target: str) -> FieldDef:
        f = self.obj.fields.get(target) or self._by_norm.get(normalise(target))
        if f is None:
            names = [g.name for g in self.obj.fields.values() if writable(g)]
            raise MappingError(
                f"--map {column}={target}: {self.obj.plural} have no field {target!r}."
                f"{suggest(target, names)}"
            )
        if not writable(f):
            hint = ""
            if f.relation is not None:
                hint = f"; map a column of ids to {f.relation.join_field} instead"
            raise MappingError(f"--map {column}={target}: {f.name} cannot be imported{hint}.")
        return f

    def lookup(self, name: str) -> FieldDef | None:
        """The field ``name`` names, without noting anything."""
        found = self.obj.fields.get(name) or self._by_norm.get(normalise(name))
        if found is None and "." in name:
            found = self.sub_field(name)
        return found

    def sub_field(self, name: str) -> FieldDef | None:
        """A column of one sub-field of a composite field (``address.addressCity``, as
        Twenty exports them; its paths are taken too): a TEXT or NUMBER stand-in
        named by the path, which ``from_cells`` puts back together."""
        path = twenty.query_in(self.obj.plural, name.strip())
        if "." not in path:
            return self.obj.fields.get(path)
        head, _, part = path.partition(".")
        f = self.obj.fields.get(head)
        if f is None or not writable(f):
            return None
        as_type = kind(f).filter_parts().get(part)
        if as_type is None:
            return None
        return FieldDef(f"{f.name}.{part}", as_type, f"{f.label} {part}")

    def field(self, header: str) -> FieldDef | None:
        """The field ``header`` fills, or None (noting the column as unknown or ignored)."""
        if header in self._cache:
            return self._cache[header]
        found: FieldDef | None
        if header in self.overrides:
            found = self.overrides[header]
            if found is None:
                self.ignored[header] = None
        else:
            found = self.lookup(header)
            if found is None:
                self.unknown[header] = None
            elif not writable(found):
                self.ignored[header] = None
                found = None
        self._cache[header] = found
        return found

    def columns(self, headers: list[str]) -> list[tuple[int, FieldDef]]:
        """The (column index, field) pairs of a header row; a field filled twice is an error."""
        for column in self.overrides:
            if column not in headers:
                raise MappingError(
                    f"--map names the column {column!r}, but the file has no such column; "
                    f"its columns are: {', '.join(repr(h) for h in headers if h)}."
                )
        out: list[tuple[int, FieldDef]] = []
        taken: dict[str, str] = {}
        # A field named by --map is filled from that column alone; a column that
        # would have matched it by name is skipped (and reported).
        chosen = {f.name for f in self.overrides.values() if f is not None}
        for i, header in enumerate(headers):
            if not header:
                continue  # a column without a header holds nothing we can name
            f = self.field(header)
            if f is None:
                continue
            if f.name in chosen and header not in self.overrides:
                self.ignored[header] = None
                continue
            if f.name in taken:
                raise MappingError(
                    f"The columns {taken[f.name]!r} and {header!r} both fill {f.name}; "
                    f'drop one with --map "{header}=-".'
                )
            taken[f.name] = header
            out.append((i, f))
        return out


def _value(f: FieldDef, text: str) -> Any:
    """A cell's text as the API takes the field's value (None: leave the field unset)."""
    if not text.strip():
        return None
    if f.name == "id" or f.type is FieldType.UUID:
        return str(parse_uuid(text.strip(), field=f.name))
    k = kind(f)
    value = k.from_string(f, text)
    return None if value is None else k.to_json(value)


def from_cells(columns: list[tuple[int, FieldDef]], width: int, cells: list[str]) -> dict[str, Any]:
    """A CSV or Excel row as a record body; a cell that does not convert is a 400."""
    if len(cells) > width and any(c.strip() for c in cells[width:]):
        raise ValidationError(f"the row has {len(cells)} cells but the header only {width}")
    data: dict[str, Any] = {}
    for i, f in columns:
        if i < len(cells):
            value = _value(f, cells[i])
            if value is not None:
                if "." in f.name:  # a composite field's sub-field column
                    head, _, part = f.name.partition(".")
                    data.setdefault(head, {})[part] = value
                else:
                    data[f.name] = value
    return data


def from_object(mapper: Mapper, item: dict[str, Any]) -> dict[str, Any]:
    """A JSON Lines object as a record body: keys mapped, values as given (null: unset)."""
    data: dict[str, Any] = {}
    source: dict[str, str] = {}
    for key, value in item.items():
        f = mapper.field(key)
        if f is None or value is None:
            continue
        if f.name in source:
            raise ValidationError(f"the keys {source[f.name]!r} and {key!r} both fill {f.name}")
        source[f.name] = key
        data[f.name] = value
    return data


def _names(items: Iterable[str], limit: int = 12) -> str:
    shown = [repr(n if len(n) <= 40 else n[:37] + "...") for n in itertools.islice(items, limit)]
    return ", ".join(shown) or "none"


def _refusal(mapper: Mapper, source: Source, found: str, columns: Iterable[str]) -> MappingError:
    obj = mapper.obj
    fields = [f.name for f in obj.fields.values() if writable(f) and f.name != "id"]
    return MappingError(
        f"Nothing imported: no {found} of {source.path.name} fills a field of {obj.plural}. "
        f"Its {found}s: {_names(columns)}. {obj.plural.capitalize()} have the fields: "
        f'{_names(fields, 40)}. Name {found}s after fields, or map them with --map "NAME=field".'
    )


def check_columns(source: Source, mapper: Mapper, columns: list[tuple[int, FieldDef]]) -> None:
    """Refuse a CSV or Excel file whose header fills no field (an id alone fills none)."""
    if not any(f.name != "id" for _, f in columns):
        raise _refusal(mapper, source, "column", [h for h in source.headers if h])


def check_objects(source: Source, mapper: Mapper) -> Iterator[tuple[int, Any]]:
    """The rows of a JSON Lines file, once its first object is known to fill a field.

    JSON Lines has no header: its first object stands for one. A file none of
    whose first lines is a JSON object is not JSON Lines at all.
    """
    from rolodex.importer.reading import FileProblem

    ahead: list[tuple[int, Any]] = []
    for number, raw in source.rows:
        ahead.append((number, raw))
        if isinstance(raw, dict):
            if not any((f := mapper.field(k)) is not None and f.name != "id" for k in raw):
                raise _refusal(mapper, source, "key", list(raw))
            break
        if len(ahead) >= PEEK:
            break
    if ahead and not isinstance(ahead[-1][1], dict):
        raise FileProblem(
            f"Nothing imported: {source.path.name} is not JSON Lines; none of its first "
            f"{len(ahead)} lines is a JSON object."
        )
    return itertools.chain(ahead, source.rows)

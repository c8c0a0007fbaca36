"""The shapes the registry is made of: objects, fields and relations."""

from __future__ import annotations

import difflib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from rolodex.kit.errors import NotFound
from rolodex.kit.show import shown


class FieldType(StrEnum):
    UUID = "UUID"
    TEXT = "TEXT"
    NUMBER = "NUMBER"
    BOOLEAN = "BOOLEAN"
    DATE = "DATE"
    DATE_TIME = "DATE_TIME"
    SELECT = "SELECT"
    MULTI_SELECT = "MULTI_SELECT"
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    LINK = "LINK"
    CURRENCY = "CURRENCY"
    RATING = "RATING"
    JSON = "JSON"
    ARRAY = "ARRAY"
    ACTOR = "ACTOR"
    RELATION = "RELATION"
    # Composite types (metadata/fieldtypes/composite.py), in Twenty's shapes.
    FULL_NAME = "FULL_NAME"
    EMAILS = "EMAILS"
    PHONES = "PHONES"
    LINKS = "LINKS"
    ADDRESS = "ADDRESS"


class RelationKind(StrEnum):
    MANY_TO_ONE = "MANY_TO_ONE"
    ONE_TO_MANY = "ONE_TO_MANY"


class OnDelete(StrEnum):
    """What happens to referencing records when the record they point at goes."""

    SET_NULL = "SET_NULL"
    CASCADE = "CASCADE"


class Behaviour(StrEnum):
    """Something an object does beyond keeping its fields, declared on its definition.

    The record service, its lifecycle, the importer and the webhook catalogue
    ask the definition (``Behaviour.COMPLETION in obj.behaviours``), never the
    object's name. The standard objects declare theirs in metadata/standard.py;
    a custom object has none.
    """

    # ``name`` is kept equal to ``firstName + " " + lastName`` (records/rules.py).
    FULL_NAME = "fullName"
    # ``status`` reaching DONE sets ``completedAt`` (cleared when reopened) and
    # emits ``<object>.completed`` (records/rules.py, records/service.py).
    COMPLETION = "completion"
    # Consents are given and withdrawn on its records; its read-only
    # ``consents`` field lists those in force (consent/service.py).
    CONSENT = "consent"


@dataclass(frozen=True, slots=True)
class Mirror:
    """A flat field and a composite field that hold one value in two shapes
    (a person's ``email`` and ``emails.primaryEmail``): a write of either sets
    both (records/mirrors.py). ``form`` names the conversion: ``part`` (the
    composite's ``part`` is the flat value), ``phone``, ``domain`` or ``address``."""

    flat: str
    composite: str
    form: str
    part: str = ""


@dataclass(frozen=True, slots=True)
class Owned:
    """Rows of another table (kit/tables.py) that belong to a record: they go
    with it when it is deleted for good (a person's consents), and stay while
    it is only soft-deleted."""

    table: str
    column: str  # the column holding the record's id


@dataclass(frozen=True, slots=True)
class Relation:
    kind: RelationKind
    target: str  # singular name of the object on the other side
    join_field: str  # MANY_TO_ONE: our id field; ONE_TO_MANY: the target's id field
    inverse: str | None = None
    on_delete: OnDelete = OnDelete.SET_NULL


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str
    color: str | None = None


@dataclass(frozen=True, slots=True)
class FieldDef:
    """One field of an object: how it is named, typed, stored and exposed."""

    name: str
    type: str  # a FieldType, or the name of a type registered in metadata/fieldtypes
    label: str
    column: str | None = None  # None: kept in the record's JSON ``custom`` column
    description: str = ""
    nullable: bool = True
    required: bool = False  # must be given on create
    unique: bool = False
    indexed: bool = False
    # Its text is kept in the search index (search/): standard name, email and
    # text fields, and custom text fields marked ``isSearchable``.
    searchable: bool = False
    read_only: bool = False
    system: bool = False  # id, createdAt, ...: managed by Rolodex
    is_custom: bool = False
    default: Any = None
    options: tuple[Option, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    relation: Relation | None = None
    id: uuid.UUID | None = None

    @property
    def stored(self) -> bool:
        return self.type is not FieldType.RELATION

    @property
    def option_values(self) -> tuple[str, ...]:
        return tuple(o.value for o in self.options)


@dataclass(eq=False)
class ObjectDef:
    """One kind of record (person, company, ...) and everything known about it."""

    name: str  # singular, camelCase: "person"
    plural: str  # "people"
    label: str
    label_plural: str
    table: str
    fields: dict[str, FieldDef]
    description: str = ""
    is_custom: bool = False
    unique_keys: tuple[str, ...] = ()  # fields ``upsert`` matches on, in order
    label_field: str = "name"  # the field that names a record in summaries
    id: uuid.UUID | None = None
    behaviours: frozenset[Behaviour] = frozenset()
    owned: tuple[Owned, ...] = ()  # rows elsewhere deleted with a record (see ``Owned``)
    mirrors: tuple[Mirror, ...] = ()  # flat and composite forms of one value (see ``Mirror``)
    # Keys of deactivated custom fields: their values stay in the records'
    # custom documents until the field is purged, but are not shown.
    hidden_keys: tuple[str, ...] = ()
    # Things derived from this definition (its table, its serialiser), built once.
    cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def field(self, name: str) -> FieldDef | None:
        return self.fields.get(name)

    @property
    def stored_fields(self) -> Iterable[FieldDef]:
        return (f for f in self.fields.values() if f.stored)

    @property
    def custom_keys(self) -> tuple[str, ...]:
        """The keys of the active custom values in a record's custom document."""
        keys = self.cache.get("custom_keys")
        if keys is None:
            keys = self.cache["custom_keys"] = tuple(
                f.name for f in self.stored_fields if f.column is None
            )
        return keys

    @property
    def relations(self) -> Iterable[FieldDef]:
        return (f for f in self.fields.values() if f.relation is not None)

    @property
    def cap(self) -> str:
        return self.name[:1].upper() + self.name[1:]

    @property
    def cap_plural(self) -> str:
        return self.plural[:1].upper() + self.plural[1:]


# How alike a name and a candidate must be (difflib's ratio) to be suggested:
# below this, "persn" was answered "members", which helps nobody.
CUTOFF = 0.6


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like ``name`` (ignoring case), if any is alike enough."""
    by_lower: dict[str, str] = {}
    for c in candidates:
        by_lower.setdefault(c.lower(), c)
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=CUTOFF)
    return by_lower[close[0]] if close else None


def suggest(name: str, candidates: Iterable[str]) -> str:
    close = closest(name, candidates)
    return f" Did you mean '{close}'?" if close else ""


def unknown_object(name: str, objects: Iterable[ObjectDef | str]) -> NotFound:
    """A 404 for an unknown object name, suggesting the closest object.

    Names are compared with every object's singular and plural, and the
    suggestion is the plural (the form a REST path takes).
    """
    plural_of: dict[str, str] = {}
    for o in objects:
        if isinstance(o, ObjectDef):
            plural_of.setdefault(o.plural.lower(), o.plural)
            plural_of.setdefault(o.name.lower(), o.plural)
        else:
            plural_of.setdefault(o.lower(), o)
    close = closest(name, plural_of)
    hint = f" Did you mean '{plural_of[close]}'?" if close else ""
    known = ", ".join(sorted(set(plural_of.values())))
    return NotFound(
        f"Unknown object {shown(name)}.{hint} Objects are: {known}.",
        field="object",
        object=name[:100],
    )

"""The field types: one module per type, and the registry of them.

Every consumer (validation, SQL, serialisers, GraphQL, OpenAPI, the webhook
catalogue, the metadata API) asks a field's kind, ``kind(f)``; none keeps a
table of types of its own. ``register`` checks a type's facts (see
``base.REQUIRED``) so a type that lacks one fails at import, and every
``FieldType`` must have a registered kind. ``version`` changes with each
registration, so what is compiled from the types (records' validator plans)
is rebuilt.
"""

from __future__ import annotations

from typing import Any

from rolodex.kit.errors import ValidationError
from rolodex.metadata.fieldtypes.actor import ActorKind
from rolodex.metadata.fieldtypes.address import AddressKind
from rolodex.metadata.fieldtypes.base import MAX_SAFE_INT, FieldKind, check, js_number
from rolodex.metadata.fieldtypes.boolean import BooleanKind
from rolodex.metadata.fieldtypes.contacts import EmailsKind, LinksKind, PhonesKind
from rolodex.metadata.fieldtypes.currency import CurrencyKind
from rolodex.metadata.fieldtypes.date_time import DateKind, DateTimeKind
from rolodex.metadata.fieldtypes.ids import UuidKind
from rolodex.metadata.fieldtypes.json import JsonKind, js_json
from rolodex.metadata.fieldtypes.lists import ArrayKind, MultiSelectKind
from rolodex.metadata.fieldtypes.names import FullNameKind
from rolodex.metadata.fieldtypes.number import NumberKind, RatingKind
from rolodex.metadata.fieldtypes.relation import RelationKind
from rolodex.metadata.fieldtypes.select import SelectKind
from rolodex.metadata.fieldtypes.text import EmailKind, LinkKind, PhoneKind, TextKind
from rolodex.metadata.model import FieldDef, FieldType

Kind = FieldKind
KINDS: dict[str, FieldKind] = {}
_state = {"version": 0}


def version() -> int:
    """Changes whenever a type is registered or removed."""
    return _state["version"]


def register(k: FieldKind) -> FieldKind:
    """Add a field type; a type that lacks a fact, or whose name is taken, is refused."""
    check(k)
    if k.type in KINDS:
        raise TypeError(f"Field type {k.type} is already registered")
    if k.graphql_filter is not None:
        name, scalar = k.graphql_filter
        # Filter inputs are built once per name: types sharing one must agree on it.
        for other in KINDS.values():
            spec = other.graphql_filter
            if spec is None or spec[0] != name:
                continue
            if spec[1] is not scalar or other.ops != k.ops:
                raise TypeError(
                    f"Field type {k.type} shares the GraphQL filter {name} with "
                    f"{other.type} but not its operators and operand"
                )
    KINDS[k.type] = k
    _state["version"] += 1
    return k


def unregister(name: str) -> None:
    """Remove a type registered with ``register`` (tests that define their own)."""
    if name in set(FieldType):
        raise TypeError(f"{name} is a built-in field type")
    del KINDS[name]
    _state["version"] += 1


def kind(f: FieldDef) -> FieldKind:
    return KINDS[f.type]


def parse(name: Any) -> str:
    """A stored or requested type name as a field's ``type``: the ``FieldType`` member
    for built-in types, the name for registered ones; a 400 for any other."""
    if isinstance(name, str):
        upper = name.upper()
        if upper in KINDS:
            return FieldType(upper) if upper in _BUILTIN else upper
    raise ValidationError(f"Unknown field type {name!r}", field="type")


def custom_types() -> list[str]:
    """The types a custom field may have, sorted."""
    return sorted(t for t, k in KINDS.items() if k.custom)


_BUILTIN = frozenset(t.value for t in FieldType)
for _k in (
    TextKind(),
    EmailKind(),
    PhoneKind(),
    LinkKind(),
    NumberKind(),
    RatingKind(),
    BooleanKind(),
    DateTimeKind(),
    DateKind(),
    SelectKind(),
    UuidKind(),
    JsonKind(),
    ArrayKind(),
    MultiSelectKind(),
    CurrencyKind(),
    ActorKind(),
    RelationKind(),
    FullNameKind(),
    EmailsKind(),
    PhonesKind(),
    LinksKind(),
    AddressKind(),
):
    register(_k)
_missing = _BUILTIN - set(KINDS)
if _missing:
    raise TypeError(f"Field types without a kind: {', '.join(sorted(_missing))}")

__all__ = [
    "KINDS",
    "MAX_SAFE_INT",
    "FieldKind",
    "Kind",
    "custom_types",
    "js_json",
    "js_number",
    "kind",
    "parse",
    "register",
    "unregister",
    "version",
]

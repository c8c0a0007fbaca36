"""Field types: each knows how to validate, store, read, filter and describe itself.

One ``Kind`` per ``FieldType``: scalar kinds in ``scalar_types``, JSON-document
kinds (lists, objects) in ``doc_types``. Standard fields live in typed columns
and custom fields in the record's JSON ``custom`` column; a kind gives the SQL
expression for either, so filters and ordering treat both alike.
"""

from __future__ import annotations

from rolodex.metadata.doc_types import (
    ActorKind,
    ArrayKind,
    CurrencyKind,
    JsonKind,
    MultiSelectKind,
    js_json,
)
from rolodex.metadata.model import FieldDef, FieldType
from rolodex.metadata.scalar_types import (
    MAX_SAFE_INT,
    BooleanKind,
    DateKind,
    DateTimeKind,
    EmailKind,
    Kind,
    LinkKind,
    NumberKind,
    PhoneKind,
    RatingKind,
    RelationKind,
    SelectKind,
    TextKind,
    UuidKind,
    js_number,
)

KINDS: dict[FieldType, Kind] = {
    k.type: k
    for k in (
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
    )
}


def kind(f: FieldDef) -> Kind:
    return KINDS[f.type]


__all__ = ["KINDS", "MAX_SAFE_INT", "FieldType", "Kind", "js_json", "js_number", "kind"]

"""The parts of GraphQL schemas that many schemas can hold: built once, shared while used.

A schema is rebuilt per metadata *shape*, yet most of it is the same from one
shape to the next: an object's input types (create, update, filter, order)
and its fields' GraphQL fields depend on that object's own fields only, and
a standard field is the same in every workspace. So these are built once
and shared: per field (a ``GraphQLField`` / ``GraphQLInputField`` per field
signature) and per object (``ObjectParts``: its named input types, root
field arguments and resolvers, per object signature). What a schema builds
for itself is what refers to its other objects: output types (a relation
field names its target's type), edges, connections and root fields.

Shared parts are held weakly: a part lives while a schema that uses it does
(schemas keep their ``ObjectParts`` in their extensions), so what is shared
is bounded by the schema cache, not by the number of workspaces ever seen.
graphql-core's types are plain objects that schemas only read; nothing here
or in the executor writes to a shared part except ``fast.py``'s per-type
plans, which are derived from the type itself and so the same in every schema.

Measured with 1,000 schemas of 3 distinct custom fields on people, start-up
heap frozen: 1,776,009 objects tracked, a 917 ms full collection and 364 MB
before; 463,985 objects, 108 ms and 90 MB with these parts shared
(docs/performance.md, "How cost grows"; bench/tenants.py).
"""

from __future__ import annotations

import logging
import os
import re
import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLField,
    GraphQLID,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLString,
)

from rolodex.api.graphql import aggregates as a
from rolodex.api.graphql import bulk as b
from rolodex.api.graphql import resolvers as r
from rolodex.api.graphql import types as t
from rolodex.auth.scopes import Scope
from rolodex.kit.errors import ValidationError
from rolodex.metadata.model import FieldDef, ObjectDef, RelationKind
from rolodex.records.ordering import order_fields
from rolodex.records.query import CountMode, Order

log = logging.getLogger("rolodex.graphql")

_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")
T = TypeVar("T")
# Everything shared, by key; values vanish with the last schema that holds them.
_shared: weakref.WeakValueDictionary[tuple[Any, ...], Any] = weakref.WeakValueDictionary()
_lock = threading.RLock()
# ROLODEX_GRAPHQL_SHARED_PARTS=0: every schema builds all its parts, as before
# they were shared (bench/tenants.py measures both in one run).
SHARE = os.environ.get("ROLODEX_GRAPHQL_SHARED_PARTS", "1") != "0"


def shared(key: tuple[Any, ...], make: Callable[[], T]) -> T:
    """The live part under ``key``, or a new one from ``make``."""
    if not SHARE:
        return make()
    with _lock:  # reentrant: an object's parts make its fields' parts
        got = _shared.get(key)
        if got is None:
            got = make()
            _shared[key] = got
        return got


def live_parts() -> int:
    """How many shared parts are alive (tests and benches)."""
    return len(_shared)


def nn(x: Any) -> Any:
    return GraphQLNonNull(x)


def _list_of(x: Any) -> Any:
    return GraphQLNonNull(GraphQLList(GraphQLNonNull(x)))


def exposed(f: FieldDef) -> bool:
    """Whether ``f`` can appear in the schema: GraphQL names are stricter than ours."""
    ok = bool(_NAME.match(f.name)) and not f.name.startswith("__")
    if not ok:
        log.warning("Field %r is not a valid GraphQL name; it is left out of the schema", f.name)
    return ok


def orderable(obj: ObjectDef, f: FieldDef) -> bool:
    try:
        order_fields(obj, (Order(f.name),))
    except ValidationError:
        return False
    return True


def field_sig(f: FieldDef) -> tuple[Any, ...]:
    """Everything about a field its GraphQL parts are made of (not its id)."""
    rel = f.relation
    return (
        f.name,
        f.type,
        f.label,
        f.description,
        f.nullable,
        f.read_only,
        f.system,
        f.is_custom,
        f.stored,
        f.settings.get("decimals"),
        (rel.kind, rel.target, rel.join_field) if rel else None,
    )


def object_sig(obj: ObjectDef) -> tuple[Any, ...]:
    return (obj.name, obj.plural, obj.description, tuple(field_sig(f) for f in obj.fields.values()))


def _output_field(f: FieldDef, sig: tuple[Any, ...]) -> GraphQLField | None:
    gql = t.output_type(f)
    if gql is None:
        return None
    text = f.description or f.label
    return shared((GraphQLField, sig), lambda: GraphQLField(gql, description=text))


def _input_field(f: FieldDef, sig: tuple[Any, ...]) -> GraphQLInputField | None:
    gql = t.input_type(f)
    if gql is None:
        return None
    text = f.description or f.label
    return shared((GraphQLInputField, sig), lambda: GraphQLInputField(gql, description=text))


def filter_field(op_type: GraphQLInputObjectType) -> GraphQLInputField:
    return shared((GraphQLInputObjectType, op_type.name), lambda: GraphQLInputField(op_type))


ORDER_FIELD = GraphQLInputField(t.OrderByDirection)
_NEW_ID = GraphQLInputField(GraphQLID, description="Choose the new record's id.")
_UPSERT = GraphQLArgument(GraphQLBoolean, description="Update a match on a unique key.")
BY_ID = {"id": GraphQLArgument(nn(GraphQLID))}
# How a root list counts ``totalCount``, as REST's ``?count=`` (records/counting.py).
COUNT_MODE = GraphQLEnumType(
    "CountMode",
    {
        "ESTIMATE": GraphQLEnumValue(
            CountMode.ESTIMATE,
            description="Exact up to the count bound (ROLODEX_COUNT_LIMIT), estimated beyond.",
        ),
        "EXACT": GraphQLEnumValue(CountMode.EXACT, description="Every match, however many."),
        "NONE": GraphQLEnumValue(CountMode.NONE, description="No count: totalCount is null."),
    },
    description="How totalCount is counted; totalCountIsExact says what came out.",
)
PAGING = {
    "first": GraphQLArgument(GraphQLInt),
    "after": GraphQLArgument(GraphQLString),
    "last": GraphQLArgument(GraphQLInt),
    "before": GraphQLArgument(GraphQLString),
    "count": GraphQLArgument(COUNT_MODE, default_value=CountMode.ESTIMATE),
}
NESTED_FIRST = {"first": GraphQLArgument(GraphQLInt)}


class Records:
    """The root fields' resolvers of one object, by its name."""

    __slots__ = (
        "__weakref__",
        "create_many",
        "create_one",
        "delete",
        "delete_many",
        "destroy_many",
        "duplicates",
        "get",
        "group_by",
        "list",
        "merge_many",
        "restore",
        "soft_delete",
        "update_many",
        "update_one",
    )

    def __init__(self, name: str) -> None:
        read, write = Scope.RECORD_READ, Scope.RECORD_WRITE
        self.list = r.guarded(read, r.list_records(name))
        self.get = r.guarded(read, r.get_record(name))
        self.create_one = r.guarded(write, r.create_one(name))
        self.create_many = r.guarded(write, r.create_many(name))
        self.update_one = r.guarded(write, r.update_one(name))
        self.delete = r.guarded(write, r.delete_one(name))
        self.soft_delete = r.guarded(write, r.delete_one(name, soft=True))
        self.restore = r.guarded(write, r.restore_one(name))
        self.group_by = r.guarded(read, a.group_by(name))
        self.update_many = r.guarded(write, b.update_many(name))
        self.delete_many = r.guarded(write, b.delete_many(name, soft=True))
        self.destroy_many = r.guarded(write, b.delete_many(name, soft=False))
        self.merge_many = r.guarded(write, b.merge_many(name))
        self.duplicates = r.guarded(read, b.list_duplicates(name))


class ObjectParts:
    """What one object adds to any schema that holds it, apart from its output types
    and its list inputs (``ListParts``)."""

    __slots__ = (
        "__weakref__",
        "aggregates",
        "create",
        "create_args",
        "custom_fields",
        "fields",
        "group_input",
        "group_type",
        "many_args",
        "records",
        "relations",
        "update",
        "update_args",
    )

    def __init__(self, obj: ObjectDef) -> None:
        sigs = {name: field_sig(f) for name, f in obj.fields.items()}
        ok = {name for name, f in obj.fields.items() if exposed(f)}
        # Plain fields' output fields; relation fields are made per schema.
        self.fields: dict[str, GraphQLField] = {}
        for name, f in obj.fields.items():
            if name in ok and f.relation is None:
                out = _output_field(f, sigs[name])
                if out is not None:
                    self.fields[name] = out
        self.custom_fields = (
            None
            if "customFields" in obj.fields
            else GraphQLField(_list_of(t.CustomFieldValue), resolve=r.custom_fields(obj.name))
        )
        self.create = self._write_input(obj, sigs, ok, creating=True)
        self.update = self._write_input(obj, sigs, ok, creating=False)
        self.create_args = {"data": GraphQLArgument(nn(self.create)), "upsert": _UPSERT}
        self.many_args = {"data": GraphQLArgument(_list_of(self.create)), "upsert": _UPSERT}
        self.update_args = {**BY_ID, "data": GraphQLArgument(nn(self.update))}
        # Twenty's aggregate fields of the connection, and the group-by root field's parts.
        made = a.aggregate_fields(obj, ok)
        self.aggregates: dict[str, GraphQLField] = {n: gql for n, (_, _, gql) in made.items()}
        self.group_input = a.group_input(obj, ok)
        self.group_type = a.group_type(obj, made) if self.group_input is not None else None
        # The record resolvers depend on the object's name only.
        self.records = shared((Records, obj.name), lambda: Records(obj.name))
        # Relation resolvers depend on the relation only; their fields on the schema.
        self.relations: dict[str, tuple[Any, ...]] = {}
        for fname, f in obj.fields.items():
            rel = f.relation
            if rel is None or fname not in ok:
                continue
            if rel.kind is RelationKind.MANY_TO_ONE:
                self.relations[fname] = (r.to_one(rel.target, rel.join_field),)
            else:
                self.relations[fname] = (
                    r.to_many(rel.target, rel.join_field, as_list=False),
                    r.to_many(rel.target, rel.join_field, as_list=True),
                )

    @staticmethod
    def _write_input(
        obj: ObjectDef, sigs: dict[str, Any], ok: set[str], *, creating: bool
    ) -> GraphQLInputObjectType:
        fields: dict[str, GraphQLInputField] = {"id": _NEW_ID} if creating else {}
        for name, f in obj.fields.items():
            made = _input_field(f, sigs[name]) if name in ok else None
            if made is not None:
                fields[name] = made
        if "customFields" not in obj.fields:
            fields["customFields"] = _CUSTOM_FIELDS_IN
        return GraphQLInputObjectType(f"{obj.cap}{'Create' if creating else 'Update'}Input", fields)


_CUSTOM_FIELDS_IN = GraphQLInputField(
    GraphQLList(nn(t.CustomFieldInput)), description="Custom field values by field name or id."
)


def object_parts(obj: ObjectDef) -> ObjectParts:
    """``obj``'s parts, shared with every live schema holding an object of the same signature."""
    return shared((ObjectParts, object_sig(obj)), lambda: ObjectParts(obj))

"""The GraphQL schema of a workspace, generated from its registry and cached.

Names follow the registry (``people`` / ``person``, ``createPerson``,
``PersonFilterInput``), so the seed guide's operations validate as written.
A schema depends only on the *shape* of the metadata, so workspaces with the
same objects and fields share one; it is rebuilt when a workspace's metadata
version changes, once per process while its shape stays among the
``ROLODEX_GRAPHQL_SCHEMA_CACHE`` most recently used (see ``schema_cache.SchemaCache``).
"""

from __future__ import annotations

import itertools
import logging
import re
from typing import Any

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
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    assert_valid_schema,
)

from rolodex.api.graphql import operations
from rolodex.api.graphql import resolvers as r
from rolodex.api.graphql import types as t
from rolodex.auth.scopes import Scope
from rolodex.kit.errors import ValidationError
from rolodex.metadata.model import FieldDef, ObjectDef, RelationKind
from rolodex.metadata.registry import Registry
from rolodex.records.query import CountMode, Order
from rolodex.records.sql import order_fields

log = logging.getLogger("rolodex.graphql")

_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")
# Marks a to-many connection field with its plain-list twin (see rewrite.py), and
# fields whose size multiplies the cost of what is selected under them (validation.py).
LIST_TWIN = "rolodex_list_twin"
PAGED = "rolodex_paged"
# Database statements a field runs below the root (relations, counts): validation.py.
ROUND_TRIPS = "rolodex_round_trips"
_serial = itertools.count(1)

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


def _nn(x: Any) -> Any:
    return GraphQLNonNull(x)


def _list_of(x: Any) -> Any:
    return GraphQLNonNull(GraphQLList(GraphQLNonNull(x)))


def _orderable(obj: ObjectDef, f: FieldDef) -> bool:
    try:
        order_fields(obj, (Order(f.name),))
    except ValidationError:
        return False
    return True


def _exposed(f: FieldDef) -> bool:
    """Whether ``f`` can appear in the schema: GraphQL names are stricter than ours."""
    ok = bool(_NAME.match(f.name)) and not f.name.startswith("__")
    if not ok:
        log.warning("Field %r is not a valid GraphQL name; it is left out of the schema", f.name)
    return ok


# Type and root field names the schema uses whatever the registry holds.
_SHARED_TYPES = frozenset(
    {
        *("Query", "Mutation", "Subscription", "String", "Int", "Float", "Boolean", "ID"),
        *("PageInfo", "DeleteResult", "CustomFieldValue", "CustomFieldInput", "Actor"),
        *("Currency", "CurrencyInput", "OrderByDirection", "FilterIs", "DateTime", "Date"),
        *("JSON", "Metadata", "MetadataObject", "MetadataField", "MetadataOption"),
        *("IDFilter", "StringFilter", "NumberFilter", "BooleanFilter", "DateTimeFilter"),
        *("DateFilter", "SelectFilter", "ArrayFilter", "NullFilter", "CountMode"),
    }
)
_SUFFIXES = ("", "Edge", "Connection", "CreateInput", "UpdateInput", "FilterInput", "OrderByInput")


def _names(obj: ObjectDef) -> tuple[set[str], set[str]]:
    """The type names and root field names ``obj`` adds to a schema."""
    types = {obj.cap + suffix for suffix in _SUFFIXES}
    fields = {obj.plural, obj.name}
    verbs = ("create", "update", "delete", "destroy", "softDelete", "restore")
    fields |= {f"{verb}{obj.cap}" for verb in verbs}
    fields |= {f"create{obj.cap_plural}", f"batchCreate{obj.cap_plural}"}
    return types, fields


def _schema_objects(registry: Registry) -> dict[str, ObjectDef]:
    """The registry's objects that fit in one schema; a clash leaves the later one out."""
    taken_types, taken_fields = set(_SHARED_TYPES), {"metadata"}
    out: dict[str, ObjectDef] = {}
    for obj in registry.objects.values():
        types, fields = _names(obj)
        if not _NAME.match(obj.name) or not _NAME.match(obj.plural) or obj.name == obj.plural:
            clash = True
        else:
            clash = bool(types & taken_types or fields & taken_fields)
        if clash:
            log.warning("Object %r clashes with another GraphQL name; left out", obj.name)
            continue
        taken_types |= types
        taken_fields |= fields
        out[obj.name] = obj
    return out


class _Builder:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.objects = _schema_objects(registry)
        self.types: dict[str, GraphQLObjectType] = {}
        self.connections: dict[str, GraphQLObjectType] = {}

    # -- output types ------------------------------------------------------
    def object_type(self, obj: ObjectDef) -> GraphQLObjectType:
        return GraphQLObjectType(
            obj.cap, lambda: self._fields(obj), description=obj.description or None
        )

    def _fields(self, obj: ObjectDef) -> dict[str, GraphQLField]:
        out: dict[str, GraphQLField] = {}
        for f in obj.fields.values():
            if not _exposed(f):
                continue
            rel = f.relation
            if rel is None:
                gql = t.output_type(f)
                if gql is not None:
                    out[f.name] = GraphQLField(gql, description=f.description or f.label)
                continue
            target = self.objects.get(rel.target)
            if target is None:
                continue
            if rel.kind is RelationKind.MANY_TO_ONE:
                out[f.name] = GraphQLField(
                    self.types[target.name],
                    resolve=r.to_one(target.name, rel.join_field),
                    description=f.description or f.label,
                    extensions={ROUND_TRIPS: 1},
                )
                continue
            first = {"first": GraphQLArgument(GraphQLInt)}
            twin = f"{f.name}List"
            has_twin = twin not in obj.fields
            out[f.name] = GraphQLField(
                _nn(self.connections[target.name]),
                args=first,
                resolve=r.to_many(target.name, rel.join_field, as_list=False),
                description=f.description or f.label,
                extensions={
                    PAGED: "nested",
                    ROUND_TRIPS: 1,
                    **({LIST_TWIN: twin} if has_twin else {}),
                },
            )
            if has_twin:
                out[twin] = GraphQLField(
                    _list_of(self.types[target.name]),
                    args=first,
                    resolve=r.to_many(target.name, rel.join_field, as_list=True),
                    description=f"{f.label}, as a plain list (at most the nested limit).",
                    extensions={PAGED: "nested", ROUND_TRIPS: 1},
                )
        if "customFields" not in obj.fields:
            out["customFields"] = GraphQLField(
                _list_of(t.CustomFieldValue), resolve=r.custom_fields(obj.name)
            )
        return out

    def connection(self, obj: ObjectDef) -> GraphQLObjectType:
        edge = GraphQLObjectType(
            f"{obj.cap}Edge",
            lambda: {
                "node": GraphQLField(_nn(self.types[obj.name])),
                "cursor": GraphQLField(_nn(GraphQLString)),
            },
        )
        return GraphQLObjectType(
            f"{obj.cap}Connection",
            {
                "edges": GraphQLField(_list_of(edge)),
                "pageInfo": GraphQLField(_nn(t.PageInfo)),
                "totalCount": GraphQLField(GraphQLInt, extensions={ROUND_TRIPS: 1}),
                # No statement of its own: it comes with the root list's count, and
                # a nested connection's count is always exact.
                "totalCountIsExact": GraphQLField(
                    GraphQLBoolean,
                    description="Whether totalCount is exact (see the count argument).",
                ),
            },
        )

    # -- input types -------------------------------------------------------
    def write_input(self, obj: ObjectDef, creating: bool) -> GraphQLInputObjectType:
        fields: dict[str, GraphQLInputField] = {}
        if creating:
            fields["id"] = GraphQLInputField(GraphQLID, description="Choose the new record's id.")
        for f in obj.fields.values():
            gql = t.input_type(f) if _exposed(f) else None
            if gql is not None:
                fields[f.name] = GraphQLInputField(gql, description=f.description or f.label)
        if "customFields" not in obj.fields:
            fields["customFields"] = GraphQLInputField(
                GraphQLList(_nn(t.CustomFieldInput)),
                description="Custom field values by field name or id.",
            )
        return GraphQLInputObjectType(f"{obj.cap}{'Create' if creating else 'Update'}Input", fields)

    def filter_input(self, obj: ObjectDef) -> GraphQLInputObjectType:
        name = f"{obj.cap}FilterInput"

        def fields() -> dict[str, GraphQLInputField]:
            me = self.filters[obj.name]
            out = {
                "and": GraphQLInputField(GraphQLList(_nn(me))),
                "or": GraphQLInputField(GraphQLList(_nn(me))),
                "not": GraphQLInputField(me),
            }
            for f in obj.stored_fields:
                op_type = t.filter_type(f) if _exposed(f) and f.name not in out else None
                if op_type is not None:
                    out[f.name] = GraphQLInputField(op_type)
            return out

        return GraphQLInputObjectType(name, fields)

    def order_input(self, obj: ObjectDef) -> GraphQLInputObjectType | None:
        fields = {
            f.name: GraphQLInputField(t.OrderByDirection)
            for f in obj.stored_fields
            if _orderable(obj, f) and _exposed(f)
        }
        return GraphQLInputObjectType(f"{obj.cap}OrderByInput", fields) if fields else None

    # -- the schema --------------------------------------------------------
    def build(self) -> GraphQLSchema:
        objects = list(self.objects.values())
        for obj in objects:
            self.types[obj.name] = self.object_type(obj)
            self.connections[obj.name] = self.connection(obj)
        self.filters = {o.name: self.filter_input(o) for o in objects}
        read, write = Scope.RECORD_READ, Scope.RECORD_WRITE
        query: dict[str, GraphQLField] = {}
        mutation: dict[str, GraphQLField] = {}
        for obj in objects:
            order = self.order_input(obj)
            list_args = {
                "filter": GraphQLArgument(self.filters[obj.name]),
                **({"orderBy": GraphQLArgument(order)} if order is not None else {}),
                "first": GraphQLArgument(GraphQLInt),
                "after": GraphQLArgument(GraphQLString),
                "last": GraphQLArgument(GraphQLInt),
                "before": GraphQLArgument(GraphQLString),
                "count": GraphQLArgument(COUNT_MODE, default_value=CountMode.ESTIMATE),
            }
            query[obj.plural] = GraphQLField(
                self.connections[obj.name],
                args=list_args,
                resolve=r.guarded(read, r.list_records(obj.name)),
                extensions={PAGED: "root"},
            )
            query[obj.name] = GraphQLField(
                self.types[obj.name],
                args={
                    "id": GraphQLArgument(GraphQLID),
                    "filter": GraphQLArgument(self.filters[obj.name]),
                },
                resolve=r.guarded(read, r.get_record(obj.name)),
            )
            create = self.write_input(obj, creating=True)
            update = self.write_input(obj, creating=False)
            node = self.types[obj.name]
            upsert = GraphQLArgument(GraphQLBoolean, description="Update a match on a unique key.")
            many = {"data": GraphQLArgument(_list_of(create)), "upsert": upsert}
            mutation[f"create{obj.cap}"] = GraphQLField(
                node,
                args={"data": GraphQLArgument(_nn(create)), "upsert": upsert},
                resolve=r.guarded(write, r.create_one(obj.name)),
            )
            # Nullable, like every mutation field: a failed one nulls only itself.
            created = GraphQLList(_nn(node))
            mutation[f"create{obj.cap_plural}"] = GraphQLField(
                created, args=many, resolve=r.guarded(write, r.create_many(obj.name))
            )
            mutation[f"batchCreate{obj.cap_plural}"] = GraphQLField(
                created, args=many, resolve=r.guarded(write, r.create_many(obj.name))
            )
            mutation[f"update{obj.cap}"] = GraphQLField(
                node,
                args={"id": GraphQLArgument(_nn(GraphQLID)), "data": GraphQLArgument(_nn(update))},
                resolve=r.guarded(write, r.update_one(obj.name)),
            )
            by_id = {"id": GraphQLArgument(_nn(GraphQLID))}
            mutation[f"delete{obj.cap}"] = GraphQLField(
                t.DeleteResult,
                args=by_id,
                resolve=r.guarded(write, r.delete_one(obj.name)),
                description="Delete for good, as REST's DELETE does.",
            )
            mutation[f"destroy{obj.cap}"] = GraphQLField(
                t.DeleteResult,
                args=by_id,
                resolve=r.guarded(write, r.delete_one(obj.name)),
                description="Delete for good (Twenty's name for it).",
            )
            mutation[f"softDelete{obj.cap}"] = GraphQLField(
                t.DeleteResult,
                args=by_id,
                resolve=r.guarded(write, r.delete_one(obj.name, soft=True)),
                description=f"Hide the {obj.name}; restore{obj.cap} brings it back.",
            )
            mutation[f"restore{obj.cap}"] = GraphQLField(
                node, args=by_id, resolve=r.guarded(write, r.restore_one(obj.name))
            )
        operations.add_fields(query, mutation)
        query["metadata"] = GraphQLField(
            t.metadata_type(r.metadata_objects),
            resolve=r.guarded(Scope.METADATA_READ, r.metadata_root),
        )
        schema = GraphQLSchema(
            GraphQLObjectType("Query", query),
            GraphQLObjectType("Mutation", mutation),
            extensions={"serial": next(_serial)},
        )
        assert_valid_schema(schema)  # fail when built, not on a request
        return schema


def fingerprint(registry: Registry) -> tuple[Any, ...]:
    """Everything about a registry the schema is made of (not ids, not versions)."""

    def field_sig(f: FieldDef) -> tuple[Any, ...]:
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

    return tuple(
        (o.name, o.plural, o.description, tuple(field_sig(f) for f in o.fields.values()))
        for o in registry.objects.values()
    )


def build_schema(registry: Registry) -> GraphQLSchema:
    return _Builder(registry).build()

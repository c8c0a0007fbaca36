"""The GraphQL schema of a workspace, generated from its registry and cached.

Names follow the registry (``people`` / ``person``, ``createPerson``,
``PersonFilterInput``), so the seed guide's operations validate as written.
A schema depends only on the *shape* of the metadata, so workspaces with the
same objects and fields share one; it is rebuilt when a workspace's metadata
version changes, once per process while its shape stays among the
``ROLODEX_GRAPHQL_SCHEMA_CACHE`` most recently used (see ``schema_cache.SchemaCache``).
Schemas of different shapes still share what depends on one object or one
field only (``schema_parts``); a build makes the output types, edges,
connections and root fields, which name the schema's other objects. That
took a schema with 3 custom fields from ~1,780 objects the collector tracks
and ~277 KB to ~460 and ~90 KB (docs/performance.md, "How cost grows").
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLField,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    assert_valid_schema,
)

from rolodex.api.graphql import bulk as b
from rolodex.api.graphql import list_parts as lp
from rolodex.api.graphql import operations, search
from rolodex.api.graphql import resolvers as r
from rolodex.api.graphql import schema_parts as p
from rolodex.api.graphql import types as t
from rolodex.auth.scopes import Scope
from rolodex.metadata.model import ObjectDef, RelationKind
from rolodex.metadata.registry import Registry

log = logging.getLogger("rolodex.graphql")

_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")
# Marks a to-many connection field with its plain-list twin (see rewrite.py), and
# fields whose size multiplies the cost of what is selected under them (validation.py).
LIST_TWIN = "rolodex_list_twin"
PAGED = "rolodex_paged"
# Database statements a field runs below the root (relations, counts): validation.py.
ROUND_TRIPS = "rolodex_round_trips"
_serial = itertools.count(1)
COUNT_MODE = p.COUNT_MODE


def _nn(x: Any) -> Any:
    return GraphQLNonNull(x)


def _list_of(x: Any) -> Any:
    return GraphQLNonNull(GraphQLList(GraphQLNonNull(x)))


# Type and root field names the schema uses whatever the registry holds.
_SHARED_TYPES = frozenset(
    {
        *("Query", "Mutation", "Subscription", "String", "Int", "Float", "Boolean", "ID"),
        *("PageInfo", "DeleteResult", "CustomFieldValue", "CustomFieldInput", "Actor"),
        *("Currency", "CurrencyInput", "OrderByDirection", "FilterIs", "DateTime", "Date"),
        *("JSON", "Metadata", "MetadataObject", "MetadataField", "MetadataOption"),
        *("IDFilter", "StringFilter", "NumberFilter", "BooleanFilter", "DateTimeFilter"),
        *("DateFilter", "SelectFilter", "ArrayFilter", "NullFilter", "CountMode"),
        *("GroupByDateInput", "GroupByDateGranularity"),
        *search.TYPE_NAMES,
    }
)
_SUFFIXES = (
    *("", "Edge", "Connection", "CreateInput", "UpdateInput", "FilterInput", "OrderByInput"),
    *("GroupByInput", "GroupByConnection"),
    *("DuplicateGroup", "DuplicateGroups"),
    *("FieldFilterInput", "FieldOrderByInput"),
)


def _names(obj: ObjectDef) -> tuple[set[str], set[str]]:
    """The type names and root field names ``obj`` adds to a schema."""
    types = {obj.cap + suffix for suffix in _SUFFIXES}
    fields = {obj.plural, obj.name, f"{obj.plural}GroupBy", f"{obj.plural}Duplicates"}
    verbs = ("create", "update", "delete", "destroy", "softDelete", "restore")
    fields |= {f"{verb}{obj.cap}" for verb in verbs}
    fields |= {f"create{obj.cap_plural}", f"batchCreate{obj.cap_plural}"}
    fields |= {f"{verb}{obj.cap_plural}" for verb in ("update", "delete", "destroy", "merge")}
    return types, fields


def _schema_objects(registry: Registry) -> dict[str, ObjectDef]:
    """The registry's objects that fit in one schema; a clash leaves the later one out."""
    taken_types, taken_fields = set(_SHARED_TYPES), {"metadata", "search"}
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
    """One schema: its output types and root fields, around the objects' shared parts."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.objects = _schema_objects(registry)
        self.parts = {name: p.object_parts(obj) for name, obj in self.objects.items()}
        memo: dict[Any, Any] = {}  # this build's list inputs, shared or not
        self.lists = {
            name: lp.list_parts(obj, self.objects, self.parts[name], memo)
            for name, obj in self.objects.items()
        }
        self.types: dict[str, GraphQLObjectType] = {}
        self.connections: dict[str, GraphQLObjectType] = {}

    # -- output types ------------------------------------------------------
    def object_type(self, obj: ObjectDef) -> GraphQLObjectType:
        return GraphQLObjectType(
            obj.cap, lambda: self._fields(obj), description=obj.description or None
        )

    def _fields(self, obj: ObjectDef) -> dict[str, GraphQLField]:
        parts = self.parts[obj.name]
        out: dict[str, GraphQLField] = {}
        for f in obj.fields.values():
            plain = parts.fields.get(f.name)
            if plain is not None:
                out[f.name] = plain
                continue
            rel, resolve = f.relation, parts.relations.get(f.name)
            target = self.objects.get(rel.target) if rel is not None else None
            if rel is None or resolve is None or target is None:
                continue
            if rel.kind is RelationKind.MANY_TO_ONE:
                out[f.name] = GraphQLField(
                    self.types[target.name],
                    resolve=resolve[0],
                    description=f.description or f.label,
                    extensions=_ONE_TRIP,
                )
                continue
            twin = f"{f.name}List"
            has_twin = twin not in obj.fields
            out[f.name] = GraphQLField(
                _nn(self.connections[target.name]),
                args=p.NESTED_FIRST,
                resolve=resolve[0],
                description=f.description or f.label,
                extensions=_NESTED_TWIN[twin] if has_twin else _NESTED,
            )
            if has_twin:
                out[twin] = GraphQLField(
                    _list_of(self.types[target.name]),
                    args=p.NESTED_FIRST,
                    resolve=resolve[1],
                    description=f"{f.label}, as a plain list (at most the nested limit).",
                    extensions=_NESTED,
                )
        if parts.custom_fields is not None:
            out["customFields"] = parts.custom_fields
        return out

    def connection(self, obj: ObjectDef) -> GraphQLObjectType:
        edge = GraphQLObjectType(
            f"{obj.cap}Edge",
            lambda: {"node": GraphQLField(_nn(self.types[obj.name])), "cursor": _CURSOR},
        )
        return GraphQLObjectType(
            f"{obj.cap}Connection",
            {
                "edges": GraphQLField(_list_of(edge)),
                "pageInfo": _PAGE_INFO,
                "totalCount": _TOTAL,
                "totalCountIsExact": _TOTAL_IS_EXACT,
                # Twenty's aggregates (api/graphql/aggregates.py), shared per object.
                **self.parts[obj.name].aggregates,
            },
        )

    @staticmethod
    def _many(
        mutation: dict[str, GraphQLField],
        obj: ObjectDef,
        parts: p.ObjectParts,
        lists: lp.ListParts,
        node: Any,
    ) -> None:
        """The many-record mutations (api/graphql/bulk.py), in Twenty's names."""
        many = GraphQLList(_nn(node))
        plural = obj.cap_plural
        mutation[f"update{plural}"] = GraphQLField(
            many,
            args=lists.update_many_args,
            resolve=parts.records.update_many,
            description=f"Update every {obj.name} the filter matches (at most 2,000).",
        )
        mutation[f"delete{plural}"] = GraphQLField(
            many,
            args=lists.delete_many_args,
            resolve=parts.records.delete_many,
            description=f"Soft-delete every {obj.name} the filter matches (at most 2,000).",
        )
        mutation[f"destroy{plural}"] = GraphQLField(
            many,
            args=lists.delete_many_args,
            resolve=parts.records.destroy_many,
            description=f"Delete for good every {obj.name} the filter matches (at most 2,000).",
        )
        mutation[f"merge{plural}"] = GraphQLField(
            node,
            args=b.MERGE_ARGS,
            resolve=parts.records.merge_many,
            description=f"Merge duplicates into one {obj.name} (see POST /rest/{{objects}}/merge).",
        )

    # -- the schema --------------------------------------------------------
    def build(self) -> GraphQLSchema:
        objects = list(self.objects.values())
        for obj in objects:
            self.types[obj.name] = self.object_type(obj)
            self.connections[obj.name] = self.connection(obj)
        query: dict[str, GraphQLField] = {}
        mutation: dict[str, GraphQLField] = {}
        for obj in objects:
            parts, node = self.parts[obj.name], self.types[obj.name]
            query[obj.plural] = GraphQLField(
                self.connections[obj.name],
                args=self.lists[obj.name].list_args,
                resolve=parts.records.list,
                extensions=_ROOT_PAGED,
            )
            lists = self.lists[obj.name]
            query[obj.name] = GraphQLField(node, args=lists.get_args, resolve=parts.records.get)
            if parts.group_type is not None:
                query[f"{obj.plural}GroupBy"] = GraphQLField(
                    _list_of(parts.group_type),
                    args=lists.group_args,
                    resolve=parts.records.group_by,
                    description=f"{obj.label_plural} in groups, with counts and aggregates.",
                )
            query[f"{obj.plural}Duplicates"] = GraphQLField(
                _nn(b.duplicates_type(obj.cap, node)),
                args=b.DUPLICATES_ARGS,
                resolve=parts.records.duplicates,
                description=f"Groups of likely duplicate {obj.plural} (GET /rest/{obj.plural}/"
                "duplicates).",
            )
            mutation[f"create{obj.cap}"] = GraphQLField(
                node, args=parts.create_args, resolve=parts.records.create_one
            )
            # Nullable, like every mutation field: a failed one nulls only itself.
            created = GraphQLList(_nn(node))
            mutation[f"create{obj.cap_plural}"] = GraphQLField(
                created, args=parts.many_args, resolve=parts.records.create_many
            )
            mutation[f"batchCreate{obj.cap_plural}"] = GraphQLField(
                created, args=parts.many_args, resolve=parts.records.create_many
            )
            mutation[f"update{obj.cap}"] = GraphQLField(
                node, args=parts.update_args, resolve=parts.records.update_one
            )
            mutation[f"delete{obj.cap}"] = _delete_field(parts.records.delete, _HARD)
            mutation[f"destroy{obj.cap}"] = _delete_field(parts.records.delete, _DESTROY)
            mutation[f"softDelete{obj.cap}"] = _delete_field(
                parts.records.soft_delete, f"Hide the {obj.name}; restore{obj.cap} brings it back."
            )
            mutation[f"restore{obj.cap}"] = GraphQLField(
                node, args=p.BY_ID, resolve=parts.records.restore
            )
            self._many(mutation, obj, parts, lists, node)
        shared_query, shared_mutation = _process_fields()
        query.update(shared_query)
        mutation.update(shared_mutation)
        schema = GraphQLSchema(
            GraphQLObjectType("Query", query),
            GraphQLObjectType("Mutation", mutation),
            # The parts stay alive (and shared) while this schema is.
            extensions={
                "serial": next(_serial),
                "rolodex_parts": (*self.parts.values(), *self.lists.values()),
            },
        )
        assert_valid_schema(schema)  # fail when built, not on a request
        return schema


def _delete_field(resolve: Any, description: str) -> GraphQLField:
    return GraphQLField(t.DeleteResult, args=p.BY_ID, resolve=resolve, description=description)


_HARD = "Delete for good, as REST's DELETE does."
_DESTROY = "Delete for good (Twenty's name for it)."
_ONE_TRIP = {ROUND_TRIPS: 1}
_NESTED = {PAGED: "nested", ROUND_TRIPS: 1}
_ROOT_PAGED = {PAGED: "root"}


class _Twins(dict[str, dict[str, Any]]):
    """Extensions of a to-many field with its list twin, one dict per twin name."""

    def __missing__(self, twin: str) -> dict[str, Any]:
        made = {PAGED: "nested", ROUND_TRIPS: 1, LIST_TWIN: twin}
        if len(self) < 10_000:  # relation names are few; past that, not kept
            self[twin] = made
        return made


_NESTED_TWIN = _Twins()
_CURSOR = GraphQLField(_nn(GraphQLString))
_PAGE_INFO = GraphQLField(_nn(t.PageInfo))
_TOTAL = GraphQLField(GraphQLInt, extensions={ROUND_TRIPS: 1})
# No statement of its own: it comes with the root list's count, and a nested
# connection's count is always exact.
_TOTAL_IS_EXACT = GraphQLField(
    GraphQLBoolean, description="Whether totalCount is exact (see the count argument)."
)


@functools.cache
def _process_fields() -> tuple[dict[str, GraphQLField], dict[str, GraphQLField]]:
    """Root fields that are the same in every schema: webhooks, metadata, consent, ..."""
    query: dict[str, GraphQLField] = {}
    mutation: dict[str, GraphQLField] = {}
    operations.add_fields(query, mutation)
    query["metadata"] = GraphQLField(
        t.metadata_type(r.metadata_objects),
        resolve=r.guarded(Scope.METADATA_READ, r.metadata_root),
    )
    query["search"] = search.field()
    return query, mutation


def fingerprint(registry: Registry) -> tuple[Any, ...]:
    """Everything about a registry the schema is made of (not ids, not versions)."""
    return tuple(p.object_sig(o) for o in registry.objects.values())


def build_schema(registry: Registry) -> GraphQLSchema:
    return _Builder(registry).build()

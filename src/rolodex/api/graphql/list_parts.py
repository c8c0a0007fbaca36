"""An object's list inputs (filter, order) and the arguments that take them, shared.

Unlike the rest of an object's parts (``schema_parts.ObjectParts``), these name
the objects its relations lead to: ``PersonFilterInput.company`` is a
``CompanyFieldFilterInput`` (``FieldParts``, an object's inputs without its
relations, so relation paths stop one level deep). So they are shared between
schemas whose object and related objects have the same signatures.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from graphql import (
    GraphQLArgument,
    GraphQLID,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLList,
)

from rolodex.api.graphql import aggregates as a
from rolodex.api.graphql import bulk as b
from rolodex.api.graphql import schema_parts as p
from rolodex.api.graphql import types as t
from rolodex.metadata.model import ObjectDef, RelationKind

T = TypeVar("T")


class FieldParts:
    """An object's filter and order inputs without its relations: what another object's
    inputs use for a relation to it (``PersonFilterInput.company`` is a
    ``CompanyFieldFilterInput``), so relation paths stop one level deep."""

    __slots__ = ("__weakref__", "filter", "order")

    def __init__(self, obj: ObjectDef) -> None:
        ok = {name for name, f in obj.fields.items() if p.exposed(f)}
        self.filter = _filter_input(obj, ok, f"{obj.cap}FieldFilterInput", {})
        order = _order_fields(obj, ok)
        self.order = GraphQLInputObjectType(f"{obj.cap}FieldOrderByInput", order) if order else None


def _order_fields(obj: ObjectDef, ok: set[str]) -> dict[str, GraphQLInputField]:
    order = {f.name: p.ORDER_FIELD for f in obj.stored_fields if f.name in ok}
    return {name: v for name, v in order.items() if p.orderable(obj, obj.fields[name])}


def _filter_input(
    obj: ObjectDef, ok: set[str], name: str, related: dict[str, GraphQLInputField]
) -> GraphQLInputObjectType:
    def fields() -> dict[str, GraphQLInputField]:
        out = {
            "and": GraphQLInputField(GraphQLList(p.nn(me))),
            "or": GraphQLInputField(GraphQLList(p.nn(me))),
            "not": GraphQLInputField(me),
        }
        for f in obj.stored_fields:
            op_type = t.filter_type(f) if f.name in ok and f.name not in out else None
            if op_type is not None:
                out[f.name] = p.filter_field(op_type)
        for fname, field in related.items():
            out.setdefault(fname, field)
        return out

    me = GraphQLInputObjectType(name, fields)
    return me


def targets_sig(obj: ObjectDef, objects: Mapping[str, ObjectDef]) -> tuple[Any, ...]:
    """The signatures of the objects ``obj``'s relations lead to (its inputs name theirs)."""
    out = []
    for f in obj.relations:
        assert f.relation is not None
        target = objects.get(f.relation.target)
        if target is not None:
            out.append((f.name, p.object_sig(target)))
    return tuple(out)


class ListParts:
    """An object's filter and order inputs and the arguments that take them.

    They hold a field per relation (one level deep) whose type is the related
    object's ``FieldParts``, so they are shared between schemas whose related
    objects are alike too; the rest of an object's parts (``ObjectParts``)
    depend on the object alone.
    """

    __slots__ = (
        "__weakref__",
        "delete_many_args",
        "filter",
        "get_args",
        "group_args",
        "list_args",
        "order",
        "parts",
        "targets",
        "update_many_args",
    )

    def __init__(
        self, obj: ObjectDef, targets: Mapping[str, FieldParts], parts: p.ObjectParts
    ) -> None:
        ok = {name for name, f in obj.fields.items() if p.exposed(f)}
        # Kept alive with these parts (the shared store holds them weakly).
        self.targets = dict(targets)
        related_filters: dict[str, GraphQLInputField] = {}
        order = _order_fields(obj, ok)
        for fname, tp in targets.items():
            rel = obj.fields[fname].relation
            if fname not in ok or rel is None:
                continue
            related_filters[fname] = GraphQLInputField(
                tp.filter, description=f"Records with a related {rel.target} that matches."
            )
            if rel.kind is RelationKind.MANY_TO_ONE and tp.order is not None:
                order.setdefault(fname, GraphQLInputField(tp.order))
        self.filter = _filter_input(obj, ok, f"{obj.cap}FilterInput", related_filters)
        self.order = GraphQLInputObjectType(f"{obj.cap}OrderByInput", order) if order else None
        self.list_args = {
            "filter": GraphQLArgument(self.filter),
            **({"orderBy": GraphQLArgument(self.order)} if self.order is not None else {}),
            **p.PAGING,
        }
        self.get_args = {"id": GraphQLArgument(GraphQLID), "filter": GraphQLArgument(self.filter)}
        # The arguments of group-by and of the many-record mutations take the filter too.
        self.parts = parts
        group = parts.group_input
        self.group_args = a.group_args(group, self.filter) if group is not None else None
        self.update_many_args = b.many_args(self.filter, parts.update)
        self.delete_many_args = b.many_args(self.filter, None)


def _memo(memo: dict[Any, Any] | None, key: tuple[Any, ...], make: Callable[[], T]) -> T:
    """``shared``, remembered for one build: a type a build uses twice must be one
    object, even with sharing turned off."""
    if memo is None:
        return p.shared(key, make)
    got = memo.get(key)
    if got is None:
        got = memo[key] = p.shared(key, make)
    return got


def _field_parts(target: ObjectDef, memo: dict[Any, Any] | None) -> FieldParts:
    return _memo(memo, (FieldParts, p.object_sig(target)), lambda: FieldParts(target))


def list_parts(
    obj: ObjectDef,
    objects: Mapping[str, ObjectDef],
    parts: p.ObjectParts,
    memo: dict[Any, Any] | None = None,
) -> ListParts:
    """``obj``'s list inputs, shared with every live schema holding an object of the same
    signature whose relations lead to objects of the same signatures; ``objects``
    are the schema's objects (a relation to another gets no filter or order
    field), ``parts`` ``obj``'s own (``object_parts``). ``memo`` is the build's: a
    type it uses twice is one object."""

    def targets() -> dict[str, FieldParts]:
        out = {}
        for f in obj.relations:
            assert f.relation is not None
            target = objects.get(f.relation.target)
            if target is not None:
                out[f.name] = _field_parts(target, memo)
        return out

    key = (ListParts, p.object_sig(obj), targets_sig(obj, objects))
    return _memo(memo, key, lambda: ListParts(obj, targets(), parts))

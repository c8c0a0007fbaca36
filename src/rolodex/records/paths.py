"""Filters and orderings that follow one relation: ``company.name``, ``notes.body``.

A filter through a relation is an ``EXISTS`` over the related object's table
(an alias of it), correlated on the relation's id field and led by the
workspace: for a to-one relation (``person.company``) the related record's
primary key, for a to-many one (``person.notes``) the index on the related
records' id field (``note (workspace_id, person_id)``, or a custom relation's
expression index). It means "has at least one related record that matches",
which for a to-one relation is "its related record matches". Only live
related records count.

An ordering by a to-one relation's field is a ``LEFT JOIN`` of the related
table (live records only), so records without one sort as if the value were
empty. Its order keys are synthetic fields named by their path
(``company.name``): the ordering's tag, the statement's shape and the
cursor's values all carry the path.

One relation deep: a path through a second relation is refused, and says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from rolodex.kit.errors import ValidationError
from rolodex.metadata.custom_sql import CustomValue
from rolodex.metadata.fieldtypes import kind
from rolodex.metadata.model import FieldDef, ObjectDef, RelationKind, suggest
from rolodex.metadata.storage import table_for
from rolodex.records.schemas import resolve_field

Objects = Mapping[str, ObjectDef]
WS: Any = sa.bindparam("ws")


@dataclass(frozen=True, slots=True)
class Hop:
    """One relation of an object, resolved: where it leads and which field joins it."""

    name: str  # the relation field ("company", "notes")
    target: ObjectDef
    join: FieldDef  # to-one: our id field (companyId); to-many: theirs (personId)
    to_one: bool

    @property
    def shape(self) -> tuple[Any, ...]:
        """What the SQL through this relation depends on, for the statement cache's key:
        a relation of the same name may lead elsewhere in another workspace."""
        t = self.target
        return (self.name, t.table, t.is_custom, self.join.name, self.join.column, self.to_one)


def value_expr(table: Any, f: FieldDef, qualify: bool, ordering: bool = False) -> Any:
    """``f``'s SQL expression over ``table`` (with ``ordering``, what ordering by it
    orders by: a composite's primary sub-field); with ``qualify``, a custom value
    names its table (a statement over several record tables must)."""
    expr = kind(f).order_expr(table, f) if ordering else kind(f).expr(table, f)
    if qualify and isinstance(expr, CustomValue):
        return expr.qualified(table.c.custom)
    return expr


def paths_hint(obj: ObjectDef) -> str:
    rels = [f.name for f in obj.relations]
    return f" Relations: {', '.join(rels)}." if rels else ""


def hop(obj: ObjectDef, objects: Objects | None, name: str, path: str, verb: str) -> Hop | None:
    """The relation ``name`` of ``obj``, or None when ``obj`` has no relation by that name.

    ``path`` (the whole dotted name) and ``verb`` ("filter", "order") word the errors.
    """
    f = resolve_field(obj, name)
    if f is None or f.relation is None:
        return None
    rel = f.relation
    target = objects.get(rel.target) if objects is not None else None
    if target is None:
        raise ValidationError(
            f"Cannot {verb} {obj.plural} by '{path}': {rel.target} records are not available here",
            field=path,
        )
    to_one = rel.kind is RelationKind.MANY_TO_ONE
    join = (obj if to_one else target).fields[rel.join_field]
    return Hop(f.name, target, join, to_one)


def unknown_path(obj: ObjectDef, path: str, verb: str) -> ValidationError:
    """An unknown field or relation at the head of a dotted ``path``."""
    head = path.partition(".")[0]
    names = [f.name for f in obj.fields.values() if f.stored or f.relation is not None]
    return ValidationError(
        f"Cannot {verb} {obj.plural} by '{path}': {obj.name} has no field or relation "
        f"'{head}'.{suggest(head, names)}{paths_hint(obj)}",
        field=path,
    )


def too_deep(obj: ObjectDef, path: str, verb: str) -> ValidationError:
    return ValidationError(
        f"Cannot {verb} {obj.plural} by '{path}': only one relation deep is supported "
        f"(such as {path.rsplit('.', 1)[0].split('.')[0]}.name); "
        f"filter the related object's own list for deeper paths",
        field=path,
    )


def scope(target: ObjectDef, table: Any, object_param: Any, live: bool) -> list[Any]:
    """The related records to look at: this workspace's (and object's), live ones."""
    out = [table.c.workspace_id == WS]
    if target.is_custom:
        out.append(table.c.object_id == object_param)
    if live:
        out.append(table.c.deleted_at.is_(None))
    return out


def link(h: Hop, outer: Any, inner: Any, sqlite: bool) -> Any:
    """The condition tying a related record (``inner``) to the record (``outer``).

    Custom relation ids are text in the JSON document, record ids are UUIDs on
    PostgreSQL: the cast goes on the side that keeps the index usable (the
    related record's primary key, or the custom id field's expression index).
    """
    if h.to_one:
        ours = value_expr(outer, h.join, True)
        if h.join.column is None and not sqlite:
            ours = sa.cast(ours, pg.UUID())
        return inner.c.id == ours
    theirs = value_expr(inner, h.join, True)
    ours = outer.c.id
    if h.join.column is None and not sqlite:
        ours = sa.cast(ours, sa.Text())
    return theirs == ours


# -- ordering ---------------------------------------------------------------------
def is_joined(f: FieldDef) -> bool:
    """Whether an order key is a related record's field (a synthetic, stored field that
    carries the relation it is reached through)."""
    return f.relation is not None and f.stored


def joined_key(obj: ObjectDef, objects: Objects | None, path: str) -> FieldDef | None:
    """The order key for ``company.name``: the target's field under the path's name,
    nullable (a record without a company has no company name); None when the
    path's head is not a relation."""
    head, _, rest = path.partition(".")
    h = hop(obj, objects, head, path, "order")
    if h is None:
        return None
    if not h.to_one:
        to_one = [f.name for f in obj.relations if _to_one(f)]
        raise ValidationError(
            f"Cannot order {obj.plural} by '{path}': {h.name} is a list of "
            f"{h.target.plural}; order by a to-one relation's field "
            f"({', '.join(to_one) or 'none here'})",
            field=path,
        )
    if "." in rest:
        raise too_deep(obj, path, "order")
    tf = resolve_field(h.target, rest)
    if tf is None or not tf.stored:
        if tf is not None and tf.relation is not None:
            raise too_deep(obj, path, "order")
        names = [x.name for x in h.target.stored_fields]
        raise ValidationError(
            f"Cannot order {obj.plural} by '{path}': {h.target.name} has no field "
            f"'{rest}'.{suggest(rest, names)}",
            field=path,
        )
    if not kind(tf).orderable:
        raise ValidationError(f"Cannot order {obj.plural} by '{path}'", field=path)
    assert obj.fields[h.name].relation is not None
    return replace(
        tf, name=f"{h.name}.{tf.name}", nullable=True, relation=obj.fields[h.name].relation
    )


def _to_one(f: FieldDef) -> bool:
    return f.relation is not None and f.relation.kind is RelationKind.MANY_TO_ONE


def key_parts(f: FieldDef) -> tuple[str, str]:
    """``("company", "name")`` for the key ``company.name``."""
    head, _, rest = f.name.partition(".")
    return head, rest


class Joins:
    """The LEFT JOINs a page's ordering needs: one alias per relation, and the params
    naming their custom objects."""

    def __init__(self, obj: ObjectDef, objects: Objects | None, keys: Sequence[Any]) -> None:
        self.obj = obj
        self.hops: dict[str, Hop] = {}
        self.params: dict[str, Any] = {}
        for f, _ in keys:
            if is_joined(f):
                name = key_parts(f)[0]
                h = hop(obj, objects, name, f.name, "order")
                assert h is not None
                self.hops[name] = h
                if h.target.is_custom:
                    self.params[f"via_{name}"] = h.target.id
        self.aliases = {
            name: table_for(h.target).alias(f"via_{name}") for name, h in self.hops.items()
        }

    def __bool__(self) -> bool:
        return bool(self.hops)

    @property
    def shape(self) -> tuple[Any, ...]:
        return tuple(h.shape for h in self.hops.values())

    def select_from(self, table: Any, sqlite: bool) -> Any:
        joined = table
        for name, h in self.hops.items():
            alias = self.aliases[name]
            on = [
                *scope(h.target, alias, sa.bindparam(f"via_{name}"), True),
                link(h, table, alias, sqlite),
            ]
            joined = joined.outerjoin(alias, sa.and_(*on))
        return joined

    def expr(self, table: Any, f: FieldDef) -> Any:
        """An order key's expression: the page's own column, or the joined one."""
        if not is_joined(f):
            return value_expr(table, f, bool(self), ordering=True)
        name, field = key_parts(f)
        h = self.hops[name]
        return value_expr(self.aliases[name], h.target.fields[field], True, ordering=True)


def from_row(f: FieldDef, value: Any, sqlite: bool) -> Any:
    """A joined key's value as a record would show it (what a cursor holds)."""
    if value is None or f.column is None:
        return value
    return kind(f).from_db(value, sqlite)

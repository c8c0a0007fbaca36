"""Filters as SQL (orderings and keyset cursors: ``records/ordering.py``).

A list query is turned into a *shape* (its structure without values) and its
parameter values in one walk. The statement for a shape is built and
compiled once and cached, so a request pays only for the walk.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from rolodex.kit.errors import BadRequest, ValidationError
from rolodex.metadata.fieldtypes import kind
from rolodex.metadata.fieldtypes.actor import ActorKind
from rolodex.metadata.model import FieldDef, FieldType, ObjectDef, suggest
from rolodex.metadata.storage import table_for
from rolodex.records.paths import (
    Objects,
    hop,
    link,
    paths_hint,
    scope,
    too_deep,
    unknown_path,
    value_expr,
)
from rolodex.records.query import And, Cond, Filter, Not, Or, Rel
from rolodex.records.schemas import resolve_field

MAX_IN = 1000
ACTOR_PARTS = ActorKind.parts
ACTOR_OPS = ("eq", "neq", "in")


def folds_case(f: FieldDef) -> bool:
    """Standard unique text fields (emails, company domains), unique ignoring case.

    Their equality (eq, neq, in) ignores case too, and compiles to
    ``lower(column) = lower($1)``: the expression of their unique index
    (migration 0001), so an ``email[eq]`` is one index probe, not a scan of the
    workspace. Both sides are lowered by the database, so the query and the
    index agree on what lowercase is.
    """
    return f.unique and f.column is not None and kind(f).folds_case


def _escape_like(text: str) -> str:
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


# The escape character of like/ilike patterns, declared on every LIKE (SQLite
# has none by default, PostgreSQL's is this one): both backends then agree.
LIKE_ESCAPE = "\\"


def like_pattern(text: str) -> str:
    """A user's like/ilike pattern, made safe and the same on both backends.

    ``%`` and ``_`` are wildcards; ``\\%``, ``\\_`` and ``\\\\`` are a literal
    percent, underscore and backslash. A backslash before any other character
    is dropped (``\\a`` is ``a``), and a lone backslash at the end is a literal
    one: PostgreSQL refuses a pattern ending in its escape character.
    """
    if LIKE_ESCAPE not in text:
        return text
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c != LIKE_ESCAPE:
            out.append(c)
        elif i + 1 == n:
            out.append(LIKE_ESCAPE * 2)
        else:
            i += 1
            nxt = text[i]
            out.append(LIKE_ESCAPE + nxt if nxt in "%_" + LIKE_ESCAPE else nxt)
        i += 1
    return "".join(out)


# The mark of a condition through a relation in a filter's shape (no field's name).
FOLLOWS = "->"


class FilterWalk:
    """One walk over a filter: collects the shape and the parameters, and can build SQL.

    ``objects`` (the registry's objects by name) lets conditions follow a
    relation (``records/paths.py``); with ``qualify``, custom values name their
    table, as a statement that joins another record table needs.
    """

    def __init__(
        self,
        obj: ObjectDef,
        table: Any,
        sqlite: bool,
        objects: Objects | None = None,
        *,
        qualify: bool = False,
        parent: FilterWalk | None = None,
        parent_name: str = "",
    ) -> None:
        # A Table, or an alias of one (the count beside a page, records/repository.py).
        self.obj = obj
        self.table = table
        self.sqlite = sqlite
        self.objects = objects
        self.qualify = qualify
        # A walk over a related object's records shares its parent's parameters
        # and shape, and may not follow a second relation.
        self.parent = parent
        self.parent_name = parent_name  # the relation the parent followed to here
        self.params: dict[str, Any] = parent.params if parent else {}
        self.shape: list[Any] = parent.shape if parent else []
        self.mentions_deleted = False
        self.follows = False  # whether a condition follows a relation

    def _param(self, value: Any) -> sa.BindParameter[Any]:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return sa.bindparam(name)

    def _expr(self, f: FieldDef) -> Any:
        return value_expr(self.table, f, self.qualify)

    def _path(self, name: str) -> str:
        return name if self.parent is None else f"{self.parent_name}.{name}"

    def field(self, name: str) -> FieldDef:
        f = resolve_field(self.obj, name)
        if f is None or not f.stored:
            if self.parent is not None:
                owner = self.parent.obj
                path = self._path(name)
                if f is not None and f.relation is not None:
                    raise too_deep(owner, path, "filter")
                names = [x.name for x in self.obj.stored_fields]
                raise ValidationError(
                    f"Cannot filter {owner.plural} by '{path}': {self.obj.name} has no field "
                    f"'{name}'.{suggest(name, names)}",
                    field=path,
                )
            if f is not None and f.relation is not None:
                join = f.relation.join_field
                also = f" or by {join}" if join in self.obj.fields else ""
                raise ValidationError(
                    f"Cannot filter {self.obj.plural} by '{name}' itself: it is a relation; "
                    f"filter by its records' fields ({name}.<field>[op]:value){also}",
                    field=name,
                )
            known = ", ".join(x.name for x in self.obj.stored_fields)
            raise ValidationError(
                f"Cannot filter {self.obj.plural} by '{name}'.{suggest(name, self._names())} "
                f"Fields are: {known}.{paths_hint(self.obj)}",
                field=name,
            )
        if f.name == "deletedAt":
            self.mentions_deleted = True
        return f

    def _names(self) -> list[str]:
        return [f.name for f in self.obj.fields.values() if f.stored or f.relation is not None]

    def walk(self, node: Filter, build: bool) -> Any:
        if isinstance(node, Cond):
            return self.cond(node, build)
        if isinstance(node, Rel):
            if self._composite(node.relation):
                # GraphQL's ``home: {addressCity: {eq: "Paris"}}`` reads like a relation's
                # filter; on a composite field it is ``home.addressCity[eq]:Paris``.
                return self.walk(_under(node.relation, node.item), build)
            return self.related(node.relation, node.item, build)
        if isinstance(node, And | Or):
            self.shape.append(("and" if isinstance(node, And) else "or", len(node.items)))
            parts = [self.walk(item, build) for item in node.items]
            if not build:
                return None
            if not parts:
                return sa.true()
            return sa.and_(*parts) if isinstance(node, And) else sa.or_(*parts)
        if isinstance(node, Not):
            self.shape.append("not")
            inner = self.walk(node.item, build)
            if not build:
                return None
            if self._exists(node.item):
                return sa.not_(inner)  # an EXISTS is never unknown: NOT EXISTS, an anti-join
            # SQL's NOT of an unknown (NULL) is unknown and drops the row; "not equal
            # to X" must keep records whose field is empty, as neq does.
            return sa.not_(sa.func.coalesce(inner, sa.false()))
        raise BadRequest(f"Unsupported filter node {type(node).__name__}")

    def _exists(self, node: Filter) -> bool:
        """Whether ``node`` compiles to a bare EXISTS (a condition through a relation)."""
        if isinstance(node, Rel):
            return not self._composite(node.relation)
        if isinstance(node, Cond) and "." in node.field:
            f = resolve_field(self.obj, node.field.partition(".")[0])
            return f is not None and f.relation is not None
        return False

    def related(self, name: str, item: Filter, build: bool, path: str | None = None) -> Any:
        """Records with at least one live related record, through ``name``, matching ``item``."""
        path = path or name
        if self.parent is not None:
            raise too_deep(self.parent.obj, self._path(path), "filter")
        h = hop(self.obj, self.objects, name, path, "filter")
        if h is None:
            raise unknown_path(self.obj, path, "filter")
        self.follows = True
        self.shape.append((FOLLOWS, *h.shape))
        object_param = self._param(h.target.id) if h.target.is_custom else None
        inner_table = table_for(h.target).alias()
        inner = FilterWalk(
            h.target,
            inner_table,
            self.sqlite,
            self.objects,
            qualify=True,
            parent=self,
            parent_name=h.name,
        )
        cond = inner.walk(item, build)
        # Soft-deleted related records count only when the condition asks about them.
        self.shape.append(("live", not inner.mentions_deleted))
        if not build:
            return None
        where = scope(h.target, inner_table, object_param, not inner.mentions_deleted)
        where.append(link(h, self.table, inner_table, self.sqlite))
        return sa.exists(sa.select(sa.literal(1)).select_from(inner_table).where(*where, cond))

    def _composite(self, name: str) -> bool:
        f = resolve_field(self.obj, name)
        return f is not None and f.relation is None and bool(kind(f).filter_parts())

    def sub_field(self, path: str) -> tuple[FieldDef, FieldDef, str] | None:
        """``address.addressCity``: when the head is a field of this object whose type
        has that sub-field, the field, a TEXT or NUMBER stand-in for the sub-field, and
        the sub-field's name; None for any other path."""
        head, _, part = path.partition(".")
        f = resolve_field(self.obj, head)
        if f is None or not f.stored or not kind(f).filter_parts():
            return None
        as_type = kind(f).filter_parts().get(part)
        if as_type is None:
            raise ValidationError(
                f"{f.name} ({f.type}) has no sub-field '{part}' to filter by; "
                f"use: {', '.join(f'{f.name}.{p}' for p in kind(f).filter_parts())}",
                field=path,
            )
        return f, FieldDef(path, FieldType(as_type), path), part

    def cond(self, c: Cond, build: bool) -> Any:
        sub = self.sub_field(c.field) if "." in c.field else None
        if sub is not None:
            return self._cond(c, sub[1], kind(sub[1]), build, sub)
        if "." in c.field:
            head, _, rest = c.field.partition(".")
            f = resolve_field(self.obj, head)
            if f is None:
                if self.parent is not None:
                    self.field(head)  # the error naming the whole path
                raise unknown_path(self.obj, c.field, "filter")
            if f.relation is not None:
                return self.related(head, Cond(rest, c.op, c.value), build, c.field)
            return self._actor_part(c, build)
        f = self.field(c.field)
        return self._cond(c, f, kind(f), build, None)

    def _cond(
        self, c: Cond, f: FieldDef, k: Any, build: bool, sub: tuple[FieldDef, FieldDef, str] | None
    ) -> Any:
        op = c.op
        if op not in k.ops:
            allowed = ", ".join(sorted(k.ops)) or "none"
            raise ValidationError(
                f"Operator '{op}' does not apply to {f.name} ({f.type}); use: {allowed}",
                field=f.name,
            )
        expr: Any = None
        if build:
            expr = (
                self._expr(f) if sub is None else kind(sub[0]).part_expr(self.table, sub[0], sub[2])
            )
        fold = folds_case(f) and op in ("eq", "neq", "in")
        if fold and build:
            expr = sa.func.lower(expr)
        if op == "is":
            value = str(c.value).upper()
            if value not in ("NULL", "NOT_NULL"):
                raise ValidationError(f"{f.name}[is] takes NULL or NOT_NULL", field=f.name)
            self.shape.append((f.name, f.type, op, value))
            if not build:
                return None
            return expr.is_(None) if value == "NULL" else expr.isnot(None)
        if op == "in":
            values = c.value if isinstance(c.value, list | tuple) else [c.value]
            if len(values) > MAX_IN:
                raise ValidationError(f"{f.name}[in] takes at most {MAX_IN} values", field=f.name)
            params: list[Any] = [self._param(k.filter_value(f, v)) for v in values]
            self.shape.append((f.name, f.type, op, len(params)))
            if not build:
                return None
            if fold:
                params = [sa.func.lower(p) for p in params]
            return expr.in_(params) if params else sa.false()
        if c.value is None:
            raise ValidationError(
                f"{f.name}[{op}] needs a value; use [is]:NULL to match empty fields", field=f.name
            )
        self.shape.append((f.name, f.type, op))
        if k.list_valued:
            return self._array_contains(f, expr, k.filter_value(f, c.value), build)
        if op in ("startsWith", "contains"):
            text = _escape_like(k.filter_value(f, c.value))
            p = self._param(text + "%" if op == "startsWith" else "%" + text + "%")
            if not build:
                return None
            return expr.like(p, escape="/") if op == "startsWith" else expr.ilike(p, escape="/")
        value = k.filter_value(f, c.value)
        if op in ("like", "ilike"):
            value = like_pattern(value)
        bound = self._param(value)
        if not build:
            return None
        rhs: Any = sa.func.lower(bound) if fold else bound
        if op == "eq":
            return expr == rhs
        if op == "neq":  # unlike SQL's <>, "not equal to X" includes empty fields
            return sa.or_(expr != rhs, expr.is_(None))
        if op == "like":
            return expr.like(rhs, escape=LIKE_ESCAPE)
        if op == "ilike":
            return expr.ilike(rhs, escape=LIKE_ESCAPE)
        return {"gt": expr > rhs, "gte": expr >= rhs, "lt": expr < rhs, "lte": expr <= rhs}[op]

    def _array_contains(self, f: FieldDef, expr: Any, value: Any, build: bool) -> Any:
        if self.sqlite:
            p = self._param(value)
            if not build:
                return None
            each = sa.func.json_each(expr).table_valued("value")
            return sa.exists(sa.select(sa.literal(1)).select_from(each).where(each.c.value == p))
        p = self._param([value])
        if not build:
            return None
        return expr.op("@>")(sa.cast(p, pg.JSONB))

    def _actor_part(self, c: Cond, build: bool) -> Any:
        """``createdBy.id[eq]:...``: one key (type, id, name) of an actor field, as text."""
        head, _, part = c.field.partition(".")
        f = self.field(head)
        if part not in kind(f).parts:
            raise ValidationError(
                f"Cannot filter {self.obj.plural} by '{self._path(c.field)}'; "
                "only actor fields have parts "
                f"({', '.join(f'createdBy.{p}' for p in ACTOR_PARTS)})",
                field=c.field,
            )
        if c.op not in ACTOR_OPS:
            raise ValidationError(
                f"Operator '{c.op}' does not apply to {c.field}; use: {', '.join(ACTOR_OPS)}",
                field=c.field,
            )
        values = c.value if isinstance(c.value, list | tuple) else [c.value]
        if c.op == "in" and len(values) > MAX_IN:
            raise ValidationError(f"{c.field}[in] takes at most {MAX_IN} values", field=c.field)
        params = [self._param(str(v)) for v in values]
        self.shape.append((c.field, c.op, len(params)))
        if not build:
            return None
        expr = self._expr(f)[part].as_string()
        if c.op == "in":
            return expr.in_(params) if params else sa.false()
        if c.op == "neq":
            return sa.or_(expr != params[0], expr.is_(None))
        return expr == params[0]


def _under(head: str, node: Filter) -> Filter:
    """``node`` with every condition's field put under ``head`` (``addressCity`` becomes
    ``home.addressCity``)."""
    if isinstance(node, Cond):
        return Cond(f"{head}.{node.field}", node.op, node.value)
    if isinstance(node, And):
        return And(tuple(_under(head, i) for i in node.items))
    if isinstance(node, Or):
        return Or(tuple(_under(head, i) for i in node.items))
    if isinstance(node, Not):
        return Not(_under(head, node.item))
    return Rel(f"{head}.{node.relation}", node.item)

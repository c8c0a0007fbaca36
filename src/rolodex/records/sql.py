"""Filters, ordering and keyset cursors as SQL.

A list query is turned into a *shape* (its structure without values) and its
parameter values in one walk. The statement for a shape is built and
compiled once and cached, so a request pays only for the walk.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from rolodex.kit.errors import BadRequest, ValidationError
from rolodex.kit.jsonutil import dumps, loads
from rolodex.metadata.fieldtypes import kind
from rolodex.metadata.fieldtypes.actor import ActorKind
from rolodex.metadata.model import FieldDef, FieldType, ObjectDef
from rolodex.records.query import And, Cond, Direction, Filter, Not, Or, Order
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


class FilterWalk:
    """One walk over a filter: collects the shape and the parameters, and can build SQL."""

    def __init__(self, obj: ObjectDef, table: Any, sqlite: bool) -> None:
        # A Table, or an alias of one (the count beside a page, records/repository.py).
        self.obj = obj
        self.table = table
        self.sqlite = sqlite
        self.params: dict[str, Any] = {}
        self.shape: list[Any] = []
        self.mentions_deleted = False

    def _param(self, value: Any) -> sa.BindParameter[Any]:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return sa.bindparam(name)

    def field(self, name: str) -> FieldDef:
        f = resolve_field(self.obj, name)
        if f is None or not f.stored:
            known = ", ".join(x.name for x in self.obj.stored_fields)
            raise ValidationError(
                f"Cannot filter {self.obj.plural} by '{name}'; fields are: {known}", field=name
            )
        if f.name == "deletedAt":
            self.mentions_deleted = True
        return f

    def walk(self, node: Filter, build: bool) -> Any:
        if isinstance(node, Cond):
            return self.cond(node, build)
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
            # SQL's NOT of an unknown (NULL) is unknown and drops the row; "not equal
            # to X" must keep records whose field is empty, as neq does.
            return sa.not_(sa.func.coalesce(inner, sa.false())) if build else None
        raise BadRequest(f"Unsupported filter node {type(node).__name__}")

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
                k.expr(self.table, f)
                if sub is None
                else kind(sub[0]).part_expr(self.table, sub[0], sub[2])
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
                f"Cannot filter {self.obj.plural} by '{c.field}'; only actor fields have "
                f"parts ({', '.join(f'createdBy.{p}' for p in ACTOR_PARTS)})",
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
        expr = kind(f).expr(self.table, f)[part].as_string()
        if c.op == "in":
            return expr.in_(params) if params else sa.false()
        if c.op == "neq":
            return sa.or_(expr != params[0], expr.is_(None))
        return expr == params[0]


def order_fields(obj: ObjectDef, order: Sequence[Order]) -> list[tuple[FieldDef, Direction]]:
    """The order as fields, with ``id`` appended so every record has a unique position."""
    out: list[tuple[FieldDef, Direction]] = []
    for o in order:
        f = resolve_field(obj, o.field)
        if f is None and "." in o.field:
            # A composite field by its primary sub-field: ``emails.primaryEmail``.
            head, _, part = o.field.partition(".")
            f = resolve_field(obj, head)
            if f is not None and getattr(kind(f), "primary", None) != part:
                f = None
        if f is None or not f.stored or not kind(f).orderable:
            raise ValidationError(f"Cannot order {obj.plural} by '{o.field}'", field=o.field)
        out.append((f, o.direction))
    if not any(f.name == "id" for f, _ in out):
        out.append((obj.fields["id"], Direction.ASC_NULLS_FIRST))
    return out


def never_null(f: FieldDef) -> bool:
    """Columns that are NOT NULL: id, createdAt, updatedAt, a company's name, a task's
    title and status, a member's name.

    Ordering on them needs no NULLS FIRST / LAST, and must not have one: with
    it, PostgreSQL cannot walk the ``(workspace_id, id)`` or ``(workspace_id,
    created_at, id)`` index and sorts every record of the workspace for each
    page instead (5.4 ms instead of 0.09 ms for the first page of 10,000).
    """
    return not f.nullable and f.column is not None


def order_clause(table: sa.Table, keys: Sequence[tuple[FieldDef, Direction]]) -> list[Any]:
    clauses = []
    for f, d in keys:
        expr = kind(f).order_expr(table, f)
        c = expr.desc() if d.descending else expr.asc()
        if not never_null(f):
            c = c.nulls_first() if d.nulls_first else c.nulls_last()
        clauses.append(c)
    return clauses


# -- cursors --------------------------------------------------------------------
def order_tag(keys: Sequence[tuple[FieldDef, Direction]]) -> str:
    """A short tag of an ordering, so a cursor from another ordering is recognised."""
    text = ",".join(f"{f.name}:{d.value}" for f, d in keys)
    return hashlib.sha1(text.encode()).hexdigest()[:8]


def encode_cursor(
    keys: Sequence[tuple[FieldDef, Direction]], record: dict[str, Any], tag: str | None = None
) -> str:
    payload = [tag or order_tag(keys), *(kind(f).order_value(record.get(f.name)) for f, _ in keys)]
    return base64.urlsafe_b64encode(dumps(payload)).decode().rstrip("=")


def decode_cursor(keys: Sequence[tuple[FieldDef, Direction]], cursor: str) -> list[Any]:
    """The order-key values a cursor holds; a cursor from another ordering is a 400."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = loads(raw)
    except (ValueError, binascii.Error):
        raise BadRequest("The cursor is not valid.", field="cursor") from None
    if not isinstance(payload, list) or len(payload) != len(keys) + 1:
        raise BadRequest("The cursor is not valid.", field="cursor")
    if payload[0] != order_tag(keys):
        raise BadRequest("The cursor belongs to a different ordering.", field="cursor")
    out = []
    for (f, _), value in zip(keys, payload[1:], strict=True):
        try:
            out.append(None if value is None else kind(f).cursor_value(f, value))
        except ValidationError:
            raise BadRequest("The cursor is not valid.", field="cursor") from None
    return out


def after_clause(
    walk: FilterWalk,
    keys: Sequence[tuple[FieldDef, Direction]],
    values: Sequence[Any],
    build: bool,
) -> Any:
    """Records strictly after the cursor position in this order (keyset pagination)."""
    walk.shape.append(("after", tuple(v is None for v in values)))
    ors: list[Any] = []
    equal: list[Any] = []
    for (f, d), value in zip(keys, values, strict=True):
        expr: Any = kind(f).order_expr(walk.table, f) if build else None
        if value is None:
            # Past a NULL only non-NULLs can follow, and only when NULLs come first.
            after: Any = None
            same: Any = None
            if build:
                after = expr.isnot(None) if d.nulls_first else sa.false()
                same = expr.is_(None)
        else:
            p = walk._param(value)
            if build:
                beyond = expr < p if d.descending else expr > p
                after = beyond if d.nulls_first or never_null(f) else sa.or_(beyond, expr.is_(None))
                same = expr == p
            else:
                after = same = None
        if build:
            ors.append(sa.and_(*equal, after))
            equal.append(same)
    return sa.or_(*ors) if build else None

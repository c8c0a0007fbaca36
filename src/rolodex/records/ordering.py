"""Orderings and keyset cursors: the order keys of a list, their SQL, and cursors.

The order keys always end with ``id``, so every record has a unique
position; a cursor holds the last record's key values and a tag of the
ordering (its fields, paths and directions), so a cursor used with another
ordering is refused instead of silently skipping records.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from rolodex.kit.errors import BadRequest, ValidationError
from rolodex.kit.jsonutil import dumps, loads
from rolodex.metadata.fieldtypes import kind
from rolodex.metadata.model import FieldDef, ObjectDef, suggest
from rolodex.records.paths import Joins, Objects, joined_key, unknown_path
from rolodex.records.query import Direction, Order
from rolodex.records.schemas import resolve_field

if TYPE_CHECKING:
    from rolodex.records.sql import FilterWalk


def order_fields(
    obj: ObjectDef, order: Sequence[Order], objects: Objects | None = None
) -> list[tuple[FieldDef, Direction]]:
    """The order as fields, with ``id`` appended so every record has a unique position.

    A to-one relation's field (``company.name``) is a synthetic key named by its
    path (``records/paths.py``); ``objects`` resolves the relation's target.
    """
    out: list[tuple[FieldDef, Direction]] = []
    for o in order:
        if "." in o.field:
            top, _, part = o.field.partition(".")
            hf = resolve_field(obj, top)
            if hf is not None and hf.stored and getattr(kind(hf), "primary", None) == part:
                # A composite field by its primary sub-field: ``emails.primaryEmail``.
                out.append((hf, o.direction))
                continue
            jf = joined_key(obj, objects, o.field)
            if jf is None:
                head = resolve_field(obj, o.field.partition(".")[0])
                if head is None:
                    raise unknown_path(obj, o.field, "order")
                raise ValidationError(f"Cannot order {obj.plural} by '{o.field}'", field=o.field)
            out.append((jf, o.direction))
            continue
        f = resolve_field(obj, o.field)
        if f is None or not f.stored or not kind(f).orderable:
            hint = ""
            if f is None:
                names = [x.name for x in obj.fields.values() if x.stored or x.relation]
                hint = suggest(o.field, names)
            elif f.relation is not None:
                hint = f" It is a relation: order by one of its fields ({f.name}.<field>)."
            raise ValidationError(f"Cannot order {obj.plural} by '{o.field}'.{hint}", field=o.field)
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


def order_clause(
    table: sa.Table, keys: Sequence[tuple[FieldDef, Direction]], joins: Joins | None = None
) -> list[Any]:
    clauses = []
    for f, d in keys:
        expr = joins.expr(table, f) if joins is not None else kind(f).order_expr(table, f)
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
    joins: Joins | None = None,
) -> Any:
    """Records strictly after the cursor position in this order (keyset pagination)."""
    walk.shape.append(("after", tuple(v is None for v in values)))
    ors: list[Any] = []
    equal: list[Any] = []
    for (f, d), value in zip(keys, values, strict=True):
        expr: Any = None
        if build:
            expr = (
                joins.expr(walk.table, f)
                if joins is not None
                else kind(f).order_expr(walk.table, f)
            )
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

"""What a custom field's change does to the values already stored: moved, converted,
indexed, and the search documents rebuilt. The field service calls these inside its
transaction."""

from __future__ import annotations

import uuid
from typing import Any

from rolodex.kit.db import Conn
from rolodex.kit.errors import Conflict, RolodexError, ValidationError
from rolodex.kit.show import shown
from rolodex.metadata import repository
from rolodex.metadata.custom_sql import CustomValue
from rolodex.metadata.model import FieldDef, ObjectDef
from rolodex.metadata.registry import field_from_row
from rolodex.metadata.storage import table_for
from rolodex.metadata.types import kind
from rolodex.search.service import SearchIndex, redefined


async def reindex(
    conn: Conn, ws: uuid.UUID, obj: ObjectDef, old_name: str, row: repository.FieldRow, active: bool
) -> None:
    """Rebuild ``obj``'s search documents with the field as ``row`` now defines it
    (``isSearchable`` changed, or a searchable field was deactivated or restored)."""
    fields = {k: f for k, f in obj.fields.items() if k != old_name}
    if active:
        f = field_from_row(row)
        fields[f.name] = f
    await SearchIndex(conn, ws).reindex(redefined(obj, fields))


async def rewrite_values(
    conn: Conn, ws: uuid.UUID, obj: ObjectDef, row: repository.FieldRow, new: FieldDef
) -> None:
    """Move values to a new name and/or convert them to a new type; refuse if any fails."""
    docs = await repository.custom_documents(conn, obj.table, ws, obj.id)
    changed: list[tuple[Any, dict[str, Any]]] = []
    failures = 0
    example: tuple[str, Any] = ("", None)
    for rid, doc in docs:
        if row.name not in doc:
            continue
        value = doc.pop(row.name)
        if value is not None:
            try:
                value = kind(new).to_json(kind(new).convert(new, value))
            except RolodexError:
                failures += 1
                example = example if failures > 1 else (str(rid), value)
                continue
            doc[new.name] = value
        changed.append((rid, doc))
    if failures:
        raise ValidationError(
            f"{failures} existing value(s) of {row.name} do not convert to {new.type} "
            f"(for example {shown(example[1])} on record {example[0]}); the change is refused",
            field="type",
        )
    await repository.write_custom_documents(conn, obj.table, ws, obj.id, changed)


async def index_field(
    conn: Conn, ws: uuid.UUID, obj: ObjectDef, fid: uuid.UUID, f: FieldDef, *, unique: bool
) -> None:
    """Index a custom field's values (unique ones refuse existing duplicates)."""
    name = f.name
    expr = kind(f).expr(table_for(obj), f)
    cast = expr.as_type if isinstance(expr, CustomValue) else "text"
    try:
        await repository.create_custom_index(conn, obj.table, ws, fid, name, unique, cast)
    except Conflict:
        raise Conflict(
            f"Existing {obj.plural} share values of {name}; it cannot be unique",
            field="isUnique",
        ) from None

"""Groups of likely duplicates: live records of one object that share a value, ignoring case.

The criteria come from the object's definition, not its name: each unique
field that is not a system one, then the field that names a record
(``label_field``: a person's full ``name``, a company's ``name``, a custom
object's ``name``). Unique standard columns (a person's or member's
``email``, a company's ``domain``) are unique ignoring case through
``lower(...)`` indexes that hold soft-deleted records too, so no two live
records can share one: asking would read the whole index to find nothing,
and they are left out. Unique custom fields are unique as written, so
``ABC`` and ``abc`` can both exist: they are criteria.
Groups are listed criterion by criterion, then by value, a page at a time;
a record can be in a group per criterion.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from rolodex.kit.errors import BadRequest
from rolodex.kit.jsonutil import dumps, loads
from rolodex.metadata.model import FieldDef, FieldType, ObjectDef
from rolodex.records.bulk import repository
from rolodex.records.service import RecordService

# Records listed per group (``count`` says how many share the value).
PER_GROUP = 20
_TEXT = {FieldType.TEXT, FieldType.EMAIL, FieldType.LINK, FieldType.PHONE}


def criteria(obj: ObjectDef) -> list[FieldDef]:
    """The fields whose shared values make records likely duplicates, in listing order."""
    out = [
        f
        for f in obj.stored_fields
        if f.unique and not f.system and f.column is None and f.type in _TEXT
    ]
    label = obj.fields.get(obj.label_field)
    if label is not None and label.stored and label.type in _TEXT and label not in out:
        out.append(label)
    return out


def _cursor(index: int, key: str) -> str:
    return base64.urlsafe_b64encode(dumps([index, key])).decode().rstrip("=")


def _decode(cursor: str, count: int) -> tuple[int, str]:
    try:
        index, key = loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if isinstance(index, int) and 0 <= index < count and isinstance(key, str):
            return index, key
    except (ValueError, TypeError, binascii.Error):
        pass
    raise BadRequest("The cursor is not valid.", field="starting_after")


async def groups(
    svc: RecordService, obj: ObjectDef, *, limit: int, after: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of duplicate groups and the cursor of the next page (None at the end).

    Each group: ``field`` (the criterion), ``value`` (lowercased), ``count``
    and up to ``PER_GROUP`` ``records``, oldest first.
    """
    fields = criteria(obj)
    start, key = _decode(after, len(fields)) if after else (0, None)
    repo = repository(svc, obj)
    found: list[tuple[int, str, int]] = []
    for index in range(start, len(fields)):
        want = limit + 1 - len(found)
        if want <= 0:
            break
        rows = await repo.duplicate_keys(fields[index], key if index == start else None, want)
        found += [(index, str(r["k"]), int(r["n"])) for r in rows]
    more = len(found) > limit
    found = found[:limit]
    members: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for index in sorted({i for i, _, _ in found}):
        keys = [k for i, k, _ in found if i == index]
        for row in await repo.with_keys(fields[index], keys, PER_GROUP):
            members.setdefault((index, str(row["key_"])), []).append(svc.serialise(obj, row))
    out = [
        {
            "field": fields[i].name,
            "value": k,
            "count": n,
            "records": members.get((i, k), []),
        }
        for i, k, n in found
    ]
    return out, (_cursor(found[-1][0], found[-1][1]) if more and found else None)

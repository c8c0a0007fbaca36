"""Search across objects for the ``search`` tool.

Until a search service lands this is a filter through the record service:
each object's label field, email fields and unique text fields (a company's
domain) matched case-insensitively, ranked exact, then prefix, then anywhere.
It is kept behind ``search_records`` so a real search service can replace it
without touching the tool.
"""

from __future__ import annotations

from typing import Any

from rolodex.metadata.model import FieldDef, FieldType, ObjectDef
from rolodex.records.query import Cond, CountMode, ListQuery, Or
from rolodex.records.schemas import json_ready
from rolodex.session import WorkspaceSession

_TEXT = (FieldType.TEXT, FieldType.EMAIL)


def searchable(obj: ObjectDef) -> list[FieldDef]:
    """The fields a search looks at: the label, emails and unique text fields."""
    out = []
    for f in obj.fields.values():
        if not f.stored or f.type not in _TEXT:
            continue
        if f.name == obj.label_field or f.type is FieldType.EMAIL or f.unique:
            out.append(f)
    return out


def _score(value: Any, needle: str) -> int:
    if not isinstance(value, str):
        return 0
    v = value.lower()
    if v == needle:
        return 3
    if v.startswith(needle) or any(w.startswith(needle) for w in v.split()):
        return 2
    return 1 if needle in v else 0


async def search_records(
    s: WorkspaceSession, query: str, objects: list[ObjectDef], limit: int, count_limit: int
) -> tuple[list[dict[str, Any]], bool]:
    """The best ``limit`` matches of ``query`` in ``objects``, best first, and whether
    more records match than were returned."""
    needle = query.strip().lower()
    # The grammar's wildcards are taken literally: they are not what a user typed.
    pattern = "%" + needle.replace("%", "").replace("_", "") + "%"
    hits: list[tuple[int, int, dict[str, Any]]] = []
    more = False
    for order, obj in enumerate(objects):
        fields = searchable(obj)
        if not fields or pattern == "%%":
            continue
        q = ListQuery(
            filter=Or(tuple(Cond(f.name, "ilike", pattern) for f in fields)),
            limit=limit,
            count=CountMode.NONE,
            with_total=False,
            count_limit=count_limit,
        )
        page = await s.records.page(obj, q)
        more = more or page.has_next
        for record in json_ready(page.records):
            best, matched = 0, None
            for f in fields:
                score = _score(record.get(f.name), needle)
                if score > best:
                    best, matched = score, f.name
            summary = {f.name: record.get(f.name) for f in fields}
            hits.append(
                (
                    best,
                    -order,
                    {
                        "object": obj.plural,
                        "id": record["id"],
                        "label": record.get(obj.label_field),
                        "matched": matched,
                        "score": best,
                        "fields": summary,
                    },
                )
            )
    hits.sort(key=lambda h: (h[0], h[1]), reverse=True)
    return [h[2] for h in hits[:limit]], more or len(hits) > limit

"""Encoding ``filter`` and ``order_by`` for the REST query string.

The server speaks Twenty's grammar (``email[eq]:a@b.com``, ``or(...)``). Callers
may write that string themselves or use the dict form defined here, which is
converted with every value quoted where the grammar needs it:

- ``{"email": "a@b.com"}`` is ``email[eq]:a@b.com``; ``{"email": None}`` is
  ``email[is]:NULL``; ``{"status": ["TODO", "DONE"]}`` is ``status[in]:[TODO,DONE]``.
- ``{"email": {"eq": "a@b.com"}}``: operator to value; several operators are AND-ed.
- ``{"name": {"firstName": {"eq": "Ada"}}}``: a nested dict whose keys are not
  operators names a composite sub-field (``name.firstName[eq]:Ada``).
- ``{"or": [{...}, {...}]}``, ``{"and": [...]}``, ``{"not": {...}}``; several
  keys in one dict, or a list of dicts, are AND-ed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

OPERATORS = frozenset(
    {"eq", "neq", "in", "gt", "gte", "lt", "lte", "like", "ilike", "startsWith", "contains", "is"}
)
# Characters the grammar treats as syntax inside a value; such values are quoted.
_SPECIAL = frozenset(',()[]"\\')

FilterArg = str | Mapping[str, Any] | Sequence[Mapping[str, Any]] | None
OrderArg = str | Mapping[str, str] | Sequence[str | tuple[str, str]] | None


def encode_value(value: Any) -> str:
    """One value in the grammar: plain when safe, else double-quoted with escapes."""
    text = _text(value)
    if text == "" or text != text.strip() or any(ch in _SPECIAL for ch in text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | int | float):
        return str(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"A filter value must be a string, number, bool, date or UUID, not {value!r}")


def _condition(field: str, op: str, value: Any) -> str:
    if op == "is":
        if value is None:
            return f"{field}[is]:NULL"
        word = str(value).upper()
        if word not in ("NULL", "NOT_NULL"):
            raise ValueError(f"'is' takes None, 'NULL' or 'NOT_NULL', not {value!r}")
        return f"{field}[is]:{word}"
    if op == "in":
        if isinstance(value, str | bytes) or not isinstance(value, Sequence | set | frozenset):
            raise TypeError(f"'in' takes a list of values, not {value!r}")
        return f"{field}[in]:[" + ",".join(encode_value(v) for v in value) + "]"
    if value is None:
        raise ValueError(f"{field}[{op}] has no value; use {{'is': None}} to match empty fields")
    return f"{field}[{op}]:{encode_value(value)}"


def _field(path: str, spec: Any) -> list[str]:
    """The conditions for one field: a value, a list, None, or a dict of operators."""
    if isinstance(spec, Mapping):
        if not spec:
            raise ValueError(f"The filter on {path!r} is empty")
        out: list[str] = []
        for key, value in spec.items():
            if key in OPERATORS:
                out.append(_condition(path, key, value))
            else:
                out.extend(_field(f"{path}.{key}", value))
        return out
    if spec is None:
        return [_condition(path, "is", None)]
    if isinstance(spec, list | tuple | set | frozenset):
        return [_condition(path, "in", list(spec))]
    return [_condition(path, "eq", spec)]


def _items(node: Any) -> list[str]:
    """The comma-separated items (AND-ed) for a dict or a list of dicts."""
    if isinstance(node, Mapping):
        out: list[str] = []
        for key, value in node.items():
            if key in ("and", "or"):
                parts = _group_members(key, value)
                out.append(f"{key}(" + ",".join(parts) + ")")
            elif key == "not":
                out.append("not(" + ",".join(_items(value)) + ")")
            else:
                out.extend(_field(str(key), value))
        return out
    if isinstance(node, list | tuple):
        return [item for child in node for item in _items(child)]
    raise TypeError(f"A filter is a string, a dict or a list of dicts, not {node!r}")


def _wrap(items: list[str]) -> list[str]:
    return items if len(items) <= 1 else ["and(" + ",".join(items) + ")"]


def _group_members(key: str, value: Any) -> list[str]:
    if not isinstance(value, list | tuple) or not value:
        raise ValueError(f"{key!r} takes a non-empty list of filters")
    # Each member of or(...) is one item; a member with several conditions is and(...).
    return [item for child in value for item in _wrap(_items(child))]


def encode_filter(flt: FilterArg) -> str | None:
    """The ``filter=`` parameter for a grammar string, a dict, or a list of dicts."""
    if flt is None:
        return None
    if isinstance(flt, str):
        return flt or None
    items = _items(flt)
    if not items:
        return None
    return ",".join(items)


def encode_order_by(order: OrderArg) -> str | None:
    """``order_by=`` from ``"name[AscNullsLast],id"``, ``[("name", "asc"), "id"]``
    or ``{"createdAt": "DESC"}`` (Twenty's GraphQL shape)."""
    if order is None:
        return None
    if isinstance(order, str):
        return order or None
    pairs: list[tuple[str, str | None]] = []
    if isinstance(order, Mapping):
        pairs = [(str(k), str(v)) for k, v in order.items()]
    else:
        for item in order:
            if isinstance(item, str):
                pairs.append((item, None))
            elif isinstance(item, tuple) and len(item) == 2:
                pairs.append((str(item[0]), str(item[1])))
            else:
                raise TypeError(
                    f"order_by items are 'field' or ('field', 'direction'), not {item!r}"
                )
    return ",".join(f"{f}[{d}]" if d else f for f, d in pairs) or None

"""Subscriptions: which events a webhook receives, under which name, through which filter.

An event type is ``<object>.<action>``. A subscription names one exactly
(``person.created``) or with wildcards (``person.*``, ``*.created``, ``*.*``,
``*``). ``changed`` is SuperOffice's name for ``updated``: a subscription to
``person.changed`` (or ``*.changed``) receives ``person.updated`` events, and
its deliveries carry the name it subscribed with. ``updated`` is canonical.

Filters are Attio's: ``{"$and": [...]}`` / ``{"$or": [...]}`` of conditions
``{field, operator, value}``, nested, evaluated over the canonical payload
by dot path. A path whose first segment is not a top-level key of the payload
is read inside ``data`` (so ``email`` means ``data.email``). A missing path
matches nothing, except ``exists: false``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from rolodex.kit.errors import ValidationError
from rolodex.metadata.registry import Registry
from rolodex.webhooks import attio

ALIASES = {"changed": "updated"}  # subscribed name -> canonical action
_PART = re.compile(r"^(\*|[A-Za-z][A-Za-z0-9_-]{0,62})$")
OPERATORS = frozenset(
    {
        "equals",
        "not_equals",
        "in",
        "not_in",
        "contains",
        "gt",
        "gte",
        "lt",
        "lte",
        "exists",
        "changed",
    }
)
MAX_DEPTH = 8
MAX_CONDITIONS = 100
_MISSING = object()


# -- event types --------------------------------------------------------------
def check_event_type(text: object, field: str, objects: Iterable[str] | None = None) -> str:
    """A subscription's event type, or a 400 naming ``field``."""
    if not isinstance(text, str) or not text.strip():
        raise ValidationError(f"{field} must be an event type such as person.created", field=field)
    value = text.strip()
    if value == "*":
        return value
    obj, sep, action = value.partition(".")
    if not sep or not _PART.match(obj) or not _PART.match(action):
        raise ValidationError(
            f"{field}: {value!r} is not an event type; use <object>.<action> such as "
            "person.created, person.*, *.created or *",
            field=field,
        )
    if objects is not None and obj != "*":
        known = set(objects)
        if obj not in known:
            from rolodex.metadata.model import suggest

            raise ValidationError(
                f"{field}: unknown object {obj!r} in {value!r}.{suggest(obj, known)}",
                field=field,
            )
    return value


def subscribed_name(pattern: str, event_type: str) -> str | None:
    """The name a delivery carries if ``pattern`` matches ``event_type``, else None."""
    if pattern == "*":
        return event_type
    obj, _, action = event_type.partition(".")
    p_obj, _, p_action = pattern.partition(".")
    if p_obj != "*" and p_obj != obj:
        return None
    if p_action == "*" or p_action == action:
        return event_type
    if ALIASES.get(p_action) == action:
        return f"{obj}.{p_action}"
    return None


# -- filters ------------------------------------------------------------------
def check_filter(raw: Any, field: str) -> dict[str, Any] | None:
    """A subscription filter normalised (``dollarAnd`` -> ``$and``), or a 400 naming the part."""
    if raw is None:
        return None
    count = [0]
    return _check_node(raw, field, 0, count)


def _check_node(node: Any, path: str, depth: int, count: list[int]) -> dict[str, Any]:
    if depth > MAX_DEPTH:
        raise ValidationError(f"{path}: filters nest at most {MAX_DEPTH} deep", field=path)
    if not isinstance(node, dict):
        raise ValidationError(
            f"{path} must be an object: {{'$and': [...]}}, {{'$or': [...]}} or "
            "{field, operator, value}",
            field=path,
        )
    keys = {("$" + k[6:].lower() if k in ("dollarAnd", "dollarOr") else k): k for k in node}
    groups = [k for k in keys if k in ("$and", "$or")]
    if groups:
        if len(node) != 1:
            raise ValidationError(
                f"{path}: a group has exactly one key, $and or $or; got {sorted(node)}",
                field=path,
            )
        op = groups[0]
        items = node[keys[op]]
        if not isinstance(items, list) or not items:
            raise ValidationError(f"{path}.{op} must be a non-empty list", field=f"{path}.{op}")
        return {
            op: [
                _check_node(item, f"{path}.{op}[{i}]", depth + 1, count)
                for i, item in enumerate(items)
            ]
        }
    return _check_condition(node, path, count)


def _check_condition(node: dict[str, Any], path: str, count: list[int]) -> dict[str, Any]:
    count[0] += 1
    if count[0] > MAX_CONDITIONS:
        raise ValidationError(
            f"{path}: a filter holds at most {MAX_CONDITIONS} conditions", field=path
        )
    unknown = set(node) - {"field", "operator", "value"}
    if unknown:
        name = sorted(unknown)[0]
        raise ValidationError(
            f"{path}: unknown key {name!r}; a condition is {{field, operator, value}}",
            field=f"{path}.{name}",
        )
    fld = node.get("field")
    if not isinstance(fld, str) or not fld.strip() or len(fld) > 300:
        raise ValidationError(
            f"{path}.field must be a dot path such as data.email", field=f"{path}.field"
        )
    op = node.get("operator")
    if op not in OPERATORS:
        raise ValidationError(
            f"{path}.operator must be one of {', '.join(sorted(OPERATORS))}; got {op!r}",
            field=f"{path}.operator",
        )
    out: dict[str, Any] = {"field": fld.strip(), "operator": op}
    has_value = "value" in node
    value = node.get("value")
    where = f"{path}.value"
    if op in ("in", "not_in"):
        if not isinstance(value, list):
            raise ValidationError(f"{where} must be a list for {op}", field=where)
    elif op in ("gt", "gte", "lt", "lte"):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValidationError(f"{where} must be a number or a string for {op}", field=where)
    elif op in ("exists", "changed"):
        if has_value and not isinstance(value, bool):
            raise ValidationError(f"{where} must be true or false for {op}", field=where)
        value = True if not has_value else value
        has_value = True
    elif not has_value:
        raise ValidationError(f"{where} is required for {op}", field=where)
    if has_value:
        out["value"] = value
    return out


def resolve(payload: dict[str, Any], path: str) -> Any:
    """The value at dot ``path`` in ``payload`` (or in its ``data``), or ``_MISSING``."""
    parts = path.split(".")
    current: Any = payload if parts[0] in payload else payload.get("data")
    for part in parts:
        if isinstance(current, dict):
            if part not in current:
                return _MISSING
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return _MISSING
    return current


def _same(a: Any, b: Any) -> bool:
    """JSON equality: ``1 == 1.0`` but ``true != 1``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def _compare(actual: Any, value: Any) -> int | None:
    numbers = (int, float)
    if isinstance(actual, bool) or isinstance(value, bool):
        return None
    if isinstance(actual, numbers) and isinstance(value, numbers):
        return (actual > value) - (actual < value)
    if isinstance(actual, str) and isinstance(value, str):
        return (actual > value) - (actual < value)
    return None


def _changed_field(path: str) -> str:
    return path[5:].split(".", 1)[0] if path.startswith("data.") else path.split(".", 1)[0]


def _condition(cond: dict[str, Any], payload: dict[str, Any]) -> bool:
    op, path = cond["operator"], cond["field"]
    value: Any = cond.get("value")
    if op == "changed":
        changed = _changed_field(path) in (payload.get("changes") or [])
        return changed is bool(value)
    actual = resolve(payload, path)
    if op == "exists":
        present = actual is not _MISSING and actual is not None
        return present is bool(value)
    if actual is _MISSING:
        return False
    if op == "equals":
        return _same(actual, value)
    if op == "not_equals":
        return not _same(actual, value)
    if op == "in":
        return any(_same(actual, v) for v in value)
    if op == "not_in":
        return not any(_same(actual, v) for v in value)
    if op == "contains":
        if isinstance(actual, str) and isinstance(value, str):
            return value.lower() in actual.lower()
        if isinstance(actual, list):
            return any(_same(item, value) for item in actual)
        return False
    order = _compare(actual, value)
    if order is None:
        return False
    return {"gt": order > 0, "gte": order >= 0, "lt": order < 0, "lte": order <= 0}[op]


def evaluate(node: dict[str, Any] | None, payload: dict[str, Any]) -> bool:
    """Whether ``payload`` passes the (checked) filter ``node``; no filter passes all."""
    if node is None:
        return True
    if "$and" in node:
        return all(evaluate(n, payload) for n in node["$and"])
    if "$or" in node:
        return any(evaluate(n, payload) for n in node["$or"])
    return _condition(node, payload)


# -- subscriptions ------------------------------------------------------------
def resolved(
    subscriptions: Sequence[dict[str, Any]] | None,
    registry: Registry | None,
    cache: dict[str, Any],
) -> Sequence[dict[str, Any]] | None:
    """``subscriptions`` as matched: Attio filters with object slugs read as object ids.

    Kept in ``cache`` (the webhook's) per registry, so a fan-out resolves
    each webhook once, not once per event.
    """
    if subscriptions is None or not any(s.get("attio") and s.get("filter") for s in subscriptions):
        return subscriptions
    if cache.get("registry") is not registry:
        cache["registry"] = registry
        cache["subscriptions"] = [
            {**s, "filter": attio.resolve_objects(s.get("filter"), registry)}
            if s.get("attio")
            else s
            for s in subscriptions
        ]
    return cache["subscriptions"]


def match(
    subscriptions: Sequence[dict[str, Any]] | None,
    event_type: str,
    payload: Callable[[str], dict[str, Any]],
    attio_views: Callable[[str], list[dict[str, Any]]] | None = None,
) -> str | None:
    """The name of the first subscription that takes ``event_type``, or None.

    ``subscriptions`` None means every event under its own name; ``payload``
    builds the canonical payload for a name, only when a filter needs it.
    A subscription made in Attio's form to one of Attio's event types
    (``record.created``) matches by ``attio.attio_type``, and its filter
    reads ``attio_views`` (the Attio events over the canonical payload): it
    passes when one of them does.
    """
    if subscriptions is None:
        return event_type
    for sub in subscriptions:
        pattern = sub["eventType"]
        native = bool(sub.get("attio")) and pattern in attio.EVENT_TYPES
        if native:
            name = attio.subscribed_name(pattern, event_type)
        else:
            name = subscribed_name(pattern, event_type)
        if name is None:
            continue
        flt = sub.get("filter")
        if flt is None:
            return name
        if native and attio_views is not None:
            if any(evaluate(flt, view) for view in attio_views(name)):
                return name
        elif evaluate(flt, payload(name)):
            return name
    return None

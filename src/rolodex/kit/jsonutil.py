"""JSON encoding in one place: compact, UTF-8, as JavaScript's JSON.stringify writes it."""

from __future__ import annotations

import os
from typing import Any

import orjson

from rolodex.kit.errors import BadRequest


def dumps(value: Any) -> bytes:
    return orjson.dumps(value)


def embedded(text: bytes) -> Any:
    """JSON text that ``dumps`` writes into a document as it is, without parsing it."""
    return orjson.Fragment(text)


def dumps_str(value: Any) -> str:
    return orjson.dumps(value).decode()


def loads(data: bytes | str) -> Any:
    return orjson.loads(data)


# How deeply arrays and objects may nest in a request body. The server's
# setting (``Settings.max_json_depth``) is read from the same variable.
MAX_DEPTH = int(os.environ.get("ROLODEX_MAX_JSON_DEPTH", "64") or 64)
BODY = "The request body"


def _field(what: str) -> str | None:
    """The field an error names: none for the body itself, else the part parsed."""
    return None if what == BODY else what


def _too_deep(max_depth: int, what: str) -> BadRequest:
    return BadRequest(
        f"{what} nests arrays and objects more than {max_depth} levels deep "
        "(ROLODEX_MAX_JSON_DEPTH).",
        field=_field(what),
        maxDepth=max_depth,
    )


def check_depth(value: Any, max_depth: int, what: str = BODY) -> None:
    """Refuse ``value`` when its arrays and objects nest deeper than ``max_depth``.

    The nesting level of a scalar inside ``n`` containers is ``n``. Under
    ``_RECURSE`` levels it recurses at most ``max_depth`` deep, skipping
    scalars in a plain loop (a batch of 1,000 records with 100 values each is
    100,000 children to look at); above, it walks iteratively, so no limit
    can overflow the stack.
    """
    if not isinstance(value, dict | list):
        return
    if max_depth <= _RECURSE:
        if _too_deep_at(value, max_depth):
            raise _too_deep(max_depth, what)
        return
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth + 1 > max_depth:
            raise _too_deep(max_depth, what)
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


# Deepest limit checked by recursion (well inside Python's recursion limit).
_RECURSE = 200


def _too_deep_at(container: Any, budget: int) -> bool:
    """Whether ``container`` (which ``budget`` more levels may hold) nests too deep."""
    if budget <= 0:
        return True
    children = container.values() if type(container) is dict else container
    for child in children:
        # Exact type tests (parsed JSON holds plain dicts and lists): three
        # times faster than isinstance with a union over 100,000 scalars.
        kind = type(child)
        if (kind is dict or kind is list) and _too_deep_at(child, budget - 1):
            return True
    return False


def parse_body(data: bytes | str, max_depth: int = MAX_DEPTH, what: str = BODY) -> Any:
    """Parse a request body; anything that is not JSON, or nests too deep, is a 400."""
    if not data.strip():
        raise BadRequest(f"{what} is empty; send a JSON document.", field=_field(what))
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if "depth" in str(exc) or "recursion" in str(exc):
            raise _too_deep(max_depth, what) from None
        raise BadRequest(f"{what} is not valid JSON: {exc}", field=_field(what)) from None
    # Most bodies hold fewer brackets than the limit: no need to walk them.
    raw = data.encode() if isinstance(data, str) else data
    opened = raw.count(b"[") + raw.count(b"{")
    if opened > max_depth:
        check_depth(value, max_depth, what)
    return value

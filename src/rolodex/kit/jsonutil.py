"""JSON encoding in one place: compact, UTF-8, as JavaScript's JSON.stringify writes it."""

from __future__ import annotations

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


def parse_body(data: bytes) -> Any:
    """Parse a request body; anything that is not JSON is a 400, never a 500."""
    if not data.strip():
        raise BadRequest("The request body is empty; send a JSON document.")
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"The request body is not valid JSON: {exc}") from None

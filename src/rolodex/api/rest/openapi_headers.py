"""The headers every operation shares: rate limits on responses, Idempotency-Key on writes.

Added to the assembled document rather than to each feature's operations,
so every write gets the parameter and every response the headers, with no
feature forgetting them.
"""

from __future__ import annotations

from typing import Any

from rolodex.api.rest.openapi_common import Schema, attio_errors, errors, ref

WRITES = ("post", "patch", "put", "delete")

_INT: Schema = {"type": "integer", "minimum": 0}
HEADERS: dict[str, Schema] = {
    "RateLimit-Limit": {
        "description": "Requests the tighter of the key's and the workspace's limits holds "
        "when full (the burst).",
        "schema": _INT,
    },
    "RateLimit-Remaining": {"description": "Requests left in it now.", "schema": _INT},
    "RateLimit-Reset": {"description": "Seconds until it is full again.", "schema": _INT},
    "X-RateLimit-Limit": {
        "description": "That limit's rate, in requests per second.",
        "schema": {"type": "number"},
    },
    "X-RateLimit-Remaining": {"description": "As RateLimit-Remaining.", "schema": _INT},
    "X-RateLimit-Reset": {"description": "As RateLimit-Reset.", "schema": _INT},
}
REPLAYED: Schema = {
    "description": "`true` when this is the stored answer to an earlier request with the "
    "same Idempotency-Key.",
    "schema": {"type": "string", "enum": ["true"]},
}
IDEMPOTENCY_KEY: Schema = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes the write safe to retry: the same key with the same request within "
    "24 hours gets the stored answer (marked `Idempotent-Replayed: true`) and nothing is done "
    "again; the same key with another request is a 422; while the first is still running, a "
    "409. Keys belong to the workspace and the API key. A UUID is a good key.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}


def _with_headers(response: Schema, replayable: bool) -> Schema:
    if "$ref" in response:
        return response
    headers = dict(response.get("headers", {}))
    for name in HEADERS:
        headers.setdefault(name, ref(name, "headers"))
    if replayable:
        headers.setdefault("Idempotent-Replayed", ref("Idempotent-Replayed", "headers"))
    return {**response, "headers": headers}


def decorate(paths: dict[str, Schema], components: dict[str, Any]) -> None:
    """Add the shared headers to ``paths`` and ``components`` (in place)."""
    components["headers"] = {**HEADERS, "Idempotent-Replayed": REPLAYED}
    components["parameters"] = {**components["parameters"], "IdempotencyKey": IDEMPOTENCY_KEY}
    for name, response in list(components["responses"].items()):
        if "Unauthorized" not in name:
            components["responses"][name] = _with_headers(response, True)
    for path, item in paths.items():
        # Attio's form (/v2) answers its errors in Attio's shape.
        refusals = attio_errors if path.startswith("/v2/") else errors
        for method, operation in list(item.items()):
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            if operation.get("security") == []:
                continue  # public: no key, so no quota and no idempotency
            write = method in WRITES
            operation = dict(operation)
            operation["responses"] = {
                status: _with_headers(response, write)
                for status, response in operation["responses"].items()
            }
            if write:
                operation["parameters"] = [
                    *operation.get("parameters", []),
                    ref("IdempotencyKey", "parameters"),
                ]
                operation["responses"] = dict(
                    sorted({**refusals(409, 422), **operation["responses"]}.items())
                )
            item[method] = operation

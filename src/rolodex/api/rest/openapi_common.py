"""Building blocks of the OpenAPI document: operations, envelopes, errors, common shapes.

Every feature's part of the document (``openapi_records``, ``openapi_webhooks``,
``openapi_metadata``, ``openapi_keys``) is written with these, so operations
look alike: a JSON body, the ``{"data": ...}`` envelope, and the shared error
responses with the one error body shape.
"""

from __future__ import annotations

from typing import Any

from rolodex.metadata.field_schema import nullable

__all__ = ["Schema", "nullable", "ref"]

Schema = dict[str, Any]

READ, WRITE = "Needs scope `record:read`.", "Needs scope `record:read-write`."


def ref(name: str, section: str = "schemas") -> Schema:
    return {"$ref": f"#/components/{section}/{name}"}


def op(
    tag: str,
    operation_id: str,
    summary: str,
    responses: dict[str, Schema],
    description: str = "",
    body: Schema | None = None,
    *,
    body_required: bool = True,
    **extra: Any,
) -> Schema:
    """One operation; ``body`` is its JSON request body schema."""
    out: Schema = {"tags": [tag], "operationId": operation_id, "summary": summary}
    if description:
        out["description"] = description
    if body is not None:
        out["requestBody"] = {
            "required": body_required,
            "content": {"application/json": {"schema": body}},
        }
    return {**out, **extra, "responses": responses}


def ok(schema: Schema, description: str = "OK", links: dict[str, Schema] | None = None) -> Schema:
    out: Schema = {"description": description, "content": {"application/json": {"schema": schema}}}
    if links:
        out["links"] = links
    return out


def param(name: str) -> Schema:
    return ref(name, "parameters")


def query(name: str, schema: Schema, description: str = "", **extra: Any) -> Schema:
    out: Schema = {"name": name, "in": "query", "schema": schema}
    if description:
        out["description"] = description
    return {**out, **extra}


def path_param(name: str, schema: Schema, description: str = "") -> Schema:
    out: Schema = {"name": name, "in": "path", "required": True, "schema": schema}
    if description:
        out["description"] = description
    return out


def link(operation_id: str, pointer: str, name: str = "id") -> Schema:
    """A link from a response to ``operation_id``, passing the id at ``pointer`` as ``name``."""
    return {"operationId": operation_id, "parameters": {name: f"$response.body#{pointer}"}}


def data(key: str, schema: Schema, **extra: Schema) -> Schema:
    """The envelope ``{"data": {key: schema}}`` (plus ``extra`` top-level members)."""
    return {
        "type": "object",
        "properties": {
            "data": {"type": "object", "properties": {key: schema}, "required": [key]},
            **extra,
        },
        "required": ["data", *extra],
    }


def closed(
    properties: dict[str, Schema], required: list[str] | None = None, **extra: Any
) -> Schema:
    """An input object whose unknown members the server refuses with a 400."""
    out: Schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        out["required"] = required
    return {**out, **extra}


UUID: Schema = {"type": "string", "format": "uuid"}
TIME: Schema = {"type": "string", "format": "date-time"}
ID_ONLY: Schema = {"type": "object", "properties": {"id": UUID}, "required": ["id"]}
BOOL_FLAG: Schema = {"type": "boolean", "default": False}


# -- errors -----------------------------------------------------------------------
ERROR: Schema = {
    "type": "object",
    "description": "Every error has this shape; some carry extra members (such as `allowed`).",
    "properties": {
        "statusCode": {"type": "integer", "description": "The HTTP status, repeated."},
        "error": {
            "type": "string",
            "description": "A machine code such as VALIDATION_ERROR, NOT_FOUND or CONFLICT.",
        },
        "message": {"type": "string", "description": "What went wrong, for people."},
        "messages": {"type": "array", "items": {"type": "string"}},
        "field": {"type": "string", "description": "The offending field, when there is one."},
    },
    "required": ["statusCode", "error", "message", "messages"],
}

_ERRORS = {
    400: ("BadRequest", "The request is malformed or a value is invalid."),
    401: ("Unauthorized", "The API key is missing, invalid, expired or revoked."),
    403: ("Forbidden", "The API key lacks the scope this operation needs."),
    404: ("NotFound", "No such resource (or it is in another workspace)."),
    409: ("Conflict", "A unique value is taken, or the resource is in the wrong state."),
    413: ("PayloadTooLarge", "The request body is too large."),
    415: ("UnsupportedMediaType", "The body is not sent as JSON."),
    422: ("Unprocessable", "The request is well formed but cannot be carried out."),
    429: ("TooManyRequests", "Too many requests for this key; see Retry-After."),
}
# What any authenticated operation can answer, whatever it does.
AUTH = (400, 401, 403, 429)
# ... and any operation that reads a JSON body.
BODY = (*AUTH, 413, 415)


def error_responses() -> dict[str, Schema]:
    out: dict[str, Schema] = {}
    for status, (name, description) in _ERRORS.items():
        response: Schema = {
            "description": description,
            "content": {"application/json": {"schema": ref("Error")}},
        }
        if status == 429:
            response["headers"] = {
                "Retry-After": {
                    "description": "Seconds to wait before retrying.",
                    "schema": {"type": "integer"},
                }
            }
        if status == 401:
            response["headers"] = {
                "WWW-Authenticate": {
                    "description": '`Bearer realm="rolodex"`.',
                    "schema": {"type": "string"},
                }
            }
        out[name] = response
    return out


def errors(*statuses: int) -> dict[str, Schema]:
    """Responses for ``statuses``, each a reference to the shared error response."""
    return {str(s): ref(_ERRORS[s][0], "responses") for s in sorted(set(statuses))}


# -- Attio's errors (/v2) -----------------------------------------------------------
ATTIO_ERROR: Schema = {
    "type": "object",
    "description": "Attio's error shape, on every `/v2` route; `field` is Rolodex's addition.",
    "properties": {
        "status_code": {"type": "integer", "description": "The HTTP status, repeated."},
        "type": {
            "type": "string",
            "description": "`invalid_request_error`, `auth_error` (401, 403), "
            "`rate_limit_error` (429) or `api_error` (500).",
        },
        "code": {
            "type": "string",
            "description": "Such as `validation_type`, `not_found`, `unauthorized`, "
            "`uniqueness_conflict` or `rate_limit_exceeded`.",
        },
        "message": {"type": "string", "description": "What went wrong, for people."},
        "field": {"type": "string", "description": "The offending field, when there is one."},
    },
    "required": ["status_code", "type", "code", "message"],
}


def attio_error_responses() -> dict[str, Schema]:
    """The shared error responses of the ``/v2`` routes, named ``Attio<Name>``."""
    out: dict[str, Schema] = {}
    for name, response in error_responses().items():
        attio = {**response, "content": {"application/json": {"schema": ref("AttioError")}}}
        if name == "TooManyRequests":
            attio["headers"] = {
                "Retry-After": {
                    "description": "The HTTP date at which to retry, as Attio sends it.",
                    "schema": {"type": "string"},
                }
            }
        out["Attio" + name] = attio
    return out


def attio_errors(*statuses: int) -> dict[str, Schema]:
    """``errors`` for a ``/v2`` route: Attio's shape."""
    return {str(s): ref("Attio" + _ERRORS[s][0], "responses") for s in sorted(set(statuses))}

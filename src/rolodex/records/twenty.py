"""Records, inputs and filters in Twenty's shapes (the ``/twenty/`` dialect and the
``twenty`` webhook format), over the same stored values as the default shapes.

Stored once, shown twice (docs/compatibility.md, "The Twenty dialect"):

- a person's ``name`` is ``{firstName, lastName}``, the stored ``firstName``
  and ``lastName`` (the flat ``name`` is derived from them);
- a company's ``address`` is its ``postalAddress`` (ADDRESS), and
  ``accountOwnerId`` its ``ownerId``;
- a CURRENCY value is ``{amountMicros, currencyCode}``.

Everything else (``emails``, ``phones``, ``domainName``, ...) is the same in
both dialects. Records are recognised by their fields, so relations embedded
at ``depth=1`` are shown in Twenty's shapes too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rolodex.metadata.fieldtypes.currency import micros
from rolodex.metadata.model import FieldType, ObjectDef

# Set in a request's ASGI scope by the /twenty/ prefix (api/twenty.py) on record
# routes; a route that wrote its records in Twenty's shapes itself sets SHAPED, so
# the response is sent as it is rather than parsed and encoded again.
DIALECT = "rolodex.twenty"
SHAPED = "rolodex.twenty.shaped"

_CURRENCY_KEYS = frozenset({"amount", "currencyCode"})
_CONTAINERS = (dict, list)
# Field paths in a filter= or order_by= value: at the start, or after "(" or ",".
_LEAD = r"(^|[(,]\s*)"
_PERSON_PATHS = [
    (re.compile(_LEAD + r"name\.(firstName|lastName)\b"), r"\1\2"),
    (re.compile(_LEAD + r"name(?=\s*(?:\[[A-Za-z]+\]\s*)?(?:,|$))"), r"\1firstName"),
]
_COMPANY_PATHS = [
    (re.compile(_LEAD + r"address\b"), r"\1postalAddress"),
    (re.compile(_LEAD + r"accountOwnerId\b"), r"\1ownerId"),
]


def _is_person(record: dict[str, Any]) -> bool:
    return "firstName" in record and "lastName" in record and "emails" in record


def _is_company(record: dict[str, Any]) -> bool:
    return "postalAddress" in record and "domainName" in record


def _currency(value: dict[str, Any]) -> bool:
    amount, code = value["amount"], value["currencyCode"]
    return (amount is None or isinstance(amount, int | float)) and (
        code is None or isinstance(code, str)
    )


def record_out(value: Any) -> Any:
    """A record (or list, or envelope part) as Twenty shows it."""
    if isinstance(value, list):
        return [record_out(v) for v in value]
    if not isinstance(value, dict):
        return value
    if value.keys() == _CURRENCY_KEYS and _currency(value):
        return micros(value)
    # Scalars (most values) are kept without a call each.
    out = {k: record_out(v) if type(v) in _CONTAINERS else v for k, v in value.items()}
    if _is_person(value):
        out["name"] = {"firstName": value["firstName"] or "", "lastName": value["lastName"] or ""}
    elif _is_company(value):
        out["address"] = out.pop("postalAddress")
        if "ownerId" in value:
            out["accountOwnerId"] = value["ownerId"]
    return out


def shaper(obj: ObjectDef) -> Callable[[dict[str, Any]], dict[str, Any]] | None:
    """``record_out`` for ``obj``'s records read at depth 0, in place, built once per object.

    Only the fields that differ between the dialects are looked at (the
    person's name, the company's address and owner, CURRENCY fields), rather
    than every value of every record; the record keeps its key order, as
    ``record_out`` keeps it. None when a record's custom document may hold a
    CURRENCY value: a ``Spliced`` one (records/schemas.py) would pass it
    through unchanged, so such objects go through ``record_out``.
    """
    key = "twenty.shaper"
    if key in obj.cache:
        return obj.cache[key]
    currency = [f for f in obj.stored_fields if f.type == FieldType.CURRENCY]
    names = tuple(f.name for f in currency)

    def shape(record: dict[str, Any]) -> dict[str, Any]:
        for name in names:
            value = record.get(name)
            if type(value) is dict and value.keys() == _CURRENCY_KEYS and _currency(value):
                record[name] = micros(value)
        if _is_person(record):
            first, last = record["firstName"], record["lastName"]
            record["name"] = {"firstName": first or "", "lastName": last or ""}
        elif _is_company(record):
            record["address"] = record.pop("postalAddress")
            if "ownerId" in record:
                record["accountOwnerId"] = record["ownerId"]
        return record

    obj.cache[key] = None if any(f.is_custom for f in currency) else shape
    return obj.cache[key]


def record_in(plural: str, body: Any) -> Any:
    """A create or update body written in Twenty's shapes, as the record layer takes it."""
    if isinstance(body, list):
        return [record_in(plural, b) for b in body]
    if not isinstance(body, dict):
        return body
    out = dict(body)
    if plural == "people" and isinstance(out.get("name"), dict):
        name = out.pop("name")
        for part in ("firstName", "lastName"):
            if part in name:
                out[part] = name[part] or None
    elif plural == "companies":
        if "address" in out and (isinstance(out["address"], dict) or out["address"] is None):
            out["postalAddress"] = out.pop("address")
        if "accountOwnerId" in out:
            out["ownerId"] = out.pop("accountOwnerId")
    return out


def query_in(plural: str, text: str) -> str:
    """A ``filter=`` or ``order_by=`` value naming Twenty's paths, with ours."""
    rules = {"people": _PERSON_PATHS, "companies": _COMPANY_PATHS}.get(plural, [])
    for pattern, repl in rules:
        text = pattern.sub(repl, text)
    return text


# Twenty's (NestJS's) names of the HTTP errors it answers with.
ERROR_NAMES = {
    400: "BadRequestException",
    401: "UnauthorizedException",
    403: "ForbiddenException",
    404: "NotFoundException",
    405: "MethodNotAllowedException",
    409: "ConflictException",
    413: "PayloadTooLargeException",
    415: "UnsupportedMediaTypeException",
    429: "TooManyRequestsException",
    500: "InternalServerErrorException",
}


def error_out(status: int, body: Any) -> dict[str, Any]:
    """An error body as Twenty writes it: ``{statusCode, error, messages}``."""
    message = body.get("message") if isinstance(body, dict) else None
    messages = body.get("messages") if isinstance(body, dict) else None
    if not isinstance(messages, list):
        messages = [message] if message else []
    out: dict[str, Any] = {
        "statusCode": status,
        "error": ERROR_NAMES.get(status, "HttpException"),
        "messages": messages,
    }
    if isinstance(body, dict) and body.get("field") is not None:
        out["field"] = body["field"]
    return out

"""CURRENCY: an amount and its ISO 4217 code, ``{"amount": 12.5, "currencyCode": "EUR"}``.

Twenty's shape is accepted too: ``{"amountMicros": 12500000, "currencyCode":
"EUR"}`` is stored as the same value (``amount`` is ``amountMicros / 10^6``),
and ``micros`` gives a stored value in Twenty's shape. Filterable by sub-field:
``amount.amount[gte]:10``, ``amount.amountMicros[gte]:10000000``,
``amount.currencyCode[eq]:EUR``.
"""

from __future__ import annotations

import math
import re
from typing import Any

from rolodex.metadata.custom_sql import CustomPart
from rolodex.metadata.fieldtypes.base import Coercer, Schema, bad, js_number
from rolodex.metadata.fieldtypes.graphql import Currency, CurrencyInput
from rolodex.metadata.fieldtypes.iso4217 import CODES
from rolodex.metadata.fieldtypes.json import JsonDocKind
from rolodex.metadata.model import FieldDef, FieldType

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_KEYS = frozenset({"amount", "currencyCode"})
MICROS = 1_000_000
_PARTS = {"amount": "float", "amountMicros": "float", "currencyCode": "text"}


def micros(value: Any) -> Any:
    """A stored value in Twenty's shape, ``{"amountMicros", "currencyCode"}``."""
    if not isinstance(value, dict):
        return value
    amount = value.get("amount")
    return {
        "amountMicros": None if amount is None else round(amount * MICROS),
        "currencyCode": value.get("currencyCode"),
    }


class CurrencyKind(JsonDocKind):
    type = FieldType.CURRENCY
    custom = True

    def validate(self, f: FieldDef, value: Any) -> Any:
        if isinstance(value, dict) and "amountMicros" in value and "amount" not in value:
            value = dict(value)
            raw = value.pop("amountMicros")
            if raw is not None and (isinstance(raw, bool) or not isinstance(raw, int | float)):
                raise bad(f, "an object whose amountMicros is a number", raw)
            value["amount"] = None if raw is None else raw / MICROS
            value.pop("__typename", None)
        if not isinstance(value, dict) or set(value) - {"amount", "currencyCode"}:
            raise bad(f, 'an object {"amount": 12.5, "currencyCode": "EUR"}', value)
        amount, code = value.get("amount"), value.get("currencyCode")
        if amount is not None and (
            isinstance(amount, bool)
            or not isinstance(amount, int | float)
            or not math.isfinite(amount)
        ):
            raise bad(f, "an object whose amount is a number", value)
        if code is not None and (
            not isinstance(code, str) or not _CURRENCY.match(code) or code not in CODES
        ):
            raise bad(f, "an object whose currencyCode is an ISO 4217 code", value)
        return {"amount": None if amount is None else js_number(amount), "currencyCode": code}

    def coercer(self, f: FieldDef) -> Coercer:
        validate = self.validate

        def coerce(value: Any) -> Any:
            # The usual value decided inline: an int or finite float amount and a
            # three-letter code; anything else takes the full check.
            if type(value) is dict and value.keys() <= _KEYS:
                amount, code = value.get("amount"), value.get("currencyCode")
                if (
                    (type(amount) is int or (type(amount) is float and math.isfinite(amount)))
                    and type(code) is str
                    and len(code) == 3
                    and code.isascii()
                    and code.isalpha()
                    and code.isupper()
                    and code in CODES
                ):
                    return {"amount": js_number(amount), "currencyCode": code}
            return validate(f, value)

        return coerce

    def part_cast(self, part: str) -> str | None:
        return _PARTS.get(part)

    def part_expr(self, table: Any, f: FieldDef, part: str) -> Any:
        key = "amount" if part == "amountMicros" else part
        cast = _PARTS[key]
        if f.column is not None:
            item = table.c[f.column][key]
            expr = item.as_float() if cast == "float" else item.as_string()
        else:
            expr = CustomPart(f.name, key, cast)
        return expr * MICROS if part == "amountMicros" else expr

    def filter_parts(self) -> dict[str, str]:
        return {"amount": "NUMBER", "amountMicros": "NUMBER", "currencyCode": "TEXT"}

    def json_schema(self, f: FieldDef) -> Schema:
        return {
            "type": "object",
            "properties": {
                "amount": {"type": ["number", "null"]},
                "currencyCode": {"type": ["string", "null"]},
            },
        }

    def openapi_input(self, f: FieldDef, schema: Schema) -> Schema:
        props = dict(schema.get("properties", {}))
        props["currencyCode"] = {"type": ["string", "null"], "pattern": "^[A-Z]{3}$"}
        return {**schema, "properties": props, "additionalProperties": False}

    def graphql_output(self, f: FieldDef) -> Any:
        return Currency

    def graphql_input(self, f: FieldDef) -> Any:
        return CurrencyInput

    def example(self, f: FieldDef) -> Any:
        return {"amount": 12.5, "currencyCode": "EUR"}

"""CURRENCY: an amount and its ISO 4217 code, ``{"amount": 12.5, "currencyCode": "EUR"}``."""

from __future__ import annotations

import math
import re
from typing import Any

from rolodex.metadata.fieldtypes.base import Coercer, Schema, bad, js_number
from rolodex.metadata.fieldtypes.graphql import Currency, CurrencyInput
from rolodex.metadata.fieldtypes.json import JsonDocKind
from rolodex.metadata.model import FieldDef, FieldType

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_KEYS = frozenset({"amount", "currencyCode"})


class CurrencyKind(JsonDocKind):
    type = FieldType.CURRENCY
    custom = True

    def validate(self, f: FieldDef, value: Any) -> Any:
        if not isinstance(value, dict) or set(value) - {"amount", "currencyCode"}:
            raise bad(f, 'an object {"amount": 12.5, "currencyCode": "EUR"}', value)
        amount, code = value.get("amount"), value.get("currencyCode")
        if amount is not None and (
            isinstance(amount, bool)
            or not isinstance(amount, int | float)
            or not math.isfinite(amount)
        ):
            raise bad(f, "an object whose amount is a number", value)
        if code is not None and (not isinstance(code, str) or not _CURRENCY.match(code)):
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
                ):
                    return {"amount": js_number(amount), "currencyCode": code}
            return validate(f, value)

        return coerce

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

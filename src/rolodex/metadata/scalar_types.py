"""Scalar field types (text, numbers, dates, ...) and the ``Kind`` they all share.

One ``Kind`` per ``FieldType``. Standard fields live in typed columns and
custom fields in the record's JSON ``custom`` column; a kind gives the SQL
expression for either, so filters and ordering treat both alike.
"""

from __future__ import annotations

import math
import re
import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from rolodex.kit import clock
from rolodex.kit.domains import normalise_domain
from rolodex.kit.errors import ValidationError
from rolodex.kit.ids import parse_uuid
from rolodex.kit.show import shown
from rolodex.metadata.custom_sql import CustomValue
from rolodex.metadata.model import FieldDef, FieldType

MAX_TEXT = 100_000
MAX_SAFE_INT = 2**53 - 1
_EMAIL = re.compile(r"^[^@\s<>(),;:\"]+@[^@\s<>(),;:\"]+\.[^@\s<>(),;:\"]+$")
_PHONE = re.compile(r"^\+?[0-9 ()\-./]*[0-9][0-9 ()\-./]*(?:\s*(?:x|ext\.?)\s*[0-9]+)?$", re.I)
_CURRENCY = re.compile(r"^[A-Z]{3}$")

COMPARE = frozenset({"eq", "neq", "in", "gt", "gte", "lt", "lte", "is"})
TEXT_OPS = COMPARE | {"like", "ilike", "startsWith", "contains"}
EQUALITY = frozenset({"eq", "neq", "in", "is"})
LIST_OPS = frozenset({"contains", "is"})


def _bad(f: FieldDef, what: str, value: Any) -> ValidationError:
    return ValidationError(f"{f.name} must be {what}, got {_show(value)}", field=f.name)


def _show(value: Any) -> str:
    return shown(value)


def js_number(value: float | int) -> float | int:
    """Integral floats become ints, as JavaScript writes them (``1`` not ``1.0``)."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= MAX_SAFE_INT:
        return int(value)
    return value


class Kind:
    """Behaviour shared by the types; subclasses override what differs."""

    type: FieldType
    ops: frozenset[str] = EQUALITY
    json_stored = False  # values are JSON documents (lists, objects)

    # -- input ------------------------------------------------------------
    def validate(self, f: FieldDef, value: Any) -> Any:
        """A non-null input value as stored, or a 400 naming the field."""
        raise NotImplementedError

    def from_string(self, f: FieldDef, text: str) -> Any:
        """A value given as text (REST filters, CSV cells, the seed's customFields)."""
        return self.validate(f, text)

    # -- storage ----------------------------------------------------------
    def sql_type(self, f: FieldDef) -> Any:
        return sa.Text()

    def from_db(self, value: Any, sqlite: bool) -> Any:
        """A stored value (column or JSON) as the API shows it."""
        return value

    def to_json(self, value: Any) -> Any:
        """A validated value as kept inside the JSON ``custom`` column."""
        return value

    def expr(self, table: sa.Table, f: FieldDef) -> Any:
        if f.column is not None:
            return table.c[f.column]
        return CustomValue(f.name, "text")

    def filter_value(self, f: FieldDef, value: Any) -> Any:
        """A filter operand as a SQL parameter comparable with ``expr``."""
        parsed = self.from_string(f, value) if isinstance(value, str) else self.validate(f, value)
        return parsed if f.column is not None else self.to_json(parsed)

    # -- description ------------------------------------------------------
    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "string"}


class TextKind(Kind):
    type = FieldType.TEXT
    ops = TEXT_OPS

    def validate(self, f: FieldDef, value: Any) -> Any:
        if not isinstance(value, str):
            raise _bad(f, "a string", value)
        if "\x00" in value:
            raise ValidationError(f"{f.name} must not contain NUL characters", field=f.name)
        if len(value) > MAX_TEXT:
            raise ValidationError(f"{f.name} is longer than {MAX_TEXT} characters", field=f.name)
        if f.settings.get("format") == "domain":
            return self._domain(f, value)
        return value

    def _domain(self, f: FieldDef, value: str) -> str | None:
        if not value.strip():
            return None
        host = normalise_domain(value)
        if host is None:
            raise _bad(f, "a domain name such as acme.com", value)
        return host

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        if f.settings.get("format") == "domain":
            return {"type": "string", "format": "hostname"}
        return {"type": "string"}

    def filter_value(self, f: FieldDef, value: Any) -> Any:
        if not isinstance(value, str):
            raise _bad(f, "a string", value)
        if "\x00" in value:
            raise ValidationError(f"{f.name} filters must not contain NUL characters", field=f.name)
        return value


class EmailKind(TextKind):
    type = FieldType.EMAIL

    def validate(self, f: FieldDef, value: Any) -> Any:
        text = super().validate(f, value).strip()
        if not text:
            return None
        if len(text) > 320 or not _EMAIL.match(text):
            raise _bad(f, "an email address", value)
        return text

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "string", "format": "email"}


class PhoneKind(TextKind):
    type = FieldType.PHONE

    def validate(self, f: FieldDef, value: Any) -> Any:
        text = super().validate(f, value).strip()
        if not text:
            return None
        if len(text) > 64 or not _PHONE.match(text):
            raise _bad(f, "a phone number such as +1-555-0123", value)
        return text


class LinkKind(TextKind):
    type = FieldType.LINK

    def validate(self, f: FieldDef, value: Any) -> Any:
        text = super().validate(f, value).strip()
        if not text:
            return None
        if len(text) > 2048 or any(c.isspace() for c in text) or "." not in text:
            raise _bad(f, "a URL such as https://example.com", value)
        return text

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "string", "format": "uri-reference"}


class NumberKind(Kind):
    type = FieldType.NUMBER
    ops = COMPARE

    def _integer(self, f: FieldDef) -> bool:
        return f.settings.get("decimals") == 0

    def validate(self, f: FieldDef, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _bad(f, "a number", value)
        if isinstance(value, float) and not math.isfinite(value):
            raise _bad(f, "a finite number", value)
        value = js_number(value)
        if self._integer(f) and not isinstance(value, int):
            raise _bad(f, "a whole number", value)
        lo, hi = f.settings.get("min"), f.settings.get("max", MAX_SAFE_INT)
        if lo is not None and value < lo:
            raise ValidationError(f"{f.name} must be at least {lo}", field=f.name)
        if hi is not None and value > hi:
            raise ValidationError(f"{f.name} must be at most {hi}", field=f.name)
        if value < -MAX_SAFE_INT:
            raise ValidationError(f"{f.name} is out of range", field=f.name)
        return value

    def from_string(self, f: FieldDef, text: str) -> Any:
        try:
            number: float | int = int(text.strip())
        except ValueError:
            try:
                number = float(text.strip())
            except ValueError:
                raise _bad(f, "a number", text) from None
        return self.validate(f, number)

    def filter_value(self, f: FieldDef, value: Any) -> Any:
        # A filter compares; it need not be a value the field accepts (employees > -1).
        if isinstance(value, str):
            text = value.strip()
            try:
                value = int(text)
            except ValueError:
                try:
                    value = float(text)
                except ValueError:
                    raise _bad(f, "a number", text) from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _bad(f, "a number", value)
        if isinstance(value, float) and not math.isfinite(value):
            raise _bad(f, "a finite number", value)
        if abs(value) > MAX_SAFE_INT:
            raise ValidationError(f"{f.name} filter value is out of range", field=f.name)
        return js_number(value)

    def sql_type(self, f: FieldDef) -> Any:
        return sa.Integer() if self._integer(f) else sa.Float()

    def from_db(self, value: Any, sqlite: bool) -> Any:
        return js_number(value) if isinstance(value, float) else value

    def expr(self, table: sa.Table, f: FieldDef) -> Any:
        if f.column is not None:
            return table.c[f.column]
        return CustomValue(f.name, "float")

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "integer" if self._integer(f) else "number"}


class RatingKind(NumberKind):
    type = FieldType.RATING

    def validate(self, f: FieldDef, value: Any) -> Any:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value != int(value)
        ):
            raise _bad(f, "a whole number from 1 to 5", value)
        if not 1 <= value <= int(f.settings.get("max", 5)):
            raise _bad(f, f"a whole number from 1 to {f.settings.get('max', 5)}", value)
        return int(value)

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "integer", "minimum": 1, "maximum": int(f.settings.get("max", 5))}


class BooleanKind(Kind):
    type = FieldType.BOOLEAN
    ops = frozenset({"eq", "neq", "is"})
    _TRUE = frozenset({"true", "t", "yes", "y", "1"})
    _FALSE = frozenset({"false", "f", "no", "n", "0"})

    def validate(self, f: FieldDef, value: Any) -> Any:
        if not isinstance(value, bool):
            raise _bad(f, "true or false", value)
        return value

    def from_string(self, f: FieldDef, text: str) -> Any:
        low = text.strip().lower()
        if low in self._TRUE:
            return True
        if low in self._FALSE:
            return False
        raise _bad(f, "true or false", text)

    def sql_type(self, f: FieldDef) -> Any:
        return sa.Boolean()

    def from_db(self, value: Any, sqlite: bool) -> Any:
        return None if value is None else bool(value)

    def expr(self, table: sa.Table, f: FieldDef) -> Any:
        if f.column is not None:
            return table.c[f.column]
        return CustomValue(f.name, "boolean")

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "boolean"}


class DateTimeKind(Kind):
    type = FieldType.DATE_TIME
    ops = COMPARE

    def validate(self, f: FieldDef, value: Any) -> Any:
        return clock.parse_datetime(value, field=f.name)

    def sql_type(self, f: FieldDef) -> Any:
        return sa.DateTime(timezone=True).with_variant(sa.String(24), "sqlite")

    def from_db(self, value: Any, sqlite: bool) -> Any:
        return clock.iso(value) if isinstance(value, datetime) else value

    def to_json(self, value: Any) -> Any:
        return clock.iso(value)

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "string", "format": "date-time"}


class DateKind(Kind):
    type = FieldType.DATE
    ops = COMPARE

    def validate(self, f: FieldDef, value: Any) -> Any:
        return clock.parse_date(value, field=f.name)

    def sql_type(self, f: FieldDef) -> Any:
        return sa.Date().with_variant(sa.String(10), "sqlite")

    def from_db(self, value: Any, sqlite: bool) -> Any:
        return value.isoformat() if isinstance(value, date) else value

    def to_json(self, value: Any) -> Any:
        return value.isoformat()

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "string", "format": "date"}


class SelectKind(Kind):
    type = FieldType.SELECT

    def validate(self, f: FieldDef, value: Any) -> Any:
        allowed = f.option_values
        if not isinstance(value, str) or value not in allowed:
            raise ValidationError(
                f"{f.name} must be one of {', '.join(allowed)}; got {_show(value)}",
                field=f.name,
                allowed=list(allowed),
            )
        return value

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "string", "enum": list(f.option_values)}


class UuidKind(Kind):
    type = FieldType.UUID

    def validate(self, f: FieldDef, value: Any) -> Any:
        return parse_uuid(value, field=f.name)

    def sql_type(self, f: FieldDef) -> Any:
        return sa.Uuid().with_variant(sa.String(36), "sqlite")

    def from_db(self, value: Any, sqlite: bool) -> Any:
        return str(value) if isinstance(value, uuid.UUID) else value

    def to_json(self, value: Any) -> Any:
        return str(value)

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "string", "format": "uuid"}


class RelationKind(Kind):
    type = FieldType.RELATION
    ops = frozenset()

    def validate(self, f: FieldDef, value: Any) -> Any:
        assert f.relation is not None
        raise ValidationError(
            f"{f.name} is a relation; set {f.relation.join_field} instead", field=f.name
        )

"""TEXT and the text types with a form: EMAIL, PHONE and LINK."""

from __future__ import annotations

import re
from typing import Any

from graphql import GraphQLString

from rolodex.kit.domains import normalise_domain
from rolodex.kit.errors import ValidationError
from rolodex.metadata.fieldtypes.base import TEXT_OPS, Coercer, FieldKind, Schema, bad
from rolodex.metadata.model import FieldDef, FieldType

MAX_TEXT = 100_000
_EMAIL = re.compile(r"^[^@\s<>(),;:\"]+@[^@\s<>(),;:\"]+\.[^@\s<>(),;:\"]+$")
# A link the check takes as it is: no space or NUL (so nothing to strip), a dot.
_PLAIN_LINK = re.compile(r"[^\s\x00]*\.[^\s\x00]*")
_PHONE = re.compile(r"^\+?[0-9 ()\-./]*[0-9][0-9 ()\-./]*(?:\s*(?:x|ext\.?)\s*[0-9]+)?$", re.I)

# The checks above as JSON Schema patterns (ECMA 262, so spelt without inline
# flags), so that a request the OpenAPI document allows is one the server accepts.
NO_NUL = "^[^\\x00]*$"
# Python's whitespace (what str.strip and re's \s take), which ECMA 262's \s is not.
_NOT = (
    "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a"
    "\\u2028\\u2029\\u202f\\u205f\\u3000"
)
WS = f"[{_NOT}]"
PHONE = (
    "^\\s*(?:\\+?[0-9 ()\\-./]*[0-9][0-9 ()\\-./]*"
    "(?:\\s*(?:[xX]|[eE][xX][tT]\\.?)\\s*[0-9]+)?)?\\s*$"
)
# The email check: one @, a dot in the domain, none of the characters below.
_E = f'[^@<>(),;:"\\x00{_NOT}]+'
EMAIL = f"^{WS}*{_E}@{_E}\\.{_E}{WS}*$"
LINK = f"^{WS}*[^\\x00{_NOT}]*\\.[^\\x00{_NOT}]*{WS}*$"


class TextKind(FieldKind):
    type = FieldType.TEXT
    ops = TEXT_OPS
    orderable = True
    custom = True
    text_literal = True
    cast = "text"
    settings_rules: dict[str, Any] = {}
    graphql_filter = ("StringFilter", GraphQLString)
    folds_case = True

    def validate(self, f: FieldDef, value: Any) -> Any:
        if not isinstance(value, str):
            raise bad(f, "a string", value)
        if "\x00" in value:
            raise ValidationError(f"{f.name} must not contain NUL characters", field=f.name)
        if len(value) > MAX_TEXT:
            raise ValidationError(f"{f.name} is longer than {MAX_TEXT} characters", field=f.name)
        if f.settings.get("format") == "domain":
            return self._domain(f, value)
        return value

    def coercer(self, f: FieldDef) -> Coercer:
        if type(self) is not TextKind or f.settings.get("format") == "domain":
            return super().coercer(f)
        validate = self.validate

        def coerce(value: Any) -> Any:
            # The common case decided inline; anything else takes the full check.
            if type(value) is str and len(value) <= MAX_TEXT and "\x00" not in value:
                return value
            return validate(f, value)

        return coerce

    def _domain(self, f: FieldDef, value: str) -> str | None:
        if not value.strip():
            return None
        host = normalise_domain(value)
        if host is None:
            raise bad(f, "a domain name such as acme.com", value)
        return host

    def filter_value(self, f: FieldDef, value: Any) -> Any:
        if not isinstance(value, str):
            raise bad(f, "a string", value)
        if "\x00" in value:
            raise ValidationError(f"{f.name} filters must not contain NUL characters", field=f.name)
        return value

    def json_schema(self, f: FieldDef) -> Schema:
        if f.settings.get("format") == "domain":
            return {"type": "string", "format": "hostname"}
        return {"type": "string"}

    def openapi_input(self, f: FieldDef, schema: Schema) -> Schema:
        return {**schema, "maxLength": MAX_TEXT, "pattern": NO_NUL}

    def graphql_output(self, f: FieldDef) -> Any:
        return GraphQLString

    def example(self, f: FieldDef) -> Any:
        return f"Sample {f.label.lower()}"


class EmailKind(TextKind):
    type = FieldType.EMAIL

    def validate(self, f: FieldDef, value: Any) -> Any:
        text = super().validate(f, value).strip()
        if not text:
            return None
        if len(text) > 320 or not _EMAIL.match(text):
            raise bad(f, "an email address", value)
        return text

    def json_schema(self, f: FieldDef) -> Schema:
        return {"type": "string", "format": "email"}

    def openapi_input(self, f: FieldDef, schema: Schema) -> Schema:
        out = super().openapi_input(f, schema)
        out.pop("format", None)  # the server's rule, not RFC 5322's
        out.update(maxLength=320, pattern=EMAIL)
        return out

    def openapi_output(self, f: FieldDef, schema: Schema) -> Schema:
        # As values are stored: emails as checked, not as RFCs define them.
        return {k: v for k, v in schema.items() if k != "format"}

    def example(self, f: FieldDef) -> Any:
        return "ada@example.com"


class PhoneKind(TextKind):
    type = FieldType.PHONE
    folds_case = False

    def validate(self, f: FieldDef, value: Any) -> Any:
        text = super().validate(f, value).strip()
        if not text:
            return None
        if len(text) > 64 or not _PHONE.match(text):
            raise bad(f, "a phone number such as +1-555-0123", value)
        return text

    def openapi_input(self, f: FieldDef, schema: Schema) -> Schema:
        out = super().openapi_input(f, schema)
        out.update(maxLength=64, pattern=PHONE)
        return out

    def example(self, f: FieldDef) -> Any:
        return "+1-555-0123"


class LinkKind(TextKind):
    type = FieldType.LINK
    folds_case = False

    def validate(self, f: FieldDef, value: Any) -> Any:
        text = super().validate(f, value).strip()
        if not text:
            return None
        if len(text) > 2048 or any(c.isspace() for c in text) or "." not in text:
            raise bad(f, "a URL such as https://example.com", value)
        return text

    def coercer(self, f: FieldDef) -> Coercer:
        validate = self.validate
        plain = _PLAIN_LINK.fullmatch

        def coerce(value: Any) -> Any:
            if type(value) is str and len(value) <= 2048 and plain(value):
                return value
            return validate(f, value)

        return coerce

    def json_schema(self, f: FieldDef) -> Schema:
        return {"type": "string", "format": "uri-reference"}

    def openapi_input(self, f: FieldDef, schema: Schema) -> Schema:
        out = super().openapi_input(f, schema)
        out.pop("format", None)
        out.update(maxLength=2048, pattern=LINK)
        return out

    def openapi_output(self, f: FieldDef, schema: Schema) -> Schema:
        return {k: v for k, v in schema.items() if k != "format"}

    def example(self, f: FieldDef) -> Any:
        return "https://example.com"

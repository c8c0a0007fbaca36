"""Record fields in forms: which fields a form shows, how a value is shown in an
input, and how the text sent back becomes the JSON the record service checks."""

from __future__ import annotations

from typing import Any

from rolodex.kit import jsonutil
from rolodex.kit.errors import ValidationError
from rolodex.metadata.model import FieldDef, ObjectDef, RelationKind
from rolodex.metadata.types import kind as kind_of

NUMBERS = ("NUMBER", "RATING")
STRUCTURED = ("JSON", "CURRENCY", "ARRAY", "MULTI_SELECT", "ACTOR")


def shown(obj: ObjectDef) -> list[FieldDef]:
    """Fields a list can show: values, not the lists of related records."""
    return [
        f
        for f in obj.fields.values()
        if not (f.relation is not None and f.relation.kind is RelationKind.ONE_TO_MANY)
    ]


def editable(obj: ObjectDef) -> list[FieldDef]:
    return [
        f for f in obj.fields.values() if not f.system and not f.read_only and f.relation is None
    ]


def composite(f: FieldDef) -> bool:
    """Composite types (EMAILS, LINKS, ADDRESS, ...): typed as JSON or as the primary
    sub-field alone (``acme.com`` for a LINKS field), as an import cell is."""
    return getattr(kind_of(f), "primary", None) is not None


def widget(f: FieldDef) -> str:
    if f.type == "BOOLEAN":
        return "boolean"
    if f.type == "SELECT":
        return "select"
    if f.type in STRUCTURED:
        return "json"
    if f.type in NUMBERS:
        return "number"
    return "text"


def as_text(f: FieldDef, value: Any) -> str:
    """A stored value as the text an input holds."""
    if value is None:
        return ""
    if widget(f) == "json" or isinstance(value, dict | list):
        return jsonutil.dumps_str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def from_text(f: FieldDef, text: str) -> Any:
    """The text of an input as the JSON value the record service validates."""
    kind = widget(f)
    text = text.strip()
    if text == "":
        return None
    if composite(f):
        try:
            return kind_of(f).from_string(f, text)
        except ValidationError:
            return text  # the record service says what is wrong, as the API does
    if kind == "boolean":
        return text == "true"
    if kind == "number":
        try:
            number = float(text)
        except ValueError:
            return text  # the record service says what is wrong, as the API does
        return int(number) if number.is_integer() and "." not in text else number
    if kind == "json":
        try:
            return jsonutil.loads(text)
        except Exception:
            raise ValidationError(f"{f.name} must be JSON here", field=f.name) from None
    return text


def changes(
    obj: ObjectDef, record: dict[str, Any] | None, form: dict[str, list[str]]
) -> dict[str, Any]:
    """The fields whose text differs from what the record holds (all given, on create)."""
    out: dict[str, Any] = {}
    for f in editable(obj):
        values = form.get(f"f-{f.name}")
        if values is None:
            continue
        text = values[0]
        if record is not None and text.strip() == as_text(f, record.get(f.name)).strip():
            continue
        value = from_text(f, text)
        if record is None and value is None:
            continue
        out[f.name] = value
    return out

"""ADDRESS: a postal address in parts, with an optional position (latitude, longitude)."""

from __future__ import annotations

from typing import Any

from rolodex.metadata.fieldtypes.composite import CompositeKind, number_sub, text_sub
from rolodex.metadata.model import FieldDef, FieldType

LINES = ("addressStreet1", "addressStreet2", "addressCity", "addressPostcode", "addressState")


class AddressKind(CompositeKind):
    type = FieldType.ADDRESS
    subs = {
        "addressStreet1": text_sub("1 Rue de Rivoli"),
        "addressStreet2": text_sub(""),
        "addressCity": text_sub("Paris"),
        "addressPostcode": text_sub("75001"),
        "addressState": text_sub("Île-de-France"),
        "addressCountry": text_sub("France"),
        "addressLat": number_sub(-90, 90, 48.8606),
        "addressLng": number_sub(-180, 180, 2.3376),
    }
    primary = "addressCity"
    graphql_name = "Address"
    graphql_filter = ("AddressFilter", None)

    def normalise(self, f: FieldDef, value: dict[str, Any]) -> Any:
        return {k: (v.strip() or None) if isinstance(v, str) else v for k, v in value.items()}


def one_line(value: Any) -> str | None:
    """An address as one line of text: its parts joined with commas (the flat form)."""
    if not isinstance(value, dict):
        return None
    parts = [value.get(k) for k in (*LINES, "addressCountry")]
    return ", ".join(p for p in parts if isinstance(p, str) and p) or None

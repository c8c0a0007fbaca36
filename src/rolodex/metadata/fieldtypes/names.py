"""FULL_NAME: a person's name in parts, ``{"firstName": "Ada", "lastName": "Lovelace"}``."""

from __future__ import annotations

from typing import Any

from rolodex.metadata.fieldtypes.composite import CompositeKind, text_sub
from rolodex.metadata.model import FieldDef, FieldType

# Whitespace inside a part is kept as written; only the ends are trimmed.


class FullNameKind(CompositeKind):
    type = FieldType.FULL_NAME
    subs = {"firstName": text_sub("Ada"), "lastName": text_sub("Lovelace")}
    primary = "firstName"
    graphql_name = "FullName"
    graphql_filter = ("FullNameFilter", None)

    def normalise(self, f: FieldDef, value: dict[str, Any]) -> Any:
        return {k: (v.strip() or None) if isinstance(v, str) else v for k, v in value.items()}

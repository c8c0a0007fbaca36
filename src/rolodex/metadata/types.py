"""Field types, as the rest of the code asks for them: ``kind(f)`` and the helpers.

Each type is one module of ``metadata/fieldtypes``; this module re-exports the
registry's entry points.
"""

from __future__ import annotations

from rolodex.metadata.fieldtypes import KINDS, MAX_SAFE_INT, Kind, js_json, js_number, kind
from rolodex.metadata.model import FieldType

__all__ = ["KINDS", "MAX_SAFE_INT", "FieldType", "Kind", "js_json", "js_number", "kind"]

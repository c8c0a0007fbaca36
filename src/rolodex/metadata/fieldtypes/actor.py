"""ACTOR: who made a change (an API key, a member, an import or the system); set by Rolodex."""

from __future__ import annotations

from typing import Any

from rolodex.kit.errors import ValidationError
from rolodex.metadata.fieldtypes.base import Schema
from rolodex.metadata.fieldtypes.graphql import Actor
from rolodex.metadata.fieldtypes.json import JsonDocKind
from rolodex.metadata.model import FieldDef, FieldType

# The actor of sample events (the webhook catalogue, POST /rest/webhooks/{id}/test).
SAMPLE_ACTOR = {"type": "system", "id": None, "name": "Rolodex test"}


class ActorKind(JsonDocKind):
    """Who made a change: an API key, a member, an import or the system."""

    type = FieldType.ACTOR
    custom = False
    parts = ("type", "id", "name")  # createdBy.id[eq]:...

    def validate(self, f: FieldDef, value: Any) -> Any:
        raise ValidationError(f"{f.name} is set by Rolodex and cannot be written", field=f.name)

    def json_schema(self, f: FieldDef) -> Schema:
        return {
            "type": "object",
            "properties": {
                "type": {"type": "string", "enum": ["apiKey", "member", "import", "system"]},
                "id": {"type": ["string", "null"]},
                "name": {"type": ["string", "null"]},
            },
        }

    def graphql_output(self, f: FieldDef) -> Any:
        return Actor

    def graphql_input(self, f: FieldDef) -> Any:
        return None

    def example(self, f: FieldDef) -> Any:
        return dict(SAMPLE_ACTOR)

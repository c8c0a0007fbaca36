"""Tool arguments, checked as REST checks query parameters: a clear message naming
the argument, never a traceback. The SDK does not validate arguments against
the input schema, so every tool reads its arguments through ``Args``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rolodex.kit.errors import BadRequest
from rolodex.kit.show import shown
from rolodex.metadata.model import suggest


class Args:
    """A tool call's arguments; ``done`` refuses any the tool did not read."""

    def __init__(self, values: dict[str, Any] | None, accepted: Iterable[str]) -> None:
        self.values = dict(values or {})
        self.accepted = frozenset(accepted)
        for name in self.values:
            if name not in self.accepted:
                listed = ", ".join(sorted(self.accepted)) or "none"
                raise BadRequest(
                    f"Unknown argument {shown(name)};{suggest(name, self.accepted)} "
                    f"this tool accepts: {listed}.",
                    field=name,
                )

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def text(self, name: str, *, required: bool = False, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise BadRequest(f"{name} is required.", field=name)
            return default
        if not isinstance(value, str):
            raise BadRequest(f"{name} must be a string, got {shown(value)}", field=name)
        return value

    def need(self, name: str) -> str:
        value = self.text(name, required=True)
        assert value is not None
        return value

    def integer(self, name: str, default: int, lo: int, hi: int) -> int:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            raise BadRequest(f"{name} must be a whole number, got {shown(value)}", field=name)
        value = int(value)
        if not lo <= value <= hi:
            raise BadRequest(f"{name} must be between {lo} and {hi}, got {value}", field=name)
        return value

    def names(self, name: str) -> list[str]:
        """A list of names (also accepted as one comma-separated string)."""
        value = self.values.get(name)
        if value is None:
            return []
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise BadRequest(f"{name} must be a list of names, got {shown(value)}", field=name)
        return list(value)

    def document(self, name: str) -> dict[str, Any]:
        value = self.values.get(name)
        if not isinstance(value, dict):
            raise BadRequest(
                f"{name} must be an object of field values, got {shown(value)}", field=name
            )
        return value

"""Per-object rules applied on every write, whatever interface it came from.

An object gets a rule by declaring its behaviour on its definition
(``ObjectDef.behaviours``, metadata/standard.py), not by its name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rolodex.kit import clock
from rolodex.kit.errors import ValidationError
from rolodex.kit.show import shown
from rolodex.metadata.model import Behaviour, ObjectDef
from rolodex.records import mirrors
from rolodex.records.schemas import clean_spaces

Rule = Callable[[dict[str, Any], dict[str, Any] | None], None]


def split_name(name: str) -> tuple[str | None, str | None]:
    """``"Mary Ann Smith"`` -> ``("Mary", "Ann Smith")``; the first word is the first name."""
    parts = clean_spaces(name).split(" ", 1)
    first = parts[0] or None
    last = parts[1] if len(parts) > 1 else None
    return first, last


def join_name(first: str | None, last: str | None) -> str | None:
    text = clean_spaces(" ".join(p for p in (first, last) if p))
    return text or None


def person_names(values: dict[str, Any], current: dict[str, Any] | None) -> None:
    """Keep ``name`` equal to ``firstName + " " + lastName`` (see docs/records.md).

    Writing ``name`` alone splits it at the first space; writing either part
    alone rebuilds ``name``; writing all three must agree.
    """
    has_name = "name" in values
    has_parts = "firstName" in values or "lastName" in values
    if not has_name and not has_parts:
        return
    if has_name and not has_parts:
        name = values["name"]
        first, last = split_name(name) if name else (None, None)
        values["firstName"], values["lastName"] = first, last
        values["name"] = join_name(first, last)
        return
    cur = current or {}
    first = values.get("firstName", cur.get("firstName"))
    last = values.get("lastName", cur.get("lastName"))
    first = clean_spaces(first) or None if first else None
    last = clean_spaces(last) or None if last else None
    values["firstName"], values["lastName"] = first, last
    joined = join_name(first, last)
    if has_name and clean_spaces(values["name"] or "") != (joined or ""):
        raise ValidationError(
            f"name ({shown(values['name'])}) must equal firstName + ' ' + lastName "
            f"({shown(joined)}); "
            "send name alone, or the parts alone",
            field="name",
        )
    values["name"] = joined


def task_completion(values: dict[str, Any], current: dict[str, Any] | None) -> None:
    """``completedAt`` is set when a task reaches DONE and cleared when it is reopened."""
    if "status" not in values:
        return
    was_done = current is not None and current.get("status") == "DONE"
    if values["status"] == "DONE" and not was_done:
        values["completedAt"] = clock.now()
    elif values["status"] != "DONE" and was_done:
        values["completedAt"] = None


RULES: dict[Behaviour, Rule] = {
    Behaviour.FULL_NAME: person_names,
    Behaviour.COMPLETION: task_completion,
}


def apply(obj: ObjectDef, values: dict[str, Any], current: dict[str, Any] | None) -> None:
    """Apply the rules of ``obj``'s behaviours to a write's ``values`` (``current``: the record)."""
    for behaviour, rule in RULES.items():
        if behaviour in obj.behaviours:
            rule(values, current)
    if obj.mirrors:
        mirrors.apply(obj, values, current)


def completes(obj: ObjectDef, values: dict[str, Any]) -> bool:
    """Whether a write's ``values`` complete a record (a task reaching DONE)."""
    return Behaviour.COMPLETION in obj.behaviours and values.get("status") == "DONE"

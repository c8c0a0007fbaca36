"""Object behaviours come from the definition, never from the object's name."""

from __future__ import annotations

import copy
import uuid

from rolodex.metadata.model import Behaviour, Owned
from rolodex.metadata.registry import custom_object, standard
from rolodex.metadata.repository import ObjectRow
from rolodex.records import rules
from rolodex.webhooks.catalogue import event_types, sample_record


def test_the_standard_objects_declare_their_behaviours() -> None:
    objects = standard().objects
    assert objects["person"].behaviours == {Behaviour.FULL_NAME, Behaviour.CONSENT}
    assert objects["person"].owned == (Owned("consent", "person_id"),)
    assert objects["task"].behaviours == {Behaviour.COMPLETION}
    for name in ("company", "note", "member"):
        assert objects[name].behaviours == frozenset(), name
        assert objects[name].owned == (), name


def test_a_custom_object_has_no_behaviours() -> None:
    row = ObjectRow(uuid.uuid4(), "chore", "chores", "Chore", "Chores", "")
    obj = custom_object(row)
    assert obj.behaviours == frozenset()
    assert obj.owned == ()


def test_rules_follow_the_behaviour_not_the_name() -> None:
    task = standard().object("task")
    chore = copy.copy(task)
    chore.name, chore.plural = "chore", "chores"
    values = {"status": "DONE"}
    rules.apply(chore, values, None)
    assert values["completedAt"] is not None
    assert rules.completes(chore, {"status": "DONE"})

    plain = copy.copy(task)
    plain.behaviours = frozenset()
    values = {"status": "DONE"}
    rules.apply(plain, values, None)
    assert "completedAt" not in values
    assert not rules.completes(plain, {"status": "DONE"})


def test_names_split_only_with_full_name() -> None:
    person = standard().object("person")
    values = {"name": "Ada Lovelace"}
    rules.apply(person, values, None)
    assert (values["firstName"], values["lastName"]) == ("Ada", "Lovelace")
    plain = copy.copy(person)
    plain.behaviours = frozenset()
    values = {"name": "Ada Lovelace"}
    rules.apply(plain, values, None)
    assert values == {"name": "Ada Lovelace"}


def test_the_catalogue_lists_completed_by_behaviour() -> None:
    registry = standard()
    names = {e["name"] for e in event_types(registry, [])}
    assert "task.completed" in names
    assert not any(n.endswith(".completed") and n != "task.completed" for n in names)
    plain = copy.copy(registry.object("task"))
    plain.behaviours = frozenset()
    assert "task.completed" not in {e["name"] for e in event_types(_with(registry, plain), [])}
    assert sample_record(registry.object("task"), "completed")["status"] == "DONE"
    assert sample_record(plain, "completed")["status"] == "TODO"  # the field's default


def _with(registry, obj):  # type: ignore[no-untyped-def]
    """``registry`` with ``obj`` in place of the object of its name."""
    out = copy.copy(registry)
    out.objects = {**registry.objects, obj.name: obj}
    return out

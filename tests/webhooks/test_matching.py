"""Subscriptions: event names, wildcards, the ``changed`` alias, and Attio filters."""

from __future__ import annotations

from typing import Any

import pytest

from rolodex.kit.errors import ValidationError
from rolodex.webhooks.matching import (
    check_event_type,
    check_filter,
    evaluate,
    match,
    subscribed_name,
)


@pytest.mark.parametrize(
    ("pattern", "event", "name"),
    [
        ("person.created", "person.created", "person.created"),
        ("person.created", "person.updated", None),
        ("person.*", "person.deleted", "person.deleted"),
        ("person.*", "company.deleted", None),
        ("*.created", "note.created", "note.created"),
        ("*.created", "note.updated", None),
        ("*.*", "task.completed", "task.completed"),
        ("*", "webhook.disabled", "webhook.disabled"),
        ("person.changed", "person.updated", "person.changed"),
        ("*.changed", "company.updated", "company.changed"),
        ("person.changed", "person.created", None),
        ("person.updated", "person.updated", "person.updated"),
    ],
)
def test_patterns(pattern: str, event: str, name: str | None) -> None:
    assert subscribed_name(pattern, event) == name


@pytest.mark.parametrize(
    "bad", ["", "person", "person.", ".created", "per son.created", "a.b.c", 7]
)
def test_bad_event_types_are_400s(bad: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        check_event_type(bad, "subscriptions[0].eventType")
    assert exc.value.field == "subscriptions[0].eventType"


def test_unknown_object_suggests() -> None:
    with pytest.raises(ValidationError, match="person"):
        check_event_type("persn.created", "f", ["person", "company"])


def test_first_matching_subscription_names_the_delivery() -> None:
    subs = [
        {"eventType": "person.changed", "filter": None},
        {"eventType": "person.*", "filter": None},
    ]
    assert match(subs, "person.updated", lambda n: {}) == "person.changed"
    assert match(subs, "person.created", lambda n: {}) == "person.created"
    assert match([], "person.created", lambda n: {}) is None
    assert match(None, "person.created", lambda n: {}) == "person.created"


PAYLOAD = {
    "event": "person.updated",
    "object": "person",
    "actor": {"type": "apiKey", "name": "zapier"},
    "data": {"email": "ada@example.com", "employees": 12, "tags": ["vip", "eu"], "phone": None},
    "changes": ["email"],
}


def flt(*conds: dict[str, Any], op: str = "$and") -> dict[str, Any] | None:
    return check_filter({op: list(conds)}, "filter")


@pytest.mark.parametrize(
    ("cond", "expected"),
    [
        ({"field": "object", "operator": "equals", "value": "person"}, True),
        ({"field": "data.email", "operator": "equals", "value": "ada@example.com"}, True),
        ({"field": "email", "operator": "equals", "value": "ada@example.com"}, True),
        ({"field": "actor.type", "operator": "not_equals", "value": "member"}, True),
        ({"field": "data.employees", "operator": "gt", "value": 10}, True),
        ({"field": "data.employees", "operator": "lte", "value": 11.5}, False),
        ({"field": "data.employees", "operator": "in", "value": [1, 12]}, True),
        ({"field": "data.employees", "operator": "not_in", "value": [12]}, False),
        ({"field": "data.email", "operator": "contains", "value": "EXAMPLE"}, True),
        ({"field": "data.tags", "operator": "contains", "value": "vip"}, True),
        ({"field": "data.phone", "operator": "exists"}, False),
        ({"field": "data.phone", "operator": "exists", "value": False}, True),
        ({"field": "data.email", "operator": "exists"}, True),
        ({"field": "data.email", "operator": "changed"}, True),
        ({"field": "email", "operator": "changed"}, True),
        ({"field": "data.name", "operator": "changed"}, False),
        ({"field": "data.name", "operator": "changed", "value": False}, True),
        ({"field": "data.missing", "operator": "not_equals", "value": "x"}, False),
        ({"field": "data.missing", "operator": "equals", "value": None}, False),
        ({"field": "data.employees", "operator": "gt", "value": "10"}, False),
        ({"field": "data.tags.0", "operator": "equals", "value": "vip"}, True),
    ],
)
def test_conditions(cond: dict[str, Any], expected: bool) -> None:
    assert evaluate(flt(cond), PAYLOAD) is expected


def test_groups_nest() -> None:
    yes = {"field": "object", "operator": "equals", "value": "person"}
    no = {"field": "object", "operator": "equals", "value": "company"}
    assert evaluate(flt(yes, no, op="$or"), PAYLOAD)
    assert not evaluate(flt(yes, no), PAYLOAD)
    nested = check_filter({"$and": [yes, {"$or": [no, {"$and": [yes]}]}]}, "filter")
    assert evaluate(nested, PAYLOAD)
    sdk = check_filter({"dollarAnd": [yes]}, "filter")
    assert sdk == {"$and": [{"field": "object", "operator": "equals", "value": "person"}]}


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        ([], "f"),
        ({"$and": []}, "f.$and"),
        ({"$and": [{"field": "x", "operator": "like", "value": 1}]}, "f.$and[0].operator"),
        ({"$and": [{"field": "", "operator": "equals", "value": 1}]}, "f.$and[0].field"),
        ({"$and": [{"field": "x", "operator": "in", "value": 1}]}, "f.$and[0].value"),
        ({"$and": [{"field": "x", "operator": "equals"}]}, "f.$and[0].value"),
        ({"$and": [{"field": "x", "operator": "exists", "value": "yes"}]}, "f.$and[0].value"),
        (
            {"$and": [{"field": "x", "operator": "equals", "value": 1, "extra": 1}]},
            "f.$and[0].extra",
        ),
        ({"$and": [1], "$or": [1]}, "f"),
    ],
)
def test_malformed_filters_name_the_part(raw: Any, where: str) -> None:
    with pytest.raises(ValidationError) as exc:
        check_filter(raw, "f")
    assert exc.value.field == where

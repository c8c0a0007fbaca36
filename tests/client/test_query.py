"""The dict form of ``filter`` and the forms of ``order_by``, checked by the server's parser."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from rolodex.api.rest.grammar import parse_filter, parse_order_by
from rolodex.client._query import encode_filter, encode_order_by, encode_value
from rolodex.records.query import And, Cond, Not, Or


def test_strings_pass_through() -> None:
    assert encode_filter("email[eq]:a@b.com") == "email[eq]:a@b.com"
    assert encode_filter(None) is None
    assert encode_filter("") is None
    assert encode_filter({}) is None


def test_shorthands() -> None:
    assert encode_filter({"email": "a@b.com"}) == "email[eq]:a@b.com"
    assert encode_filter({"email": None}) == "email[is]:NULL"
    assert encode_filter({"status": ["TODO", "DONE"]}) == "status[in]:[TODO,DONE]"
    assert encode_filter({"email": {"is": "not_null"}}) == "email[is]:NOT_NULL"
    assert encode_filter({"leadScore": {"gte": 50, "lt": 90}}) == (
        "leadScore[gte]:50,leadScore[lt]:90"
    )
    assert encode_filter({"name": {"firstName": {"eq": "Ada"}}}) == "name.firstName[eq]:Ada"
    assert encode_filter({"done": True}) == "done[eq]:true"


def test_groups() -> None:
    flt = {
        "or": [
            {"name": {"contains": "ann"}},
            {"email": {"contains": "ann"}, "phone": {"is": None}},
        ],
        "not": {"jobTitle": "CEO"},
    }
    text = encode_filter(flt)
    assert text == (
        "or(name[contains]:ann,and(email[contains]:ann,phone[is]:NULL)),not(jobTitle[eq]:CEO)"
    )
    assert parse_filter(text) == And(
        (
            Or(
                (
                    Cond("name", "contains", "ann"),
                    And((Cond("email", "contains", "ann"), Cond("phone", "is", "NULL"))),
                )
            ),
            Not(Cond("jobTitle", "eq", "CEO")),
        )
    )
    # A list of dicts is AND-ed, like several keys.
    assert encode_filter([{"a": "1"}, {"b": "2"}]) == "a[eq]:1,b[eq]:2"


@pytest.mark.parametrize(
    "value",
    [
        "Doe, John",
        "Acme (UK)",
        'say "hi"',
        "back\\slash",
        "[bracketed]",
        "  padded  ",
        "",
        'all ,()[]"\\ at once',
        "plain",
        "a@b.com",
        "ünïcödé",
    ],
)
def test_values_survive_the_servers_parser(value: str) -> None:
    assert parse_filter(encode_filter({"name": value}) or "") == Cond("name", "eq", value)
    parsed = parse_filter(encode_filter({"name": {"in": [value, "x"]}}) or "")
    assert parsed == Cond("name", "in", [value, "x"])


def test_value_types() -> None:
    assert encode_value(dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC)) == (
        "2025-01-02T03:04:05+00:00"
    )
    assert encode_value(dt.date(2025, 1, 2)) == "2025-01-02"
    u = uuid.uuid4()
    assert encode_value(u) == str(u)
    assert encode_value(1.5) == "1.5"
    with pytest.raises(TypeError):
        encode_value(object())


def test_bad_dicts() -> None:
    with pytest.raises(ValueError, match="is"):
        encode_filter({"email": {"is": "maybe"}})
    with pytest.raises(ValueError, match="empty"):
        encode_filter({"email": {}})
    with pytest.raises(ValueError, match="non-empty list"):
        encode_filter({"or": []})
    with pytest.raises(ValueError, match="is': None"):
        encode_filter({"email": {"eq": None}})
    with pytest.raises(TypeError, match="list"):
        encode_filter({"status": {"in": "TODO"}})


def test_order_by_forms() -> None:
    assert encode_order_by("name[AscNullsLast]") == "name[AscNullsLast]"
    assert encode_order_by(None) is None
    assert encode_order_by([("name", "DescNullsLast"), "id"]) == "name[DescNullsLast],id"
    assert encode_order_by({"createdAt": "DESC"}) == "createdAt[DESC]"
    assert len(parse_order_by(encode_order_by([("name", "desc"), ("email", "asc")]) or "")) == 2
    with pytest.raises(TypeError):
        encode_order_by([("name", "asc", "extra")])

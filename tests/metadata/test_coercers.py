"""Each type's batch coercer accepts and refuses exactly what its ``validate`` does."""

from __future__ import annotations

import math
from typing import Any

import pytest

from rolodex.kit.errors import RolodexError
from rolodex.metadata import fieldtypes
from rolodex.metadata.model import FieldDef, FieldType, Option

VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    3,
    5,
    6,
    -1,
    2**53,
    -(2**53),
    1.0,
    2.5,
    math.inf,
    math.nan,
    "",
    " ",
    "x",
    "a\x00b",
    "GOLD",
    "gold",
    " GOLD",
    "https://example.com",
    " https://example.com",
    "https://exa mple.com",
    "example",
    "a" * 3000 + ".com",
    "ada@example.com",
    "2025-10-31",
    " 2025-10-31",
    "2025-13-01",
    "2025-10-31T10:30:45.123Z",
    "2025-10-31T10:30:45.123z",
    "2025-10-31T10:30:45.1234",
    "2025-10-31 10:30:45.123Z",
    "2025-10-31T25:30:45.123Z",
    "2025-10-31T10:30:45+02:00",
    "0001-01-01T00:00:00.000Z",
    [],
    ["GOLD"],
    {},
    {"amount": 1, "currencyCode": "EUR"},
    {"amount": 1.5, "currencyCode": "EUR"},
    {"amount": math.inf, "currencyCode": "EUR"},
    {"amount": True, "currencyCode": "EUR"},
    {"amount": 1, "currencyCode": "eur"},
    {"amount": 1, "currencyCode": "EUR\n"},
    {"amount": 1, "currencyCode": "ÉUR"},
    {"amount": None, "currencyCode": None},
    {"currencyCode": "EUR"},
    {"amount": 2},
    {"amount": 1, "currencyCode": "EUR", "x": 1},
]

FIELDS = [
    FieldDef("t", FieldType.TEXT, "T"),
    FieldDef("d", FieldType.TEXT, "D", settings={"format": "domain"}),
    FieldDef("e", FieldType.EMAIL, "E"),
    FieldDef("l", FieldType.LINK, "L"),
    FieldDef("n", FieldType.NUMBER, "N"),
    FieldDef("i", FieldType.NUMBER, "I", settings={"decimals": 0, "min": 0, "max": 10}),
    FieldDef("r", FieldType.RATING, "R"),
    FieldDef("r3", FieldType.RATING, "R", settings={"max": 3}),
    FieldDef("b", FieldType.BOOLEAN, "B"),
    FieldDef("dt", FieldType.DATE_TIME, "DT"),
    FieldDef("da", FieldType.DATE, "DA"),
    FieldDef("s", FieldType.SELECT, "S", options=(Option("GOLD", "Gold"),)),
    FieldDef("c", FieldType.CURRENCY, "C"),
]


def _outcome(fn: Any, value: Any) -> tuple[str, Any]:
    try:
        return "ok", fn(value)
    except RolodexError as exc:
        return "error", exc.message


@pytest.mark.parametrize("f", FIELDS, ids=lambda f: f"{f.type}:{f.name}")
def test_coercer_matches_validate(f: FieldDef) -> None:
    k = fieldtypes.kind(f)
    coerce = k.coercer(f)
    for value in VALUES:
        if value is None:
            continue  # validate takes non-null values only
        want = _outcome(lambda v: k.validate(f, v), value)
        got = _outcome(coerce, value)
        assert got == want, (f.type, value)
        if want[0] == "ok":
            assert type(got[1]) is type(want[1]), (f.type, value)

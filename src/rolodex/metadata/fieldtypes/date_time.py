"""DATE_TIME (an instant, stored to the millisecond in UTC) and DATE (a calendar day)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from rolodex.kit import clock
from rolodex.metadata.fieldtypes.base import COMPARE, Coercer, FieldKind, Schema
from rolodex.metadata.fieldtypes.graphql import Date, DateTime
from rolodex.metadata.model import FieldDef, FieldType


class DateTimeKind(FieldKind):
    type = FieldType.DATE_TIME
    ops = COMPARE
    orderable = True
    custom = True
    text_literal = False
    cast = "text"  # ISO text in UTC at fixed width: text order is time order
    settings_rules: dict[str, Any] = {}
    graphql_filter = ("DateTimeFilter", DateTime)

    def validate(self, f: FieldDef, value: Any) -> Any:
        return clock.parse_datetime(value, field=f.name)

    def coercer(self, f: FieldDef) -> Coercer:
        name = f.name
        parse = datetime.fromisoformat

        def coerce(value: Any) -> Any:
            # The form Rolodex writes (2025-10-31T10:30:45.000Z) is already UTC to the
            # millisecond: parsed as it is, it is what parse_datetime returns.
            if type(value) is str and len(value) == 24 and value[23] == "Z" and value[19] == ".":
                try:
                    return parse(value)
                except ValueError:
                    pass
            return clock.parse_datetime(value, field=name)

        return coerce

    def sql_type(self, f: FieldDef) -> Any:
        return sa.DateTime(timezone=True).with_variant(sa.String(24), "sqlite")

    def from_db(self, value: Any, sqlite: bool) -> Any:
        return clock.iso(value) if isinstance(value, datetime) else value

    def to_json(self, value: Any) -> Any:
        return clock.iso(value)

    def json_schema(self, f: FieldDef) -> Schema:
        return {"type": "string", "format": "date-time"}

    def graphql_output(self, f: FieldDef) -> Any:
        return DateTime

    def example(self, f: FieldDef) -> Any:
        return clock.iso(clock.now())


class DateKind(FieldKind):
    type = FieldType.DATE
    ops = COMPARE
    orderable = True
    custom = True
    text_literal = False
    cast = "text"
    settings_rules: dict[str, Any] = {}
    graphql_filter = ("DateFilter", Date)

    def validate(self, f: FieldDef, value: Any) -> Any:
        return clock.parse_date(value, field=f.name)

    def coercer(self, f: FieldDef) -> Coercer:
        name = f.name
        parse = date.fromisoformat

        def coerce(value: Any) -> Any:
            if type(value) is str and len(value) == 10:
                try:
                    return parse(value)
                except ValueError:
                    pass
            return clock.parse_date(value, field=name)

        return coerce

    def sql_type(self, f: FieldDef) -> Any:
        return sa.Date().with_variant(sa.String(10), "sqlite")

    def from_db(self, value: Any, sqlite: bool) -> Any:
        return value.isoformat() if isinstance(value, date) else value

    def to_json(self, value: Any) -> Any:
        return value.isoformat()

    def json_schema(self, f: FieldDef) -> Schema:
        return {"type": "string", "format": "date"}

    def graphql_output(self, f: FieldDef) -> Any:
        return Date

    def example(self, f: FieldDef) -> Any:
        return "2025-10-31"

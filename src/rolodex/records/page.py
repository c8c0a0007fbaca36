"""A page of records as a list read returns it, with its cursors and page info."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from rolodex.metadata.model import FieldDef
from rolodex.records.ordering import encode_cursor, order_tag
from rolodex.records.query import Direction


class Page:
    """One page of a list, with Relay-style page info."""

    def __init__(
        self,
        records: list[dict[str, Any]],
        keys: list[tuple[FieldDef, Direction]],
        has_next: bool,
        has_previous: bool,
        total: int | None,
        *,
        total_exact: bool | None = None,
        extras: list[dict[str, Any]] | None = None,
    ) -> None:
        self.records = records
        # Per record, the order values that are not its own fields (``company.name``).
        self.extras = extras
        self.keys = keys
        self.has_next = has_next
        self.has_previous = has_previous
        self.total = total
        # Whether ``total`` is exact (records/counting.py); None when nothing was counted.
        self.total_exact = total_exact if total is not None else None

    @cached_property
    def cursors(self) -> list[str]:
        """Every record's cursor (GraphQL edges); REST needs only the first and last."""
        tag = order_tag(self.keys)
        return [encode_cursor(self.keys, self._keyed(i), tag) for i in range(len(self.records))]

    def _keyed(self, i: int) -> dict[str, Any]:
        """Record ``i`` with its joined order values, for its cursor."""
        if self.extras is None:
            return self.records[i]
        return {**self.records[i], **self.extras[i]}

    @property
    def page_info(self) -> dict[str, Any]:
        start = end = None
        if self.records:
            tag = order_tag(self.keys)
            start = encode_cursor(self.keys, self._keyed(0), tag)
            end = encode_cursor(self.keys, self._keyed(len(self.records) - 1), tag)
        return {
            "hasNextPage": self.has_next,
            "hasPreviousPage": self.has_previous,
            "startCursor": start,
            "endCursor": end,
        }

"""Result shapes: a page of records (cursor-paged) and a listing (offset-paged).

Records themselves are plain dicts, exactly as the REST API returns them
(camelCase keys, custom fields included), since objects and fields are
defined at run time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

Record = dict[str, Any]


@dataclass
class Page:
    """One page of a list: ``records``, Twenty's ``page_info`` and ``total_count``.

    Iterating a page iterates its records; ``next_cursor`` is what to pass as
    ``starting_after`` for the next page, or ``None`` on the last one.
    """

    records: list[Record]
    page_info: dict[str, Any] = field(default_factory=dict)
    total_count: int | None = None
    # False when ``total_count`` is an estimate (past the server's count bound);
    # None when nothing was counted (``count="none"``).
    total_count_is_exact: bool | None = None

    @property
    def has_next_page(self) -> bool:
        return bool(self.page_info.get("hasNextPage"))

    @property
    def has_previous_page(self) -> bool:
        return bool(self.page_info.get("hasPreviousPage"))

    @property
    def start_cursor(self) -> str | None:
        return self.page_info.get("startCursor")

    @property
    def end_cursor(self) -> str | None:
        return self.page_info.get("endCursor")

    @property
    def next_cursor(self) -> str | None:
        return self.end_cursor if self.has_next_page else None

    @property
    def previous_cursor(self) -> str | None:
        return self.start_cursor if self.has_previous_page else None

    def __iter__(self) -> Iterator[Record]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, index: int) -> Record:
        return self.records[index]


@dataclass
class Listing:
    """An offset-paged list (webhooks, deliveries): ``items`` and ``total_count``."""

    items: list[dict[str, Any]]
    total_count: int | None = None

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> dict[str, Any]:
        return self.items[index]

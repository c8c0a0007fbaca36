"""The Python client passes ``count`` and says whether a page's total is exact."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rolodex import Client
from tests.conftest import LiveServer


@pytest.fixture
def small(db_url: str, api_key: str) -> Iterator[Client]:
    with LiveServer(db_url, count_limit=2) as live, Client(api_key, live.url, backoff=0.01) as rdx:
        yield rdx


def test_count_modes(small: Client) -> None:
    small.people.batch_create([{"name": f"P{i}"} for i in range(4)])
    default = small.people.list(limit=1)
    assert default.total_count is not None and default.total_count >= 3
    assert default.total_count_is_exact is False
    exact = small.people.list(limit=1, count="exact")
    assert (exact.total_count, exact.total_count_is_exact) == (4, True)
    none = small.people.list(count="none")
    assert (none.total_count, none.total_count_is_exact) == (None, None)
    few = small.people.list(filter={"name": "P1"})
    assert (few.total_count, few.total_count_is_exact) == (1, True)

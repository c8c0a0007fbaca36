"""A bounded map that forgets what was used least recently: per-process caches.

Per-workspace caches keep at most ``size`` entries, so a process's memory
follows its configuration, not the number of workspaces it has served.
Each operation is one or two C-level ``OrderedDict`` calls, so the map stays
consistent when threads share it; callers that must build an entry once
(under contention) hold their own lock around the build.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterator
from contextlib import suppress
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRU(Generic[K, V]):
    """At most ``size`` entries; reading or writing one makes it the most recent."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("An LRU holds at least one entry")
        self.size = size
        self._data: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._data.get(key)
        if value is not None:
            # Evicted by another thread meanwhile: the value is still a valid answer.
            with suppress(KeyError):
                self._data.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        data = self._data
        data[key] = value
        data.move_to_end(key)
        while len(data) > self.size:
            try:
                data.popitem(last=False)
            except KeyError:  # emptied by another thread
                break

    def __setitem__(self, key: K, value: V) -> None:
        self.put(key, value)

    def pop(self, key: K, default: V | None = None) -> V | None:
        return self._data.pop(key, default)

    def clear(self) -> None:
        self._data.clear()

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator[K]:
        """The keys, oldest first, as they were when asked (a copy: safe to change meanwhile)."""
        return iter(list(self._data))

    def values(self) -> list[V]:
        return list(self._data.values())

    def items(self) -> list[tuple[K, V]]:
        return list(self._data.items())

    def popitem(self, last: bool = True) -> tuple[K, V]:
        """Remove and return the most recent entry (or, with ``last=False``, the oldest)."""
        return self._data.popitem(last=last)

"""User input, shortened for error messages.

A message quotes what it refuses so the user can find it, but a value comes
from the user: it may be megabytes long or nested a thousand deep, and
``repr`` of it would be as large, or overflow the stack. ``shown`` is what
every message uses instead: a Python-free rendering (JSON-like, ``null`` not
``None``), bounded in depth, items and length.
"""

from __future__ import annotations

import reprlib
from typing import Any

LIMIT = 60


class _Short(reprlib.Repr):
    """``reprlib`` bounds depth and sizes without recursing into what it cuts."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 3
        self.maxlist = self.maxtuple = self.maxdict = self.maxset = 6
        self.maxstring = self.maxother = LIMIT + 10
        self.maxlong = 40

    def repr1(self, x: Any, level: int) -> str:
        if x is None:
            return "null"
        if x is True:
            return "true"
        if x is False:
            return "false"
        return super().repr1(x, level)


_short = _Short()


def shown(value: Any, limit: int = LIMIT) -> str:
    """``value`` as a message may quote it: at most ``limit`` characters."""
    text = _short.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."

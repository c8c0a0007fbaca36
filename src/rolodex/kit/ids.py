"""Identifiers: time-ordered UUIDs (version 7) and strict UUID parsing."""

from __future__ import annotations

import os
import threading
import time
import uuid

from rolodex.kit.errors import ValidationError
from rolodex.kit.show import shown

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def uuid7() -> uuid.UUID:
    """A UUIDv7 (RFC 9562) that is monotonic within this process.

    The 12-bit ``rand_a`` field holds a counter within one millisecond, so ids
    made in one batch sort in creation order; B-trees and cursors stay friendly.
    """
    global _last_ms, _counter
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            _counter += 1
            if _counter > 0xFFF:
                _last_ms += 1
                _counter = 0
            ms = _last_ms
        else:
            _last_ms = ms
            _counter = int.from_bytes(os.urandom(1), "big") & 0x3F
        counter = _counter
    rand_b = int.from_bytes(os.urandom(8), "big") & 0x3FFF_FFFF_FFFF_FFFF
    value = (ms & 0xFFFF_FFFF_FFFF) << 80 | 0x7 << 76 | counter << 64 | 0b10 << 62 | rand_b
    return uuid.UUID(int=value)


def parse_uuid(value: object, *, field: str = "id") -> uuid.UUID:
    """Parse a user-supplied id; anything that is not a UUID is a 400 naming the field."""
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, str) and 32 <= len(value) <= 36:
        try:
            return uuid.UUID(value)
        except ValueError:
            pass
    raise ValidationError(f"{field} must be a UUID, got {shown(value)}", field=field)

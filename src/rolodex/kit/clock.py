"""Time: one place that reads the clock and formats instants.

Timestamps are kept to the millisecond, the precision JavaScript's
``Date.toISOString`` writes, so a value read back equals the value stored.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from rolodex.kit.errors import ValidationError


def now() -> datetime:
    t = datetime.now(UTC)
    return t.replace(microsecond=t.microsecond // 1000 * 1000)


def from_timestamp(seconds: float) -> datetime:
    """A ``time.time()`` reading as an instant, to the millisecond like ``now``."""
    t = datetime.fromtimestamp(seconds, UTC)
    return t.replace(microsecond=t.microsecond // 1000 * 1000)


def iso(t: datetime) -> str:
    """``2025-10-31T10:30:45.123Z``: fixed width, so text order is time order."""
    if t.tzinfo is UTC:
        # What the drivers return; this runs per timestamp served, so take the
        # cheapest route: isoformat's "+00:00" tail becomes "Z".
        return t.isoformat(timespec="milliseconds")[:-6] + "Z"
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    elif t.utcoffset():
        t = t.astimezone(UTC)
    # isoformat is several times faster than strftime.
    return t.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def parse_datetime(value: object, *, field: str) -> datetime:
    """Parse an ISO 8601 instant or date; naive values are taken as UTC."""
    if isinstance(value, datetime):
        t = value
    elif isinstance(value, date):
        t = datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and 0 < len(value) <= 40:
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            t = datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError(
                f"{field} must be an ISO 8601 date-time, got {value!r}", field=field
            ) from None
    else:
        raise ValidationError(f"{field} must be an ISO 8601 date-time", field=field)
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    try:
        t = t.astimezone(UTC)
    except OverflowError:
        raise ValidationError(f"{field} is out of range", field=field) from None
    return t.replace(microsecond=t.microsecond // 1000 * 1000)


def parse_date(value: object, *, field: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise ValidationError(f"{field} must be a date (YYYY-MM-DD), got {value!r:.40}", field=field)

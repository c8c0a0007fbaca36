"""Webhook delivery settings, read from ``ROLODEX_WEBHOOK_*`` environment variables.

They are read when a dispatcher starts (and, for the private-address
allowance, on every check), so tests and operators can change them without
touching the application's ``Settings``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

# The Standard Webhooks schedule: immediately, then 5 s, 5 min, 30 min, 2 h,
# 5 h, 10 h, 14 h, 20 h and 24 h after the previous attempt.
DEFAULT_SCHEDULE: tuple[float, ...] = (
    0,
    5,
    5 * 60,
    30 * 60,
    2 * 3600,
    5 * 3600,
    10 * 3600,
    14 * 3600,
    20 * 3600,
    24 * 3600,
)
DAY = 86400.0


def env(name: str, default: str) -> str:
    return os.environ.get(f"ROLODEX_{name}", default)


def env_float(name: str, default: float) -> float:
    raw = env(name, "")
    if raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise SystemExit(f"ROLODEX_{name} must be a number, not {raw!r}") from None


def parse_schedule(text: str) -> tuple[float, ...]:
    """``"0,5,300"``: the delay in seconds before each attempt, the first included."""
    try:
        values = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise SystemExit(
            f"ROLODEX_WEBHOOK_SCHEDULE is comma-separated seconds, not {text!r}"
        ) from None
    if not values or any(v < 0 for v in values):
        raise SystemExit("ROLODEX_WEBHOOK_SCHEDULE needs at least one delay, none negative")
    return values


MODES = ("process", "inprocess", "off")


def dispatcher_mode(default: str = "inprocess") -> str:
    """Where a server delivers webhooks, from ``ROLODEX_DISPATCHER``.

    ``process``: in a supervised child process (``rolodex serve``'s default);
    ``inprocess``: in the server's own event loop (an application built with
    ``create_app`` and nothing set); ``off`` (or ``0``): not at all, leaving it
    to ``rolodex worker``; ``external``: set by ``serve`` for its server
    processes, whose child delivers. ``1`` means the default.
    """
    raw = env("DISPATCHER", "").strip().lower()
    if raw in ("0", "false", "no", "off"):
        return "off"
    if raw in ("", "1", "true", "yes", "on"):
        return default
    if raw in (*MODES, "external"):
        return raw
    raise SystemExit(f"ROLODEX_DISPATCHER is process, inprocess or off, not {raw!r}")


def dispatcher_nice(default: int = 0) -> int:
    """How much lower than normal the dispatcher's CPU priority is (``ROLODEX_DISPATCHER_NICE``).

    ``rolodex serve`` starts its child at 5 unless told otherwise, so that when
    the machine's CPU is short, the server's requests go before rendering and
    sending deliveries; a ``rolodex worker`` of its own runs at 0.
    """
    value = int(env_float("DISPATCHER_NICE", default))
    if not 0 <= value <= 19:
        raise SystemExit("ROLODEX_DISPATCHER_NICE is from 0 (normal priority) to 19 (lowest)")
    return value


def dispatcher_enabled() -> bool:
    """``ROLODEX_DISPATCHER=0`` keeps ``rolodex serve`` from delivering (run workers instead)."""
    return dispatcher_mode() != "off"


@dataclass(frozen=True)
class WebhookConfig:
    """How the dispatcher fans out, sends, retries and cleans up."""

    # Seconds before each attempt; its length is the number of attempts.
    schedule: tuple[float, ...] = field(
        default_factory=lambda: (
            parse_schedule(env("WEBHOOK_SCHEDULE", ""))
            if env("WEBHOOK_SCHEDULE", "").strip()
            else DEFAULT_SCHEDULE
        )
    )
    timeout: float = field(default_factory=lambda: env_float("WEBHOOK_TIMEOUT", 15.0))
    # Concurrent requests to one webhook from one process.
    concurrency: int = field(default_factory=lambda: int(env_float("WEBHOOK_CONCURRENCY", 4)))
    # Concurrent requests from one process, all webhooks together.
    max_in_flight: int = field(default_factory=lambda: int(env_float("WEBHOOK_MAX_IN_FLIGHT", 256)))
    # A webhook failing continuously for this long is disabled.
    disable_after: float = field(
        default_factory=lambda: env_float("WEBHOOK_DISABLE_AFTER", 5 * DAY)
    )
    # Finished deliveries (bodies and attempts) are purged after this long.
    retention: float = field(
        default_factory=lambda: env_float("WEBHOOK_RETENTION_DAYS", 30.0) * DAY
    )
    # How long a claimed delivery stays leased to its worker without a heartbeat.
    lease: float = field(default_factory=lambda: env_float("WEBHOOK_LEASE", 60.0))
    # Safety-net polling; PostgreSQL also wakes workers with LISTEN/NOTIFY.
    poll: float | None = field(default_factory=lambda: env_float("WEBHOOK_POLL", 0.0) or None)
    # Events claimed by one fan-out transaction (at most).
    batch: int = field(default_factory=lambda: int(env_float("WEBHOOK_BATCH", 500)))
    # Deliveries one fan-out transaction makes before it stops taking events
    # (each event is fanned out whole, so one event's webhooks may go past it).
    fanout_rows: int = field(
        default_factory=lambda: max(1, int(env_float("WEBHOOK_FANOUT_ROWS", 2000)))
    )
    # After a wake-up, how long fan-out waits for more events before its pass
    # (seconds): a burst of creates is fanned out in one transaction rather
    # than one each (ROLODEX_WEBHOOK_COALESCE_MS).
    coalesce: float = field(
        default_factory=lambda: max(0.0, env_float("WEBHOOK_COALESCE_MS", 5.0)) / 1000
    )
    # Deliveries per INSERT while fanning out: the rendered bodies held at once.
    insert_chunk: int = field(
        default_factory=lambda: max(1, int(env_float("WEBHOOK_INSERT_CHUNK", 500)))
    )
    # How long a rotated-out secret keeps signing.
    secret_grace: float = field(default_factory=lambda: env_float("WEBHOOK_SECRET_GRACE", DAY))
    jitter: float = field(default_factory=lambda: env_float("WEBHOOK_JITTER", 0.1))

    def poll_interval(self, sqlite: bool) -> float:
        """SQLite has no NOTIFY, so it polls often; PostgreSQL polls as a safety net."""
        if self.poll is not None:
            return self.poll
        return 0.05 if sqlite else 1.0

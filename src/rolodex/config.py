"""Settings, from ``ROLODEX_*`` environment variables (the CLI sets them from flags)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATABASE = "sqlite:///" + str(Path("rolodex.db").resolve())
# Default bounds of the per-process caches: distinct GraphQL schemas (one per
# metadata shape; ~90 KB and ~460 objects the collector tracks each, as they
# share their standard parts: api/graphql/schema_parts.py), workspace
# registries, compiled statements.
GRAPHQL_SCHEMA_CACHE = 1000
REGISTRY_CACHE = 1000
STATEMENT_CACHE = 5000
# Matches a list counts exactly before it estimates (records/counting.py): about
# 0.45 ms of index reads on PostgreSQL (bench/counts.py).
COUNT_LIMIT = 10_000


def _env(name: str, default: str) -> str:
    return os.environ.get(f"ROLODEX_{name}", default)


def _float(name: str, default: float) -> float:
    try:
        return float(_env(name, str(default)))
    except ValueError:
        raise SystemExit(f"ROLODEX_{name} must be a number") from None


def cache_size(name: str, default: int) -> int:
    """The bound of a per-process cache, from ``ROLODEX_<name>`` (at least 1)."""
    try:
        value = int(_env(name, str(default)))
    except ValueError:
        raise SystemExit(f"ROLODEX_{name} must be a whole number") from None
    if value < 1:
        raise SystemExit(f"ROLODEX_{name} must be at least 1")
    return value


def _list(name: str) -> tuple[str, ...]:
    """A comma-separated ``ROLODEX_<name>``, without blanks."""
    return tuple(p.strip() for p in _env(name, "").split(",") if p.strip())


def count_limit() -> int:
    """How many matches a list counts exactly before it estimates, from
    ``ROLODEX_COUNT_LIMIT`` (docs/api.md, "Counts")."""
    try:
        value = int(_env("COUNT_LIMIT", str(COUNT_LIMIT)))
    except ValueError:
        raise SystemExit("ROLODEX_COUNT_LIMIT must be a whole number") from None
    if value < 0:
        raise SystemExit("ROLODEX_COUNT_LIMIT must not be negative")
    return value


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=lambda: _env("DATABASE_URL", DEFAULT_DATABASE))
    # Requests per second per API key and process, and the burst allowed above it.
    rate_limit: float = field(default_factory=lambda: _float("RATE_LIMIT", 500))
    rate_burst: float = field(default_factory=lambda: _float("RATE_BURST", 2000))
    # The same over all of a workspace's keys, so more keys do not mean more rate.
    workspace_rate_limit: float = field(
        default_factory=lambda: _float("WORKSPACE_RATE_LIMIT", 4 * _float("RATE_LIMIT", 500))
    )
    workspace_rate_burst: float = field(
        default_factory=lambda: _float("WORKSPACE_RATE_BURST", 4 * _float("RATE_BURST", 2000))
    )
    # Failed authentications per client address and process, and their burst;
    # past them, the address gets 429s without a database lookup.
    auth_failure_rate: float = field(default_factory=lambda: _float("AUTH_FAILURE_RATE", 10))
    auth_failure_burst: float = field(default_factory=lambda: _float("AUTH_FAILURE_BURST", 50))
    # Failed console sign-ins (passwords, links) per client address and process.
    signin_failure_rate: float = field(default_factory=lambda: _float("SIGNIN_FAILURE_RATE", 0.1))
    signin_failure_burst: float = field(default_factory=lambda: _float("SIGNIN_FAILURE_BURST", 10))
    # Proxies (addresses or CIDR ranges) whose X-Forwarded-For names the client.
    trusted_proxies: tuple[str, ...] = field(
        default_factory=lambda: tuple(
            p.strip() for p in _env("TRUSTED_PROXIES", "").split(",") if p.strip()
        )
    )
    max_body_bytes: int = field(default_factory=lambda: int(_float("MAX_BODY_BYTES", 10_000_000)))
    # How deeply arrays and objects may nest in a JSON request body (a 400 beyond).
    max_json_depth: int = field(default_factory=lambda: int(_float("MAX_JSON_DEPTH", 64)))
    pool_size: int = field(default_factory=lambda: int(_float("POOL_SIZE", 10)))
    # How long a process trusts what it read about an API key (revocation delay).
    key_cache_seconds: float = field(default_factory=lambda: _float("KEY_CACHE_SECONDS", 1.0))
    # Soft-deleted records are deleted for good after this many days (0 keeps them).
    retention_days: float = field(default_factory=lambda: _float("RETENTION_DAYS", 30))
    metadata_check_seconds: float = field(
        default_factory=lambda: _float("METADATA_CHECK_SECONDS", 1.0)
    )
    # Bounds of per-process caches, so memory follows configuration rather than
    # the number of workspaces (docs/performance.md, "How cost grows").
    graphql_schema_cache: int = field(
        default_factory=lambda: cache_size("GRAPHQL_SCHEMA_CACHE", GRAPHQL_SCHEMA_CACHE)
    )
    registry_cache: int = field(
        default_factory=lambda: cache_size("REGISTRY_CACHE", REGISTRY_CACHE)
    )
    statement_cache: int = field(
        default_factory=lambda: cache_size("STATEMENT_CACHE", STATEMENT_CACHE)
    )
    # Matches a list counts exactly; beyond, ``?count=estimate`` (the default) estimates.
    count_limit: int = field(default_factory=count_limit)
    # Browser origins allowed to call the API (CORS); none sends no CORS headers.
    cors_origins: tuple[str, ...] = field(default_factory=lambda: _list("CORS_ORIGINS"))
    # Shares rate limits between processes when set (redis://host:port/db).
    redis_url: str = field(default_factory=lambda: _env("REDIS_URL", ""))
    # How long an Idempotency-Key's response is kept, and the largest body kept.
    idempotency_hours: float = field(default_factory=lambda: _float("IDEMPOTENCY_HOURS", 24))
    idempotency_max_bytes: int = field(
        default_factory=lambda: int(_float("IDEMPOTENCY_MAX_BYTES", 1_000_000))
    )

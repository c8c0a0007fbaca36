"""Limits on GraphQL requests: each a constant here, overridable from the environment.

Going past any of them is a ``BAD_USER_INPUT`` error before (or instead of)
any database work, never a timeout.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

from rolodex.records.service import MAX_BATCH as REST_MAX_BATCH

# Nesting of field selections (introspection fields are not counted).
MAX_DEPTH = 10
# Field selections, each multiplied by the page size of the connections above it.
MAX_COMPLEXITY = 100_000
# ``first`` / ``last`` on top-level connections, and the page size when neither is given.
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 60
# Records per parent on to-many relations (``person { notes }``): REST depth=1's 60.
MAX_NESTED = 60
# Records one mutation request writes: a ``createPeople`` call, or all its root
# mutations together (each single create, update or delete counts one). REST's limit.
MAX_BATCH = REST_MAX_BATCH
# Root fields of one operation (fragments expanded). graphql-core runs a
# mutation's root fields one after another; this also bounds that chain.
MAX_ROOT_FIELDS = 100
# Aliased fields in one operation (fragments expanded), at any depth.
MAX_ALIASES = 200
# Estimated database statements of one operation: one per root field, per
# relation selected (batched per level, so not times the page size) and per totalCount.
MAX_ROUND_TRIPS = 200
# Lexical tokens in one document: a parser-level guard against huge queries.
MAX_TOKENS = 20_000
# Parsed and validated documents kept per process.
DOCUMENT_CACHE = 1000


@dataclass(frozen=True, slots=True)
class Limits:
    max_depth: int = MAX_DEPTH
    max_complexity: int = MAX_COMPLEXITY
    max_page_size: int = MAX_PAGE_SIZE
    default_page_size: int = DEFAULT_PAGE_SIZE
    max_nested: int = MAX_NESTED
    max_batch: int = MAX_BATCH
    max_root_fields: int = MAX_ROOT_FIELDS
    max_aliases: int = MAX_ALIASES
    max_round_trips: int = MAX_ROUND_TRIPS
    max_tokens: int = MAX_TOKENS
    document_cache: int = DOCUMENT_CACHE

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Limits:
        """Defaults, overridden by ``ROLODEX_GRAPHQL_MAX_DEPTH`` and friends."""
        env = os.environ if environ is None else environ
        values: dict[str, int] = {}
        for f in fields(cls):
            name = f"ROLODEX_GRAPHQL_{f.name.upper()}"
            raw = env.get(name)
            if raw is None or raw.strip() == "":
                continue
            try:
                value = int(raw)
            except ValueError:
                raise SystemExit(f"{name} must be a whole number, got {raw!r}") from None
            if value < 1:
                raise SystemExit(f"{name} must be at least 1, got {value}")
            values[f.name] = value
        limits = cls(**values)
        if limits.default_page_size > limits.max_page_size:
            limits = cls(**{**values, "default_page_size": limits.max_page_size})
        return limits

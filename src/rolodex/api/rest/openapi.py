"""The OpenAPI document and its playground (placeholder until the generator lands)."""

from __future__ import annotations

from starlette.routing import Route


def routes() -> list[Route]:
    return []

"""Shared steps for webhook tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx


def make_hook(client: httpx.Client, url: str, **body: Any) -> dict[str, Any]:
    r = client.post("/rest/webhooks", json={"targetUrl": url, **body})
    assert r.status_code == 201, r.text
    return r.json()["data"]["createWebhook"]  # type: ignore[no-any-return]


def deliveries(client: httpx.Client, hook_id: str, **params: Any) -> list[dict[str, Any]]:
    r = client.get(f"/rest/webhooks/{hook_id}/deliveries", params={"limit": 500, **params})
    assert r.status_code == 200, r.text
    return r.json()["data"]["deliveries"]  # type: ignore[no-any-return]


def hook(client: httpx.Client, hook_id: str) -> dict[str, Any]:
    return client.get(f"/rest/webhooks/{hook_id}").json()["data"]["webhook"]  # type: ignore[no-any-return]


def eventually(check: Callable[[], Any], timeout: float = 10.0, every: float = 0.05) -> Any:
    """``check()``'s first truthy result, or the last assertion it raised."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError(f"still {result!r} after {timeout} s")
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        time.sleep(every)

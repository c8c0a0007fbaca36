"""Console tests: a live server whose webhooks may reach this machine, retrying fast."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import LiveServer


@pytest.fixture
def webhook_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROLODEX_WEBHOOK_ALLOW_PRIVATE", "1")
    monkeypatch.setenv("ROLODEX_WEBHOOK_SCHEDULE", "0,0.3,0.3")
    monkeypatch.setenv("ROLODEX_WEBHOOK_JITTER", "0")
    monkeypatch.setenv("ROLODEX_WEBHOOK_POLL", "0.05")
    monkeypatch.setenv("ROLODEX_WEBHOOK_TIMEOUT", "2")
    monkeypatch.setenv("ROLODEX_DISPATCHER", "inprocess")


@pytest.fixture
def server(db_url: str, webhook_env: None) -> Iterator[LiveServer]:
    with LiveServer(db_url) as live:
        yield live

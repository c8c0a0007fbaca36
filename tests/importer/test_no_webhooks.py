"""``--no-webhooks``: the events stay in the log, and webhooks should not receive them."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from tests import factories
from tests.conftest import LiveServer
from tests.importer.helpers import Jobs
from tests.webhooks.helpers import make_hook
from tests.webhooks.receiver import Receiver


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_no_webhooks_events_are_not_delivered(
    db_url: str, api_key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROLODEX_WEBHOOK_ALLOW_PRIVATE", "1")
    monkeypatch.setenv("ROLODEX_WEBHOOK_POLL", "0.05")
    jobs = Jobs(db_url)
    quiet, loud = tmp_path / "quiet.csv", tmp_path / "loud.csv"
    quiet.write_text("name,email\nQuiet One,q1@x.io\nQuiet Two,q2@x.io\n")
    loud.write_text("name,email\nLoud,loud@x.io\n")
    with LiveServer(db_url) as server, Receiver() as rx:
        with factories.http(server.url, api_key) as client:
            make_hook(client, rx.url, operations=["person.*"])
        assert jobs.imp(quiet, webhooks=False).created == 2
        assert jobs.imp(loud).created == 1
        rx.wait_for(1)
        time.sleep(0.5)  # the quiet events came first: any delivery of them is here by now
        delivered = [r.json()["data"]["email"] for r in rx.requests]
    assert len(factories.events(db_url)) == 3  # all three are in the event log
    assert delivered == ["loud@x.io"]

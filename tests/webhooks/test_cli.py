"""``rolodex webhooks``: JSON output for every command that changes something, plain help."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.webhooks.receiver import Receiver
from tests.webhooks.test_workers import COMMAND

COMMANDS = ["list", "get", "create", "update", "delete", "rotate-secret", "deliveries"]
COMMANDS += ["resend", "recover", "test"]


def _cli(*args: str, db_url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROLODEX_")}
    env.update(COLUMNS="200", ROLODEX_WEBHOOK_ALLOW_PRIVATE="1")
    tail = ["--database", db_url] if db_url else []
    return subprocess.run(
        [*COMMAND, "webhooks", *args, *tail], capture_output=True, text=True, timeout=60, env=env
    )


def test_resend_and_recover_print_json(backend: str, db_url: str) -> None:
    if backend != "sqlite":
        pytest.skip("the CLI reads the database the same way on both backends")
    with Receiver() as rx:
        made = _cli("create", "--url", rx.url, "--json", db_url=db_url)
        hook_id = json.loads(made.stdout)["id"]
        sent = json.loads(_cli("test", hook_id, "--wait", "0", "--json", db_url=db_url).stdout)
        assert sent["status"] == "succeeded" and sent["sentBy"] == "cli", sent
        done = _cli("resend", hook_id, sent["deliveryId"], "--json", db_url=db_url)
        assert done.returncode == 0, done.stderr
        item = json.loads(done.stdout)
        assert item["id"] == sent["deliveryId"] and item["status"] == "pending", item
        assert set(item) >= {"webhookId", "eventType", "attempts", "attemptLog", "body"}
        done = _cli("recover", hook_id, "--since", "2000-01-01T00:00:00Z", "--json", db_url=db_url)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout) == {"webhookId": hook_id, "requeued": 0}


def test_help_has_no_markup() -> None:
    for command in COMMANDS:
        done = _cli(command, "--help")
        assert done.returncode == 0, (command, done.stderr)
        assert "``" not in done.stdout, (command, done.stdout)

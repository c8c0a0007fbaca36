"""``rolodex listen`` forwards live events to a local app, signed as real deliveries."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from typing import IO

from tests import factories
from tests.webhooks.receiver import Receiver

SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def _collect(stream: IO[str]) -> tuple[list[str], threading.Thread]:
    """The lines of ``stream`` so far, read in the background until it closes."""
    lines: list[str] = []

    def pump() -> None:
        for line in iter(stream.readline, ""):
            lines.append(line)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    return lines, reader


def _wait_for(lines: list[str], text: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not any(text in line for line in list(lines)):
        assert time.monotonic() < deadline, f"no {text!r} line within {timeout} s: {lines}"
        time.sleep(0.05)


def test_listen_forwards_signed_events(server, api_key: str) -> None:  # type: ignore[no-untyped-def]
    from standardwebhooks import Webhook

    from rolodex.webhooks import verify

    with Receiver() as rx:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rolodex.cli.main",
                "listen",
                "--url",
                server.url,
                "--api-key",
                api_key,
                "--events",
                "person.*",
                "--forward-to",
                rx.url,
                "--secret",
                SECRET,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None and proc.stderr is not None
        (printed, out_reader), (errors, err_reader) = _collect(proc.stdout), _collect(proc.stderr)
        try:
            # The stream starts at the current end: write only once it is connected.
            _wait_for(errors, "Connected to", timeout=60)
            with factories.http(server.url, api_key) as c:
                factories.company(c, name="Not forwarded")
                p = factories.person(c, name="Ada Lovelace")
            requests = rx.wait_for(1, timeout=15)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
            out_reader.join(timeout=10)
            err_reader.join(timeout=10)
            out, errs = "".join(printed), "".join(errors)
    assert len(requests) == 1, (out, errs)
    req = requests[0]
    body = req.body
    headers = dict(req.headers)
    payload = verify(body, headers, SECRET)
    assert payload["event"] == "person.created" and payload["recordId"] == p["id"]
    lower = {k.lower(): v for k, v in headers.items()}
    Webhook(SECRET).verify(
        body, {k: lower[k] for k in ("webhook-id", "webhook-timestamp", "webhook-signature")}
    )
    assert "person.created" in out and "Traceback" not in errs


def test_listen_with_a_bad_key_is_one_line(server) -> None:  # type: ignore[no-untyped-def]
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "rolodex.cli.main",
            "listen",
            "--url",
            server.url,
            "--api-key",
            "rdx_nope",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "not valid" in r.stderr

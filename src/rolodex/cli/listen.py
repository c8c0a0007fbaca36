"""``rolodex listen``: stream a server's events to the terminal and, optionally, to a
local app, signed as real webhook deliveries are (like ``stripe listen``)."""

from __future__ import annotations

import os
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

import typer

from rolodex.cli.common import err, fail, out, styled

if TYPE_CHECKING:
    import httpx


def _messages(response: httpx.Response) -> Any:
    """SSE messages as dicts of their fields (``id``, ``event``, ``data``).

    The server's ``: connected`` comment, sent once the stream's start is fixed,
    comes as ``{"connected": ""}``.
    """
    msg: dict[str, str] = {}
    for line in response.iter_lines():
        if line.startswith(":"):
            if line[1:].strip() == "connected":
                yield {"connected": ""}
            continue
        if not line:
            if msg:
                yield msg
                msg = {}
            continue
        field, _, value = line.partition(":")
        msg[field] = value[1:] if value.startswith(" ") else value


def _show(msg: dict[str, str], body: dict[str, Any]) -> None:
    when = datetime.now().strftime("%H:%M:%S")
    changes = body.get("changes") or []
    detail = f" changed: {', '.join(changes)}" if body.get("previous") else ""
    out.print(
        styled(
            f"{when}  ",
            (str(msg.get("event")), "bold"),
            f"  {body.get('recordId')}",
            (detail, "dim"),
        )
    )


def listen(
    url: str = typer.Option(
        None, "--url", envvar="ROLODEX_BASE_URL", help="The server (default http://localhost:8080)."
    ),
    api_key: str = typer.Option(
        None, "--api-key", envvar="ROLODEX_API_KEY", help="An API key with webhook:read."
    ),
    events: list[str] = typer.Option(
        None, "--events", "-e", help="Event names or wildcards (repeatable): person.*"
    ),
    forward_to: str = typer.Option(
        None, "--forward-to", "-f", help="POST each event here, signed as a delivery."
    ),
    secret: str = typer.Option(
        None, "--secret", help="Signing secret for forwarded events (default: generated)."
    ),
    since: int = typer.Option(None, "--since", help="Replay from this event number (0: all)."),
    as_json: bool = typer.Option(False, "--json", help="Print each event's body as JSON."),
) -> None:
    """Stream events from a server over an outbound connection; no public URL needed.

    Example: rolodex listen --events person.* --forward-to http://localhost:3000/webhook
    """
    # Imported here: every other command starts quicker without them.
    import httpx
    import orjson

    from rolodex.webhooks.signing import generate_secret, headers

    base = (url or os.environ.get("TWENTY_BASE_URL") or "http://localhost:8080").rstrip("/")
    key = api_key or os.environ.get("TWENTY_API_KEY")
    if not key:
        fail("An API key is needed: --api-key or ROLODEX_API_KEY.", code=2)
    signing = secret or generate_secret()
    if forward_to and not secret and not as_json:
        out.print(styled(f"Forwarding to {forward_to}; signing secret ", (signing, "bold")))
    params = {"events": ",".join(events)} if events else {}
    last: str | None = None if since is None else str(since)
    received = forwarded = 0
    delay = 0.5
    try:
        with httpx.Client(timeout=httpx.Timeout(10, read=None)) as client:
            while True:
                hdrs = {"Authorization": f"Bearer {key}", "Accept": "text/event-stream"}
                if last is not None:
                    hdrs["Last-Event-ID"] = last
                try:
                    with client.stream(
                        "GET", f"{base}/rest/events/stream", params=params, headers=hdrs
                    ) as r:
                        if r.status_code in (401, 403):
                            r.read()
                            fail(r.json().get("message", f"HTTP {r.status_code}"))
                        if r.status_code != 200:
                            r.read()
                            fail(f"The server answered {r.status_code}: {r.text[:200]}")
                        delay = 0.5
                        for msg in _messages(r):
                            if "connected" in msg:
                                # From here on, every event is streamed (scripts wait for this).
                                err.print(f"Connected to {base}; waiting for events.")
                                continue
                            last = msg.get("id", last)
                            raw = msg.get("data", "").encode()
                            body = orjson.loads(raw)
                            received += 1
                            if as_json:
                                print(raw.decode(), flush=True)
                            else:
                                _show(msg, body)
                            if forward_to:
                                sent = headers(
                                    fmt="rolodex",
                                    secrets=[signing],
                                    body=raw,
                                    msg_id=body.get("eventId", ""),
                                    event_name=msg.get("event", ""),
                                    delivery_id=f"listen-{last}",
                                    attempt=1,
                                )
                                try:
                                    got = client.post(forward_to, content=raw, headers=sent)
                                    forwarded += 1
                                    if not as_json:
                                        out.print(f"          -> {forward_to} {got.status_code}")
                                except httpx.HTTPError as exc:
                                    err.print(f"          -> {forward_to} failed: {exc}")
                except (httpx.TransportError, httpx.RemoteProtocolError) as exc:
                    if received == 0 and last is None and delay > 8:
                        fail(f"Cannot reach {base}: {exc}")
                    err.print(styled((f"connection lost ({exc}); reconnecting", "dim")))
                    time.sleep(delay)
                    delay = min(delay * 2, 16)
    except KeyboardInterrupt:
        err.print(f"Stopped: {received} events received, {forwarded} forwarded.")

"""``rolodex webhooks``: manage webhooks and their deliveries on the local database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import typer
from rich.table import Table

from rolodex.cli.common import DatabaseOption, database_url, fail, out, print_json, run_session
from rolodex.kit import clock
from rolodex.kit.db import Database
from rolodex.kit.errors import RolodexError
from rolodex.session import WorkspaceSession
from rolodex.webhooks.service import WebhookService

T = TypeVar("T")
webhooks_app = typer.Typer(
    help="Create, list and update webhooks; read deliveries and send them again.",
    no_args_is_help=True,
)
WorkspaceOption = typer.Option(
    None, "--workspace", "-w", help="Workspace name or id (default: the first workspace)."
)
JsonOption = typer.Option(False, "--json", help="Print JSON for scripts.")
EventOption = typer.Option(
    None,
    "--event",
    "-e",
    help="An event type to subscribe to: person.created, person.*, *.created, * "
    "(repeatable; default every event).",
)


def _with_service(
    database: str | None,
    workspace: str | None,
    work: Callable[[WebhookService], Awaitable[T]],
    *,
    write: bool = True,
) -> T:
    async def job(s: WorkspaceSession) -> T:
        return await work(s.webhooks)

    return run_session(database_url(database), workspace, job, write=write)


def _show(hooks: list[dict[str, Any]], as_json: bool, *, many: bool = True) -> None:
    if as_json:
        print_json(hooks if many else hooks[0])
        return
    table = Table("id", "name", "target", "events", "format", "status")
    for h in hooks:
        table.add_row(
            h["id"],
            h["name"],
            h["targetUrl"],
            ", ".join(h["operations"]) or "(none)",
            h["format"],
            h["status"],
        )
    out.print(table)


def _body(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


@webhooks_app.command("list")
def webhooks_list(
    limit: int = typer.Option(100, help="At most this many."),
    offset: int = typer.Option(0, help="Skip this many."),
    workspace: str = WorkspaceOption,
    database: str = DatabaseOption,
    as_json: bool = JsonOption,
) -> None:
    """List webhooks. Example: rolodex webhooks list --json"""

    async def work(svc: WebhookService) -> list[dict[str, Any]]:
        hooks, _ = await svc.page(limit, offset)
        return [h.to_dict() for h in hooks]

    _show(_with_service(database, workspace, work, write=False), as_json)


@webhooks_app.command("get")
def webhooks_get(
    webhook_id: str = typer.Argument(..., help="The webhook's id."),
    workspace: str = WorkspaceOption,
    database: str = DatabaseOption,
    as_json: bool = JsonOption,
) -> None:
    """Show one webhook (never its secret). Example: rolodex webhooks get 0193...."""

    async def work(svc: WebhookService) -> dict[str, Any]:
        return (await svc.get(webhook_id)).to_dict()

    _show([_with_service(database, workspace, work, write=False)], as_json, many=False)


@webhooks_app.command("create")
def webhooks_create(
    url: str = typer.Option(..., "--url", "-u", help="Where to POST events."),
    name: str = typer.Option(None, "--name", "-n", help="A name (default: the URL's host)."),
    description: str = typer.Option(None, "--description", help="What it is for."),
    event: list[str] = EventOption,
    fmt: str = typer.Option("rolodex", "--format", help="rolodex, twenty, superoffice or attio."),
    secret: str = typer.Option(None, "--secret", help="Your own secret (default: generated)."),
    workspace: str = WorkspaceOption,
    database: str = DatabaseOption,
    as_json: bool = JsonOption,
) -> None:
    """Create a webhook and print its secret once, alone on the last line.

    Example: rolodex webhooks create --url https://example.com/hook -e 'person.*' | tail -1
    """
    body = _body(
        targetUrl=url,
        name=name,
        description=description,
        operations=event or None,
        format=fmt,
        secret=secret,
    )

    async def work(svc: WebhookService) -> dict[str, Any]:
        hook = await svc.create(body)
        return hook.to_dict(with_secret=True)

    info = _with_service(database, workspace, work)
    if as_json:
        print_json(info)
        return
    out.print(
        f"Created webhook {info['name']} ({info['id']}) for "
        f"{', '.join(info['operations']) or 'no events'}. Its secret, shown only once:",
        highlight=False,
    )
    print(info["secret"])


@webhooks_app.command("update")
def webhooks_update(
    webhook_id: str = typer.Argument(..., help="The webhook's id."),
    url: str = typer.Option(None, "--url", "-u", help="A new target URL."),
    name: str = typer.Option(None, "--name", "-n"),
    description: str = typer.Option(None, "--description"),
    event: list[str] = EventOption,
    no_events: bool = typer.Option(False, "--no-events", help="Subscribe to nothing."),
    fmt: str = typer.Option(None, "--format", help="rolodex, twenty, superoffice or attio."),
    status: str = typer.Option(None, "--status", help="active or disabled."),
    workspace: str = WorkspaceOption,
    database: str = DatabaseOption,
    as_json: bool = JsonOption,
) -> None:
    """Change a webhook; --event replaces its subscriptions.

    Example: rolodex webhooks update 0193... --status active
    """
    body = _body(
        targetUrl=url,
        name=name,
        description=description,
        operations=[] if no_events else (event or None),
        format=fmt,
        status=status,
    )

    async def work(svc: WebhookService) -> dict[str, Any]:
        hook = await svc.update(webhook_id, body)
        return hook.to_dict()

    _show([_with_service(database, workspace, work)], as_json, many=False)


@webhooks_app.command("delete")
def webhooks_delete(
    webhook_id: str = typer.Argument(..., help="The webhook's id."),
    workspace: str = WorkspaceOption,
    database: str = DatabaseOption,
) -> None:
    """Delete a webhook with its delivery log. Example: rolodex webhooks delete 0193..."""

    async def work(svc: WebhookService) -> str:
        return (await svc.delete(webhook_id)).name

    name = _with_service(database, workspace, work)
    out.print(f"Deleted webhook {name} ({webhook_id}).", highlight=False)


@webhooks_app.command("rotate-secret")
def webhooks_rotate(
    webhook_id: str = typer.Argument(..., help="The webhook's id."),
    secret: str = typer.Option(None, "--secret", help="Your own new secret."),
    grace: float = typer.Option(None, "--grace", help="Seconds the old secret keeps signing."),
    workspace: str = WorkspaceOption,
    database: str = DatabaseOption,
    as_json: bool = JsonOption,
) -> None:
    """Give a webhook a new secret, printed once on the last line.

    Example: rolodex webhooks rotate-secret 0193... --grace 3600 | tail -1
    """

    async def work(svc: WebhookService) -> dict[str, Any]:
        return (await svc.rotate_secret(webhook_id, secret, grace)).to_dict(with_secret=True)

    info = _with_service(database, workspace, work)
    if as_json:
        print_json(info)
        return
    until = info["previousSecretExpiresAt"]
    note = f"; the old one also signs until {until}" if until else ""
    out.print(f"New secret for {info['name']}{note}:", highlight=False)
    print(info["secret"])


@webhooks_app.command("deliveries")
def webhooks_deliveries(
    webhook_id: str = typer.Argument(..., help="The webhook's id."),
    status: str = typer.Option(None, "--status", help="pending, succeeded or failed."),
    limit: int = typer.Option(20, help="At most this many (newest first)."),
    offset: int = typer.Option(0, help="Skip this many."),
    workspace: str = WorkspaceOption,
    database: str = DatabaseOption,
    as_json: bool = JsonOption,
) -> None:
    """The delivery log, with every attempt. Example: rolodex webhooks deliveries 0193... --json"""

    async def work(svc: WebhookService) -> list[dict[str, Any]]:
        items = (await svc.deliveries(webhook_id, status, limit, offset)).items
        return items

    items = _with_service(database, workspace, work, write=False)
    if as_json:
        print_json(items)
        return
    table = Table("id", "event", "status", "attempts", "last answer", "created")
    for d in items:
        answer = d["responseStatus"] if d["responseStatus"] is not None else d["error"] or "-"
        table.add_row(
            d["id"], d["eventType"], d["status"], str(d["attempts"]), str(answer), d["createdAt"]
        )
    out.print(table)


@webhooks_app.command("resend")
def webhooks_resend(
    webhook_id: str = typer.Argument(..., help="The webhook's id."),
    delivery_id: str = typer.Argument(..., help="The delivery's id (see deliveries)."),
    workspace: str = WorkspaceOption,
    database: str = DatabaseOption,
    as_json: bool = JsonOption,
) -> None:
    """Queue a delivery again; a running server or rolodex worker sends it.

    Example: rolodex webhooks resend 0193... 0194... --json
    """

    async def work(svc: WebhookService) -> dict[str, Any]:
        return await svc.resend(webhook_id, delivery_id)

    item = _with_service(database, workspace, work)
    if as_json:
        print_json(item)
        return
    out.print(f"Queued delivery {item['id']} ({item['eventType']}) again.", highlight=False)


@webhooks_app.command("recover")
def webhooks_recover(
    webhook_id: str = typer.Argument(..., help="The webhook's id."),
    since: str = typer.Option(..., "--since", help="ISO 8601: failed deliveries since then."),
    until: str = typer.Option(None, "--until", help="ISO 8601 (default: now)."),
    workspace: str = WorkspaceOption,
    database: str = DatabaseOption,
    as_json: bool = JsonOption,
) -> None:
    """Queue again every failed delivery created in a time range.

    Example: rolodex webhooks recover 0193... --since 2025-10-31T00:00:00Z
    """
    try:
        start = clock.parse_datetime(since, field="since")
        end = clock.parse_datetime(until, field="until") if until else None
    except RolodexError as exc:
        fail(exc.message)
        return

    async def work(svc: WebhookService) -> int:
        return await svc.recover(webhook_id, start, end)

    count = _with_service(database, workspace, work)
    if as_json:
        print_json({"webhookId": webhook_id, "requeued": count})
        return
    out.print(f"Queued {count} failed deliveries again.", highlight=False)


@webhooks_app.command("test")
def webhooks_test(
    webhook_id: str = typer.Argument(..., help="The webhook's id."),
    event: str = typer.Option("person.created", "--event", "-e", help="The sample's type."),
    wait: float = typer.Option(
        3.0,
        "--wait",
        help="Seconds to wait for a running server or worker to send it before this "
        "command sends it itself.",
    ),
    workspace: str = WorkspaceOption,
    database: str = DatabaseOption,
    as_json: bool = JsonOption,
) -> None:
    """Send a sample event now and show the answer.

    A running server or worker sends it, with its own settings (such as
    ROLODEX_WEBHOOK_ALLOW_PRIVATE); with none running, this command does.
    Example: rolodex webhooks test 0193...
    """
    import uuid

    from rolodex.webhooks.sample import deliver_sample

    async def queue_it(svc: WebhookService) -> tuple[Any, Any, str]:
        item = await svc.test(webhook_id, event)
        return svc.ws, item["webhookId"], item["id"]

    ws, hook_id, delivery_id = _with_service(database, workspace, queue_it)

    async def send() -> str:
        db = Database(database_url(database), pool_size=2)
        await db.open()
        try:
            return await deliver_sample(db, ws, uuid.UUID(hook_id), uuid.UUID(delivery_id), wait)
        finally:
            await db.close()

    sent_by = asyncio.run(send())

    async def read(svc: WebhookService) -> dict[str, Any]:
        return await svc.delivery(hook_id, delivery_id)

    item = _with_service(database, workspace, read, write=False)
    last = item["attemptLog"][-1] if item["attemptLog"] else {}
    info = {
        "deliveryId": delivery_id,
        "eventType": item["eventType"],
        "sentBy": sent_by,
        "status": item["status"],
        "responseStatus": last.get("responseStatus"),
        "durationMs": last.get("durationMs"),
        "error": last.get("error"),
        "nextAttemptAt": item["nextAttemptAt"],
    }
    if as_json:
        print_json(info)
        if info["status"] != "succeeded":
            raise typer.Exit(1)
        return
    who = "the server" if sent_by == "server" else "this command (no server or worker took it)"
    if info["status"] == "succeeded":
        out.print(
            f"Delivered {item['eventType']}: HTTP {info['responseStatus']} in "
            f"{info['durationMs']} ms, sent by {who}.",
            highlight=False,
        )
        return
    answer = info["error"] or f"HTTP {info['responseStatus']}"
    then = (
        f" It is retried at {info['nextAttemptAt']}."
        if info["status"] == "pending" and info["nextAttemptAt"]
        else " It is not retried."
    )
    fail(f"The receiver did not accept the sample sent by {who}: {answer}.{then}")

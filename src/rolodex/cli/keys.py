"""``rolodex keys`` and ``rolodex workspaces``: manage API keys and workspaces locally."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import typer
from rich.table import Table

from rolodex.auth import service
from rolodex.auth.scopes import parse_scopes
from rolodex.cli.common import DatabaseOption, database_url, fail, out, print_json, run
from rolodex.kit import clock
from rolodex.kit.db import Conn
from rolodex.kit.errors import RolodexError
from rolodex.kit.ids import parse_uuid

keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
workspaces_app = typer.Typer(help="Create and list workspaces.", no_args_is_help=True)

WorkspaceOption = typer.Option(
    None, "--workspace", "-w", help="Workspace name or id (default: the first workspace)."
)
JsonOption = typer.Option(False, "--json", help="Print JSON for scripts.")


def parse_expiry(text: str) -> datetime:
    """``30d``, ``12h``, ``90m`` from now, or an ISO 8601 instant."""
    m = re.fullmatch(r"\s*(\d+)\s*([dhm])\s*", text)
    if m:
        unit = {"d": "days", "h": "hours", "m": "minutes"}[m.group(2)]
        return clock.now() + timedelta(**{unit: int(m.group(1))})
    try:
        return clock.parse_datetime(text, field="expires")
    except RolodexError:
        fail(f"--expires takes 30d, 12h, 90m or an ISO 8601 date-time, not {text!r}")
        raise


@keys_app.command("create")
def keys_create(
    name: str = typer.Option(..., "--name", "-n", help="What the key is for."),
    scope: list[str] = typer.Option(
        None,
        "--scope",
        "-s",
        help="record:read, record:read-write, metadata:..., webhook:..., key:..., or all "
        "(repeatable; default all).",
    ),
    expires: str = typer.Option(None, "--expires", help="30d, 12h, or an ISO date-time."),
    workspace: str = WorkspaceOption,
    database: str = DatabaseOption,
    as_json: bool = JsonOption,
) -> None:
    """Create an API key and print it once, alone on the last line.

    Example: KEY=$(rolodex keys create --name zapier --scope record:read | tail -1)
    """
    try:
        scopes = parse_scopes(scope) if scope else None
    except RolodexError as exc:
        fail(exc.message)
        return
    expires_at = parse_expiry(expires) if expires else None

    async def work(conn: Conn) -> tuple[dict[str, object], str]:
        ws = await service.resolve_workspace(conn, workspace)
        key, secret = await service.create_key(conn, ws, name, scopes, expires_at)
        return key.to_dict(), secret

    info, secret = run(database_url(database), work)
    if as_json:
        print_json({**info, "key": secret})
    else:
        out.print(
            f"Created key [bold]{info['name']}[/bold] ({info['id']}) in workspace "
            f"{info['workspaceId']} with scopes: {', '.join(info['scopes'])}",  # type: ignore[arg-type]
            highlight=False,
        )
        out.print("Store it now: it is shown only once.", highlight=False)
    print(secret)


@keys_app.command("list")
def keys_list(
    workspace: str = WorkspaceOption, database: str = DatabaseOption, as_json: bool = JsonOption
) -> None:
    """List a workspace's keys (never their secrets).

    Example: rolodex keys list --workspace Default
    """

    async def work(conn: Conn) -> list[dict[str, object]]:
        ws = await service.resolve_workspace(conn, workspace)
        return [k.to_dict() for k in await service.list_keys(conn, ws)]

    keys = run(database_url(database), work, write=False)
    if as_json:
        print_json(keys)
        return
    table = Table("id", "name", "prefix", "scopes", "expires", "revoked", "last used")
    for k in keys:
        table.add_row(
            str(k["id"]),
            str(k["name"]),
            str(k["prefix"]) + "…",
            ", ".join(k["scopes"]),  # type: ignore[arg-type]
            str(k["expiresAt"] or "-"),
            str(k["revokedAt"] or "-"),
            str(k["lastUsedAt"] or "-"),
        )
    out.print(table)


@keys_app.command("revoke")
def keys_revoke(
    key_id: str = typer.Argument(..., help="The key's id (see keys list)."),
    workspace: str = WorkspaceOption,
    database: str = DatabaseOption,
    as_json: bool = JsonOption,
) -> None:
    """Revoke a key: every running server refuses it within a second.

    Example: rolodex keys revoke 0193c1c2-...
    """
    try:
        kid = parse_uuid(key_id)
    except RolodexError as exc:
        fail(exc.message)
        return

    async def work(conn: Conn) -> dict[str, object]:
        ws = await service.resolve_workspace(conn, workspace)
        return (await service.revoke_key(conn, ws, kid)).to_dict()

    info = run(database_url(database), work)
    if as_json:
        print_json(info)
    else:
        out.print(f"Revoked key {info['name']} ({info['id']}).", highlight=False)


@workspaces_app.command("create")
def workspaces_create(
    name: str = typer.Argument(..., help="The new workspace's name."),
    database: str = DatabaseOption,
    as_json: bool = JsonOption,
) -> None:
    """Create a workspace; then make a key for it with keys create --workspace NAME.

    Example: rolodex workspaces create "Acme Sales"
    """

    async def work(conn: Conn) -> str:
        return str(await service.create_workspace(conn, name))

    ws_id = run(database_url(database), work)
    if as_json:
        print_json({"id": ws_id, "name": name})
    else:
        out.print(f"Created workspace {name!r}.", highlight=False)
        print(ws_id)


@workspaces_app.command("list")
def workspaces_list(database: str = DatabaseOption, as_json: bool = JsonOption) -> None:
    """List workspaces. Example: rolodex workspaces list --json"""
    from rolodex.auth import repository

    async def work(conn: Conn) -> list[dict[str, str]]:
        rows = await repository.list_workspaces(conn)
        return [{"id": str(r["id"]), "name": r["name"]} for r in rows]

    rows = run(database_url(database), work, write=False)
    if as_json:
        print_json(rows)
        return
    table = Table("id", "name")
    for r in rows:
        table.add_row(r["id"], r["name"])
    out.print(table)

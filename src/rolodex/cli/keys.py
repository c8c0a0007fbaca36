"""``rolodex keys`` and ``rolodex workspaces``: manage API keys and workspaces locally."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from rolodex.auth import service
from rolodex.auth.scopes import OPERATOR_SCOPES, parse_scopes
from rolodex.cli.common import (
    DatabaseOption,
    database_errors,
    database_url,
    fail,
    out,
    print_json,
    run,
    run_session,
    styled,
)
from rolodex.kit import clock
from rolodex.kit.db import Conn, Database
from rolodex.kit.errors import NotFound, RolodexError, ValidationError

if TYPE_CHECKING:
    from rolodex.session import WorkspaceSession

keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
workspaces_app = typer.Typer(
    help="Create, list, suspend, resume and delete workspaces.", no_args_is_help=True
)

WorkspaceOption = typer.Option(
    None,
    "--workspace",
    "-w",
    help="Workspace name, id or unique id prefix (default: the first workspace).",
)
# Shortest id prefix taken: revoking is for good, so a stray character must not pick a key.
MIN_PREFIX = 4
SCOPE_HELP = (
    "A scope (repeatable): record:read, record:read-write, metadata:read, "
    "metadata:read-write, webhook:read, webhook:read-write, key:read, key:read-write; "
    "all or * for every one. Also accepted: RESOURCE:write for RESOURCE:read-write, "
    "and records:, webhooks:, keys: (or api-key:) for the singular. "
    "Default: every scope. workspace:admin (operators only) is never part of all."
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


def id_table(*headers: str) -> Table:
    """A table whose first column is an id: never cut, wrapped or squeezed (revoke takes it)."""
    table = Table()
    table.add_column("id", no_wrap=True, overflow="ignore", min_width=36)
    for header in headers:
        table.add_column(header)
    return table


def pick(ident: str, ids: list[uuid.UUID], what: str, where: str) -> uuid.UUID:
    """The one id in ``ids`` that is ``ident`` or starts with it."""
    text = ident.strip().lower()
    if not re.fullmatch(r"[0-9a-f-]+", text):
        raise ValidationError(f"{ident!r} is not a {what} id (a UUID, or its start).", field="id")
    exact = [i for i in ids if str(i) == text]
    if exact:
        return exact[0]
    if len(text) < MIN_PREFIX:
        raise ValidationError(
            f"Give at least {MIN_PREFIX} characters of the {what} id, not {ident!r}.", field="id"
        )
    found = [i for i in ids if str(i).startswith(text)]
    if not found:
        raise NotFound(f"No {what} with an id starting {ident!r} (see {where}).", field="id")
    if len(found) > 1:
        raise ValidationError(
            f"{len(found)} {what}s have ids starting {ident!r}: give more of the id.", field="id"
        )
    return found[0]


async def resolve_workspace(conn: Conn, ident: str | None) -> uuid.UUID:
    """A workspace by name or id, as everywhere, or by a unique start of its id."""
    from rolodex.auth import repository

    try:
        return await service.resolve_workspace(conn, ident)
    except NotFound:
        if ident is None or not re.fullmatch(rf"[0-9a-fA-F-]{{{MIN_PREFIX},}}", ident.strip()):
            raise
        rows = await repository.list_workspaces(conn)
        ids = [r["id"] if isinstance(r["id"], uuid.UUID) else uuid.UUID(r["id"]) for r in rows]
        return pick(ident, ids, "workspace", "workspaces list")


@keys_app.command("create")
def keys_create(
    name: str = typer.Option(..., "--name", "-n", help="What the key is for."),
    scope: list[str] = typer.Option(
        None,
        "--scope",
        "-s",
        help=SCOPE_HELP,
    ),
    expires: str = typer.Option(None, "--expires", help="30d, 12h, or an ISO date-time."),
    operator: bool = typer.Option(
        False,
        "--operator",
        help="An operator key: scope workspace:admin only, for /rest/workspaces.",
    ),
    workspace: str = WorkspaceOption,
    database: str = DatabaseOption,
    as_json: bool = JsonOption,
) -> None:
    """Create an API key and print it once, alone on the last line.

    Without --scope the key has every scope of its workspace; record:read-write
    includes record:read, and record:write means the same as record:read-write.
    --operator makes the first operator key, which creates and deletes
    workspaces through /rest/workspaces.

    Example: KEY=$(rolodex keys create --name zapier --scope record:read | tail -1)
    """
    try:
        scopes = parse_scopes(scope) if scope else None
    except RolodexError as exc:
        fail(exc.message)
        return
    if operator:
        scopes = (scopes or frozenset()) | OPERATOR_SCOPES
    expires_at = parse_expiry(expires) if expires else None

    async def work(s: WorkspaceSession) -> tuple[dict[str, object], str]:
        key, secret = await service.create_key(
            s.conn, s.principal.workspace_id, name, scopes, expires_at
        )
        return key.to_dict(), secret

    info, secret = run_session(database_url(database), workspace, work, resolve=resolve_workspace)
    if as_json:
        print_json({**info, "key": secret})
    else:
        scopes_text = ", ".join(info["scopes"])  # type: ignore[arg-type]
        out.print(
            styled(
                "Created key ",
                (str(info["name"]), "bold"),
                f" ({info['id']}) in workspace {info['workspaceId']} with scopes: {scopes_text}",
            )
        )
        out.print("Store it now: it is shown only once.")
    print(secret)


@keys_app.command("list")
def keys_list(
    workspace: str = WorkspaceOption, database: str = DatabaseOption, as_json: bool = JsonOption
) -> None:
    """List a workspace's keys (never their secrets).

    Example: rolodex keys list --workspace Default
    """

    async def work(s: WorkspaceSession) -> list[dict[str, object]]:
        return [k.to_dict() for k in await s.keys.list()]

    url = database_url(database)
    keys = run_session(url, workspace, work, write=False, resolve=resolve_workspace)
    if as_json:
        print_json(keys)
        return
    table = id_table("name", "prefix", "scopes", "expires", "revoked", "last used")
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
    key_id: str = typer.Argument(
        ..., metavar="ID", help="The key's id, or a unique start of it (see keys list)."
    ),
    workspace: str = WorkspaceOption,
    database: str = DatabaseOption,
    as_json: bool = JsonOption,
) -> None:
    """Revoke a key: every running server refuses it within a second.

    Example: rolodex keys revoke 0193c1c2
    """

    async def work(s: WorkspaceSession) -> dict[str, object]:
        keys = [k.id for k in await s.keys.list()]
        kid = pick(key_id, keys, "key", "keys list")
        return (await s.keys.revoke(kid)).to_dict()

    info = run_session(database_url(database), workspace, work, resolve=resolve_workspace)
    if as_json:
        print_json(info)
    else:
        out.print(f"Revoked key {info['name']} ({info['id']}).")


def _workspace_row(ws: dict[str, object]) -> list[str]:
    return [str(ws["id"]), str(ws["name"]), str(ws["status"])]


@workspaces_app.command("create")
def workspaces_create(
    name: str = typer.Argument(..., help="The new workspace's name."),
    with_key: bool = typer.Option(
        False, "--with-key", help="Also create its first key (every scope); printed last."
    ),
    database: str = DatabaseOption,
    as_json: bool = JsonOption,
) -> None:
    """Create a workspace (as POST /rest/workspaces does); print its id, or with
    --with-key its first key, on the last line.

    Example: rolodex workspaces create "Acme Sales"
    """
    from rolodex.workspaces import schemas
    from rolodex.workspaces import service as workspaces

    key_req = schemas.KeyRequest(schemas.DEFAULT_KEY_NAME, None, None) if with_key else None

    async def work(conn: Conn) -> tuple[dict[str, object], dict[str, object] | None]:
        ws, key = await workspaces.create(conn, schemas.CreateRequest(name, None, key_req))
        return ws.to_dict(), key

    ws, key = run(database_url(database), work)
    if as_json:
        print_json({**ws, "key": key} if with_key else ws)
        return
    out.print(f"Created workspace {ws['name']!r} ({ws['id']}).")
    if key is None:
        print(ws["id"])
    else:
        out.print("Its key; store it now: it is shown only once.")
        print(key["key"])


@workspaces_app.command("list")
def workspaces_list(database: str = DatabaseOption, as_json: bool = JsonOption) -> None:
    """List workspaces with their status. Example: rolodex workspaces list --json"""
    from rolodex.workspaces import repository

    async def work(conn: Conn) -> list[dict[str, object]]:
        rows = await repository.page(conn, 10**9, 0, None, None)
        return [w.to_dict() for w in rows]

    rows = run(database_url(database), work, write=False)
    if as_json:
        print_json(rows)
        return
    table = id_table("name", "status")
    for r in rows:
        table.add_row(*_workspace_row(r))
    out.print(table)


def _set_status(ident: str, status: str, database: str | None, as_json: bool) -> None:
    from rolodex.workspaces import schemas
    from rolodex.workspaces import service as workspaces

    async def work(conn: Conn) -> dict[str, object]:
        ws_id = await resolve_workspace(conn, ident)
        req = schemas.UpdateRequest(None, status)
        return (await workspaces.update(conn, ws_id, req)).to_dict()

    ws = run(database_url(database), work)
    if as_json:
        print_json(ws)
    else:
        out.print(f"Workspace {ws['name']!r} ({ws['id']}) is {ws['status']}.")


WorkspaceArgument = typer.Argument(..., help="Workspace name, id or unique id prefix.")


@workspaces_app.command("suspend")
def workspaces_suspend(
    ident: str = WorkspaceArgument, database: str = DatabaseOption, as_json: bool = JsonOption
) -> None:
    """Suspend a workspace: its keys get 403 WORKSPACE_SUSPENDED within a second.

    Example: rolodex workspaces suspend Acme
    """
    _set_status(ident, "suspended", database, as_json)


@workspaces_app.command("resume")
def workspaces_resume(
    ident: str = WorkspaceArgument, database: str = DatabaseOption, as_json: bool = JsonOption
) -> None:
    """Resume a suspended workspace: its keys work again. Example: rolodex workspaces resume Acme"""
    _set_status(ident, "active", database, as_json)


@workspaces_app.command("delete")
def workspaces_delete(
    ident: str = WorkspaceArgument,
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
    database: str = DatabaseOption,
    as_json: bool = JsonOption,
) -> None:
    """Delete a workspace and all its data, for good, in batches; also finishes a
    deletion that was interrupted. Example: rolodex workspaces delete Acme --yes
    """
    import asyncio

    from rolodex.workspaces import service as workspaces

    if not yes:
        typer.confirm(f"Delete workspace {ident!r} and all its data?", abort=True)
    url = database_url(database)

    async def mark(conn: Conn) -> dict[str, object]:
        ws_id = await resolve_workspace(conn, ident)
        return (await workspaces.start_delete(conn, ws_id)).to_dict()

    ws = run(url, mark)

    async def purge() -> int:
        db = Database(url, pool_size=2)
        await db.open()
        try:
            return (await workspaces.purge(db, uuid.UUID(str(ws["id"]))))[1]
        finally:
            await db.close()

    with database_errors(url):
        deleted = asyncio.run(purge())
    if as_json:
        print_json({**ws, "status": "deleted", "deletedRows": deleted})
    else:
        out.print(f"Deleted workspace {ws['name']!r} ({ws['id']}) and {deleted} rows.")

"""``rolodex members``: invite people to the console and list who can sign in."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import typer

from rolodex.cli.common import DatabaseOption, database_url, out, print_json, run_session
from rolodex.cli.keys import WorkspaceOption, id_table, resolve_workspace

if TYPE_CHECKING:
    from rolodex.session import WorkspaceSession

members_app = typer.Typer(
    help="Invite members to the console (/console) and list them.", no_args_is_help=True
)


def base_url() -> str:
    """Where the console is reached: ROLODEX_PUBLIC_URL, else serve's default address."""
    return os.environ.get("ROLODEX_PUBLIC_URL", "http://127.0.0.1:8080").rstrip("/")


def link_url(base: str, token: str) -> str:
    return f"{base.rstrip('/')}/console/link/{token}"


@members_app.command("invite")
def members_invite(
    email: str = typer.Argument(..., help="The member's email address."),
    role: str = typer.Option("member", "--role", "-r", help="admin or member (or owner)."),
    name: str = typer.Option(None, "--name", "-n", help="Their name (default: from the email)."),
    hours: float = typer.Option(24.0, "--hours", min=0.1, max=24 * 30, help="Link lifetime."),
    url: str = typer.Option(
        None, "--url", help="The server's address (default: ROLODEX_PUBLIC_URL or :8080)."
    ),
    workspace: str = WorkspaceOption,
    database: str = DatabaseOption,
) -> None:
    """Make EMAIL a member with a role and print a one-time sign-in link, alone on the
    last line. Owners and admins manage keys, webhooks, members and the schema;
    members read and write records.

    Example: rolodex members invite ada@example.org --role admin
    """

    async def work(s: WorkspaceSession) -> tuple[dict[str, str], str]:
        return await s.members.invite(email, role, name=name, hours=hours)

    info, token = run_session(database_url(database), workspace, work, resolve=resolve_workspace)
    out.print(
        f"Invited {info['email']} as {info['role']}. The link signs them in once, "
        f"within {hours:g} hours; they can then set a password:"
    )
    print(link_url(url or base_url(), token))


@members_app.command("list")
def members_list(
    workspace: str = WorkspaceOption,
    database: str = DatabaseOption,
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """List the members who can sign in to the console, with their roles."""

    async def work(s: WorkspaceSession) -> list[dict[str, object]]:
        return await s.members.list()

    members = run_session(
        database_url(database), workspace, work, write=False, resolve=resolve_workspace
    )
    if as_json:
        print_json(members)
        return
    table = id_table("name", "email", "role", "password")
    for m in members:
        table.add_row(
            str(m["id"]),
            str(m["name"]),
            str(m["email"]),
            str(m["role"]),
            "set" if m["hasPassword"] else "-",
        )
    out.print(table)

"""The ``rolodex`` command."""

from __future__ import annotations

import typer

from rolodex import __version__
from rolodex.cli import transfer
from rolodex.cli.common import (
    DatabaseOption,
    database_errors,
    database_url,
    fail,
    out,
    print_json,
    require_database,
)
from rolodex.cli.helptext import PlainHelpGroup
from rolodex.cli.keys import keys_app, workspaces_app
from rolodex.cli.listen import listen
from rolodex.cli.mcp import mcp_command
from rolodex.cli.members import members_app
from rolodex.cli.serve import serve
from rolodex.cli.webhooks import webhooks_app
from rolodex.cli.worker import worker

app = typer.Typer(
    help="Rolodex: a self-hostable, headless CRM server.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=PlainHelpGroup,
)
app.add_typer(keys_app, name="keys")
app.add_typer(workspaces_app, name="workspaces")
app.add_typer(members_app, name="members")
app.command("import")(transfer.import_command)
app.command("export")(transfer.export_command)
app.add_typer(webhooks_app, name="webhooks")
app.command()(worker)
app.command()(listen)
app.command("mcp")(mcp_command)


@app.command()
def migrate(
    database: str = DatabaseOption,
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Create the database or bring its schema up to date (serve does this on start).

    Example: rolodex migrate --database postgresql://postgres@127.0.0.1/rolodex
    """
    from rolodex.cli.database import migrate as apply

    url = database_url(database)
    try:
        applied, revision = apply(url)
    except Exception as exc:
        fail(f"Migration failed: {str(exc).strip().splitlines()[0] if str(exc).strip() else exc!r}")
        return
    if as_json:
        status = "migrated" if applied else "up-to-date"
        print_json({"status": status, "applied": applied, "revision": revision})
    elif applied:
        out.print(f"Applied {len(applied)} migrations: {', '.join(applied)}.")
        out.print(f"The database schema is now at {revision}.")
    else:
        out.print(f"The database schema is already up to date ({revision}); nothing applied.")


app.command()(serve)


@app.command("purge-deleted")
def purge_deleted(
    older_than: float = typer.Option(
        30.0, "--older-than", help="Days since the soft delete (0 purges them all)."
    ),
    database: str = DatabaseOption,
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Delete for good the records soft-deleted more than N days ago, in every workspace.

    Servers do this hourly (ROLODEX_RETENTION_DAYS); this runs it now.
    Example: rolodex purge-deleted --older-than 14
    """
    import asyncio

    from rolodex.kit.db import Database
    from rolodex.metadata.registry import RegistryCache
    from rolodex.records.retention import purge_all

    if older_than < 0:
        fail("--older-than is a number of days, 0 or more", code=2)
    url = database_url(database)

    async def main() -> int:
        db = Database(url, pool_size=2)
        await db.open()
        try:
            return await purge_all(db, RegistryCache(0), older_than)
        finally:
            await db.close()

    with database_errors(url):
        require_database(url)
        purged = asyncio.run(main())
    if as_json:
        print_json({"deleted": purged})
    else:
        out.print(f"Deleted {purged} soft-deleted records for good.")


@app.command()
def version() -> None:
    """Print the version."""
    print(__version__)


def main() -> None:
    app()


if __name__ == "__main__":
    main()

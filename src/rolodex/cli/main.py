"""The ``rolodex`` command."""

from __future__ import annotations

import os

import typer

from rolodex import __version__
from rolodex.cli import transfer
from rolodex.cli.common import DatabaseOption, database_url, fail, out, print_json
from rolodex.cli.keys import keys_app, workspaces_app
from rolodex.cli.listen import listen
from rolodex.cli.webhooks import webhooks_app
from rolodex.cli.worker import worker

app = typer.Typer(
    help="Rolodex: a self-hostable, headless CRM server.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(keys_app, name="keys")
app.add_typer(workspaces_app, name="workspaces")
app.command("import")(transfer.import_command)
app.command("export")(transfer.export_command)
app.add_typer(webhooks_app, name="webhooks")
app.command()(worker)
app.command()(listen)


@app.command()
def migrate(
    database: str = DatabaseOption,
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Apply database migrations (serve does this on start).

    Example: rolodex migrate --database postgresql://postgres@127.0.0.1/rolodex
    """
    from rolodex.kit.migrate import upgrade

    url = database_url(database)
    try:
        upgrade(url)
    except Exception as exc:
        fail(f"Migration failed: {str(exc).strip().splitlines()[0] if str(exc).strip() else exc!r}")
    if as_json:
        print_json({"status": "up-to-date"})
    else:
        out.print("The database schema is up to date.", highlight=False)


def _first_start(url: str) -> str | None:
    """Create the default workspace, and a first key if it has none; return that key."""
    from rolodex.auth import repository, service
    from rolodex.cli.common import run
    from rolodex.kit.db import Conn

    async def work(conn: Conn) -> str | None:
        ws, _ = await service.ensure_default_workspace(conn)
        if await repository.count_keys(conn, ws) == 0:
            _, secret = await service.create_key(conn, ws, "first key")
            return secret
        return None

    return run(url, work)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (0.0.0.0 for all)."),
    port: int = typer.Option(8080, help="Port to listen on."),
    database: str = DatabaseOption,
    workers: int = typer.Option(1, help="Server processes."),
    server: str = typer.Option("granian", help="granian (fastest) or uvicorn."),
) -> None:
    """Run the API server; migrates the database and creates a workspace on first start.

    Example: rolodex serve --port 8080 --database sqlite:///./rolodex.db
    """
    url = database_url(database)
    os.environ["ROLODEX_DATABASE_URL"] = url
    secret = _first_start(url)
    if secret:
        out.print(
            "First start: created the default workspace and an API key with every "
            "scope. It is shown only this once:",
            highlight=False,
        )
        print(secret, flush=True)
    out.print(
        f"Rolodex {__version__} on http://{host}:{port} (database: {url.split('@')[-1]})",
        highlight=False,
    )
    if server == "uvicorn":
        import uvicorn

        uvicorn.run(
            "rolodex.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
        )
        return
    if server != "granian":
        fail("--server is granian or uvicorn", code=2)
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces

    Granian(
        "rolodex.app:create_app",
        factory=True,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        log_access=False,
        # An HTTP/1.1 JSON API: no WebSocket routes, and clients and proxies
        # speak HTTP/1.1 to it. Both off measured about 10% more GETs per
        # second (docs/performance.md).
        websockets=False,
        http=HTTPModes.http1,
    ).serve()


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
    from rolodex.kit.migrate import upgrade
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

    upgrade(url)
    purged = asyncio.run(main())
    if as_json:
        print_json({"deleted": purged})
    else:
        out.print(f"Deleted {purged} soft-deleted records for good.", highlight=False)


@app.command()
def version() -> None:
    """Print the version."""
    print(__version__)


def main() -> None:
    app()


if __name__ == "__main__":
    main()

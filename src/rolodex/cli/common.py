"""Helpers every command shares: the database option, running async work, errors."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import typer
from rich.console import Console

from rolodex.config import DEFAULT_DATABASE
from rolodex.kit.db import Conn, Database
from rolodex.kit.errors import RolodexError

T = TypeVar("T")
err = Console(stderr=True)
out = Console()

DatabaseOption = typer.Option(
    None,
    "--database",
    "-d",
    envvar="ROLODEX_DATABASE_URL",
    help="sqlite:///path or postgresql://user@host/db (default: ./rolodex.db).",
)


def database_url(value: str | None) -> str:
    url = value or os.environ.get("ROLODEX_DATABASE_URL") or DEFAULT_DATABASE
    if not (url.startswith(("sqlite:", "postgresql", "postgres://"))):
        fail(f"Unsupported database URL {url!r}: use sqlite:///path or postgresql://...")
    return url


def fail(message: str, code: int = 1) -> None:
    err.print(f"[red]Error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


def run(url: str, work: Callable[[Conn], Awaitable[T]], *, write: bool = True) -> T:
    """Migrate ``url``, then run ``work`` in one transaction (or connection)."""
    from rolodex.kit.migrate import upgrade

    async def main() -> T:
        db = Database(url, pool_size=2)
        await db.open()
        try:
            opener = db.transaction() if write else db.connect()
            async with opener as conn:
                return await work(conn)
        finally:
            await db.close()

    try:
        upgrade(url)
        return asyncio.run(main())
    except RolodexError as exc:
        fail(exc.message)
    except OSError as exc:
        fail(f"Cannot reach the database: {_first_line(exc)}")
    except Exception as exc:  # driver errors such as a refused PostgreSQL connection
        if type(exc).__module__.split(".")[0] in ("asyncpg", "sqlalchemy", "psycopg", "sqlite3"):
            fail(f"Database error: {_first_line(exc)}")
        raise
    raise AssertionError("unreachable")


def _first_line(exc: BaseException) -> str:
    """Drivers' messages run over several lines; a CLI error is one."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def print_json(value: Any) -> None:
    from rolodex.kit.jsonutil import dumps

    sys.stdout.write(dumps(value).decode() + "\n")

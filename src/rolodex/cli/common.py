"""Helpers every command shares: the database option, running async work, errors.

The consoles print text as it is: no rich markup, emoji codes or highlighting,
so a user's ``name[equals]:x`` or ``:x:`` comes back unchanged. Styled output
is built explicitly (``styled``). When output is not a terminal nothing is
wrapped, so a key, secret or id stays on one line whatever ``COLUMNS`` says.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from rolodex.config import DEFAULT_DATABASE
from rolodex.kit.db import Conn, Database
from rolodex.kit.errors import RolodexError

if TYPE_CHECKING:
    from rolodex.session import WorkspaceSession
    from rolodex.session.session import Resolver

T = TypeVar("T")
# Wide enough that nothing wraps in a pipe or a file; a terminal keeps its width.
_UNWRAPPED = 1_000_000


def _console(stream: Any, **kwargs: Any) -> Console:
    width = None if stream.isatty() else _UNWRAPPED
    return Console(markup=False, emoji=False, highlight=False, width=width, **kwargs)


err = _console(sys.stderr, stderr=True)
out = _console(sys.stdout)


def styled(*parts: str | tuple[str, str]) -> Text:
    """Text from plain strings and ``(text, style)`` pairs, never parsed as markup."""
    return Text.assemble(*parts)


DatabaseOption = typer.Option(
    None,
    "--database",
    "-d",
    envvar="ROLODEX_DATABASE_URL",
    help="sqlite:///path or postgresql://user@host/db (default: ./rolodex.db). It must "
    "exist: only serve and migrate create one.",
)


def database_url(value: str | None) -> str:
    url = value or os.environ.get("ROLODEX_DATABASE_URL") or DEFAULT_DATABASE
    if not (url.startswith(("sqlite:", "postgresql", "postgres://"))):
        fail(f"Unsupported database URL {url!r}: use sqlite:///path or postgresql://...")
    return url


def fail(message: str, code: int = 1) -> None:
    err.print(styled(("Error:", "red"), " ", message))
    raise typer.Exit(code)


def require_database(url: str, *, create: bool = False) -> None:
    """Stop unless ``url`` is an existing Rolodex database; ``create`` (serve) makes it."""
    from rolodex.cli.database import NoDatabase, pointers, prepare

    try:
        if create:
            from rolodex.kit.migrate import upgrade

            upgrade(url)
        else:
            prepare(url)
    except NoDatabase as exc:
        fail(f"{exc} {pointers()}")


def run(
    url: str, work: Callable[[Conn], Awaitable[T]], *, write: bool = True, create: bool = False
) -> T:
    """Run ``work`` on ``url`` in one transaction (or connection).

    The database must exist already (see ``require_database``) unless ``create``.
    """

    async def main() -> T:
        db = Database(url, pool_size=2)
        await db.open()
        try:
            opener = db.transaction() if write else db.connect()
            async with opener as conn:
                return await work(conn)
        finally:
            await db.close()

    with database_errors(url):
        require_database(url, create=create)
        return asyncio.run(main())
    raise AssertionError("unreachable")


def run_database(url: str, work: Callable[[Database], Awaitable[T]]) -> T:
    """Run ``work`` with the database at ``url`` open; ``work`` opens its own sessions."""

    async def main() -> T:
        db = Database(url, pool_size=2)
        await db.open()
        try:
            return await work(db)
        finally:
            await db.close()

    with database_errors(url):
        require_database(url)
        return asyncio.run(main())
    raise AssertionError("unreachable")


def run_session(
    url: str,
    workspace: str | None,
    work: Callable[[WorkspaceSession], Awaitable[T]],
    *,
    write: bool = True,
    resolve: Resolver | None = None,
) -> T:
    """Run ``work`` in a workspace session of ``workspace`` (id or name; the first
    workspace when None, or as ``resolve`` reads it), as the operator with every scope."""
    from rolodex.metadata.registry import RegistryCache
    from rolodex.session import READ, WRITE, Sessions

    async def job(db: Database) -> T:
        sessions = Sessions(db, RegistryCache(0))
        principal = await (
            sessions.local(workspace, resolve=resolve) if resolve else sessions.local(workspace)
        )
        async with sessions.open(principal, WRITE if write else READ) as s:
            return await work(s)

    return run_database(url, job)


@contextlib.contextmanager
def database_errors(url: str) -> Iterator[None]:
    """Turn what goes wrong reaching a database into one line and exit 1."""
    from rolodex.cli.database import shown

    try:
        yield
    except RolodexError as exc:
        fail(exc.message)
    except OSError as exc:
        fail(f"Cannot reach the database at {shown(url)}: {_first_line(exc)}")
    except Exception as exc:  # driver errors such as a refused PostgreSQL connection
        if type(exc).__module__.split(".")[0] in ("asyncpg", "sqlalchemy", "psycopg", "sqlite3"):
            fail(f"Database error: {_first_line(exc)}")
        raise


def _first_line(exc: BaseException) -> str:
    """Drivers' messages run over several lines; a CLI error is one."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def print_json(value: Any) -> None:
    from rolodex.kit.jsonutil import dumps

    sys.stdout.write(dumps(value).decode() + "\n")

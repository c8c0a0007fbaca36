"""Which database a command works on, and whether it exists yet.

Only ``serve`` and ``migrate`` create a database. Every other command works on
one that exists: a missing SQLite file, a missing PostgreSQL database, or one
with no Rolodex tables stops the command with the URL it tried, instead of
quietly making a new, empty ``./rolodex.db`` wherever it was run.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sqlite3
from pathlib import Path

from rolodex.kit.db import normalise_url, sqlite_path

VERSIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"
_REVISION = re.compile(
    r"^(down_revision|revision)\s*(?::[^=]*)?=\s*(None|['\"]([^'\"]+)['\"])", re.M
)


class NoDatabase(Exception):
    """The database a command would use is not there (or holds no Rolodex tables)."""


def shown(url: str) -> str:
    """``url`` as it can be printed: without a password."""
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", url)


def pointers() -> str:
    return (
        "Create it with: rolodex migrate (or rolodex serve), or point to your database "
        "with --database URL or ROLODEX_DATABASE_URL."
    )


def chain() -> list[str] | None:
    """The migrations' revisions, oldest first; None if the files cannot be read simply."""
    parents: dict[str, str | None] = {}
    for path in VERSIONS.glob("*.py"):
        found = dict((m.group(1), m.group(3)) for m in _REVISION.finditer(path.read_text()))
        if found.get("revision"):
            parents[found["revision"]] = found.get("down_revision")
    children = {p: r for r, p in parents.items()}
    if len(children) != len(parents):  # a branch: leave it to Alembic
        return None
    out: list[str] = []
    rev = children.get(None)
    while rev is not None:
        out.append(rev)
        rev = children.get(rev)
    return out if len(out) == len(parents) else None


def current_revision(url: str) -> str | None:
    """The revision ``url`` is at, or None when it has no Rolodex tables.

    Raises NoDatabase when the database itself does not exist; never creates it.
    """
    url = normalise_url(url)
    if url.startswith("sqlite:"):
        path = sqlite_path(url)
        if path == ":memory:":
            return None
        if not Path(path).is_file():
            raise NoDatabase(f"No database at {shown(url)}: the file {path} does not exist.")
        try:
            # The file exists, so connecting cannot create one.
            with contextlib.closing(sqlite3.connect(path)) as conn:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError as exc:
            if "no such table" in str(exc):
                return None
            raise NoDatabase(f"Cannot read the database at {shown(url)}: {exc}.") from None
        return str(row[0]) if row else None
    return asyncio.run(_pg_revision(url))


async def _pg_revision(url: str) -> str | None:
    import asyncpg

    try:
        conn = await asyncpg.connect(url, timeout=10)
    except asyncpg.InvalidCatalogNameError:
        raise NoDatabase(
            f"No database at {shown(url)}: it does not exist (make it with createdb first)."
        ) from None
    try:
        value = await conn.fetchval("SELECT version_num FROM alembic_version")
    except asyncpg.UndefinedTableError:
        return None
    finally:
        await conn.close()
    return None if value is None else str(value)


def prepare(url: str) -> None:
    """Make sure ``url`` is an existing Rolodex database at the latest schema.

    One that exists but is behind is migrated, as before; one that does not
    exist, or has no tables, raises NoDatabase.
    """
    revision = current_revision(url)
    if revision is None:
        raise NoDatabase(f"No Rolodex database at {shown(url)}: it has no tables.")
    revisions = chain()
    if revisions is not None and revisions and revisions[-1] == revision:
        return  # current: skip loading Alembic (most of a command's start-up)
    from rolodex.kit.migrate import upgrade

    upgrade(url)


def migrate(url: str) -> tuple[list[str], str | None]:
    """Create or upgrade ``url``; the revisions applied, oldest first, and the one it is at."""
    from rolodex.kit.migrate import upgrade

    try:
        before = current_revision(url)
    except NoDatabase:
        before = None
    upgrade(url)
    after = current_revision(url)
    revisions = chain()
    if revisions is None or after not in revisions:
        return ([] if before == after else [str(after)]), after
    start = revisions.index(before) + 1 if before in revisions else 0
    return revisions[start : revisions.index(after) + 1], after

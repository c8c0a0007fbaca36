"""Only ``serve`` and ``migrate`` create a database; every other command refuses a missing one."""

from __future__ import annotations

import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from tests.cli.test_cli import COMMAND, _env, cli, one_line_error
from tests.cli.test_output import here
from tests.conftest import _PG_ERROR, _pg_admin, _pg_url

# Every command that works on a local database, with what it needs besides one.
COMMANDS: list[list[str]] = [
    ["keys", "list"],
    ["keys", "create", "--name", "x"],
    ["keys", "revoke", "0000"],
    ["workspaces", "list"],
    ["workspaces", "create", "Acme"],
    ["import", "people", "{csv}"],
    ["export", "people"],
    ["webhooks", "list"],
    ["webhooks", "create", "--url", "https://example.com/hook"],
    ["purge-deleted"],
    ["worker"],
]


def _refused_here(args: list[str], tmp_path: Path) -> str:
    """Run ``args`` as a real process in ``tmp_path``, with no database settings at all."""
    argv = [*COMMAND, *(a.format(csv=tmp_path / "p.csv") for a in args)]
    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=60, env=_env(), cwd=tmp_path
    )
    return one_line_error(done, "--database", "ROLODEX_DATABASE_URL")


def _all_refused(tmp_path: Path, url: str, *words: str) -> None:
    """Every command, run in this process (quick), stops with one line naming ``url``."""
    from typer.testing import CliRunner

    from rolodex.cli.main import app

    (tmp_path / "p.csv").write_text("name\nAda Lovelace\n")
    runner = CliRunner()
    for args in COMMANDS:
        argv = [a.format(csv=tmp_path / "p.csv") for a in args]
        result = runner.invoke(app, argv, env={"ROLODEX_DATABASE_URL": url, "COLUMNS": "200"})
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert result.exit_code == 1 and len(lines) == 1, (args, result.output)
        assert lines[0].startswith("Error:") and url.split("@")[-1] in lines[0], (args, lines)
        for word in ("--database", "ROLODEX_DATABASE_URL", *words):
            assert word in lines[0], (args, word, lines[0])


def test_no_database_in_this_folder(tmp_path: Path) -> None:
    # The default, ./rolodex.db, is not there: nothing may make it.
    (tmp_path / "p.csv").write_text("name\nAda Lovelace\n")
    commands = [["keys", "list"], ["import", "people", "{csv}"], ["worker"]]
    with ThreadPoolExecutor(3) as pool:
        lines = list(pool.map(lambda args: _refused_here(args, tmp_path), commands))
    for line in lines:
        assert f"sqlite:///{tmp_path / 'rolodex.db'}" in line and "does not exist" in line, line
    assert list(tmp_path.iterdir()) == [tmp_path / "p.csv"]


def test_a_missing_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'elsewhere' / 'crm.db'}"
    _all_refused(tmp_path, url, "does not exist")
    assert not (tmp_path / "elsewhere").exists() and not (tmp_path / "rolodex.db").exists()


def test_serve_and_migrate_still_create_one(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert "Applied" in here("migrate", database=url).stdout
    assert here("keys", "list", "--json", database=url).stdout.strip() == "[]"


needs_pg = pytest.mark.skipif(_PG_ERROR is not None, reason=f"PostgreSQL: {_PG_ERROR}")


@needs_pg
def test_a_missing_postgresql_database(tmp_path: Path) -> None:
    url = _pg_url(f"rolodex_missing_{uuid.uuid4().hex[:8]}")
    _all_refused(tmp_path, url, url, "does not exist")


@needs_pg
def test_a_postgresql_database_without_tables(tmp_path: Path) -> None:
    name = f"rolodex_empty_{uuid.uuid4().hex[:8]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        url = _pg_url(name)
        _all_refused(tmp_path, url, url, "no tables")
        # The empty database stays empty; migrate is how it gets tables.
        assert "Applied" in here("migrate", database=url).stdout
        assert here("keys", "list", "--json", database=url).stdout.strip() == "[]"
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_password_is_not_printed() -> None:
    from rolodex.cli.database import shown

    assert (
        shown("postgresql://someone:s3cret@db:5432/crm") == "postgresql://someone:***@db:5432/crm"
    )
    url = "postgresql://someone:s3cret@127.0.0.1:1/none"
    line = one_line_error(cli("keys", "list", database=url, ok=False), "127.0.0.1:1")
    assert "s3cret" not in line

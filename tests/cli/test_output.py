"""What the CLI prints: user text as it is, ids and secrets whole, plain --help."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from tests.cli.test_cli import COMMAND, _env, cli, keys_json, last_line, one_line_error

# What is printed does not depend on the database: one backend is enough.
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def here(*args: str, database: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    """A command run in this process (much quicker than a subprocess), as ``cli`` returns it."""
    from typer.testing import CliRunner

    from rolodex.cli.main import app

    argv = [*args, "--database", database]
    result = CliRunner().invoke(app, argv, env={"COLUMNS": "200"})
    done = subprocess.CompletedProcess(argv, result.exit_code, result.stdout, result.stderr)
    if ok:
        assert done.returncode == 0, (argv, done.stdout, done.stderr, result.exception)
    return done


def keys_here(database: str, *args: str) -> list[dict[str, str]]:
    return json.loads(here("keys", "list", "--json", *args, database=database).stdout)  # type: ignore[no-any-return]


def narrow(*args: str, database: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    """A command piped (not a terminal) with a terminal width that would wrap anything."""
    env = {**_env(), "COLUMNS": "20"}
    argv = [*COMMAND, *args, "--database", database]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env)
    if ok:
        assert done.returncode == 0, (argv, done.stdout, done.stderr)
    return done


@sqlite_only
def test_user_text_keeps_its_brackets(db_url: str) -> None:
    done = cli("export", "people", "--filter", "name[equals]:x", database=db_url, ok=False)
    one_line_error(done, '"name[equals]:x"', "'equals'")
    made = here("workspaces", "create", "[bold]Acme[/bold] :smile:", database=db_url)
    assert "'[bold]Acme[/bold] :smile:'" in made.stdout
    key = here(
        "keys", "create", "-n", "[red]ci[/red]", "-w", "[bold]Acme", database=db_url, ok=False
    )
    one_line_error(key, "'[bold]Acme'")
    key = cli("keys", "create", "-n", "[red]ci[/red]", database=db_url)
    assert "Created key [red]ci[/red] (" in key.stdout
    assert "[red]ci[/red]" in here("keys", "list", database=db_url).stdout


@sqlite_only
def test_ids_and_secrets_never_wrap_in_a_pipe(db_url: str) -> None:
    made = narrow(
        "keys", "create", "--name", "a fairly long key name for wrapping", database=db_url
    )
    secret = last_line(made)
    assert re.fullmatch(r"rdx_\S{20,}", secret), made.stdout
    key_id = keys_json(db_url)[0]["id"]
    head = made.stdout.splitlines()[0]
    assert key_id in head and "with scopes:" in head, made.stdout
    listed = narrow("keys", "list", database=db_url).stdout
    assert any(key_id in line for line in listed.splitlines()), listed
    ws = json.loads(here("workspaces", "list", "--json", database=db_url).stdout)[0]["id"]
    assert any(
        ws in line for line in narrow("workspaces", "list", database=db_url).stdout.splitlines()
    )


def test_keys_revoke_takes_a_unique_prefix(db_url: str) -> None:
    here("keys", "create", "--name", "one", database=db_url)
    here("keys", "create", "--name", "two", database=db_url)
    one, two = (k["id"] for k in keys_here(db_url))
    # UUIDv7 ids made close together share their first characters.
    shared = next(i for i in range(36) if one[i] != two[i])
    assert shared >= 4
    ambiguous = here("keys", "revoke", one[:shared], database=db_url, ok=False)
    one_line_error(ambiguous, "2 keys", one[:shared])
    one_line_error(here("keys", "revoke", "01", database=db_url, ok=False), "at least 4")
    one_line_error(here("keys", "revoke", "ffffffff", database=db_url, ok=False), "ffffffff")
    revoked = json.loads(
        here("keys", "revoke", two[: shared + 4], "--json", database=db_url).stdout
    )
    assert revoked["id"] == two and revoked["name"] == "two"
    # A workspace can be named by the start of its id, too.
    ws = keys_here(db_url)[0]["workspaceId"]
    assert [k["name"] for k in keys_here(db_url, "-w", ws[:13])] == ["one", "two"]


PYTHON_TYPES = re.compile(r"<\s*(str|bool|int|float|path|list|datetime)\b|list\[|int range")


def test_every_help_is_plain() -> None:
    """No Python type names and no docstring markup in any command's --help."""
    import typer
    from typer.testing import CliRunner

    from rolodex.cli.helptext import walk
    from rolodex.cli.main import app

    runner = CliRunner()
    paths = list(walk(typer.main.get_command(app)))
    assert ("webhooks", "resend") in paths and ("keys", "revoke") in paths and len(paths) > 20
    for path in paths:
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
        text = result.output
        assert result.exit_code == 0 and "Usage" in text, (path, text)
        assert not PYTHON_TYPES.search(text), (path, PYTHON_TYPES.search(text), text)
        assert "`" not in text and "\\[" not in text, (path, text)
    export = runner.invoke(app, ["export", "--help"], env={"COLUMNS": "200"}).output
    assert "jobTitle[eq]:Engineer" in export
    create = runner.invoke(app, ["keys", "create", "--help"], env={"COLUMNS": "200"}).output
    assert "record:write" in create and "Default: every scope" in create

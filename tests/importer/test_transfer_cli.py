"""``rolodex import`` and ``rolodex export`` as real subprocesses: exit codes, output, --help."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import LiveServer

_SCRIPT = Path(sys.executable).with_name("rolodex")
COMMAND = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "rolodex.cli.main"]
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def cli(*args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROLODEX_")}
    env["COLUMNS"] = "200"
    done = subprocess.run(
        [*COMMAND, *args], capture_output=True, text=True, timeout=60, env=env, stdin=None
    )
    assert done.returncode == code, (args, done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    return done


def one_error(done: subprocess.CompletedProcess[str], *words: str) -> None:
    text = done.stderr.strip()
    assert text.startswith("Error:") and text.count("Error:") == 1, done.stderr
    for word in words:
        assert word in text, text


@sqlite_only
def test_import_and_export_end_to_end(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("Name;E-mail;Shoe size\nAda;ada@x.io;38\nBad;nope;40\n")
    done = cli("import", "people", str(path), "-d", db_url, "--json")
    summary = json.loads(done.stdout)
    assert (summary["created"], summary["rejected"], summary["unknownColumns"]) == (
        1,
        1,
        ["Shoe size"],
    )
    assert summary["rejectsFile"] == f"{path}.rejects.csv"
    done = cli("import", "people", str(path), "-d", db_url)  # human summary, not a TTY: no bar
    assert "0 created" in done.stdout and "1 skipped" in done.stdout
    assert "Shoe size" in done.stdout and "people.csv.rejects.csv" in done.stdout
    out = tmp_path / "out.jsonl"
    done = cli("export", "people", "-d", db_url, "-f", "jsonl", "-o", str(out), "--json")
    assert json.loads(done.stdout)["rows"] == 1
    assert json.loads(out.read_text())["email"] == "ada@x.io"
    assert not Path(f"{out}.part").exists()
    done = cli("export", "people", "-d", db_url, "--filter", "email[eq]:ada@x.io", "-q")
    assert done.stdout.splitlines()[0].startswith("id,name,") and len(done.stdout.splitlines()) == 2
    assert done.stderr == ""


@pytest.mark.slow
@sqlite_only
def test_mistakes_exit_1_or_2_with_one_line(db_url: str, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(bytes(range(256)) * 8)
    one_error(cli("import", "people", str(garbage), "-d", db_url, code=1), "not a text file")
    people = tmp_path / "p.csv"
    people.write_text("name\nAda\n")
    one_error(cli("import", "persons", str(people), "-d", db_url, code=1), "'people'")
    one_error(cli("import", "people", str(tmp_path / "no.csv"), "-d", db_url, code=1), "No such")
    one_error(cli("import", "people", str(people), "--map", "name", code=2), "COLUMN=FIELD")
    one_error(cli("import", "people", str(people), "--url", "http://x", code=2), "--api-key")
    cli("import", "people", str(people), "--batch-size", "0", code=2)
    one_error(
        cli("import", "people", str(people), "-d", db_url, "--upsert-by", "name", code=1),
        "email",
    )
    one_error(cli("export", "people", "-d", db_url, "--filter", "name[eq", code=1), "filter")
    out = tmp_path / "out.csv"
    done = cli("export", "people", "-d", db_url, "--filter", "nope[eq]:1", "-o", str(out), code=1)
    one_error(done, "nope")
    assert not out.exists() and not Path(f"{out}.part").exists()
    for command in ("import", "export"):
        assert "Example: rolodex " + command in cli(command, "--help").stdout


@sqlite_only
def test_remote_cli(db_url: str, api_key: str, tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text('{"name": "Ada", "email": "ada@x.io"}\n{"name": 5}\n')
    with LiveServer(db_url) as server:
        args = ["--url", server.url, "--api-key", api_key]
        summary = json.loads(cli("import", "people", str(path), *args, "--json").stdout)
        assert (summary["created"], summary["rejected"]) == (1, 1)
        bad = json.loads(Path(summary["rejectsFile"]).read_text())
        assert bad["name"] == 5 and "name must be a string" in bad["_reason"]
        done = cli("export", "people", *args, "-q")
        assert "ada@x.io" in done.stdout
        one_error(
            cli("import", "people", str(path), *args, "--no-webhooks", code=2), "local imports"
        )
        done = cli("export", "people", "--url", server.url, "--api-key", "nope", code=1)
        one_error(done, "API key")

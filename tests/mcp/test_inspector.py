"""The MCP project's own inspector, in CLI mode, against /mcp (tests/node, pinned)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests import factories

INSPECTOR = Path(__file__).parents[1] / "node" / "node_modules" / ".bin" / "mcp-inspector"


def _inspect(url: str, key: str, tmp_path: Path, *args: str) -> dict:
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    assert INSPECTOR.exists(), "run `make assets` (npm ci in tests/node) first"
    done = subprocess.run(
        [
            str(INSPECTOR),
            "--cli",
            url + "/mcp",
            "--transport",
            "http",
            "--header",
            f"Authorization: Bearer {key}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": str(Path(shutil.which("node") or "node").parent) + ":/usr/bin:/bin",
            "HOME": str(tmp_path),
            "MCP_CATALOG_PATH": str(tmp_path / "mcp.json"),
        },
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_the_inspector_lists_tools_and_calls_one(server, api_key, client, tmp_path):
    factories.person(client, name="Inspected Person", email="inspected@x.com")
    listed = _inspect(server.url, api_key, tmp_path, "--method", "tools/list")
    names = [t["name"] for t in listed["tools"]]
    assert names[:3] == ["describe_schema", "search", "query_records"] and len(names) == 12
    called = _inspect(
        server.url,
        api_key,
        tmp_path,
        "--method",
        "tools/call",
        "--tool-name",
        "search",
        "--tool-arg",
        "query=inspected",
    )
    assert called.get("isError") is not True
    assert called["structuredContent"]["results"][0]["label"] == "Inspected Person"

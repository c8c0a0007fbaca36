"""Twenty's npm ``twenty-client-sdk`` REST client, unchanged, against the Twenty dialect
(its only setting is the base URL ``.../twenty/rest``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from tests.conftest import LiveServer

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
SCRIPT = Path(__file__).resolve().parent / "node" / "twenty_sdk_rest.mjs"


def test_rest_api_client(server: LiveServer, api_key: str, tmp_path: Path) -> None:
    node = shutil.which("node")
    sdk = NODE_DIR / "node_modules" / "twenty-client-sdk"
    if node is None or not sdk.exists():
        pytest.skip("node and tests/node (make test installs them) are needed")
    # Run from a copy beside tests/node's modules, so the import resolves there.
    script = NODE_DIR / f".run-{tmp_path.name}.mjs"
    script.write_text(SCRIPT.read_text())
    try:
        env = {
            **os.environ,
            "TWENTY_BASE_URL": f"{server.url}/twenty/rest",
            "TWENTY_TOKEN": api_key,
        }
        done = subprocess.run(
            [node, str(script)], env=env, capture_output=True, text=True, timeout=60, check=False
        )
    finally:
        script.unlink()
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["createdName"] == {"firstName": "Ada", "lastName": "Lovelace"}
    assert out["createdEmail"] == "ada@acme.com"
    assert out["listedNames"] == ["Lovelace"] and out["totalCount"] == 1
    assert out["updatedName"] == {"firstName": "Ada", "lastName": "King"}
    assert out["companyCity"] == "Paris"
    assert out["dealAmount"] == {"amountMicros": 2000000, "currencyCode": "EUR"}
    assert out["error"]["status"] == 400
    assert out["error"]["body"]["error"] == "BadRequestException"
    assert out["deleted"] is True

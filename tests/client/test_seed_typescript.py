"""The seed's TypeScript ``TwentyClient`` with its usage block, batch calls (Method 3),
create-with-company (Method 4), ``upsertPerson`` (Method 5) and the pagination loop,
run with node against a live Rolodex.

The code is taken from the seed at test time. TypeScript annotations are
stripped by the small, explicit rewrites below (the seed uses only these
forms), and one change is made: the client's default base URL reads
``TWENTY_BASE_URL`` (the seed's own variable) so it reaches the test server
instead of port 8080.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests import factories

SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "001_9d61fee7d8167d03.txt"

pytestmark = [
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed"),
    pytest.mark.skipif(not SEED.exists(), reason=f"the seed is not at {SEED}"),
]

REWRITES = [
    (r"\n\s*private (apiKey|baseUrl): string;", ""),
    (
        r"constructor\(apiKey: string, baseUrl: string = 'http://localhost:8080'\)",
        "constructor(apiKey, baseUrl = process.env.TWENTY_BASE_URL ?? 'http://localhost:8080')",
    ),
    (
        r"private async request\(query: string, variables\?: any\)",
        "async request(query, variables)",
    ),
    (r"async (\w+)\(data: \{[^}]*\}\)", r"async \1(data)"),
    (r"async updatePerson\(id: string, data: Partial<\{[^}]*\}>\)", "async updatePerson(id, data)"),
    (
        r"async getPeople\(filter\?: any, first\?: number, after\?: string\)",
        "async getPeople(filter, first, after)",
    ),
    (r"process\.env\.TWENTY_API_KEY!", "process.env.TWENTY_API_KEY"),
    (r"let cursor: string \| null = null;", "let cursor = null;"),
    (r"upsertPerson\(email: string, data: PersonData\)", "upsertPerson(email, data)"),
]


def javascript() -> str:
    text = SEED.read_text()
    start = text.index("// twenty-client.ts")
    client = text[start : text.index("```", start)]
    blocks = [client]
    for marker in (
        "// Create multiple people efficiently",
        "async function upsertPerson",
        "async function getAllPeople()",
    ):
        at = text.index(marker)
        blocks.append(text[at : text.index("```", at)])
    code = "\n".join(blocks)
    for pattern, repl in REWRITES:
        code, n = re.subn(pattern, repl, code)
        assert n, f"the seed no longer has {pattern!r}"
    return (
        code
        + """
const company = await client.createCompany({
  name: 'Acme Corp', domain: 'acme.com', employees: 250 });
const linked = await client.createPerson({
  name: 'John Doe 2', email: 'john@acme.com', companyId: company.createCompany.id });
const updated = await upsertPerson('person1@example.com', { name: 'Person One' });
const created = await upsertPerson('new@example.com', { name: 'New', email: 'new@example.com' });
const all = await getAllPeople();
console.log(JSON.stringify({ person, company, linked, updated, created, count: all.length,
  unique: new Set(all.map(p => p.id)).size }));
"""
    )


def test_seed_typescript_client_runs_under_node(server, api_key: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with factories.http(server.url, api_key) as c:
        r = c.post(
            "/rest/batch/people",
            json=[{"name": f"Person {i}", "email": f"p{i}@example.com"} for i in range(250)],
        )
        assert r.status_code == 201
    script = tmp_path / "seed.mjs"
    script.write_text(javascript())
    assert subprocess.run(["node", "--check", str(script)], capture_output=True).returncode == 0
    env = {
        "PATH": "/usr/bin:/usr/local/bin",
        "TWENTY_API_KEY": api_key,
        "TWENTY_BASE_URL": server.url,
    }
    done = subprocess.run(
        ["node", str(script)], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["person"]["createPerson"]["name"] == "John Doe"
    assert result["company"]["createCompany"]["employees"] == 250
    # The seed's own "Method 4" reads company.id, which the client's envelope does not
    # have; with the envelope's id (as here) the person is linked to the company.
    with factories.http(server.url, api_key) as c:
        pid = result["linked"]["createPerson"]["id"]
        got = c.get(f"/rest/people/{pid}").json()["data"]["person"]
        assert got["companyId"] == result["company"]["createCompany"]["id"]
    # Method 3's batch made person1..3; Method 5's upsert updated one and created one.
    assert result["updated"]["updatePerson"]["name"] == "Person One"
    assert result["created"]["createPerson"]["email"] == "new@example.com"
    # getAllPeople pages through everyone (250 seeded + 6 created), no duplicates.
    assert result["count"] == result["unique"] == 256

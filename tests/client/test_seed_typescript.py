"""The seed guide's TypeScript ``TwentyClient`` and its examples, run with node against
a live Rolodex: the usage block, Method 3 (batch calls with ``Promise.all``), Method 4
(create a person with a company), Method 5 (``upsertPerson``) and the pagination loop
``getAllPeople``.

``seed_ts/*.ts`` are verbatim copies of the guide's blocks (checked against the seed
when it is beside the clone). At test time ``TYPE_RULES`` strip the TypeScript
annotations, each rule matching an exact number of times per file, and node checks
that the result parses. ``seed_ts/harness.mjs`` runs the stripped code and prints JSON.

Everything runs as written except Method 4's ``companyId: company.id``. ``request()``
returns GraphQL's ``data`` envelope, so ``company`` is ``{createCompany: {...}}`` and
``company.id`` is undefined; ``JSON.stringify`` drops the key and the person is created
with no company. The verbatim line is run and shown to do exactly that, and a corrected
copy reading ``company.createCompany.id`` is run and shown to link the person.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import factories
from tests.conftest import LiveServer

HERE = Path(__file__).resolve().parent / "seed_ts"
SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seeds" / "001_9d61fee7d8167d03.txt"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not on PATH")

# Each copy and the heading of the seed block it copies.
SECTIONS = {
    "twenty-client": "#### Complete TypeScript Client",
    "method3-batch": "### Method 3: Batch API Calls",
    "method4-company": "### Method 4: Create Person with Company",
    "method5-upsert": "### Method 5: Upsert (Create or Update)",
    "pagination-loop": "**Pagination Loop:**",
}
MARKER = "// ---- seed text below ----\n"

# The TypeScript-only syntax the blocks use, and how to drop it. GraphQL types inside
# the query strings (``ID!``, ``Int``, ``PersonFilterInput``) match none of these.
TYPE_RULES: dict[str, tuple[str, str]] = {
    # private apiKey: string;
    "field": (r"\n[ \t]*private \w+: \w+;(?=\n)", ""),
    # private async request(...)
    "private": (r"\bprivate (?=async )", ""),
    # data: { name: string; email?: string; ... }  and  data: Partial<{ ... }>
    "type-literal": (r"\b(\w+): (?:Partial<)?\{(?:\s*\w+\??: \w+;)+\s*\}>?", r"\1"),
    # apiKey: string, baseUrl: string = '...', variables?: any, data: PersonData
    "param": (r"\b(\w+)\??: (?:string|number|any|PersonData)(?=\s*[,)=])", r"\1"),
    # let cursor: string | null = null
    "let": (r"\b(let \w+): string \| null(?= =)", r"\1"),
    # process.env.TWENTY_API_KEY!
    "non-null": (r"(process\.env\.\w+)!", r"\1"),
}
# How many times each rule must match in each block; any drift in the seed fails.
EXPECTED = {
    "twenty-client": {"field": 2, "private": 1, "type-literal": 3, "param": 8, "non-null": 1},
    "method3-batch": {},
    "method4-company": {},
    "method5-upsert": {"param": 2},
    "pagination-loop": {"let": 1},
}
# ``export class`` is kept: the stripped client is an ES module (the usage block uses
# top-level await), and this line lets the harness read the usage block's result.
USAGE_EXPORT = "\nexport { client, person };\n"
COMPANY_ID = ("companyId: company.id", "companyId: company.createCompany.id")


def copy_of(name: str) -> str:
    """The verbatim seed text in ``seed_ts/<name>.ts`` (below the header)."""
    text = (HERE / f"{name}.ts").read_text()
    return text[text.index(MARKER) + len(MARKER) :]


def seed_block(text: str, heading: str) -> str:
    """The first ```typescript block after ``heading`` in the seed."""
    at = text.index(heading)
    fence = "```typescript\n"
    start = text.index(fence, at) + len(fence)
    assert "\n#" not in text[at + len(heading) : start], f"no block right under {heading}"
    return text[start : text.index("\n```", start) + 1]


def strip_types(name: str, code: str) -> str:
    for rule, (pattern, repl) in TYPE_RULES.items():
        code, n = re.subn(pattern, repl, code)
        assert n == EXPECTED[name].get(rule, 0), f"{name}: {rule} matched {n} times"
    return code


def node(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    assert NODE is not None
    return subprocess.run(
        [NODE, *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )


@pytest.fixture(scope="module")
def js_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The stripped blocks as ``.mjs`` files, plus the corrected Method 4."""
    out = tmp_path_factory.mktemp("seed_js")
    for name in SECTIONS:
        code = strip_types(name, copy_of(name))
        if name == "twenty-client":
            code += USAGE_EXPORT
        (out / f"{name}.mjs").write_text(code)
    wrong, right = COMPANY_ID
    verbatim = (out / "method4-company.mjs").read_text()
    assert verbatim.count(wrong) == 1
    (out / "method4-corrected.mjs").write_text(verbatim.replace(wrong, right))
    return out


def test_copies_match_the_seed() -> None:
    if not SEED.exists():
        pytest.skip(f"the seed is not beside the clone at {SEED}")
    text = SEED.read_text()
    for name, heading in SECTIONS.items():
        assert copy_of(name) == seed_block(text, heading), f"seed_ts/{name}.ts drifted"


def test_stripped_code_parses(js_dir: Path) -> None:
    files = sorted(js_dir.glob("*.mjs"))
    assert len(files) == len(SECTIONS) + 1
    for path in [*files, HERE / "harness.mjs"]:
        done = node("--check", str(path))
        assert done.returncode == 0, f"{path.name}: {done.stderr}"
    assert ": string" not in (js_dir / "twenty-client.mjs").read_text()


def run_harness(js_dir: Path, server: LiveServer, api_key: str, *steps: str) -> Any:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin"),
        "TWENTY_API_KEY": api_key,
        "TWENTY_BASE_URL": server.url,
    }
    done = node(str(HERE / "harness.mjs"), str(js_dir), *steps, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def all_people(c: httpx.Client) -> dict[str, dict[str, Any]]:
    """Every person over REST, by email, paging with starting_after."""
    out: dict[str, dict[str, Any]] = {}
    after: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 200}
        if after:
            params["starting_after"] = after
        body = c.get("/rest/people", params=params).json()
        for p in body["data"]["people"]:
            out[p["email"]] = p
        if not body["pageInfo"]["hasNextPage"]:
            return out
        after = body["pageInfo"]["endCursor"]


@pytest.fixture
def rest(server: LiveServer, api_key: str) -> Iterator[httpx.Client]:
    with factories.http(server.url, api_key) as c:
        yield c


def test_seed_examples_in_order(
    js_dir: Path, server: LiveServer, api_key: str, rest: httpx.Client
) -> None:
    bulk = [{"name": f"Bulk {i}", "email": f"bulk{i}@example.com"} for i in range(250)]
    assert rest.post("/rest/batch/people", json=bulk).status_code == 201

    out = run_harness(js_dir, server, api_key, "method4", "method3", "pagination", "upsert")

    # Usage block: the data envelope with the mutation's selection.
    john = out["usage"]["createPerson"]
    assert set(john) == {"id", "name", "email", "phone", "createdAt"}
    assert (john["name"], john["email"], john["phone"]) == (
        "John Doe",
        "john@example.com",
        "+1-555-0123",
    )

    # Method 4 verbatim: the company is made, but company.id is undefined, so the
    # person is created with no company.
    m4 = out["method4"]
    acme = m4["company"]["createCompany"]
    assert list(m4["company"]) == ["createCompany"]
    assert (acme["name"], acme["domain"], acme["employees"]) == ("Acme Corp", "acme.com", 250)
    assert [p["id"] for p in m4["found"]] == [m4["person"]["createPerson"]["id"]]
    assert m4["found"][0]["company"] is None

    # Method 3: three createPerson calls in flight together, then the 1 s wait.
    m3 = out["method3"]
    assert (m3["requests"], m3["maxInFlight"]) == (3, 3)
    assert m3["elapsedMs"] >= 1000
    assert [p["email"] for p in m3["people"]] == [f"person{i}@example.com" for i in (1, 2, 3)]

    # Method 5: the existing email is updated in place, the new one created.
    existing, created = out["upsert"]["existing"], out["upsert"]["created"]
    assert existing["updatePerson"]["id"] == john["id"]
    assert existing["updatePerson"]["name"] == "John Q. Doe"
    assert created["createPerson"]["email"] == "jane@example.com"

    people = all_people(rest)
    assert len(people) == 250 + 1 + 1 + 3 + 1
    assert people["john@example.com"]["jobTitle"] == "Sales Manager"
    assert people["john@acme.com"]["companyId"] is None
    assert people["jane@example.com"]["phone"] == "+1-555-0199"
    assert {f"person{i}@example.com" for i in (1, 2, 3)} <= set(people)

    # getAllPeople ran before the upsert: everyone but Jane, once each, in 3 pages of 100.
    ids = out["pagination"]["ids"]
    assert len(ids) == len(set(ids)) == 255
    assert set(ids) == {p["id"] for e, p in people.items() if e != "jane@example.com"}
    assert out["pagination"]["requests"] == 3


def test_method_4_corrected_links_the_person(
    js_dir: Path, server: LiveServer, api_key: str, rest: httpx.Client
) -> None:
    m4 = run_harness(js_dir, server, api_key, "method4-corrected")["method4-corrected"]
    acme = m4["company"]["createCompany"]
    person = m4["person"]["createPerson"]
    assert (person["name"], person["email"]) == ("John Doe", "john@acme.com")
    assert m4["found"] == [
        {
            "id": person["id"],
            "name": "John Doe",
            "email": "john@acme.com",
            "phone": None,
            "company": {"id": acme["id"], "name": "Acme Corp"},
        }
    ]
    got = rest.get(f"/rest/people/{person['id']}").json()["data"]["person"]
    assert got["companyId"] == acme["id"]

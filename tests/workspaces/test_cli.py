"""``rolodex workspaces`` and ``keys create --operator``: the same service as the API."""

from __future__ import annotations

import json

from tests import factories
from tests.cli.test_cli import cli, last_line, one_line_error
from tests.conftest import LiveServer
from tests.workspaces.helpers import rows_per_table


def test_operator_key_and_workspace_lifecycle_from_the_cli(db_url: str) -> None:
    operator = last_line(cli("keys", "create", "--name", "ops", "--operator", database=db_url))
    acme_key = last_line(cli("workspaces", "create", "Acme", "--with-key", database=db_url))
    listed = json.loads(cli("workspaces", "list", "--json", database=db_url).stdout)
    assert [(w["name"], w["status"]) for w in listed] == [("Default", "active"), ("Acme", "active")]
    acme = listed[1]["id"]
    with LiveServer(db_url, key_cache_seconds=0.0) as live:
        with factories.http(live.url, operator) as op:
            names = [w["name"] for w in op.get("/rest/workspaces").json()["data"]["workspaces"]]
            assert names == ["Default", "Acme"]
            assert op.get("/rest/people").status_code == 403  # an operator key only
        with factories.http(live.url, acme_key) as c:
            factories.person(c, name="Acme person")
            assert "suspended" in cli("workspaces", "suspend", "Acme", database=db_url).stdout
            r = c.get("/rest/people")
            assert r.status_code == 403 and r.json()["error"] == "WORKSPACE_SUSPENDED"
            cli("workspaces", "resume", acme, database=db_url)
            assert c.get("/rest/people").json()["totalCount"] == 1
    done = json.loads(
        cli("workspaces", "delete", "Acme", "--yes", "--json", database=db_url).stdout
    )
    assert done["status"] == "deleted" and done["deletedRows"] > 0
    assert all(n == 0 for n in rows_per_table(db_url, acme).values())
    listed = json.loads(cli("workspaces", "list", "--json", database=db_url).stdout)
    assert [w["name"] for w in listed] == ["Default"]
    one_line_error(cli("workspaces", "delete", "Acme", "--yes", database=db_url, ok=False), "Acme")
    one_line_error(cli("workspaces", "create", "Default", database=db_url, ok=False), "Default")

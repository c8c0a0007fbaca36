"""Retention: soft-deleted records are deleted for good, with their events."""

import subprocess
import sys

from tests import factories


def test_purge_deleted_command(client, db_url):
    keep = factories.person(client, name="Kept")
    gone = factories.person(client, name="Gone")
    note = factories.create(client, "notes", body="hers", personId=gone["id"])
    client.delete(f"/rest/people/{gone['id']}?soft_delete=true")

    def purge(days: str) -> str:
        r = subprocess.run(
            [
                sys.executable,
                "-m",
                "rolodex.cli.main",
                "purge-deleted",
                "--older-than",
                days,
                "--database",
                db_url,
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert r.returncode == 0, r.stderr
        return r.stdout

    assert "Deleted 0" in purge("30")  # too recent to purge
    assert "Deleted 2" in purge("0")
    assert client.patch(f"/rest/people/{gone['id']}/restore").status_code == 404
    assert client.get(f"/rest/people/{keep['id']}").status_code == 200
    for rid, name in ((gone["id"], "person"), (note["id"], "note")):
        last = factories.events(db_url, rid)[-1]
        assert last["type"] == f"{name}.deleted"
        assert last["actor"] == {"type": "system", "id": None, "name": "retention"}
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "rolodex.cli.main",
            "purge-deleted",
            "--older-than",
            "-1",
            "--database",
            db_url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr

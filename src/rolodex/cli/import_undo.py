"""``rolodex import undo ID``: remove what one local import created."""

from __future__ import annotations

from rolodex.cli.common import database_url, fail, out, print_json, run_database
from rolodex.kit.db import Database


def undo_command(
    import_id: str,
    as_json: bool,
    quiet: bool,
    workspace: str | None,
    database: str | None,
    url: str | None,
) -> None:
    """``rolodex import undo ID``: soft-delete the records the import ``ID`` created."""
    from rolodex.importer.undo import UndoSummary, undo_local

    if url:
        fail(
            "import undo works on the local database only: through --url an import's "
            "records are the API key's. Delete them through the API instead.",
            code=2,
        )

    async def work(db: Database) -> UndoSummary:
        return await undo_local(db, import_id, workspace=workspace)

    s = run_database(database_url(database), work)
    if as_json:
        print_json(s.to_dict())
        return
    if quiet:
        return
    parts = ", ".join(f"{n:,} {plural}" for plural, n in s.by_object.items())
    out.print(
        f"Undid import {s.import_id}: {s.removed:,} records removed"
        f"{f' ({parts})' if parts else ''}; they can be restored.",
        highlight=False,
    )
    if s.kept_updated:
        out.print(
            f"{s.kept_updated:,} records that the import updated (--upsert-by) but did not "
            "create are left as they are.",
            highlight=False,
        )

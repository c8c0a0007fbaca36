"""``rolodex import`` and ``rolodex export``: records in from and out to files.

Both work on the local database (``--database``) or, with ``--url`` and
``--api-key``, through a server's REST API. The work itself is in
``rolodex.importer``; this module parses options and reports.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Awaitable, Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import typer

from rolodex.cli.common import (
    DatabaseOption,
    database_url,
    err,
    fail,
    out,
    print_json,
    run_database,
)
from rolodex.cli.keys import JsonOption, WorkspaceOption
from rolodex.kit.errors import RolodexError

if TYPE_CHECKING:
    import httpx

    from rolodex.importer.service import Summary
    from rolodex.kit.db import Database

T = TypeVar("T")


class ImportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"
    jsonl = "jsonl"


class ExportFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"


ObjectArgument = typer.Argument(
    ..., metavar="OBJECT", help="people, companies, notes, tasks, members or a custom object."
)
UrlOption = typer.Option(
    None,
    "--url",
    envvar="ROLODEX_BASE_URL",
    help="Work through this server's REST API instead of the local database.",
)
ApiKeyOption = typer.Option(
    None, "--api-key", envvar="ROLODEX_API_KEY", help="The API key to use with --url."
)
QuietOption = typer.Option(False, "--quiet", "-q", help="No progress bar or summary.")


def _limit(name: str, default: str, what: str) -> Any:
    return typer.Option(
        default,
        f"--{name}",
        envvar=f"ROLODEX_IMPORT_{name.replace('-', '_').upper()}",
        metavar="N" if name in ("max-rows", "max-cells", "max-ratio") else "SIZE",
        help=f"Stop with an error at {what}.",
        rich_help_panel="Limits",
    )


def _run(
    database: str | None,
    url: str | None,
    api_key: str | None,
    local: Callable[[Database], Awaitable[T]],
    remote: Callable[[httpx.AsyncClient], Awaitable[T]],
) -> T:
    """Run the job locally or against ``url``; user mistakes end in one line and exit 1."""
    if not url:
        return run_database(database_url(database), local)
    if not api_key:
        fail("--url needs --api-key (or ROLODEX_API_KEY)", code=2)
    from rolodex.importer.remote import client

    async def main() -> T:
        async with client(url, str(api_key)) as c:
            return await remote(c)

    try:
        return asyncio.run(main())
    except RolodexError as exc:
        fail(exc.message)
    raise AssertionError("unreachable")


@contextlib.contextmanager
def _progress(enabled: bool, label: str) -> Iterator[Callable[[Summary, float], None] | None]:
    """A live bar with rows, rows/s and ETA; nothing when output is not a terminal."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn
    from rich.progress import TimeRemainingColumn as Eta

    with Progress(
        TextColumn("{task.description}", style="bold", markup=False),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rows]:,} rows"),
        TextColumn("{task.fields[rate]:,.0f} rows/s"),
        Eta(),
        console=out,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=1.0, rows=0, rate=0.0)

        def update(s: Summary, done: float) -> None:
            bar.update(task, completed=done, rows=s.rows, rate=s.rate)

        yield update


def _report(s: Summary, as_json: bool, quiet: bool) -> None:
    if as_json:
        print_json(s.to_dict())
        return
    if quiet and not s.interrupted:
        return
    head = "Interrupted while importing" if s.interrupted else "Imported"
    out.print(
        f"{head} {s.object} from {s.file}: {s.created:,} created, {s.updated:,} updated, "
        f"{s.rejected:,} rejected, {s.skipped:,} skipped (already imported); "
        f"{s.rows:,} rows in {s.elapsed:.1f} s ({s.rate:,.0f} rows/s).",
        highlight=False,
    )
    if s.unknown_columns:
        names = ", ".join(repr(c) for c in s.unknown_columns)
        out.print(f"Unknown columns, not imported: {names}.", highlight=False)
    if s.ignored_columns:
        names = ", ".join(repr(c) for c in s.ignored_columns)
        out.print(f"Read-only or ignored columns, not imported: {names}.", highlight=False)
    if s.rejects_file:
        out.print(f"Rejected rows, with the reason for each: {s.rejects_file}", highlight=False)
    if s.interrupted:
        err.print("Run the same command again to finish: rows already imported are skipped.")
    if s.import_id and (s.created or s.skipped or s.interrupted):
        # One line however narrow the output, so that scripts can pick the id up.
        out.print(
            f"Import id: {s.import_id} (rolodex import undo {s.import_id} removes the "
            "records it created)",
            highlight=False,
            soft_wrap=True,
        )


def import_command(
    object_name: str = ObjectArgument,
    file: Path = typer.Argument(..., metavar="FILE", help="A .csv, .xlsx or .jsonl file."),
    fmt: ImportFormat = typer.Option(
        None, "--format", "-f", help="csv, xlsx or jsonl (default: from the file's extension)."
    ),
    sheet: str = typer.Option(None, "--sheet", help="The .xlsx sheet to read (default: first)."),
    maps: list[str] = typer.Option(
        None,
        "--map",
        "-m",
        help='Fill a field from a column: "E-mail=email"; "Notes=-" skips a column (repeatable).',
    ),
    upsert_by: str = typer.Option(
        None, "--upsert-by", help="Update records with the same unique key (email for people)."
    ),
    batch_size: int = typer.Option(
        500, "--batch-size", min=1, max=2000, help="Records per transaction."
    ),
    rejects: Path = typer.Option(
        None, "--rejects", help="Where bad rows go (default: FILE.rejects.csv or .jsonl)."
    ),
    no_webhooks: bool = typer.Option(
        False, "--no-webhooks", help="Record events but do not send them to webhooks."
    ),
    max_rows: str = _limit("max-rows", "1000000", "more rows than this"),
    max_cells: str = _limit("max-cells", "50000000", "more cells than this in all"),
    max_line: str = _limit("max-line", "1MiB", "a longer CSV record or JSON Lines line"),
    max_unzipped: str = _limit("max-unzipped", "200MB", "an .xlsx inflating to more"),
    max_ratio: str = _limit("max-ratio", "100", "an .xlsx part compressed more than N to 1"),
    quiet: bool = QuietOption,
    as_json: bool = JsonOption,
    workspace: str = WorkspaceOption,
    database: str = DatabaseOption,
    url: str = UrlOption,
    api_key: str = ApiKeyOption,
) -> None:
    """Import records from a CSV, Excel (.xlsx) or JSON Lines file.

    Columns fill fields by name; bad rows go to a rejects file and the rest are
    imported. Running the same import again is safe: rows already imported are
    skipped, so an interrupted import resumes where it stopped.

    rolodex import undo ID soft-deletes the records that import ID
    (printed at its end) created.

    Example: rolodex import people contacts.csv --upsert-by email --map "Work mail=email"
    """
    from rolodex.importer.limits import Limits
    from rolodex.importer.mapping import parse_maps
    from rolodex.importer.service import ImportOptions, Summary, import_local

    if object_name == "undo" and not file.exists():
        from rolodex.cli.import_undo import undo_command

        undo_command(str(file), as_json, quiet, workspace, database, url)
        return
    try:
        mapping = parse_maps(maps or [])
        limits = Limits.parse(max_rows, max_cells, max_line, max_unzipped, max_ratio)
    except (ValueError, RolodexError) as exc:
        fail(exc.message if isinstance(exc, RolodexError) else str(exc), code=2)
        return
    if url and no_webhooks:
        fail("--no-webhooks works on local imports only, not with --url", code=2)
    options = ImportOptions(
        object=object_name,
        path=file,
        format=fmt.value if fmt else None,
        sheet=sheet,
        maps=mapping,
        upsert_by=upsert_by,
        batch_size=batch_size,
        rejects=rejects,
        webhooks=not no_webhooks,
        limits=limits,
    )
    summary = Summary(object_name, str(file))
    show = sys.stdout.isatty() and not quiet and not as_json
    try:
        with _progress(show, f"Importing {file.name}") as progress:

            async def local(db: Database) -> Summary:
                return await import_local(
                    db, options, workspace=workspace, summary=summary, on_progress=progress
                )

            async def remote(c: httpx.AsyncClient) -> Summary:
                from rolodex.importer.remote import import_remote

                return await import_remote(c, options, summary=summary, on_progress=progress)

            _run(database, url, api_key, local, remote)
    except KeyboardInterrupt:
        summary.interrupted = True
        _report(summary, as_json, quiet)
        raise typer.Exit(130) from None
    _report(summary, as_json, quiet)


def _opener(output: Path | None) -> tuple[Callable[[], IO[str]], Callable[[bool], None]]:
    """Open the export's target on demand; a file is written beside it and renamed at the end."""
    if output is None:
        return (lambda: sys.stdout), lambda ok: None
    from rolodex.importer.reading import FileProblem

    # /dev/stdout, a pipe or a device is written as it is; a regular file is replaced
    # only once the export is complete.
    special = output.exists() and not output.is_file()
    part = output if special else output.with_name(output.name + ".part")
    opened: list[IO[str]] = []

    def open_() -> IO[str]:
        try:
            opened.append(part.open("w", encoding="utf-8", newline=""))
        except OSError as exc:
            raise FileProblem(f"Cannot write {output}: {exc.strerror or exc}") from None
        return opened[0]

    def done(ok: bool) -> None:
        for f in opened:
            f.close()
        if special or not opened:
            return
        if ok:
            part.replace(output)
        else:
            part.unlink(missing_ok=True)

    return open_, done


def export_command(
    object_name: str = ObjectArgument,
    output: Path = typer.Option(
        None, "--output", "-o", help="The file to write (default: stdout)."
    ),
    fmt: ExportFormat = typer.Option(ExportFormat.csv, "--format", "-f", help="csv or jsonl."),
    filter_text: str = typer.Option(
        None, "--filter", help="Only matching records, as the REST API's filter= parameter."
    ),
    quiet: bool = QuietOption,
    as_json: bool = JsonOption,
    workspace: str = WorkspaceOption,
    database: str = DatabaseOption,
    url: str = UrlOption,
    api_key: str = ApiKeyOption,
) -> None:
    r"""Export records to CSV or JSON Lines, streaming, with an optional filter.

    A CSV export imports back as it is (ids included) with rolodex import.

    Example: rolodex export people --filter "jobTitle\[eq]:Engineer" -o engineers.csv
    """
    from rolodex.api.rest.grammar import parse_filter
    from rolodex.importer.export import (
        ExportSummary,
        OutputClosed,
        RecordWriter,
        export_local,
        write_all,
    )

    try:
        flt = parse_filter(filter_text) if filter_text else None
    except RolodexError as exc:
        fail(exc.message)
    open_, done = _opener(output)
    target = str(output) if output else "standard output"

    async def local(db: Database) -> ExportSummary:
        return await export_local(
            db, object_name, fmt.value, open_, flt=flt, workspace=workspace, target=target
        )

    async def remote(c: httpx.AsyncClient) -> ExportSummary:
        from rolodex.importer.remote import remote_object, remote_pages

        obj = await remote_object(c, object_name)
        writer = RecordWriter(obj, fmt.value, open_)
        summary = ExportSummary(obj.plural, fmt.value, target)
        return await write_all(remote_pages(c, obj, filter_text), writer, summary)

    ok = False
    try:
        summary = _run(database, url, api_key, local, remote)
        ok = True
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    except OutputClosed:
        # Whoever read stdout has what it wanted; keep Python from complaining at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(0) from None
    finally:
        done(ok)
    report: Any = summary.to_dict()
    if as_json:
        if output is None:  # stdout holds the records
            err.print_json(data=report)
        else:
            print_json(report)
    elif not quiet:
        console = out if output is not None else err
        console.print(
            f"Exported {summary.rows:,} {summary.object} to {target} in {summary.elapsed:.1f} s.",
            highlight=False,
        )

"""``rolodex mcp``: the MCP server on stdin/stdout, for desktop agents (docs/mcp.md)."""

from __future__ import annotations

import asyncio

import typer

from rolodex.cli.common import DatabaseOption, database_errors, database_url, fail, require_database


def mcp_command(
    key: str = typer.Option(
        None,
        "--key",
        envvar="ROLODEX_API_KEY",
        help="The API key the agent acts as; its scopes decide the tools it gets.",
    ),
    url: str = typer.Option(
        None,
        "--url",
        help="A remote Rolodex server (its base URL or its /mcp); default: the local database.",
    ),
    database: str = DatabaseOption,
    tools: str = typer.Option(
        None, "--tools", help="Only these tools, comma-separated: search,get_record"
    ),
) -> None:
    """Serve the MCP server on standard input and output (for Claude Desktop and others).

    Example: rolodex mcp --key rdx_... --tools search,query_records,get_record
    """
    from rolodex.kit.errors import RolodexError
    from rolodex.mcp.caller import parse_tool_names
    from rolodex.mcp.stdio import serve_local, serve_remote

    if not key:
        fail("Give an API key with --key or ROLODEX_API_KEY (rolodex keys create makes one).")
    only = parse_tool_names(tools)
    try:
        if url:
            import httpx2

            try:
                asyncio.run(serve_remote(url, key, only))
            except httpx2.HTTPError as exc:
                fail(f"Could not reach {url}: {exc}")
            return
        db_url = database_url(database)
        with database_errors(db_url):
            require_database(db_url)
            asyncio.run(serve_local(db_url, key, only))
    except RolodexError as exc:
        fail(exc.message)
    except KeyboardInterrupt:
        pass

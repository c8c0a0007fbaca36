"""The MCP server: Rolodex for AI agents, over the Model Context Protocol.

An interface like REST and GraphQL, built on the official ``mcp`` SDK: a few
coarse tools (``tools.py``), resources and prompts (``resources.py``) over the
workspace session's services. ``http.py`` serves it at ``/mcp`` (streamable
HTTP, stateless), ``stdio.py`` on a process's standard input and output
(``rolodex mcp``). See docs/mcp.md.
"""

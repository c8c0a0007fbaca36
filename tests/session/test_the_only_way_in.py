"""Every interface reaches a workspace through a workspace session, and nothing else.

The source is read, not run: no module outside ``session/`` opens a
connection or a transaction, reads a workspace's registry, or builds a
service, except the few below that work for no principal (authentication,
the operator's workspace management, the delivery workers, the start-up and
health checks) and the command line's bootstrap.
"""

from __future__ import annotations

import ast
from pathlib import Path

import rolodex

ROOT = Path(rolodex.__file__).parent
SERVICES = {
    "RecordService",
    "FieldService",
    "ObjectService",
    "WebhookService",
    "ConsentService",
    "KeyService",
    "MemberService",
    "Timeline",
    "AggregateService",
}
# Modules that open connections for no principal's workspace work, and why.
NO_PRINCIPAL = {
    "app.py": "the readiness check",
    "auth/service.py": "authentication, which makes the principal",
    "cli/common.py": "the command line's bootstrap: workspaces, serve's first key",
    "consent/service.py": "its own record service when built outside a session",
    "idempotency/service.py": "Idempotency-Key claims and answers, committed apart from the "
    "handler's own session so that an answer is recorded only after its work committed",
    "members/service.py": "members' sign-in and session cookies, which make the principal",
    "kit/analyze.py": "planner statistics of every table",
    "kit/db.py": "the connections themselves",
    "records/retention.py": "the retention purge of every workspace, as the system",
    "webhooks/dispatcher.py": "the delivery worker",
    "webhooks/fanout.py": "the delivery worker's fan-out of every workspace's events",
    "webhooks/retention.py": "the delivery worker's purge of finished deliveries",
    "webhooks/sample.py": "the delivery worker's test sends",
    "workspaces/routes.py": "the operator's workspace management, across workspaces",
    "workspaces/service.py": "the operator's workspace management, across workspaces",
}


def _modules() -> list[tuple[str, ast.Module]]:
    out = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(("client/", "migrations/", "session/")):
            continue
        out.append((rel, ast.parse(path.read_text(), rel)))
    return out


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_name(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return f"{_name(node.func)}()"
    return "?"


def _doors(tree: ast.Module) -> list[str]:
    """What the module does that only the session may: each as ``name (line)``."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        last = name.rsplit(".", 1)[-1]
        opens = last in ("transaction", "connect") and not node.args and "." in name
        registry = name.endswith("registries.get") or name.startswith("RegistryCache(")
        if opens or registry or last in SERVICES:
            found.append(f"{name} (line {node.lineno})")
    return found


def test_only_the_session_opens_connections_and_builds_services() -> None:
    doors = {rel: _doors(tree) for rel, tree in _modules()}
    unexpected = {rel: d for rel, d in doors.items() if d and rel not in NO_PRINCIPAL}
    assert unexpected == {}, "open a WorkspaceSession instead"


def test_the_exceptions_still_need_to_be_exceptions() -> None:
    doors = {rel: _doors(tree) for rel, tree in _modules()}
    stale = [rel for rel in NO_PRINCIPAL if not doors.get(rel)]
    assert stale == [], "drop these from NO_PRINCIPAL"


def test_the_check_sees_an_opener() -> None:
    sample = ast.parse(
        "async def f(ctx):\n"
        "    async with ctx.state.db.transaction() as conn:\n"
        "        registry = await ctx.state.registries.get(conn, ctx.workspace_id)\n"
        "        return RecordService(conn, registry, ctx.workspace_id, None)\n"
    )
    assert len(_doors(sample)) == 3


def test_every_interface_opens_sessions() -> None:
    """Each interface module that reaches a workspace does so through a session."""
    interfaces = [
        "records/routes.py",
        "webhooks/routes.py",
        "metadata/routes.py",
        "consent/routes.py",
        "auth/routes.py",
        "events/routes.py",
        "events/stream.py",
        "api/graphql/context.py",
        "api/graphql/operations.py",
        "api/graphql/routes.py",
        "api/rest/openapi.py",
        "cli/webhooks.py",
        "importer/service.py",
        "importer/undo.py",
        "importer/export.py",
        "cli/members.py",
        "console/records.py",
    ]
    for rel in interfaces:
        text = (ROOT / rel).read_text()
        assert "session" in text, rel
        assert not _doors(ast.parse(text)), rel

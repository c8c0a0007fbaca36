"""Layers point one way: interfaces on top, then services, then the event log,
then definitions and storage, then the kit; and no import cycles.

The import graph is read from the source with ``ast``: every ``import`` and
``from ... import`` counts, at module level or inside a function (a lazy
import is still a dependency), under ``TYPE_CHECKING`` too. ``from pkg import
mod`` depends on ``pkg.mod``; importing a module does not count as importing
its parent package's other modules. See docs/architecture.md, "Layers".
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import rolodex

SRC = Path(rolodex.__file__).parent

# Top first. A module belongs to the layer of the longest prefix naming it
# (``*.routes`` modules are interfaces wherever they live); it may import its
# own layer and those below, never one above.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "interfaces",
        (
            "rolodex",  # the package itself re-exports the Python client
            "rolodex.app",
            "rolodex.api",
            "rolodex.cli",
            "rolodex.client",
            "rolodex.console",
            "rolodex.importer",
            "rolodex.mcp",
            "rolodex.migrations",
            "rolodex.events.routes",
            "rolodex.events.stream",
            "*.routes",
        ),
    ),
    # The workspace session every interface opens, and the process state that holds it.
    ("session", ("rolodex.session", "rolodex.state")),
    (
        "services",
        (
            "rolodex.auth",
            "rolodex.consent",
            "rolodex.events.timeline",
            "rolodex.idempotency",
            "rolodex.members",
            "rolodex.metadata.objects",
            "rolodex.metadata.service",
            "rolodex.metadata.field_storage",
            "rolodex.metadata.standard_fields",
            "rolodex.records",
            "rolodex.search",
            "rolodex.webhooks",
            "rolodex.workspaces",
        ),
    ),
    ("event log", ("rolodex.events", "rolodex.events.outbox")),
    (
        "definitions and storage",
        ("rolodex.metadata", "rolodex.auth.schemas", "rolodex.auth.scopes"),
    ),
    ("kit", ("rolodex.kit", "rolodex.config")),
]

# Interfaces talk to services; nothing below them may import one.
INTERFACES = "interfaces"


def modules() -> dict[str, Path]:
    out = {}
    for path in SRC.rglob("*.py"):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = modules()


def imports(name: str) -> Iterator[tuple[str, int]]:
    """The rolodex modules ``name`` imports, with the line of each import."""
    path = MODULES[name]
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets = [
                f"{module}.{a.name}" if f"{module}.{a.name}" in MODULES else module
                for a in node.names
            ]
        for target in targets:
            if target.split(".")[0] != "rolodex":
                continue
            while target not in MODULES:
                target = target.rsplit(".", 1)[0]
            if target != name:
                yield target, node.lineno


GRAPH = {name: {t for t, _ in imports(name)} for name in MODULES}


def layer(name: str) -> int:
    """The index in ``LAYERS`` of the module ``name``."""
    if name.endswith(".routes"):
        return 0
    best, found = -1, None
    for i, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            # "rolodex" names the package itself only, not everything in it.
            inside = prefix != "rolodex" and name.startswith(prefix + ".")
            if (name == prefix or inside) and len(prefix) > best:
                best, found = len(prefix), i
    assert found is not None, f"{name} is in no layer: add it to LAYERS"
    return found


def test_every_module_has_a_layer() -> None:
    for name in MODULES:
        layer(name)


def test_lower_layers_never_import_higher_ones() -> None:
    wrong = []
    for name in sorted(MODULES):
        here = layer(name)
        for target, line in imports(name):
            there = layer(target)
            if there < here:
                wrong.append(
                    f"{name}:{line} ({LAYERS[here][0]}) imports {target} ({LAYERS[there][0]})"
                )
    assert not wrong, "\n".join(wrong)


def test_no_module_below_the_interfaces_imports_one() -> None:
    top = next(i for i, (n, _) in enumerate(LAYERS) if n == INTERFACES)
    wrong = [
        f"{name} imports {target}"
        for name in MODULES
        if layer(name) != top
        for target in GRAPH[name]
        if layer(target) == top
    ]
    assert not wrong, "\n".join(wrong)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


def test_no_import_cycles_between_modules() -> None:
    assert _cycles(GRAPH) == []


def test_no_import_cycles_between_service_packages() -> None:
    """Among services, features point one way too (webhooks and consent use records,
    records uses nothing above it), counted per package."""
    services = next(i for i, (n, _) in enumerate(LAYERS) if n == "services")
    packages: dict[str, set[str]] = {}
    for name, targets in GRAPH.items():
        if layer(name) != services:
            continue
        here = name.split(".")[1]
        packages.setdefault(here, set())
        for target in targets:
            if layer(target) == services and target.split(".")[1] != here:
                packages[here].add(target.split(".")[1])
    assert _cycles(packages) == []


def test_the_cycle_finder_finds_cycles() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []

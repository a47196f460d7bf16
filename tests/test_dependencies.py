"""Dependencies point one way: checked on the source, like a small import-linter.

- no import cycle among module-level imports (``if TYPE_CHECKING:`` imports are for annotations only);
- the engine depends on neither the sandbox nor the command line;
- no module imports another module's private (``_name``) names;
- an import inside a function says why it is there (a comment on it or just above it): such imports are
  for start-up time only, never to dodge a cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.helpers import REPO_ROOT

ROOTS = {"ovhflow": REPO_ROOT / "ovhflow", "ovhflow_plugins": REPO_ROOT / "plugins" / "ovhflow_plugins"}


def modules() -> dict[str, Path]:
    found = {}
    for package, folder in ROOTS.items():
        for path in folder.rglob("*.py"):
            parts = [package, *path.relative_to(folder).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _module_level(tree: ast.Module) -> Iterator[ast.stmt]:
    """Statements that run at import time, outside ``if TYPE_CHECKING:`` blocks and functions."""
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            pending.extend(node.orelse)
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        yield node
        for field in ("body", "orelse", "finalbody", "handlers"):
            pending.extend(getattr(node, field, []) or [])


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The first-party modules ``name`` imports when it is imported (parent packages included)."""
    targets: set[str] = set()
    for node in _module_level(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets.add(node.module)
            targets.update(f"{node.module}.{alias.name}" for alias in node.names)
    edges = set()
    for target in targets:
        parts = target.split(".")
        for end in range(1, len(parts) + 1):  # importing a.b.c runs a and a.b first
            candidate = ".".join(parts[:end])
            if candidate in known and candidate != name and not name.startswith(candidate + "."):
                edges.add(candidate)
    return edges


def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imported(name, path, set(found)) for name, path in found.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def reachable(edges: dict[str, set[str]], start: str) -> set[str]:
    seen, pending = set(), [start]
    while pending:
        for target in edges.get(pending.pop(), ()):
            if target not in seen:
                seen.add(target)
                pending.append(target)
    return seen


def test_the_graph_sees_imports() -> None:
    # guards the checks below: an empty graph would pass them all
    edges = graph()
    assert "ovhflow.engine.steps" in edges["ovhflow.engine.runner"]
    assert "ovhflow.ovh.listing" in reachable(edges, "ovhflow.engine.batch")
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


def test_no_import_cycle() -> None:
    assert cycles(graph()) == []


def test_the_engine_depends_on_neither_the_sandbox_nor_the_command_line() -> None:
    edges = graph()
    for name in edges:
        if name.startswith("ovhflow.engine."):
            reached = reachable(edges, name)
            assert not {m for m in reached if m.startswith(("ovhflow.sandbox", "ovhflow.cli"))}, name


def test_no_module_imports_another_modules_private_names() -> None:
    offenders = []
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ovhflow"):
                private = [
                    a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")
                ]
                if private:
                    offenders.append(f"{name}: from {node.module} import {', '.join(private)}")
    assert offenders == []


def test_an_import_inside_a_function_says_why() -> None:
    silent = []
    for path in modules().values():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for function in ast.walk(ast.parse(text)):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            imports = (n for n in ast.walk(function) if isinstance(n, (ast.Import, ast.ImportFrom)))
            previous_end = -10
            for node in sorted(imports, key=lambda n: n.lineno):
                first_of_group = node.lineno > previous_end + 2
                previous_end = node.end_lineno or node.lineno
                line, above = lines[node.lineno - 1], lines[node.lineno - 2].strip()
                if first_of_group and "#" not in line and not above.startswith("#"):
                    silent.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}: {line.strip()}")
    assert silent == []


def test_no_test_imports_a_conftest() -> None:
    # conftest files hold fixtures and hooks, which pytest finds by itself; what a test imports (helpers,
    # constants) lives in tests/helpers.py or a folder's helpers.py, so no module is imported twice
    # (once by pytest as a conftest, once by a test) and fixtures do not leak across folders.
    offenders = []
    for path in sorted((REPO_ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [f"{node.module or ''}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            if any(name.split(".")[-1] == "conftest" for name in names):
                offenders.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    assert offenders == []


def test_the_schema_model_depends_on_none_of_its_users() -> None:
    edges = graph()
    users = ("ovhflow.sandbox", "ovhflow.apicheck", "ovhflow.engine", "ovhflow.cli")
    assert {"ovhflow.apischema.document", "ovhflow.apischema.types"} <= set(edges)
    for name in edges:
        if name.startswith("ovhflow.apischema"):
            assert not {m for m in reachable(edges, name) if m.startswith(users)}, name

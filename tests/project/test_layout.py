"""The layout is the architecture (docs/ARCHITECTURE.md): imports point one way, the library
never reaches Flask or the web app, there is no import circle, and modules stay small."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from tests.support.paths import ROOT

#: The layers, top to bottom: a module may import its own layer and the layers below.
#: A name ending in "=" is that module only, not its package's other modules.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("hamar_graph.cli", "web.server", "web.static_export"),
    ("web=",),
    ("web.views",),
    ("web",),
    ("hamar_graph.pages",),
    ("hamar_graph.sparql", "hamar_graph.publication", "hamar_graph.build", "hamar_graph.query"),
    ("hamar_graph.store",),
    ("hamar_graph.rdf",),
    ("hamar_graph.config", "hamar_graph.namespaces", "hamar_graph.i18n", "hamar_graph"),
)
MAX_LINES = 500


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    files = [*(ROOT / "hamar_graph").rglob("*.py"), *(ROOT / "web").rglob("*.py")]
    return {_module(p): p for p in files}


def _imports(path: Path, modules: dict[str, Path] | None = None) -> set[str]:
    """Every module ``path`` imports, at module level or inside a function
    (``from web import state`` imports ``web.state``, not ``web``)."""
    modules = _modules() if modules is None else modules
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            submodules = {f"{node.module}.{a.name}" for a in node.names} & set(modules)
            found.update(submodules)
            if len(submodules) < len(node.names):
                found.add(node.module)
    return found


def _layer(module: str) -> int:
    best, depth = len(LAYERS), -1
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            exact = prefix.endswith("=")
            name = prefix.rstrip("=")
            matches = module == name or (not exact and module.startswith(name + "."))
            if matches and len(prefix) > depth:
                best, depth = index, len(prefix)
    return best


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for target in _imports(path, modules):
            if target in modules and target != name:
                edges[name].add(target)
    return edges


def test_the_library_never_imports_flask_or_the_web_app() -> None:
    for name, path in _modules().items():
        if not name.startswith("hamar_graph") or name.split(".")[:2] == ["hamar_graph", "cli"]:
            continue
        bad = {m for m in _imports(path) if m.split(".")[0] in ("flask", "web", "werkzeug")}
        assert not bad, f"{name} imports {sorted(bad)}"


def test_imports_point_down() -> None:
    upward = [
        (source, target)
        for source, targets in _graph().items()
        for target in targets
        if _layer(target) < _layer(source)
    ]
    assert upward == []


def test_no_import_circle() -> None:
    edges = _graph()
    seen: dict[str, int] = {}  # 1 = on the current path, 2 = done
    circles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        seen[node] = 1
        for target in sorted(edges.get(node, ())):
            if seen.get(target) == 1:
                circles.append([*path[path.index(target) :], target])
            elif target not in seen:
                visit(target, [*path, target])
        seen[node] = 2

    for node in sorted(edges):
        if node not in seen:
            visit(node, [node])
    assert circles == []


def _every_python_file() -> dict[str, Path]:
    """The library, the app, the tests, the benchmarks and the scripts."""
    folders = ("hamar_graph", "web", "tests", "benchmarks", "scripts")
    files = [p for folder in folders for p in (ROOT / folder).rglob("*.py")]
    return {str(p.relative_to(ROOT)): p for p in files}


@pytest.mark.parametrize("name", sorted(_every_python_file()))
def test_modules_stay_small(name: str) -> None:
    lines = len(_every_python_file()[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines"

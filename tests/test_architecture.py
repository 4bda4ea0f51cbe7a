"""The house keeps its plan: one-way dependencies between stages, no cycles, rooms of a size.

The package follows the pipeline (CONTRIBUTING.md): formats -> model -> analysis
-> rules -> reports/gate -> cli.  These tests read the source with ``ast``, so a
new import that points the wrong way, or a module that outgrows its room, fails
here with the module named rather than somewhere far away later.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "ivraudit"

#: What each stage may import, besides itself and the leaf helpers (_version, _gc, _lazy).
ALLOWED: dict[str, set[str]] = {
    "model": set(),
    "config": {"model"},
    "formats": {"model"},
    "analysis": {"model", "config"},
    "rules": {"analysis", "model", "config"},
    "gate": {"rules", "analysis", "model", "config", "formats"},
    "traffic": {"model", "formats", "analysis"},
    "reports": {"gate", "rules", "analysis", "model", "config", "traffic"},
    "runner": {"reports", "gate", "rules", "analysis", "model", "config", "formats"},
    "testing": {"runner", "reports", "gate", "rules", "analysis", "model", "config", "formats"},
    "cli": {
        "runner",
        "reports",
        "gate",
        "rules",
        "analysis",
        "model",
        "config",
        "formats",
        "traffic",
    },
}
LEAVES = {"_version", "_gc", "_lazy"}

MAX_MODULE_LINES = 800
MAX_CLASS_LINES = 400
MAX_FUNCTION_LINES = 120
MAX_LOOSE_MODULES = 10


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package modules ``name`` imports at run time (TYPE_CHECKING blocks aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and _is_type_checking(node)
        for inner in ast.walk(node)
    }
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            submodules = {f"{module}.{alias.name}" for alias in node.names} & known
            found.update(submodules or {module})
    return {module for module in found if module in known and module != name}


def _graph() -> nx.DiGraph:
    modules = _modules()
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        for target in _imports(name, path, set(modules)):
            graph.add_edge(name, target)
    return graph


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "api"


def test_no_import_cycle_inside_the_package():
    graph = _graph()
    cycles = [sorted(part) for part in nx.strongly_connected_components(graph) if len(part) > 1]
    assert cycles == []


def test_every_stage_imports_only_the_stages_below_it():
    wrong = []
    for source, target in _graph().edges:
        stage, other = _stage(source), _stage(target)
        if stage in ("api", "__main__") or other in LEAVES or other == stage:
            continue
        if other not in ALLOWED.get(stage, set()):
            wrong.append(f"{source} -> {target}")
    assert wrong == []


def test_every_module_belongs_to_a_known_stage():
    stages = {_stage(module) for module in _modules()}
    assert stages <= {*ALLOWED, *LEAVES, "api", "__main__"}


@pytest.mark.parametrize("name", sorted(_modules()))
def test_rooms_stay_small_enough_to_know(name):
    path = _modules()[name]
    source = path.read_text(encoding="utf-8")
    too_big = []
    if len(source.splitlines()) > MAX_MODULE_LINES:
        too_big.append(f"module {name}: {len(source.splitlines())} lines")
    for node in ast.walk(ast.parse(source)):
        size = (getattr(node, "end_lineno", 0) or 0) - getattr(node, "lineno", 0) + 1
        if isinstance(node, ast.ClassDef) and size > MAX_CLASS_LINES:
            too_big.append(f"class {name}.{node.name}: {size} lines")
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and size > MAX_FUNCTION_LINES:
            too_big.append(f"function {name}.{node.name}: {size} lines")
    assert too_big == []


def test_the_package_top_holds_few_loose_modules():
    loose = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(loose) <= MAX_LOOSE_MODULES, loose

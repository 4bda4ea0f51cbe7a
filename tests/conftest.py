"""Shared test helpers: paths to the example menus and the shared corpus, and what the
importer tests compare (a menu's edges, node types, lines and ST findings)."""

from __future__ import annotations

from pathlib import Path

import pytest

import ivraudit
from ivraudit import to_graph
from ivraudit.rules.config import config_from_dict

ROOT = Path(__file__).resolve().parent.parent
MENUS = ROOT / "menus"
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture
def corpus() -> Path:
    """The shared corpus of real menu files, read in place; skips when absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS} (clone ../shared beside this repo)")
    return CORPUS


def edges(menu) -> list[tuple[str, str, str, str | None]]:
    """Every graph edge as (source, target, via, key), sorted."""
    graph = to_graph(menu)
    found = [(s, t, d["via"], d["key"]) for s, t, d in graph.edges(data=True)]
    return sorted(found, key=lambda edge: tuple(str(part) for part in edge))


def kinds(menu) -> dict[str, str]:
    """Node id -> node type."""
    return {node_id: node.type for node_id, node in menu.nodes.items()}


def lines(menu) -> dict[str, int]:
    """Node id -> the line it points at in the original file."""
    return {node_id: menu.locate("nodes", node_id).line for node_id in menu.nodes}


def node_fields(menu, node_id: str) -> dict:
    """A node's fields as written (None and defaults left out)."""
    return menu.nodes[node_id].model_dump(exclude_none=True, exclude_defaults=True)


def findings_of(*paths: Path, config=None) -> list[tuple[str, str, int, str]]:
    """The findings of checking ``paths`` together, as (rule, node, line, message)."""
    from ivraudit.runner import check

    report = check([str(path) for path in paths], config).report
    return [(f.rule, f.node, f.line, f.message) for f in report.findings]


def structural(menu) -> list[tuple[str, str, int, str]]:
    """The structural (ST) findings as (rule, node, line, message)."""
    report = ivraudit.audit(menu, config_from_dict({"select": ["ST"]}))
    return [(f.rule, f.node, f.line, f.message) for f in report.findings]

"""Work shared between findings (issue 15, a faster core): witness routes built from
their parents' steps, findings made without the dataclass's per-field checks, positions
and fixes asked once, and the collector paused for a whole check.  Each shortcut must
give exactly what the long way gives."""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path

import pytest

from ivraudit import loads
from ivraudit.analysis.context import AuditContext
from ivraudit.analysis.witnesses import MAX_WITNESS_STEPS
from ivraudit.model.findings import Finding, Report, Severity, new_finding
from ivraudit.model.words import Words
from ivraudit.rules.config import config_from_dict
from ivraudit.rules.engine import audit
from ivraudit.runner import check

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from generate import generate, generate_many


def _deep(levels: int, ask_at: int | None = None) -> str:
    """A chain of menus deeper than a witness shows, with a person and a dead end (and
    an account number asked after level ``ask_at``)."""
    nodes = {
        f"m{i}": {
            "type": "menu",
            "say": f"Level {i}. Press 1, or 2 to leave.",
            "options": {"1": f"m{i + 1}", "2": "bye", "0": "adviser"},
        }
        for i in range(levels)
    }
    if ask_at is not None:
        nodes[f"m{ask_at}"]["options"]["1"] = "account"
        nodes["account"] = {
            "type": "ask",
            "say": "Enter your account number.",
            "collects": "account_number",
            "next": f"m{ask_at + 1}",
        }
    nodes[f"m{levels}"] = {"type": "transfer", "target": "queue:end", "human": True}
    nodes["adviser"] = {"type": "transfer", "target": "queue:advice", "human": True}
    nodes["bye"] = {"type": "hangup"}
    return json.dumps({"ivraudit": 1, "start": "m0", "nodes": nodes})


MENUS = {
    "estate": json.dumps(generate(400)),
    "many": json.dumps(generate_many(300)),
    "deep": _deep(MAX_WITNESS_STEPS + 15),
}


@pytest.fixture(params=sorted(MENUS))
def ctx(request):
    return AuditContext(loads(MENUS[request.param]))


def test_witnesses_from_shared_prefixes_are_the_routes_walked(ctx):
    tree = ctx.presses
    for node in ctx.data:
        walked = ctx.steps(tree.route(node, MAX_WITNESS_STEPS)) if node in tree else ()
        assert ctx.witness(node) == walked, node


def test_witnesses_via_an_edge_and_along_a_path_are_the_routes_walked(ctx):
    tree = ctx.presses
    for source in tree.cost:
        for target, edge_key, _ in ctx.out[source]:
            route = tree.route(source, MAX_WITNESS_STEPS - 1)[:-1]
            walked = ctx.steps([*route, (source, edge_key), (target, None)])
            assert ctx.witness_via(source, edge_key, target) == walked
            path = [(source, edge_key)]
            route = tree.route(source, max(2, MAX_WITNESS_STEPS - 1))[:-1]
            walked = ctx.steps([*route, *path, (target, None)])
            assert ctx.witness_path(source, path) == walked


@pytest.mark.parametrize(
    "text", [MENUS["estate"], MENUS["many"], _deep(90, ask_at=5), _deep(90, ask_at=45)]
)
def test_identity_witnesses_are_the_routes_through_the_collector(text):
    ctx = AuditContext(loads(text))
    checked = 0
    for field in ctx.collectors:
        labels = ctx.collected_after(field)
        for node, found in labels.items():
            for collector in found:
                expected = ctx.steps(ctx.route_through(field, collector, node))
                assert ctx.witness_through(field, collector, node) == expected
                checked += 1
    assert checked > 40


def test_a_deep_route_shares_the_steps_of_its_parent():
    ctx = AuditContext(loads(_deep(10)))
    parent, child = ctx.witness("m4"), ctx.witness("m5")
    # The same step objects: a route's steps are its parent's, and one more.
    assert all(a is b for a, b in zip(parent[:-1], child[:-2], strict=True))


def test_a_new_finding_is_the_finding_the_dataclass_makes():
    given = {
        "rule": "DE004",
        "severity": Severity.WARNING,
        "file": "menu.json",
        "line": 3,
        "column": 5,
        "node": "main",
        "message": "menu 'main' has no no-input handler",
        "fact": "no_input",
        "place": "no_input",
    }
    made, expected = new_finding(**given), Finding(**given)
    assert made == expected
    assert repr(made) == repr(expected)
    assert vars(made) == vars(expected)
    assert made.fault == expected.fault
    told = new_finding(**given, fault=expected.fault)
    assert told.fault == expected.fault and told == expected


def test_the_engine_finds_what_it_found_before_with_the_fault_it_works_out():
    menu = loads(MENUS["many"])
    report = audit(menu)
    assert report.findings
    for finding in report.findings:
        rebuilt = Finding(**{name: getattr(finding, name) for name in _fields()})
        assert finding == rebuilt
        assert finding.fault == rebuilt.fault


def _fields() -> list[str]:
    import dataclasses

    return [item.name for item in dataclasses.fields(Finding)]


def test_a_fix_asked_once_still_names_each_node():
    text = json.dumps(
        {
            "ivraudit": 1,
            "start": "main",
            "nodes": {
                "main": {"type": "menu", "say": "Press 1.", "options": {"1": "other"}},
                "other": {"type": "menu", "say": "Press 1.", "options": {"1": "main"}},
            },
        }
    )
    menu = loads(text)
    menu._words = Words("test", {"DE004": "give '{node}' a handler"})
    findings = audit(menu, config_from_dict({"select": ["DE004"]})).findings
    assert [(f.node, f.fix) for f in findings] == [
        ("main", "give 'main' a handler"),
        ("other", "give 'other' a handler"),
    ]


def test_the_locator_finds_what_locate_finds():
    menu = loads(MENUS["estate"])
    find = menu.locator()
    for node in list(menu.nodes)[:50]:
        assert find(("nodes", node)) == menu.locate("nodes", node)
    assert find(("nodes", "no such node")) == menu.locate("nodes", "no such node")
    bare = loads("ivraudit: 1\nstart: main\nnodes:\n  main: {type: hangup}")
    bare._locate = None
    assert bare.locator()(("nodes", "main")) == bare.locate("nodes", "main")


def test_the_collector_stays_paused_while_a_check_sorts_and_respells(tmp_path, monkeypatch):
    path = tmp_path / "menu.json"
    path.write_text(MENUS["many"], encoding="utf-8")
    seen = []
    sort = Report.sort

    def watched(self):
        seen.append(gc.isenabled())
        return sort(self)

    monkeypatch.setattr(Report, "sort", watched)
    assert gc.isenabled()
    result = check([str(path)])
    assert result.report.findings
    assert seen and not any(seen)
    assert gc.isenabled()

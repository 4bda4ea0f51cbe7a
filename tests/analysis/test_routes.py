"""Route algorithms against networkx, and witness routes that stay short on deep menus."""

from __future__ import annotations

import json
import re

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from ivraudit import loads
from ivraudit.analysis.routes import GAP, dijkstra, reachable, zero_one_bfs
from ivraudit.model.findings import Report
from ivraudit.reports import RenderOptions, render
from ivraudit.rules.config import config_from_dict
from ivraudit.rules.engine import audit


@st.composite
def weighted_graphs(draw):
    size = draw(st.integers(1, 25))
    nodes = [f"n{i}" for i in range(size)]
    edges = draw(
        st.lists(
            st.tuples(
                st.sampled_from(nodes),
                st.sampled_from(nodes),
                st.integers(0, 1),
                st.floats(0, 20, allow_nan=False),
            ),
            max_size=80,
        )
    )
    return nodes, edges


@settings(max_examples=300, deadline=None)
@given(weighted_graphs())
def test_costs_match_networkx(graph):
    nodes, edges = graph
    adjacency: dict = {node: [] for node in nodes}
    reference = nx.MultiDiGraph()
    reference.add_nodes_from(nodes)
    for number, (source, target, step, seconds) in enumerate(edges):
        data = {"step": step, "seconds": seconds}
        adjacency[source].append((target, f"e{number}", data))
        reference.add_edge(source, target, key=f"e{number}", step=step, seconds=seconds)
    presses = zero_one_bfs(adjacency, ["n0"], lambda node, data: data["step"])
    expected = nx.single_source_dijkstra_path_length(
        reference, "n0", weight=lambda u, v, d: min(e["step"] for e in d.values())
    )
    assert presses.cost == expected
    timed = dijkstra(adjacency, ["n0"], lambda node, data: data["seconds"])
    expected = nx.single_source_dijkstra_path_length(
        reference, "n0", weight=lambda u, v, d: min(e["seconds"] for e in d.values())
    )
    assert timed.cost.keys() == expected.keys()
    for node, cost in expected.items():
        assert abs(timed.cost[node] - cost) < 1e-9
        route = timed.route(node)
        assert route[0][0] == "n0" and route[-1] == (node, None)
    assert reachable(adjacency, ["n0"]) == set(expected)


def test_a_deep_menu_gets_short_witnesses():
    nodes = {
        f"m{i}": {
            "type": "menu",
            "say": f"Level {i}. Press 1.",
            "options": {"1": f"m{i + 1}"},
            "no_input": f"m{i}",
            "no_match": f"m{i}",
        }
        for i in range(500)
    }
    nodes["m500"] = {"type": "transfer", "target": "queue:end", "fail": "m0"}
    menu = loads(json.dumps({"ivraudit": 1, "start": "m0", "nodes": nodes}))
    (finding,) = audit(menu, config_from_dict({"select": ["DP001"]})).findings
    nodes_shown = [step.node for step in finding.witness]
    assert len(nodes_shown) == 61
    assert nodes_shown[:11] == [f"m{i}" for i in range(11)]
    assert nodes_shown[11] == GAP
    assert finding.witness[11].does == "441 more steps not shown"  # m11 to m451
    assert nodes_shown[12:] == [f"m{i}" for i in range(452, 501)]
    assert finding.witness[10].does is None  # the step before the gap names no edge
    assert finding.witness[12].does == "presses 1"
    # Every report numbers the steps after the gap by their real place on the route;
    # reports for people show 20 steps (the first 10, then the last 9): m10, the 441
    # steps of the gap and m452 to m491 are one gap of 482.
    report = Report(findings=[finding])
    text = render(report, "text", RenderOptions()).splitlines()
    gap = text.index("       … (482 more steps not shown)")
    assert text[gap - 1 : gap + 2] == [
        '    10. m9: "Level 9. Press 1." -> presses 1',
        "       … (482 more steps not shown)",
        '    493. m492: "Level 492. Press 1." -> presses 1',
    ]
    assert len(text) == 1 + 20 + 1  # the finding, 20 steps, the summary
    markdown = render(report, "markdown", RenderOptions()).splitlines()
    gap = markdown.index("  … (482 more steps not shown)")
    assert markdown[gap - 2 : gap + 3] == [
        '  10. `m9` — "Level 9. Press 1." → **presses 1**',
        "",
        "  … (482 more steps not shown)",
        "",
        '  493. `m492` — "Level 492. Press 1." → **presses 1**',
    ]
    # HTML: the page's script numbers the rows, a gap counting for the steps it stands for.
    html = render(report, "html", RenderOptions())
    table = re.search(r'id="ivraudit-steps">(.*?)</script>', html)
    shown = re.search(r'data-steps="([^"]*)"', html)
    assert table is not None and shown is not None
    steps = json.loads(table.group(1))
    rows = [steps[int(index)] for index in shown.group(1).split()]
    assert len(rows) == 20
    assert rows[9:12] == [
        ["m9", "Level 9. Press 1.", "presses 1", "key:1", 0],
        [GAP, None, "482 more steps not shown", None, 482],
        ["m492", "Level 492. Press 1.", "presses 1", "key:1", 0],
    ]

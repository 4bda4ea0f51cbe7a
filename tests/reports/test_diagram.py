"""Diagrams: DOT structure, findings, route, focus, cut, subflows, Mermaid, render, scale."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import ivraudit
from ivraudit import Config, UsageError, load, loads
from ivraudit.analysis.context import AuditContext
from ivraudit.analysis.graph import DISCONNECT, missing_id
from ivraudit.reports.diagrams.draw import (
    DiagramError,
    diagram,
    drawn_edge_id,
    edge_dom_id,
    format_from_suffix,
    mermaid,
    node_dom_id,
    render,
    report_drawing,
    slug,
    witness_dom_ids,
)
from ivraudit.reports.diagrams.layout import STYLES, category
from ivraudit.rules.engine import audit
from tests.conftest import MENUS

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="Graphviz 'dot' is not installed (apt-get install graphviz; CI installs it)",
)

EXAMPLES = sorted(
    path for path in MENUS.iterdir() if path.suffix in (".yaml", ".json") and path.is_file()
)

SMALL = """\
ivraudit: 1
title: Small line
start: welcome
nodes:
  welcome: {type: say, say: Hello., next: main}
  main:
    type: menu
    say: For sales press 1. For support press 2. For billing press 3.
    options: {"1": sales, "2": support, "3": billing}
    no_input: main
    no_match: main
  sales: {type: transfer, target: "queue:sales", fail: voicemail}
  voicemail: {type: voicemail, say: Leave a message.}
  support:
    type: menu
    say: For phones press 1. For internet press 2. To go back press star.
    options: {"1": phones, "2": internet, "*": main}
    no_input: support
    no_match: support
  phones: {type: transfer, target: "queue:phones", fail: voicemail}
  internet:
    type: menu
    say: For an outage press 1. For anything else press 2.
    options: {"1": outage, "2": other}
    no_input: internet
    no_match: internet
  outage: {type: hangup, reason: completed, say: We know about it. Goodbye.}
  other: {type: transfer, target: "queue:other", fail: voicemail}
  billing: {type: ask, say: Your account number?, collects: account_number, next: sales,
            fail: sales}
  old: {type: say, say: Old promotion., next: main}
"""

# The documented look of every node type: (shape, fill colour).
LOOKS = {
    "menu": ("box", "#dce8f5"),
    "ask": ("cds", "#ece2f6"),
    "say": ("box", "#f7f7f7"),
    "decision": ("hexagon", "#f6efdc"),
    "action": ("component", "#eeeeee"),
    "subflow": ("box3d", "#eeeeee"),
    "return": ("larrow", "#eeeeee"),
    "human": ("ellipse", "#b9e4bb"),
    "handoff": ("ellipse", "#cdeef3"),
    "message": ("ellipse", "#e6efc2"),
    "completed": ("octagon", "#dcefdc"),
    "dead_end": ("octagon", "#f9d6d5"),
    "disconnect": ("octagon", "#3c3c3c"),
    "missing": ("box", "#fff4f4"),
}
RED, AMBER, BLUE, PURPLE = "#d32f2f", "#e08a00", "#1e6fd0", "#8e24aa"

TELECOM_TYPES = {
    "welcome": "say",
    "hours": "decision",
    "closed": "dead_end",
    "main": "menu",
    "too_many_tries": "dead_end",
    "billing_dob": "ask",
    "billing_account": "ask",
    "billing_menu": "menu",
    "pay_bill": "action",
    "paid": "completed",
    "balance": "say",
    "bill_copy": "say",
    "disputes": "menu",
    "dispute_security": "menu",
    "agent_dob": "ask",
    "billing_agent": "human",
    "tech_support": "dead_end",
    "upgrades": "human",
    "upgrade_busy": "say",
    "roaming": "menu",
    "lost_phone": "menu",
    "lost_team": "human",
    "lost_busy": "message",
    "business": "human",
    "porting": "message",
    "stores": "say",
    "old_promo": "say",
    DISCONNECT: "disconnect",
    missing_id("buisness_voicemail"): "missing",
}


# -- a small parser for the DOT that diagram() writes (one statement per line) ---------------


@dataclass
class Dot:
    graph: dict[str, str] = field(default_factory=dict)
    nodes: dict[str, dict[str, str]] = field(default_factory=dict)
    edges: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    ranks: list[list[str]] = field(default_factory=list)
    clusters: dict[str, dict] = field(default_factory=dict)

    def edge(self, edge_id: str) -> tuple[str, str, dict[str, str]]:
        (found,) = [edge for edge in self.edges if edge[2].get("id") == edge_id]
        return found

    def real_edges(self) -> list[tuple[str, str, dict[str, str]]]:
        return [edge for edge in self.edges if edge[2].get("style") != "invis"]

    def menu_nodes(self) -> list[str]:
        return [name for name in self.nodes if name.split("-")[0] in ("node", "stub", "more")]


def _read_value(text: str, pos: int) -> tuple[str, int]:
    if text[pos] == '"':
        out, pos = [], pos + 1
        while text[pos] != '"':
            if text[pos] == "\\" and text[pos + 1] == '"':
                out.append('"')
                pos += 2
            else:
                out.append(text[pos])
                pos += 1
        return "".join(out), pos + 1
    assert text[pos] == "<", text[pos:]
    depth, start = 0, pos
    while True:
        depth += {"<": 1, ">": -1}.get(text[pos], 0)
        pos += 1
        if depth == 0:
            return text[start + 1 : pos - 1], pos


def _attributes(text: str) -> dict[str, str]:
    found, pos = {}, 0
    while pos < len(text):
        if text[pos] == " ":
            pos += 1
            continue
        name = re.match(r"[A-Za-z]+", text[pos:]).group(0)
        value, pos = _read_value(text, pos + len(name) + 1)
        found[name] = value
    return found


def parse_dot(source: str) -> Dot:
    dot = Dot()
    lines = source.splitlines()
    assert lines[0] == "digraph ivraudit {" and lines[-1] == "}"
    stack: list[tuple[str, object]] = []
    for raw in lines[1:-1]:
        line = raw.strip()
        cluster = stack[-1][1] if stack and stack[-1][0] == "cluster" else None
        if line.startswith("subgraph "):
            name, _ = _read_value(line, len("subgraph "))
            parent = next((item for kind, item in reversed(stack) if kind == "cluster"), None)
            dot.clusters[name] = {"attributes": {}, "nodes": [], "parent": parent}
            stack.append(("cluster", name))
        elif line == "{":
            dot.ranks.append([])
            stack.append(("rank", len(dot.ranks) - 1))
        elif line == "}":
            stack.pop()
        elif line == "rank=same":
            pass
        elif line.startswith("graph ["):
            target = dot.clusters[cluster]["attributes"] if cluster else dot.graph
            target.update(_attributes(line[len("graph [") : -1]))
        elif line.startswith(("node [", "edge [")):
            pass
        else:
            tail, pos = _read_value(line, 0)
            if line[pos:].startswith(" -> "):
                head, pos = _read_value(line, pos + 4)
                dot.edges.append((tail, head, _attributes(line[pos + 2 : -1])))
                continue
            if pos < len(line):
                dot.nodes[tail] = _attributes(line[pos + 2 : -1])
                if cluster:
                    dot.clusters[cluster]["nodes"].append(tail)
            if stack and stack[-1][0] == "rank":
                dot.ranks[stack[-1][1]].append(tail)
            elif stack and len(stack) > 1 and stack[-2][0] == "rank":
                dot.ranks[stack[-2][1]].append(tail)
    return dot


def text_of(label: str) -> str:
    """The visible text of a label: HTML tags dropped, entities and DOT escapes undone."""
    text = re.sub(r"</TD>\s*<TD[^>]*>", " ", label)
    text = re.sub(r"<BR/>|</TR>", "\n", text)
    text = re.sub(r"<[^>]*>", "", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    lines = [line.strip() for line in text.replace("&amp;", "&").splitlines()]
    return "\n".join(line for line in lines if line)


def unescape(value: str) -> str:
    """An escString attribute as Graphviz shows it."""
    return re.sub(r"\\(.)", lambda match: "\n" if match.group(1) == "n" else match.group(1), value)


def badges(dot: Dot, node: str) -> list[tuple[str, str]]:
    """(rule, colour) of the badges on a node, in order."""
    label = dot.nodes[node_dom_id(node)]["label"]
    return re.findall(r'<TD BGCOLOR="(#[0-9a-f]{6})"><FONT[^>]*><B>([A-Z]+[0-9]+)</B>', label)


def expected_label(via: str, key: str | None) -> str | None:
    words = {
        "no_input": "no input",
        "no_match": "no match",
        "retries_exhausted": "retries exhausted",
        "subflow": "subflow",
        "return": "return",
    }
    if via == "key":
        return key
    if via == "speech":
        return f'"{key}"'
    if via == "case":
        return f"case {key}"
    if via == "next":
        return None
    return words.get(via, via)


# -- every node and edge of the example menus --------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.name for path in EXAMPLES])
def test_every_node_and_edge_of_the_examples_is_drawn(path: Path):
    menu = load(path)
    ctx = AuditContext(menu)
    dot = parse_dot(diagram(menu, audit(menu)).source)
    assert sorted(dot.menu_nodes()) == sorted(node_dom_id(node) for node in ctx.graph)
    for node in ctx.graph:
        attributes = dot.nodes[node_dom_id(node)]
        shape, fill = LOOKS[category(ctx, node)]
        assert (attributes["shape"], attributes["fillcolor"]) == (shape, fill), node
        assert attributes["id"] == node_dom_id(node)
        assert text_of(attributes["label"]).splitlines()[0] == node
        assert unescape(attributes["tooltip"]).startswith(f"{node} ({ctx.kind(node)})")
    drawn_ids = 0
    for source, target, edge_key, data in ctx.graph.edges(keys=True, data=True):
        tail, head, attributes = dot.edge(drawn_edge_id(ctx.graph, source, target, edge_key))
        assert (tail, head) == (node_dom_id(source), node_dom_id(target))
        number = list(ctx.graph[source][target]).index(edge_key) + 1
        own_id = edge_dom_id(source, target, number)
        assert own_id == attributes["id"] or own_id in attributes["class"].split()
        label = expected_label(data["via"], data["key"])
        if label is not None:
            assert label in text_of(attributes["label"]).split(", "), (source, target, label)
        assert ("synthetic" in attributes["class"].split()) == data["synthetic"]
        assert (attributes.get("style") == "dashed") == data["synthetic"]
    for _, _, attributes in dot.real_edges():
        if attributes["id"].startswith("edge-"):
            drawn_ids += 1 + len([name for name in attributes["class"].split() if "-" in name])
    assert drawn_ids == ctx.graph.number_of_edges()


def test_telecom_node_types_shapes_and_colours():
    menu = load(MENUS / "telecom-bad.yaml")
    dot = parse_dot(diagram(menu).source)
    assert set(TELECOM_TYPES) == set(AuditContext(menu).graph)
    for node, kind in TELECOM_TYPES.items():
        attributes = dot.nodes[node_dom_id(node)]
        assert (attributes["shape"], attributes["fillcolor"]) == LOOKS[kind], node
        assert f"type-{kind}" in attributes["class"].split()
    assert "dashed" in dot.nodes[node_dom_id(DISCONNECT)]["style"]
    assert "dashed" in dot.nodes[node_dom_id(missing_id("buisness_voicemail"))]["style"]
    assert {kind: (STYLES[kind].shape, STYLES[kind].fill) for kind in LOOKS} == LOOKS


def test_edge_labels_by_key_and_event():
    menu = load(MENUS / "telecom-bad.yaml")
    dot = parse_dot(diagram(menu).source)
    labels = {
        attributes["id"]: text_of(attributes.get("label", ""))
        for _, _, attributes in dot.real_edges()
    }
    assert labels["edge-main-billing_dob-1"] == "1"
    assert labels["edge-hours-main-1"] == "open"
    assert labels["edge-hours-closed-1"] == "closed"
    assert labels["edge-main-too_many_tries-1"] == "retries exhausted"
    assert labels["edge-lost_phone-lost_team-1"] == '"lost", "stolen"'
    assert labels["edge-disputes-dispute_security-1"] == "1, 2, 3"
    assert labels["edge-roaming-roaming-2"] == "no input, no match"
    assert labels["edge-billing_dob-billing_account-1"] == ""
    assert labels["edge-upgrades-upgrade_busy-1"] == "fail"
    disconnect = slug(DISCONNECT)
    edge = dot.edge(f"edge-main-{disconnect}-1")[2]
    assert (text_of(edge["label"]), edge["style"]) == ("no input, no match", "dashed")
    assert dot.edge(f"edge-main-{disconnect}-1")[2]["class"] == (
        f"edge-main-{disconnect}-2 synthetic"
    )


def test_branch_and_error_edge_labels():
    menu = loads("""\
ivraudit: 1
start: route
nodes:
  route:
    type: branch
    cases: [{when: vip, next: agent}, {when: new, next: lookup}]
    else: agent
  lookup: {type: action, next: agent, error: agent}
  agent: {type: transfer, target: "queue:a", human: false}
""")
    dot = parse_dot(diagram(menu).source)
    labels = sorted(
        (attributes["id"], text_of(attributes.get("label", "")))
        for _, _, attributes in dot.real_edges()
        if attributes["id"].startswith("edge-")
    )
    assert labels == [
        ("edge-lookup-agent-1", ""),
        ("edge-lookup-agent-2", "error"),
        ("edge-route-agent-1", "case 1, else"),
        ("edge-route-lookup-1", "case 2"),
    ]
    assert dot.nodes["node-agent"]["fillcolor"] == LOOKS["handoff"][1]


# -- findings --------------------------------------------------------------------------------


def test_findings_colour_nodes_and_list_rule_ids():
    menu = load(MENUS / "telecom-bad.yaml")
    report = audit(menu)
    dot = parse_dot(diagram(menu, report).source)
    roaming = dot.nodes["node-roaming"]
    assert (roaming["color"], roaming["penwidth"]) == (RED, "2.6")
    assert badges(dot, "roaming") == [(RED, "DE002"), (AMBER, "MN002")]
    assert "severity-error" in roaming["class"].split()
    main = dot.nodes["node-main"]
    assert main["color"] == AMBER
    assert badges(dot, "main") == [
        (AMBER, "DE004"),
        (AMBER, "DE005"),
        (AMBER, "MN001"),
        (AMBER, "MN002"),
        (AMBER, "MN004"),
        (BLUE, "MN007"),
    ]
    assert badges(dot, "billing_agent") == [(AMBER, "DP001"), (AMBER, "ID002"), (BLUE, "DE007")]
    worst = next(f for f in report.findings if f.node == "roaming" and f.rule == "DE002")
    assert roaming["URL"] == f"#finding-{worst.fingerprint}"
    assert "DE002 error: callers who reach 'roaming' loop" in unescape(roaming["tooltip"])
    assert "color" not in dot.nodes["node-paid"] or dot.nodes["node-paid"]["color"] not in (
        RED,
        AMBER,
        BLUE,
    )
    assert badges(dot, "paid") == []
    assert "URL" not in dot.nodes["node-paid"]
    assert dot.graph["label"] == (
        "Connectra Mobile customer care (bad example) · 31 findings (4 errors, 25 warnings, 2 info)"
    )


def test_worst_severity_wins_and_info_is_blue():
    menu = loads(SMALL)
    config = Config(severity={"ID002": "error", "MN002": "info"})
    dot = parse_dot(diagram(menu, audit(menu, config)).source)
    assert dot.nodes["node-sales"]["color"] == RED
    assert dot.nodes["node-internet"]["color"] == BLUE
    assert badges(dot, "internet") == [(BLUE, "MN002")]
    assert dot.nodes["node-old"]["color"] == AMBER  # ST002 stays a warning


def test_findings_of_other_files_are_not_drawn(tmp_path: Path):
    menu = loads(SMALL, name="small.yaml")
    other = loads(SMALL.replace("Small line", "Other line"), name="other.yaml")
    report = audit(other)
    dot = parse_dot(diagram(menu, report).source)
    assert all(
        "severity-" not in attributes["class"]
        for attributes in dot.nodes.values()
        if "class" in attributes
    )
    assert dot.graph["label"] == "Small line · no findings"


# -- route, focus, max_presses ---------------------------------------------------------------


def test_route_highlights_exactly_the_witness_route():
    menu = load(MENUS / "telecom-bad.yaml")
    ctx = AuditContext(menu)
    dot = parse_dot(diagram(menu, audit(menu), route="agent_dob").source)
    route_edges = [
        attributes["id"]
        for _, _, attributes in dot.edges
        if "route" in attributes.get("class", "").split()
    ]
    assert route_edges == [
        "edge-welcome-hours-1",
        "edge-hours-main-1",
        "edge-main-billing_dob-1",
        "edge-billing_dob-billing_account-1",
        "edge-billing_account-billing_menu-1",
        "edge-billing_menu-disputes-1",
        "edge-disputes-dispute_security-1",
        "edge-dispute_security-agent_dob-1",
    ]
    for edge_id in route_edges:
        attributes = dot.edge(edge_id)[2]
        assert (attributes["color"], attributes["penwidth"]) == (PURPLE, "3")
    route_nodes = [
        name for name, attributes in dot.nodes.items() if "route" in attributes.get("class", "")
    ]
    steps = ctx.witness("agent_dob")
    assert route_nodes == [node_dom_id(step.node) for step in steps]
    assert all(dot.nodes[name]["color"] == PURPLE for name in route_nodes)
    # The witness ids the HTML report will use name the same nodes and edges.
    assert witness_dom_ids(ctx.graph, steps)[1::2] == route_edges
    # Keys 2 and 3 of 'disputes' stay a separate, ordinary edge.
    other = dot.edge("edge-disputes-dispute_security-2")[2]
    assert (text_of(other["label"]), other.get("color")) == ("2, 3", None)


def test_route_and_focus_errors():
    menu = load(MENUS / "telecom-bad.yaml")
    with pytest.raises(UsageError, match=r"no node named 'billing_mnu' \(did you mean"):
        diagram(menu, route="billing_mnu")
    with pytest.raises(UsageError, match="no route from the start reaches 'old_promo'"):
        diagram(menu, route="old_promo")
    with pytest.raises(UsageError, match="--focus: no node named 'nowhere'"):
        mermaid(menu, focus="nowhere")
    with pytest.raises(UsageError, match="--radius must be 0 or more"):
        diagram(menu, focus="main", radius=-1)
    with pytest.raises(UsageError, match="--max-presses must be 0 or more"):
        diagram(menu, max_presses=-2)


def test_focus_keeps_exactly_the_neighbourhood():
    menu = loads(SMALL)
    dot = parse_dot(diagram(menu, focus="internet", radius=1).source)
    assert sorted(dot.menu_nodes()) == [
        "node-internet",
        "node-other",
        "node-outage",
        "node-support",
        "stub-main",
        "stub-phones",
        "stub-voicemail",
    ]
    assert "focus" in dot.nodes["node-internet"]["class"]
    assert dot.nodes["node-internet"]["peripheries"] == "2"
    stubs = sorted(
        (tail, head, a["id"]) for tail, head, a in dot.real_edges() if a["class"] == "stub"
    )
    assert stubs == [
        ("node-other", "stub-voicemail", "edge-other-voicemail-1"),
        ("node-support", "stub-main", "edge-support-main-1"),
        ("node-support", "stub-phones", "edge-support-phones-1"),
        ("stub-main", "node-support", "edge-main-support-1"),
    ]
    assert text_of(dot.nodes["stub-main"]["label"]) == "… main"
    tight = parse_dot(diagram(menu, focus="internet", radius=0).source)
    assert sorted(tight.menu_nodes()) == [
        "node-internet",
        "stub-other",
        "stub-outage",
        "stub-support",
    ]


def test_max_presses_collapses_deeper_nodes_into_placeholders():
    menu = loads(SMALL)
    report = audit(menu)
    dot = parse_dot(diagram(menu, report, max_presses=1).source)
    assert sorted(dot.menu_nodes()) == [
        "more-support",
        "more-unreachable-nodes",
        "node-billing",
        "node-main",
        "node-sales",
        "node-support",
        "node-voicemail",
        "node-welcome",
    ]
    assert text_of(dot.nodes["more-support"]["label"]).splitlines() == ["… 4 more nodes", "MN002"]
    assert text_of(dot.nodes["more-unreachable-nodes"]["label"]).splitlines() == [
        "… 1 unreachable node",
        "ST002",
    ]
    cut = dot.edge("cut-support")
    assert (cut[0], cut[1], text_of(cut[2]["label"])) == ("node-support", "more-support", "1, 2")
    deeper = parse_dot(diagram(menu, max_presses=2).source)
    assert text_of(deeper.nodes["more-internet"]["label"]) == "… 2 more nodes"
    assert "node-internet" in deeper.nodes and "node-outage" not in deeper.nodes
    # The ruler names the levels, and the placeholders' row.
    rulers = [unescape(dot.nodes[name]["label"]) for name in dot.nodes if name.startswith("level")]
    assert [text for text in rulers if text] == [
        "0 selections",
        "1 selection",
        "more than 1\nselections",
        "unreachable",
    ]


def test_rows_follow_presses_top_to_bottom():
    menu = load(MENUS / "bank.yaml")
    ctx = AuditContext(menu)
    dot = parse_dot(diagram(menu).source)
    level_of_row = []
    for row in dot.ranks:
        if row and row[0].startswith("level-"):
            levels = {ctx.presses.cost.get(name.removeprefix("node-")) for name in row[1:]}
            assert len(levels) == 1, row
            level_of_row.append(levels.pop())
    assert level_of_row == sorted(level_of_row)
    assert dot.ranks[0][:2] == ["level-0", "node-welcome"]


# -- subflows ----------------------------------------------------------------------------------


def test_subflows_are_clusters_labelled_with_their_file(tmp_path: Path):
    (tmp_path / "pin.yaml").write_text(
        "ivraudit: 1\nstart: pin\nnodes:\n"
        "  pin: {type: ask, say: Your PIN?, collects: pin, next: ok, fail: ok}\n"
        "  ok: {type: return}\n"
    )
    (tmp_path / "verify.yaml").write_text(
        "ivraudit: 1\nstart: dob\nnodes:\n"
        "  dob: {type: ask, say: Date of birth?, collects: date_of_birth, next: more, fail: done}\n"
        "  more: {type: subflow, menu: pin.yaml, next: done}\n"
        "  done: {type: return}\n"
    )
    (tmp_path / "main.yaml").write_text(
        "ivraudit: 1\nstart: check\nnodes:\n"
        "  check: {type: subflow, menu: verify.yaml, next: agent}\n"
        '  agent: {type: transfer, target: "queue:a", passes: [date_of_birth, pin]}\n'
    )
    menu = load(tmp_path / "main.yaml")
    dot = parse_dot(diagram(menu, audit(menu)).source)
    outer, inner = f"cluster-{slug('check')}", f"cluster-{slug('check/more')}"
    assert sorted(dot.clusters) == sorted(["cluster-legend", outer, inner])
    assert dot.clusters[outer]["attributes"]["label"] == "subflow check: verify.yaml"
    assert dot.clusters[inner]["attributes"]["label"] == "subflow check/more: pin.yaml"
    assert dot.clusters[inner]["parent"] == outer
    assert dot.clusters[outer]["nodes"] == [
        node_dom_id("check/dob"),
        node_dom_id("check/more"),
        node_dom_id("check/done"),
    ]
    assert dot.clusters[inner]["nodes"] == [
        node_dom_id("check/more/pin"),
        node_dom_id("check/more/ok"),
    ]
    assert "node-check" not in dot.clusters[outer]["nodes"]
    text = mermaid(menu)
    assert '    subgraph s1["subflow check: verify.yaml"]\n' in text
    assert '        subgraph s2["subflow check/more: pin.yaml"]\n' in text
    assert text.count("\n        end\n") == 1 and text.count("\n    end\n") == 1


# -- Mermaid -----------------------------------------------------------------------------------

TINY = """\
ivraudit: 1
title: Tiny line
start: main
nodes:
  main:
    type: menu
    say: "For sales press 1. For help say \\"help\\"."
    options: {"1": sales}
    speech: {help: help}
  sales: {type: transfer, target: "queue:sales", fail: sorry}
  help: {type: say, say: "See example.com/help#faq; bye.", next: sorry}
  sorry: {type: hangup, say: "Sorry, goodbye."}
"""

TINY_MERMAID = """\
flowchart TD
    %% Tiny line · 2 findings (2 warnings) · route to sorry
    n1["<b>main</b><br/><i>“For sales press 1. For help say #34;help#34;.”</i><br/>DE004 MN002"]
    n2(["<b>sales</b><br/>queue:sales"])
    n3("<b>help</b><br/><i>“See example.com/help#35;faq#59; bye.”</i>")
    n4(("<b>sorry</b><br/>hangs up: completed #40;read from prompt#41;<br/>\
<i>“Sorry, goodbye.”</i>"))
    n5((("<b>#60;platform disconnect#62;</b><br/>the platform hangs up")))
    n1 -->|"1"| n2
    n1 -->|"#34;help#34;"| n3
    n1 -.->|"no input, no match"| n5
    n2 -->|"fail"| n4
    n3 --> n4
    classDef t_menu fill:#dce8f5,stroke:#2f5d8a,color:#1b1b1b
    classDef t_say fill:#f7f7f7,stroke:#78909c,color:#1b1b1b
    classDef t_human fill:#b9e4bb,stroke:#2e7d32,color:#1b1b1b
    classDef t_completed fill:#dcefdc,stroke:#2e7d32,color:#1b1b1b
    classDef t_disconnect fill:#3c3c3c,stroke:#000000,color:#ffffff,stroke-dasharray:4 3
    classDef sev_warning stroke:#e08a00,stroke-width:3px
    classDef on_route stroke:#8e24aa,stroke-width:4px
    class n1 t_menu
    class n3 t_say
    class n2 t_human
    class n4 t_completed
    class n5 t_disconnect
    class n1 sev_warning
    class n1,n2,n4 on_route
    linkStyle 0,3 stroke:#8e24aa,stroke-width:4px
"""


def test_mermaid_text_of_a_small_menu():
    menu = loads(TINY)
    assert mermaid(menu, audit(menu), route="sorry") == TINY_MERMAID


def test_mermaid_cut_and_focus_use_placeholders_and_stubs():
    menu = loads(SMALL)
    text = mermaid(menu, max_presses=1)
    assert '    n7[\\"<b>… 4 more nodes</b>"/]\n' in text
    assert '    n5 -.->|"1, 2"| n7\n' in text
    focused = mermaid(menu, focus="outage", radius=0)
    assert focused.splitlines()[2:5] == [
        '    n1(("<b>outage</b><br/>hangs up: completed<br/><i>“We know about it. Goodbye.”</i>"))',
        '    n2["<b>… internet</b>"]',
        '    n2 -.->|"1"| n1',
    ]


# -- escaping ----------------------------------------------------------------------------------

NASTY_PROMPT = 'Say "yes" <b>now</b> & press #; [x] {y} (z) | `q` \\N back\\slash\x01 end\\'
NASTY_NODE = 'a "b" <c>'
NASTY = json.dumps(
    {
        "ivraudit": 1,
        "start": NASTY_NODE,
        "nodes": {
            NASTY_NODE: {"type": "say", "say": NASTY_PROMPT, "next": "end;#"},
            "end;#": {"type": "hangup", "reason": "completed", "say": "line one\nline two"},
        },
    }
)


def test_nasty_text_is_escaped_in_dot():
    menu = loads(NASTY)
    node = NASTY_NODE
    assert menu.nodes[node].say == NASTY_PROMPT
    dot = parse_dot(diagram(menu).source)
    attributes = dot.nodes[node_dom_id(node)]
    assert node_dom_id(node) == "node-a_b_c_" + node_dom_id(node)[-8:]
    label = text_of(attributes["label"]).splitlines()
    assert label[0] == node
    assert " ".join(label[1:]) == (
        '“Say "yes" <b>now</b> & press #; [x] {y} (z) | `q` \\N back\\slash\ufffd end\\”'
    )
    tooltip = unescape(attributes["tooltip"])
    assert f'"{NASTY_PROMPT}"'.replace("\x01", "\ufffd") in tooltip
    end = dot.nodes[node_dom_id("end;#")]
    assert '"line one\nline two"' in unescape(end["tooltip"])


def test_nasty_text_is_escaped_in_mermaid():
    menu = loads(NASTY)
    text = mermaid(menu)
    first = text.splitlines()[2]
    assert first == (
        '    n1("<b>a #34;b#34; #60;c#62;</b><br/><i>“Say #34;yes#34; #60;b#62;now#60;/b#62; '
        "#38; press #35;#59; #91;x#93; #123;y#125; #40;z#41; #124; #96;q#96; #92;N "
        'back#92;slash\ufffd end#92;”</i>")'
    )
    # Outside the labels, only safe ids, arrows and class names remain.
    for line in text.splitlines()[2:]:
        outside = re.sub(r'"[^"]*"', "", line)
        assert re.fullmatch(r"[\w \-.>|(){}\[\]/\\:,#;%]*", outside), line


def test_mermaid_caption_is_a_plain_comment_on_one_line():
    # Issue 16: the caption comment showed entity codes ("#40;2 warning#41;"), which
    # Mermaid does not read in a comment; a title must still not break the line or
    # open a %%{directive}.
    menu = loads(TINY.replace("title: Tiny line", 'title: "Tiny (new)\\nline %%{init: {}}%%"'))
    lines = mermaid(menu, audit(menu)).splitlines()
    assert lines[1] == "    %% Tiny (new) line % %{init: {}}% % · 2 findings (2 warnings)"
    assert lines[2].startswith("    n1[")


@needs_dot
def test_nasty_text_renders_as_valid_svg():
    menu = loads(NASTY)
    svg = render(diagram(menu), "svg")
    root = ET.fromstring(svg)
    ids = {element.get("id") for element in root.iter()}
    assert node_dom_id('a "b" <c>') in ids
    texts = " ".join(element.text or "" for element in root.iter())
    assert "<b>now</b>" in texts


# -- rendering ---------------------------------------------------------------------------------


@needs_dot
def test_render_svg_and_png():
    menu = load(MENUS / "telecom-bad.yaml")
    graph = AuditContext(menu).graph
    digraph = diagram(menu, audit(menu))
    png = render(digraph, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    svg = render(digraph, "svg")
    root = ET.fromstring(svg)
    ids = {element.get("id") for element in root.iter()}
    assert {node_dom_id(node) for node in graph} <= ids
    drawn = {drawn_edge_id(graph, *edge) for edge in graph.edges(keys=True)}
    assert drawn <= ids
    assert {"ivraudit-diagram", "cluster-legend", "level-0", "level-unreachable"} <= ids
    pdf = render(digraph, "pdf")
    assert pdf.startswith(b"%PDF-")


@needs_dot
def test_witness_ids_of_every_finding_exist_in_the_svg():
    menu = load(MENUS / "telecom-bad.yaml")
    report = audit(menu)
    graph = AuditContext(menu).graph
    ids = {element.get("id") for element in ET.fromstring(render(diagram(menu), "svg")).iter()}
    for finding in report.findings:
        assert set(witness_dom_ids(graph, finding.witness)) <= ids, finding.rule


def test_render_dot_needs_no_program(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    digraph = diagram(loads(SMALL))
    assert render(digraph, "dot") == digraph.source.encode("utf-8")
    with pytest.raises(DiagramError) as caught:
        render(digraph, "svg")
    message = str(caught.value)
    assert "Graphviz program 'dot' was not found" in message
    for hint in ("apt-get install graphviz", "brew install graphviz", "graphviz.org/download"):
        assert hint in message
    assert isinstance(caught.value, ivraudit.IvrauditError)


@needs_dot
def test_graphviz_failure_and_timeout_are_errors(monkeypatch):
    with pytest.raises(DiagramError, match="Graphviz could not render the diagram as svg: "):
        render("digraph { a -> }", "svg")
    with pytest.raises(DiagramError, match="cannot render format 'gif'"):
        render("digraph { a }", "gif")

    def too_slow(*args, **kwargs):
        raise subprocess.TimeoutExpired(args[0], kwargs["timeout"])

    monkeypatch.setattr(subprocess, "run", too_slow)
    with pytest.raises(DiagramError, match=r"longer than 2 s .*--max-presses"):
        render("digraph { a }", "png", timeout=2)


def test_format_from_suffix():
    names = ["a.dot", "a.gv", "a.svg", "A.PNG", "a.pdf", "a.mmd", "a.mermaid", "a.txt", "a"]
    assert [format_from_suffix(name) for name in names] == [
        "dot",
        "dot",
        "svg",
        "png",
        "pdf",
        "mermaid",
        "mermaid",
        None,
        None,
    ]


# -- determinism and scale ---------------------------------------------------------------------


def test_output_is_deterministic():
    first = load(MENUS / "telecom-bad.yaml")
    second = load(MENUS / "telecom-bad.yaml")
    assert diagram(first, audit(first)).source == diagram(second, audit(second)).source
    assert mermaid(first, audit(first)) == mermaid(second, audit(second))
    options = {"route": "agent_dob", "max_presses": 2}
    assert diagram(first, **options).source == diagram(second, **options).source


def big_menu(count: int, fanout: int = 4) -> str:
    """A menu of ``count`` nodes: a tree of menus, every seventh node a transfer."""
    nodes: dict[str, dict] = {"m0": {"type": "menu", "say": "Press 1 to 4.", "options": {}}}
    queue, made = ["m0"], 1
    while queue and made < count:
        parent = queue.pop(0)
        for key in range(1, fanout + 1):
            if made >= count:
                break
            name = f"m{made}"
            made += 1
            if made % 7 == 0:
                nodes[name] = {"type": "transfer", "target": "queue:x"}
            else:
                nodes[name] = {"type": "menu", "say": f"{name}: press 1 to 4.", "options": {}}
                queue.append(name)
            nodes[parent]["options"][str(key)] = name
    for name in queue:
        nodes[name]["options"]["0"] = "m0"
    return json.dumps({"ivraudit": 1, "start": "m0", "nodes": nodes})


def test_a_5000_node_menu_is_drawn_whole_and_cut():
    # Its speed is measured in benchmarks/, not here.
    menu = loads(big_menu(5000))
    ctx = AuditContext(menu)
    whole = diagram(menu, context=ctx)
    cut = diagram(menu, context=ctx, max_presses=2)
    assert len(parse_dot(whole.source).menu_nodes()) == ctx.graph.number_of_nodes()
    cut_nodes = parse_dot(cut.source).menu_nodes()
    # 1 + 4 + 16 menus and transfers and the platform disconnect; one placeholder for each
    # of the 13 menus on the third level (m6, m13 and m20 are transfers).
    assert len([name for name in cut_nodes if name.startswith("node-")]) == 21 + 1
    assert len([name for name in cut_nodes if name.startswith("more-")]) == 13


def test_a_deep_menu_needs_no_recursion():
    count = 5000
    nodes = {f"m{i}": {"type": "menu", "options": {"1": f"m{i + 1}"}} for i in range(count)}
    nodes[f"m{count}"] = {"type": "transfer", "target": "queue:end"}
    menu = loads(json.dumps({"ivraudit": 1, "start": "m0", "nodes": nodes}))
    cut = parse_dot(diagram(menu, max_presses=3).source)
    assert cut.menu_nodes() == [
        "node-m0",
        "node-m1",
        "node-m2",
        "node-m3",
        node_dom_id(DISCONNECT),
        "more-m3",
    ]
    assert text_of(cut.nodes["more-m3"]["label"]) == f"… {count - 3} more nodes"
    assert len(mermaid(menu).splitlines()) > count


def _wide_menu(chain: int) -> ivraudit.Menu:
    """A main menu of three options, each a chain of ``chain`` messages to an adviser."""
    nodes = {
        "main": {
            "type": "menu",
            "say": "For sales press 1, service press 2, billing press 3, a person press 0.",
            "options": {"1": "a0", "2": "b0", "3": "c0", "0": "adviser"},
            "no_input": "main",
            "no_match": "main",
        },
        "adviser": {"type": "transfer", "target": "queue:a", "fail": "voicemail"},
        "voicemail": {"type": "voicemail", "say": "Please leave a message."},
    }
    for branch in "abc":
        for number in range(chain):
            last = number == chain - 1
            nodes[f"{branch}{number}"] = {
                "type": "say",
                "say": "Thank you.",
                "next": "adviser" if last else f"{branch}{number + 1}",
            }
    return loads(json.dumps({"ivraudit": 1, "start": "main", "nodes": nodes}), name="wide.json")


def test_a_report_draws_a_huge_menu_only_as_deep_as_fits():
    small = _wide_menu(100)  # 303 nodes: drawn whole
    assert report_drawing(small, audit(small), "mermaid").note is None
    big = _wide_menu(200)  # 603 nodes: the first level (main, adviser, voicemail) fits
    drawing = report_drawing(big, audit(big), "mermaid")
    assert drawing.note == (
        "the menu has 603 nodes: drawn to 0 selections deep "
        "(use 'ivraudit diagram' with --focus or --max-presses to draw it)"
    )
    assert "a0" not in drawing.content and "main" in drawing.content
    chain = {f"s{n}": {"type": "say", "say": "Hello.", "next": f"s{n + 1}"} for n in range(450)}
    chain["s450"] = {"type": "transfer", "target": "queue:a"}
    flat = loads(json.dumps({"ivraudit": 1, "start": "s0", "nodes": chain}), name="flat.json")
    nothing = report_drawing(flat, audit(flat), "mermaid")
    assert (nothing.content, nothing.note) == (
        "",
        "the menu has 451 nodes, too many to draw in a report "
        "(use 'ivraudit diagram' with --focus or --max-presses to draw it)",
    )


@needs_dot
def test_report_drawing_highlights_exactly_the_witness_ids_it_draws():
    """The page's script finds a route's ids from the drawing's node and edge ids; for
    every finding they are the ids of its witness route that the SVG has."""
    menu = load(MENUS / "telecom-bad.yaml")
    report = audit(menu)
    context = AuditContext(menu)
    drawing = report_drawing(menu, report, "svg", context=context)
    ids = {element.get("id") for element in ET.fromstring(drawing.content).iter()}
    assert set(drawing.node_ids.values()) | set(drawing.edge_ids.values()) <= ids
    for finding in report.findings:
        steps = finding.witness
        found = [drawing.node_ids[step.node] for step in steps if step.node in drawing.node_ids]
        for step, after in itertools.pairwise(steps):
            drawn = (step.node, step.edge_key, after.node)
            if drawn in drawing.edge_ids:
                found.append(drawing.edge_ids[drawn])
        expected = set(witness_dom_ids(context.graph, steps)) & ids
        assert set(found) == expected, finding.rule


@needs_dot
def test_a_large_menu_drawn_in_part_names_only_what_is_drawn():
    big = _wide_menu(200)  # 603 nodes: only main is drawn, and a box for the rest
    drawing = report_drawing(big, audit(big), "svg")
    assert drawing.node_ids == {"main": "node-main"}
    # Its no-input and no-match retries look the same: drawn as one arrow.
    assert drawing.edge_ids == {
        ("main", "no_input", "main"): "edge-main-main-1",
        ("main", "no_match", "main"): "edge-main-main-1",
    }
    ids = {element.get("id") for element in ET.fromstring(drawing.content).iter()}
    assert set(drawing.edge_ids.values()) <= ids
    # Markdown's Mermaid picture has no script to highlight routes with.
    mermaid_drawing = report_drawing(big, audit(big), "mermaid")
    assert mermaid_drawing.node_ids == {} and mermaid_drawing.edge_ids == {}


def test_a_whole_picture_is_kept_when_dot_warns_and_exits_1(monkeypatch, tmp_path):
    """Graphviz 2.43 exits 1 when it routes a few edges badly, after drawing them all."""
    fake = tmp_path / "dot"
    fake.write_text(
        "#!/bin/sh\ncat > /dev/null\n"
        'echo \'<svg xmlns="http://www.w3.org/2000/svg"><g id="node-a"/></svg>\'\n'
        "echo 'Warning: Unable to reclaim box space in spline routing' >&2\nexit 1\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert render("digraph { a }", "svg").rstrip().endswith(b"</svg>")
    # Cut short: still an error, with Graphviz's last words.
    fake.write_text("#!/bin/sh\ncat > /dev/null\necho '<svg><g>'\necho 'Error: oops' >&2\nexit 1\n")
    with pytest.raises(DiagramError, match="as svg: Error: oops"):
        render("digraph { a }", "svg")

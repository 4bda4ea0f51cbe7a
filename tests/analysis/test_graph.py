"""Menu -> graph: nodes, edges with via/key, platform defaults, subflows."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivraudit import MenuError, load, loads, to_graph
from ivraudit.analysis.graph import DISCONNECT, missing_id

MENU = """\
ivraudit: 1
start: main
nodes:
  main:
    type: menu
    say: For sales press 1. For help say help.
    options: {"1": sales, "0": gone}
    speech: {help: info}
  info:
    type: ask
    say: Your account number?
    collects: account_number
    next: sales
  check:
    type: branch
    cases: [{when: vip, next: sales}]
    else: info
  sales: {type: transfer, target: "queue:sales"}
"""


def edges(graph):
    return sorted((u, v, d["via"], d["key"], d["synthetic"]) for u, v, d in graph.edges(data=True))


def test_nodes_edges_and_platform_defaults():
    graph = to_graph(loads(MENU))
    assert graph.graph["start"] == "main"
    assert sorted(graph.nodes) == sorted(
        ["main", "info", "check", "sales", DISCONNECT, missing_id("gone")]
    )
    assert graph.nodes["main"]["kind"] == "menu"
    assert graph.nodes[DISCONNECT]["kind"] == "disconnect"
    assert graph.nodes[missing_id("gone")]["kind"] == "missing"
    assert edges(graph) == [
        ("check", "info", "else", None, False),
        ("check", "sales", "case", "1", False),
        ("info", DISCONNECT, "no_input", None, True),
        ("info", DISCONNECT, "no_match", None, True),
        ("info", "sales", "next", None, False),
        ("main", missing_id("gone"), "key", "0", False),
        ("main", DISCONNECT, "no_input", None, True),
        ("main", DISCONNECT, "no_match", None, True),
        ("main", "info", "speech", "help", False),
        ("main", "sales", "key", "1", False),
    ]


def test_handlers_and_fail_replace_platform_defaults():
    graph = to_graph(
        loads("""\
ivraudit: 1
start: main
nodes:
  main: {type: menu, say: Hi, options: {"1": a}, no_input: main, no_match: main}
  a: {type: ask, say: PIN?, next: b, fail: b}
  b: {type: hangup, reason: completed}
""")
    )
    assert DISCONNECT not in graph


def test_retrying_itself_with_a_limit_but_no_exhausted_route_disconnects():
    graph = to_graph(
        loads("""\
ivraudit: 1
start: main
nodes:
  main: {type: menu, say: Hi, options: {"1": b}, no_input: main, no_match: main, retries: 3}
  b: {type: hangup, reason: completed}
""")
    )
    assert ("main", DISCONNECT, "retries_exhausted") in [
        (u, v, d["via"]) for u, v, d in graph.edges(data=True)
    ]


def test_subflows_are_inlined_and_return(tmp_path: Path):
    (tmp_path / "verify.yaml").write_text("""\
ivraudit: 1
start: dob
nodes:
  dob: {type: ask, say: Date of birth?, next: done, fail: done}
  done: {type: return}
""")
    (tmp_path / "main.yaml").write_text("""\
ivraudit: 1
start: check
nodes:
  check: {type: subflow, menu: verify.yaml, next: agent}
  agent: {type: transfer, target: "queue:a"}
""")
    graph = to_graph(load(tmp_path / "main.yaml"))
    assert edges(graph) == [
        ("check", "check/dob", "subflow", None, False),
        ("check/dob", "check/done", "fail", None, False),
        ("check/dob", "check/done", "next", None, False),
        ("check/done", "agent", "return", None, False),
    ]
    assert graph.nodes["check/dob"]["subflow"] == "check"
    assert graph.nodes["check/dob"]["menu"].path.endswith("verify.yaml")


def test_subflow_errors(tmp_path: Path):
    (tmp_path / "a.yaml").write_text(
        "ivraudit: 1\nstart: s\nnodes:\n  s: {type: subflow, menu: b.yaml}\n"
    )
    (tmp_path / "b.yaml").write_text(
        "ivraudit: 1\nstart: s\nnodes:\n  s: {type: subflow, menu: a.yaml}\n"
    )
    with pytest.raises(
        MenuError,
        match=r"b.yaml:4:22: subflow 'a.yaml' of node 's' includes "
        r"itself \(break the cycle of subflows\)",
    ):
        load(tmp_path / "a.yaml")
    (tmp_path / "c.yaml").write_text(
        "ivraudit: 1\nstart: s\nnodes:\n  s: {type: subflow, menu: none.yaml}\n"
    )
    with pytest.raises(MenuError, match=r"c.yaml:4:22: subflow 'none.yaml' of node 's' not found"):
        load(tmp_path / "c.yaml")

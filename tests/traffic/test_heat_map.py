"""The heat map: `ivraudit diagram --traffic` (DOT and Mermaid) draws edge width by logged
calls and node colour by abandonment, with no count under --min-calls; the HTML report of
`check --traffic` shows it in place of the plain diagram."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from ivraudit import load
from ivraudit.analysis.graph import to_graph
from ivraudit.cli import main
from ivraudit.reports.diagrams.heat import band_of, node_look, width_of
from ivraudit.traffic.counts import Counts, EdgeCount, NodeCount
from ivraudit.traffic.heat import EdgeHeat, NodeHeat, heat_map
from ivraudit.traffic.names import MenuNames


def diagram(*args: str):
    return CliRunner().invoke(main, ["diagram", "menu.yaml", *args])


def statements(dot: str, prefix: str) -> list[str]:
    return [line.strip() for line in dot.splitlines() if line.strip().startswith(prefix)]


def test_the_dot_heat_map_weighs_edges_by_calls_and_colours_nodes_by_abandonment(here):
    result = diagram("--traffic", "calls.csv", "--min-calls", "2", "--no-findings")
    assert result.exit_code == 0, result.output
    dot = result.stdout
    assert 'label="menu.yaml · heat map of 10 logged calls, counts under 2 not shown"' in dot
    assert 'class="heat_map"' in dot
    edges = statements(dot, '"node-main" ->') + statements(dot, '"node-billing" ->')
    assert edges == [
        '"node-main" -> "node-billing" [id="edge-main-billing-1" class="" '
        'label=<<B>1</B> · 6 calls> fontsize="12" penwidth="5.2" '
        'tooltip="main → billing: presses 1 · logged: 6 calls"]',
        '"node-main" -> "node-sales" [id="edge-main-sales-1" class="" '
        'label=<<B>2</B> · 2 calls> fontsize="12" penwidth="2.4" '
        'tooltip="main → sales: presses 2 · logged: 2 calls"]',
        '"node-main" -> "node-main" [id="edge-main-main-1" class="edge-main-main-2" '
        'label="no input, no match · 2 calls" color="#8a969e" fontcolor="#5f6b72" '
        'penwidth="2.4" tooltip="main → main: says nothing (no input) · logged: 2 calls\\n'
        'main → main: presses an invalid key (no match) · logged: under 2 calls"]',
        '"node-billing" -> "node-sales" [id="edge-billing-sales-1" class="" label="fail" '
        'color="#b0bec5" fontcolor="#5f6b72" penwidth="1" '
        'tooltip="billing → sales: the transfer fails (busy, no answer or queue full) · '
        'logged: under 2 calls"]',
    ]
    (main_node,) = statements(dot, '"node-main" [')
    assert 'class="type-menu abandon-3"' in main_node
    assert 'fillcolor="#ff9f80"' in main_node  # 2 of 10 calls hung up at main: 20-40 %
    assert "<B>10 calls, 20% hung up</B>" in main_node
    (billing,) = statements(dot, '"node-billing" [')
    assert 'fillcolor="#b9e4bb"' in billing  # an outcome keeps its type's colour
    assert "<B>6 calls</B>" in billing
    legend = statements(dot, '"legend-abandon') + statements(dot, '"legend-width')
    assert [line.split(" ", 1)[0] for line in legend] == [
        '"legend-abandon-3"',
        '"legend-width-0"',
        '"legend-width-1"',
    ]
    assert 'label="20-40% hung up"' in legend[0]


def test_the_mermaid_heat_map_uses_link_styles_and_class_defs(here):
    result = diagram("--traffic", "calls.csv", "--min-calls", "2", "--no-findings", "-f", "mermaid")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "flowchart TD\n"
        "    %% menu.yaml · heat map of 10 logged calls, counts under 2 not shown\n"
        '    n1["<b>main</b><br/><b>10 calls, 20% hung up</b><br/>'
        '<i>“For billing press 1. For sales press 2.”</i>"]\n'
        '    n2(["<b>billing</b><br/>queue:billing<br/><b>6 calls</b>"])\n'
        '    n3(("<b>sales</b><br/>hangs up: unavailable<br/><b>2 calls</b><br/>'
        '<i>“Sales is closed. Goodbye.”</i>"))\n'
        '    n1 -->|"1 · 6 calls"| n2\n'
        '    n1 -->|"2 · 2 calls"| n3\n'
        '    n1 -->|"no input, no match · 2 calls"| n1\n'
        '    n2 -->|"fail"| n3\n'
        "    classDef t_menu fill:#dce8f5,stroke:#2f5d8a,color:#1b1b1b\n"
        "    classDef t_human fill:#b9e4bb,stroke:#2e7d32,color:#1b1b1b\n"
        "    classDef t_dead_end fill:#f9d6d5,stroke:#b23b3b,color:#1b1b1b\n"
        "    classDef abandon_3 fill:#ff9f80,color:#1b1b1b\n"
        "    class n1 t_menu\n"
        "    class n2 t_human\n"
        "    class n3 t_dead_end\n"
        "    class n1 abandon_3\n"
        "    linkStyle 3 stroke:#b0bec5,stroke-width:1px\n"
        "    linkStyle 1,2 stroke-width:2.4px\n"
        "    linkStyle 0 stroke-width:5.2px\n"
    )


def test_no_count_under_min_calls_reaches_the_picture(here):
    for output in ("dot", "mermaid"):
        result = diagram("--traffic", "calls.csv", "--min-calls", "3", "-f", output)
        assert result.exit_code == 0, result.output
        assert "2 calls" not in result.stdout  # sales, key 2, no input: 2 calls each
        assert "under 3 calls" in result.stdout  # sales says so
        assert "6 calls" in result.stdout and "10 calls" in result.stdout


def test_a_counts_file_draws_the_same_heat_map_as_its_logs(here):
    made = CliRunner().invoke(main, ["traffic", "calls.csv", "--counts", "c.parquet"])
    assert made.exit_code == 0, made.output
    from_logs = diagram("--traffic", "calls.csv")
    from_counts = diagram("--traffic", "c.parquet")
    assert from_logs.exit_code == from_counts.exit_code == 0
    assert from_logs.stdout == from_counts.stdout
    refused = diagram("--traffic", "c.parquet", "--min-calls", "2")
    assert refused.exit_code == 2
    assert "--min-calls is for logs: a counts file keeps its own" in refused.stderr
    alone = diagram("--min-calls", "2")
    assert alone.exit_code == 2
    assert "--log-format and --min-calls go with --traffic" in alone.stderr


def test_logs_that_name_no_node_say_so(here):
    Path("other.csv").write_text(
        "call_id,node,seq\n" + "".join(f"c{n},elsewhere,1\n" for n in range(6)), encoding="utf-8"
    )
    result = diagram("--traffic", "other.csv")
    assert result.exit_code == 0
    assert "ivraudit: traffic: the logs (6 calls) name no node of this menu" in result.stderr


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz")
def test_the_html_report_of_check_traffic_shows_the_heat_map(here):
    runner = CliRunner()
    heated = runner.invoke(main, ["check", "menu.yaml", "--traffic", "calls.csv", "-f", "html"])
    plain = runner.invoke(main, ["check", "menu.yaml", "-f", "html"])
    assert heated.exit_code == plain.exit_code == 1
    assert "<h3>Heat map <small>" in heated.stdout
    assert 'class="graph heat_map"' in heated.stdout
    assert "heat map of 10 logged calls, counts under 5 not shown" in heated.stdout
    assert "<h3>Diagram " in plain.stdout and "heat_map" not in plain.stdout


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz")
def test_png_svg_and_pdf_are_rendered(here):
    for suffix, magic in ((".png", b"\x89PNG"), (".svg", b"<?xml"), (".pdf", b"%PDF")):
        result = diagram("--traffic", "calls.csv", "-o", f"heat{suffix}")
        assert result.exit_code == 0, result.output
        assert Path(f"heat{suffix}").read_bytes().startswith(magic)


# -- the heat itself ----------------------------------------------------------------------

OPTIONS = """\
ivraudit: 1
start: main
nodes:
  main:
    type: menu
    say: For sales press 1 or 2. For billing press 3.
    options: {"1": sales, "2": sales, "3": billing}
  sales: {type: transfer, target: "queue:sales"}
  billing: {type: transfer, target: "queue:billing"}
"""


def test_a_log_without_keys_tells_apart_only_edges_to_different_nodes(tmp_path):
    menu = load(OPTIONS)
    counts = Counts(
        calls=40,
        steps=80,
        min_calls=5,
        nodes=(
            NodeCount("", "main", 40, 40, None),
            NodeCount("", "sales", 30, 30, 30),
            NodeCount("", "billing", 10, 10, 10),
        ),
        edges=(
            EdgeCount("", "main", "", "sales", "", 30, 30),
            EdgeCount("", "main", "", "billing", "", 10, 10),
        ),
    )
    heat = heat_map(menu, to_graph(menu), counts, MenuNames(nodes=set(menu.nodes)))
    assert heat.edges == {
        ("main", "key:1"): EdgeHeat(30, known=False, shared=2),
        ("main", "key:2"): EdgeHeat(30, known=False, shared=2),
        ("main", "key:3"): EdgeHeat(10),
        ("main", "no_input"): EdgeHeat(None),
        ("main", "no_match"): EdgeHeat(None),
    }
    # Under 5 ended at main, of 40: at most 10 %, not surely under 5 %: not known.
    assert heat.nodes["main"] == NodeHeat(40, None, None, False)
    assert heat.nodes["sales"] == NodeHeat(30, None, None, True)
    assert heat.reached


def test_the_scales_are_bounded():
    assert [width_of(n, 200) for n in (None, 0, 1, 100, 200, 400)] == [1.0, 1.0, 1.0, 4.5, 8.0, 8.0]
    assert [band_of(s) for s in (0.0, 0.049, 0.05, 0.1, 0.2, 0.4, 1.0)] == [0, 0, 1, 2, 3, 4, 4]
    look = node_look(NodeHeat(400, None, 0.0, False), 5)  # under 5 of 400: under 5 %
    assert (look.fill, look.line, look.band) == ("#e3f2e1", "400 calls, under 5 hung up", "0")
    look = node_look(NodeHeat(None, None, None, False), 5)
    assert (look.fill, look.line, look.band) == ("#ffffff", "under 5 calls", "unknown")


def test_a_studio_log_heats_the_options_by_the_widget_they_lead_to(tmp_path):
    from ivraudit.formats import load_all
    from ivraudit.traffic import aggregate, menu_names
    from tests.traffic.test_platforms import TWILIO_FLOW, twilio_steps, write

    log = write(tmp_path / "steps.json", twilio_steps())
    counts = aggregate([str(log)], 1)
    (menu,) = load_all(str(TWILIO_FLOW))
    heat = heat_map(menu, to_graph(menu), counts, menu_names([str(TWILIO_FLOW)]))
    options = {key: value for (node, key), value in heat.edges.items() if node == "main_menu"}
    # A Studio step has no digit: an option is known by the widget it leads to, and the
    # edges to one widget share its calls (drawn as one edge, they show the total).
    assert options == {
        "key:1": EdgeHeat(1, False, 3),
        "speech:sales": EdgeHeat(1, False, 3),
        "speech:buy": EdgeHeat(1, False, 3),
        "key:2": EdgeHeat(0, False, 2),
        "speech:support": EdgeHeat(0, False, 2),
        "key:3": EdgeHeat(1, False, 2),
        "key:4": EdgeHeat(1, False, 2),
        "key:0": EdgeHeat(1),
        "no_input": EdgeHeat(1),
        "no_match": EdgeHeat(0),
    }
    assert heat.nodes["main_menu"] == NodeHeat(4, 1, 0.25, False)
    result = CliRunner().invoke(
        main,
        ["diagram", str(TWILIO_FLOW), "--traffic", str(log), "--min-calls", "1", "-f", "mermaid"],
    )
    assert result.exit_code == 0, result.output
    edges = [line.strip() for line in result.stdout.splitlines() if "-->" in line]
    assert 'n5 -->|"1, #34;sales#34;, #34;buy#34; · 1 call"| n12' in edges
    assert 'n5 -->|"3, 4 · 1 call"| n7' in edges

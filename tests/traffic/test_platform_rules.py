"""The rules that need traffic (TR001-TR004) on a platform's own flow and log: the names
the log gives the nodes (a Connect block's Identifier, an Asterisk ``context,exten``) are
matched to them as ``check --traffic`` matches findings, so the rules judge the flow.

The logs are written by the generator (benchmarks/traffic_generate.py) walking the
fixture, in the platform's log format; every number the rules say is checked against
what the generator wrote.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ivraudit.cli import main
from ivraudit.traffic import aggregate, menu_names
from ivraudit.traffic.plain import traffic_data

pytest.importorskip("duckdb")

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "benchmarks" / "traffic_generate.py"
_spec = importlib.util.spec_from_file_location("traffic_generate", GENERATOR)
assert _spec is not None and _spec.loader is not None
traffic_generate = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = traffic_generate  # its dataclass looks itself up there
_spec.loader.exec_module(traffic_generate)

CONNECT_FLOW = ROOT / "tests" / "formats" / "connect" / "fixtures" / "main-line.json"
DIALPLAN = ROOT / "tests" / "formats" / "asterisk" / "fixtures" / "main_menu.conf"
#: The Identifier of the Get customer input (Lex) block, option 2 of 'Main menu'.
LEX = "00000000-0000-4000-8000-000000000011"

#: 600 calls (over 6 hours: one day); at 'Main menu' key 2 is chosen three times as often
#: as key 1 and key 0 never; no block errs, the hours are open, Lex hears nothing it
#: knows, and the branches take their first case.
CONNECT_FOUND = """\
main-line.json:105:5: TR001 info: menu 'Main menu' announces options 1, 2 but callers choose 2 72%, 1 28%: announcing them in order of use would save about 558 caller-seconds a day (432 choices a day, 6 s prompt) (481 calls, 80.2%)
main-line.json:105:5: TR003 warning: 23% of the 481 logged calls that reached 'Main menu' hung up there (111 calls), more than the limit of 20% (481 calls, 80.2%)
main-line.json:133:11: TR002 info: option 0 of menu 'Main menu' (to 'Set working queue') was chosen by fewer than 5 of the 481 logged calls that reached the menu (481 calls, 80.2%)
main-line.json:309:5: TR004 warning: callers who reached a person took about 15 s from the start on average over 76 logged calls ('Transfer to phone number' 15 s (48 calls), 'Transfer to queue' 15 s (28 calls); times logged), more than the limit of 5 s (48 calls, 8.0%)
4 findings (0 errors, 2 warnings, 2 info) in 1 file.
2 routes leave what was read: 2 in files or flows not given (--unknowns lists them).
"""  # noqa: E501

#: 600 calls; at the menu key 2 is never pressed, and three callers in ten hang up at
#: each step.  CEL's times are 2 s a step: the people are reached 2 s in.
CEL_FOUND = """\
main_menu.conf:16:2: TR003 warning: 35% of the 600 logged calls that reached 'bank-main,s,menu' hung up there (210 calls), more than the limit of 20% (600 calls, 100.0%)
main_menu.conf:21:1: TR002 info: option 2 of menu 'bank-main,s,menu' (to 'bank-main,2,1') was chosen by fewer than 5 of the 600 logged calls that reached the menu (600 calls, 100.0%)
main_menu.conf:25:1: TR004 warning: callers who reached a person took about 2 s from the start on average over 172 logged calls ('bank-main,0,1' 2 s (86 calls), 'bank-main,_9XX,1' 2 s (86 calls); times logged), more than the limit of 1 s (86 calls, 14.3%)
main_menu.conf:30:1: TR003 warning: 36% of the 69 logged calls that reached 'bank-main,i,1' hung up there (25 calls), more than the limit of 20% (69 calls, 11.5%)
4 findings (0 errors, 3 warnings, 1 info) in 1 file.
"""  # noqa: E501


def check(menu: str, limit: int, log: str) -> tuple[int, str]:
    Path("ivraudit.toml").write_text(f"max_seconds_to_human = {limit}\n", encoding="utf-8")
    args = ["check", menu, "--config", "ivraudit.toml", "--select", "TR", "--no-witness"]
    run = CliRunner().invoke(main, [*args, "--traffic", log])
    return run.exit_code, run.stdout


def counted(log: str) -> str:
    made = CliRunner().invoke(main, ["traffic", log, "--counts", "counts.parquet"])
    assert made.exit_code == 0, made.output
    return "counts.parquet"


def same_as_generated(log: str, truth: traffic_generate.Truth) -> bool:
    """Whether every count of ``log`` is what the generator says it wrote."""
    counts = aggregate([log], min_calls=1)
    nodes = {n.node: (n.calls, n.steps, n.ended) for n in counts.nodes}
    edges = {(e.node, e.to_node, e.key): (e.calls, e.steps) for e in counts.edges}
    return (
        (counts.calls, counts.steps) == (truth.calls, truth.steps)
        and nodes == {n: (truth.reached[n], truth.visits[n], truth.ended[n]) for n in truth.reached}
        and edges == {e: (truth.edge_calls[e], truth.edge_steps[e]) for e in truth.edge_calls}
    )


def test_the_tr_rules_match_a_connect_flow_by_its_blocks_identifiers(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(CONNECT_FLOW, "main-line.json")
    weights = {"1": 1, "2": 3, "0": 0, "closed": 0, "error": 0, "speech": 0, "else": 0}
    truth = traffic_generate.generate(
        "main-line.json", "flow-logs.jsonl", 600, 3, weights, log_format="connect-flow-logs"
    )
    assert same_as_generated("flow-logs.jsonl", truth)
    assert check("main-line.json", 5, "flow-logs.jsonl") == (1, CONNECT_FOUND)
    # The counts file (with its times) gives the same findings.
    assert check("main-line.json", 5, counted("flow-logs.jsonl")) == (1, CONNECT_FOUND)
    # Every number is the generator's, in the log's names: 'Main menu' is its own
    # Identifier, the other blocks have UUIDs.
    assert (truth.reached["Main menu"], truth.ended["Main menu"]) == (481, 111)
    chosen = {
        key: truth.edge_calls[("Main menu", nxt, key)]
        for key, nxt in [("1", "Account number"), ("2", LEX)]
    }
    assert chosen == {"1": 123, "2": 309}
    assert (
        sum(
            calls
            for (node, _, key), calls in truth.edge_calls.items()
            if node == "Main menu" and key == "0"
        )
        == 0
    )
    assert truth.reached["00000000-0000-4000-8000-000000000010"] == 48  # Transfer to phone number
    assert truth.reached["00000000-0000-4000-8000-000000000015"] == 28  # Transfer to queue


def test_the_tr_rules_match_a_dialplan_by_its_cel_context_and_extension(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(DIALPLAN, "main_menu.conf")
    truth = traffic_generate.generate(
        "main_menu.conf", "Master.csv", 600, 3, {"2": 0}, hangup=0.3, log_format="asterisk-cel"
    )
    assert same_as_generated("Master.csv", truth)
    assert check("main_menu.conf", 1, "Master.csv") == (1, CEL_FOUND)
    assert check("main_menu.conf", 1, counted("Master.csv")) == (1, CEL_FOUND)
    # CEL names no priority: the menu 'bank-main,s,menu' is met as 'bank-main,s', the
    # pattern _9XX as the extension dialled (900), 'i' (no match) as 'bank-main,i'.
    assert (truth.reached["bank-main,s"], truth.ended["bank-main,s"]) == (600, 210)
    assert (truth.reached["bank-main,i"], truth.ended["bank-main,i"]) == (69, 25)
    assert (truth.reached["bank-main,0"], truth.reached["bank-main,900"]) == (86, 86)
    assert truth.reached["bank-main,2"] == 0


def test_the_rules_get_the_counts_renamed_to_node_ids(tmp_path, monkeypatch):
    # What check --traffic hands the rules: each log name's rows given to the nodes it
    # stands for.  An extension of several priorities gives each its calls, but no
    # 'ended' (who ended at which priority is not known); the Goto-only extension
    # 'bank-main,1' the importer folds into the menu's edge stays as the log names it.
    monkeypatch.chdir(tmp_path)
    shutil.copy(DIALPLAN, "main_menu.conf")
    truth = traffic_generate.generate(
        "main_menu.conf", "Master.csv", 600, 3, {"2": 0}, hangup=0.3, log_format="asterisk-cel"
    )
    data = traffic_data(aggregate(["Master.csv"], times=True), menu_names(["main_menu.conf"]))
    nodes = {row["node"]: (row["calls"], row["ended"], row["seconds"]) for row in data["nodes"]}
    assert nodes == {
        "bank-accounts,s,1": (74, None, 4.0),
        "bank-accounts,s,2": (74, None, 4.0),
        "bank-accounts,s,3": (74, None, 4.0),
        "bank-accounts,s,4": (74, None, 4.0),
        "bank-main,0,1": (86, 82, 2.0),
        "bank-main,1": (74, 0, 2.0),
        "bank-main,_9XX,1": (86, None, 2.0),
        "bank-main,_9XX,<end>": (86, None, 2.0),
        "bank-main,#,1": (70, 70, 2.0),
        "bank-main,closed,1": (57, 57, 4.0),
        "bank-main,i,1": (69, 25, 2.0),
        "bank-main,s,menu": (600, 210, 0.0),
        "bank-main,t": (53, 0, 2.0),
    }
    # 4 of the 86 callers at the operator went on to 'closed' (Dial, then Goto), as the
    # 53 who said nothing ('t') did.
    assert (truth.ended["bank-main,0"], truth.reached["bank-main,closed"]) == (82, 57)
    keys = {(e["node"], e["to_node"], e["key"]): e["calls"] for e in data["edges"]}
    assert {k: v for k, v in keys.items() if k[0] == "bank-main,s,menu"} == {
        ("bank-main,s,menu", "bank-main,0,1", "0"): 86,
        ("bank-main,s,menu", "bank-main,1", "1"): 74,
        ("bank-main,s,menu", "bank-main,900", ""): 86,
        ("bank-main,s,menu", "bank-main,#,1", "#"): 70,
        ("bank-main,s,menu", "bank-main,i,1", "no_match"): 69,
        ("bank-main,s,menu", "bank-main,t", "no_input"): 53,
        # Leaving the extensions folded into the menu's edges ('1', 't'), as the report
        # per menu counts them.
        ("bank-main,s,menu", "bank-accounts,s", ""): 74,
        ("bank-main,s,menu", "bank-main,closed,1", ""): 53,
    }


def test_a_studio_split_folded_into_its_menu_gives_the_menu_its_edges(tmp_path):
    # Studio logs the Split after a Gather as a step of its own ('main_keys'); the
    # importer folds it into the menu 'main_menu', so its edges also leave the menu, and
    # the rules tell the options apart by where they lead (a Studio step has no digit).
    from tests.traffic.test_platforms import TWILIO_FLOW, twilio_steps, write

    log = write(tmp_path / "steps.json", twilio_steps())
    data = traffic_data(aggregate([str(log)], min_calls=1), menu_names([str(TWILIO_FLOW)]))
    leaving = {
        (e["to_node"], e["key"]): e["calls"] for e in data["edges"] if e["node"] == "main_menu"
    }
    assert leaving == {
        ("main_keys", ""): 3,
        ("main_menu", "no_input"): 1,
        ("account_number", ""): 1,
        ("operator", ""): 1,
        ("sales", ""): 1,
    }

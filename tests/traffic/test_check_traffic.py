"""`ivraudit check --traffic`: findings weighed by logged calls, sorted by them, gated on
their share, and the nodes the logs name that the menu lacks (drift)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ivraudit.cli import main

MENU = """\
ivraudit: 1
start: main
nodes:
  main:
    type: menu
    say: For billing press 1. For sales press 2.
    options: {"1": billing, "2": sales}
    no_input: main
    no_match: main
  billing: {type: transfer, target: "queue:billing", fail: sales}
  sales: {type: hangup, reason: unavailable, say: Sales is closed. Goodbye.}
"""

DE003 = (
    "DE003 warning: 'sales' hangs up without service after \"Sales is closed. Goodbye.\" "
    "(reason unavailable, declared)"
)
MN002 = "MN002 warning: menu 'main' has no operator key 0: callers cannot ask for a person"
DRIFT = (
    "ivraudit: traffic: 5 steps name 1 node not in this menu: old_promo "
    "(the deployed menu differs from the one checked)\n"
)


def calls(sales: int = 6) -> str:
    """30 calls press 1 for billing, ``sales`` press 2, 4 hang up at main, and 5 press 3
    for 'old_promo', a node the menu no longer has (45 calls with 6 to sales)."""
    rows = ["call_id,node,seq,key"]
    plan = [("1", "billing")] * 30 + [("2", "sales")] * sales + [("", "")] * 4
    plan += [("3", "old_promo")] * 5
    for number, (key, node) in enumerate(plan):
        rows.append(f"+4420700{number:05d},main,1,{key}")
        if node:
            rows.append(f"+4420700{number:05d},{node},2,")
    return "\n".join(rows) + "\n"


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    Path("menu.yaml").write_text(MENU, encoding="utf-8")
    Path("calls.csv").write_text(calls(), encoding="utf-8")
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, ["check", "menu.yaml", "--no-witness", *args])


def test_each_finding_says_its_calls_and_share_and_the_most_called_comes_first(here):
    result = run("--traffic", "calls.csv")
    assert result.exit_code == 1
    assert result.stdout == (
        f"menu.yaml:4:3: {MN002} (45 calls, 100.0%)\n"
        f"menu.yaml:11:3: {DE003} (6 calls, 13.3%)\n"
        "2 findings (0 errors, 2 warnings, 0 info) in 1 file.\n"
    )
    assert result.stderr == DRIFT


def test_without_traffic_the_report_is_as_before(here):
    result = run()
    assert result.stdout == (
        f"menu.yaml:4:3: {MN002}\nmenu.yaml:11:3: {DE003}\n"
        "2 findings (0 errors, 2 warnings, 0 info) in 1 file.\n"
    )
    report = json.loads(run("-f", "json").stdout)
    assert "traffic" not in report
    assert all("calls" not in finding for finding in report["findings"])


def test_sorting_by_calls_puts_the_busier_fault_first(here):
    # In file order DE003 ('sales', line 10) comes before DE007 ('billing', line 11);
    # billing has 30 calls and sales 6, so by calls DE007 comes first.
    Path("menu.yaml").write_text(
        MENU.replace(
            '  billing: {type: transfer, target: "queue:billing", fail: sales}\n', ""
        ).replace(
            "Goodbye.}\n", 'Goodbye.}\n  billing: {type: transfer, target: "queue:billing"}\n'
        ),
        encoding="utf-8",
    )
    result = run("--traffic", "calls.csv")
    assert result.stdout == (
        f"menu.yaml:4:3: {MN002} (45 calls, 100.0%)\n"
        "menu.yaml:11:3: DE007 info: human transfer 'billing' has no 'fail' route for busy, "
        "no answer or a full queue (30 calls, 66.7%)\n"
        f"menu.yaml:10:3: {DE003} (6 calls, 13.3%)\n"
        "3 findings (0 errors, 2 warnings, 1 info) in 1 file.\n"
    )


def test_a_count_under_min_calls_is_not_shown(here):
    Path("calls.csv").write_text(calls(sales=4), encoding="utf-8")
    result = run("--traffic", "calls.csv")
    assert result.stdout.splitlines()[1] == f"menu.yaml:11:3: {DE003} (under 5 calls)"
    report = json.loads(run("--traffic", "calls.csv", "-f", "json").stdout)
    assert [(f["rule"], f["calls"], f["share"]) for f in report["findings"]] == [
        ("MN002", 43, 1.0),
        ("DE003", None, None),
    ]


def test_json_v2_gives_calls_share_and_the_traffic_read(here):
    result = run("--traffic", "calls.csv", "-f", "json")
    report = json.loads(result.stdout)
    assert report["version"] == 2
    assert [(f["rule"], f["node"], f["calls"], f["share"]) for f in report["findings"]] == [
        ("MN002", "main", 45, 1.0),
        ("DE003", "sales", 6, 0.133333),
    ]
    assert report["traffic"] == {
        "calls": 45,
        "steps": 86,
        "min_calls": 5,
        "drift": {"steps": 5, "nodes": ["old_promo"]},
    }
    assert "+44" not in result.stdout


def test_json_v1_gives_them_too(here):
    report = json.loads(run("--traffic", "calls.csv", "-f", "json", "--json-version", "1").stdout)
    assert report["version"] == 1
    assert [(f["rule"], f["calls"], f["share"]) for f in report["findings"]] == [
        ("MN002", 45, 1.0),
        ("DE003", 6, 0.133333),
    ]
    assert report["traffic"]["calls"] == 45


def test_a_counts_file_weighs_findings_as_the_logs_do(here):
    made = CliRunner().invoke(main, ["traffic", "calls.csv", "--counts", "counts.parquet"])
    assert made.exit_code == 0
    from_logs = run("--traffic", "calls.csv")
    from_counts = run("--traffic", "counts.parquet")
    assert from_counts.stdout == from_logs.stdout
    assert from_counts.stderr == from_logs.stderr == DRIFT


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--fail-on-share", "0.2"], 1),  # MN002: 100% of calls
        (["--select", "DE003", "--fail-on-share", "0.2"], 0),  # 13.3% < 20%
        (["--select", "DE003", "--fail-on-share", "0.1"], 1),
        (["--select", "DE003", "--fail-on-share", "0.1", "--fail-on", "error"], 0),
        (["--select", "DE003", "--fail-on-share", "0.133333"], 1),
    ],
)
def test_fail_on_share_fails_only_on_findings_hurting_that_share(here, args, code):
    assert run("--traffic", "calls.csv", *args).exit_code == code


def test_a_suppressed_count_never_fails_the_share_gate(here):
    Path("calls.csv").write_text(calls(sales=4), encoding="utf-8")
    assert run("--traffic", "calls.csv", "--select", "DE003", "--fail-on-share", "0").exit_code == 0


def test_fail_on_share_needs_traffic(here):
    result = run("--fail-on-share", "0.01")
    assert result.exit_code == 2
    assert "--fail-on-share goes with --traffic" in result.stderr


def test_an_unreadable_log_stops_the_check_with_exit_2(here):
    Path("bad.csv").write_text("call,step\n1,main\n", encoding="utf-8")
    result = run("--traffic", "bad.csv")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "ivraudit: error: bad.csv: a call log needs the columns call_id, node and seq (or at); "
        "missing call_id, node, seq or at (found: none of them)\n"
    )

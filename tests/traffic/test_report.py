"""`ivraudit traffic MENU LOGS`: where the logged calls went in a menu (outcomes and their
times, abandonment, option shares, no-input and no-match rates), exactly."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from ivraudit.cli import main
from tests.traffic.test_platforms import TWILIO_FLOW, twilio_steps, write


def calls() -> str:
    """Ten calls, placed by 'at': six press 1 (billing reached after 4 s four times,
    8 s twice), two are silent once then press 2 (sales after 10 s), two hang up at main."""
    rows = ["call_id,node,at,key"]
    plan = [4, 4, 4, 4, 8, 8]
    for number, seconds in enumerate(plan):
        rows.append(f"+44207000{number:04d},main,2026-03-02T10:00:00Z,1")
        rows.append(f"+44207000{number:04d},billing,2026-03-02T10:00:{seconds:02d}Z,")
    for number in (6, 7):
        rows.append(f"+44207000{number:04d},main,2026-03-02T10:00:00Z,no_input")
        rows.append(f"+44207000{number:04d},main,2026-03-02T10:00:05Z,2")
        rows.append(f"+44207000{number:04d},sales,2026-03-02T10:00:10Z,")
    for number in (8, 9):
        rows.append(f"+44207000{number:04d},main,2026-03-02T10:00:00Z,")
    return "\n".join(rows) + "\n"


def run(*args: str):
    return CliRunner().invoke(main, ["traffic", *args])


def test_the_report_in_json(here):
    result = run("menu.yaml", "calls.csv", "--min-calls", "2", "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "menus": [
            {
                "file": "menu.yaml",
                "menu": "",
                "calls": 10,
                "min_calls": 2,
                "outcomes": [
                    {
                        "node": "billing",
                        "kind": "transfer",
                        "calls": 6,
                        "share": 0.6,
                        "median_seconds": 4.0,
                        "p95_seconds": 8.0,
                    },
                    {
                        "node": "sales",
                        "kind": "hangup",
                        "calls": 2,
                        "share": 0.2,
                        "median_seconds": 10.0,
                        "p95_seconds": 10.0,
                    },
                ],
                "nodes": [
                    {
                        "node": "main",
                        "kind": "menu",
                        "calls": 10,
                        "abandoned": 2,
                        "abandoned_known": True,
                    },
                    {
                        "node": "billing",
                        "kind": "transfer",
                        "calls": 6,
                        "abandoned": None,
                        "abandoned_known": False,
                    },
                    {
                        "node": "sales",
                        "kind": "hangup",
                        "calls": 2,
                        "abandoned": None,
                        "abandoned_known": False,
                    },
                ],
                "menus": [
                    {
                        "node": "main",
                        "calls": 10,
                        "options": [
                            {
                                "key": "1",
                                "target": "billing",
                                "calls": 6,
                                "share": 0.6,
                                "known": True,
                            },
                            {
                                "key": "2",
                                "target": "sales",
                                "calls": 2,
                                "share": 0.2,
                                "known": True,
                            },
                        ],
                        "no_input": 0.2,
                        # No edge with no_match: 0, or one under --min-calls: not said.
                        "no_match": None,
                    }
                ],
                "drift": {"steps": 0, "nodes": []},
            }
        ]
    }


def test_the_report_in_text_suppresses_small_counts(here):
    result = run("menu.yaml", "calls.csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "menu.yaml: 10 logged calls (counts under 5 calls are suppressed)\n"
        "outcomes (calls, share, median and 95th-percentile seconds to reach):\n"
        "  billing [transfer]: 6 calls, 60.0%, median 4 s, p95 8 s\n"
        "  sales [hangup]: under 5, -, median -, p95 -\n"
        "nodes (calls that reached them, calls that hung up there; -: not known):\n"
        "  main [menu]: 10 calls, abandoned under 5\n"
        "  billing [transfer]: 6 calls\n"
        "  sales [hangup]: under 5\n"
        "menu main: 10 calls, no input -, no match -\n"
        "  1 -> billing: 6 calls, 60.0%\n"
        "  2 -> sales: under 5, -\n"
    )
    # Nothing from the log but counts and node names.
    assert "+44" not in result.stdout


def test_the_report_of_a_studio_flow_from_its_execution_steps(tmp_path):
    log = write(tmp_path / "steps.json", twilio_steps())
    result = run(str(TWILIO_FLOW), str(log), "--min-calls", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{TWILIO_FLOW}: 6 logged calls (no count is suppressed)\n"
        "outcomes (calls, share, median and 95th-percentile seconds to reach):\n"
        "  check_hours: end of flow [hangup]: 1 call, 16.7%, median 0 s, p95 0 s\n"
        "  sales [transfer]: 1 call, 16.7%, median 0 s, p95 0 s\n"
        "  operator [transfer]: 1 call, 16.7%, median 0 s, p95 0 s\n"
        "  voicemail [voicemail]: 1 call, 16.7%, median 0 s, p95 0 s\n"
        "  goodbye [hangup]: 0 calls, 0.0%, median -, p95 -\n"
        "  support_queue [transfer]: 0 calls, 0.0%, median -, p95 -\n"
        # Flex's empty callFailure ends the flow (its failedToEnqueue goes on): an outcome.
        "  operator: end of flow [hangup]: 0 calls, 0.0%, median -, p95 -\n"
        "nodes (calls that reached them, calls that hung up there; -: not known):\n"
        "  welcome [say]: 6 calls, abandoned 0 calls\n"
        "  check_hours [action]: 6 calls, abandoned 0 calls\n"
        "  check_hours: end of flow [hangup]: 1 call\n"
        "  hours_split [branch]: 5 calls, abandoned 0 calls\n"
        "  main_menu [menu]: 4 calls, abandoned 1 call\n"
        "  invalid [say]: 0 calls, abandoned 0 calls\n"
        "  account_number [ask]: 1 call, abandoned 1 call\n"
        "  save_account [action]: 0 calls, abandoned 0 calls\n"
        "  lookup [action]: 0 calls, abandoned 0 calls\n"
        "  balance [say]: 0 calls, abandoned 0 calls\n"
        "  goodbye [hangup]: 0 calls\n"
        "  sales [transfer]: 1 call\n"
        "  support_queue [transfer]: 0 calls\n"
        "  operator [transfer]: 1 call\n"
        "  operator: end of flow [hangup]: 0 calls\n"
        "  operator (fail) [branch]: 0 calls, abandoned 0 calls\n"
        "  closed_message [say]: 1 call, abandoned 0 calls\n"
        "  voicemail [voicemail]: 1 call\n"
        "menu main_menu: 4 calls, no input 25.0%, no match 0.0%\n"
        # A Studio step has no digit: an option is known by the widget it leads to,
        # through the Split folded into the menu; 3 and 4 both lead to account_number.
        "  1 -> sales: 1 call, 25.0%\n"
        "  2 -> support_queue: 0 calls, 0.0%\n"
        "  3 -> account_number: -, -\n"
        "  4 -> account_number: -, -\n"
        "  0 -> operator: 1 call, 25.0%\n"
    )
    assert "+1415" not in result.stdout


def test_a_menu_that_cannot_be_read_is_exit_2(here):
    Path("broken.yaml").write_text("ivraudit: 1\nstart: [\n", encoding="utf-8")
    result = run("broken.yaml", "calls.csv")
    assert result.exit_code == 2
    assert result.stderr.startswith("broken.yaml:")
    assert result.stdout == ""


def test_the_logs_are_refused_before_the_menu_is_read(here):
    Path("bad.csv").write_text("call_id,step\nc1,main\n", encoding="utf-8")
    result = run("menu.yaml", "bad.csv")
    assert result.exit_code == 2
    assert result.stderr == (
        "ivraudit: error: bad.csv: a call log needs the columns call_id, node and seq (or at); "
        "missing node, seq or at (found: call_id)\n"
    )


def test_format_goes_with_the_report_not_with_counts(here):
    result = run("calls.csv", "--counts", "c.parquet", "-f", "json")
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: --format is for the report (MENU LOGS), not --counts\n")
    assert not Path("c.parquet").exists()

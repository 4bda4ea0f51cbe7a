"""Metrics against hand-computed presses, inputs and seconds."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from ivraudit import Settings, loads
from ivraudit.analysis.metrics import metrics
from ivraudit.cli import main

# Words: welcome 3 (1.2 s at 150 wpm), main 9 (3.6 s), acct 4 (1.6 s).
MENU = """\
ivraudit: 1
id: acme
start: welcome
nodes:
  welcome: {type: say, say: Welcome to Acme., next: main}
  main:
    type: menu
    say: For billing press 1. For an adviser press 0.
    options: {"1": acct, "0": adviser}
    no_input: main
    no_match: main
  acct: {type: ask, say: Enter your account number., collects: account_number, next: billing,
         fail: adviser}
  billing: {type: transfer, target: "queue:billing", passes: [account_number], fail: adviser}
  adviser: {type: transfer, target: "queue:advisers", fail: vm}
  vm: {type: voicemail}
"""


def rows(measured):
    return [
        (o.node, o.kind, o.presses, o.inputs, round(o.seconds, 2), o.route)
        for o in measured.outcomes
    ]


def test_hand_computed_outcomes():
    measured = metrics(loads(MENU))
    assert rows(measured) == [
        # welcome 1.2 + main 3.6 + one key press 2.0
        ("adviser", "human", 1, 1, 6.8, ("0",)),
        # the adviser's busy route costs nothing more
        ("vm", "voicemail", 1, 1, 6.8, ("0", "(fails)")),
        # 6.8 + the account prompt 1.6 + answering 2.0
        ("billing", "human", 1, 2, 10.4, ("1", "[account number]")),
    ]
    assert measured.depth == 1
    assert measured.nearest_human == "adviser"
    assert measured.seconds_to_human == pytest.approx(6.8)
    # options as a caller counts them (MN001): the operator key 0 is not a choice
    assert [(m.node, m.options, round(m.prompt_seconds, 2)) for m in measured.menus] == [
        ("main", 1, 3.6)
    ]
    assert measured.dead_ends == {
        "hangups_without_service": 0,
        "platform_disconnects": 0,
        "silent_ends": 0,
        "nodes_without_outcome": 0,
    }


def test_speaking_rate_and_input_time_are_settings():
    measured = metrics(loads(MENU), Settings(words_per_minute=120, seconds_per_input=3))
    # 0.5 s a word: welcome 1.5 + main 4.5 + one press 3.0
    assert measured.seconds_to_human == pytest.approx(9.0)


def test_silence_and_retries_cost_time():
    menu = loads("""\
ivraudit: 1
start: main
nodes:
  main: {type: menu, say: Press 1., options: {"1": bye}, no_input: main, no_match: main,
         retries: 2, retries_exhausted: adviser, timeout: 4}
  adviser: {type: transfer, target: "queue:a"}
  bye: {type: hangup, reason: completed}
""")
    measured = metrics(menu)
    adviser = next(o for o in measured.outcomes if o.node == "adviser")
    # three tries of (prompt 0.8 s + 4 s timeout), no key pressed
    assert (adviser.presses, round(adviser.seconds, 2), adviser.route) == (
        0,
        14.4,
        ("(retries used up)",),
    )


def test_dead_end_counts():
    menu = loads("""\
ivraudit: 1
start: main
nodes:
  main: {type: menu, say: Press 1 or 2., options: {"1": sorry, "2": info}}
  sorry: {type: hangup, reason: unavailable}
  info: {type: say, say: Bye.}
""")
    assert metrics(menu).dead_ends == {
        "hangups_without_service": 1,
        "platform_disconnects": 1,
        "silent_ends": 1,
        "nodes_without_outcome": 3,
    }
    assert metrics(menu).depth is None


def test_metrics_command_text_and_json(tmp_path):
    path = tmp_path / "menu.yaml"
    path.write_text(MENU, encoding="utf-8")
    runner = CliRunner()
    text = runner.invoke(main, ["metrics", str(path)])
    assert text.exit_code == 0
    assert text.output.splitlines()[:6] == [
        f"{path}: acme",
        "  depth 1; nearest person 'adviser' about 7 s; 6 nodes, 9 edges; 0 dead ends, "
        "0 platform disconnects",
        "  outcome  kind       presses  inputs  seconds  route (fewest presses)",
        "  adviser  human            1       1      6.8  0",
        "  vm       voicemail        1       1      6.8  0 (fails)",
        "  billing  human            1       2     10.4  1 [account number]",
    ]
    data = json.loads(
        runner.invoke(
            main, ["metrics", str(path), "-f", "json", "--words-per-minute", "120"]
        ).output
    )
    assert data["version"] == 1
    assert data["menus"][0]["seconds_to_human"] == 8.0
    assert data["menus"][0]["outcomes"][0] == {
        "node": "adviser",
        "kind": "human",
        "presses": 1,
        "inputs": 1,
        "seconds": 8.0,
        "route": ["0"],
        "line": 15,
    }

"""Entries and roles: which parts callers enter (`ivraudit entries`), and config overrides."""

from __future__ import annotations

import json

from click.testing import CliRunner

from ivraudit.cli import main

MAIN = """\
ivraudit: 1
start: main
nodes:
  main:
    type: menu
    say: To check your PIN press 1. For an adviser press 0.
    options: {"1": verify, "0": adviser}
    no_input: main
    no_match: main
  verify: {type: subflow, menu: verify.yaml, next: adviser}
  adviser: {type: transfer, target: "queue:advisers", fail: voicemail}
  voicemail: {type: voicemail}
"""

VERIFY = """\
ivraudit: 1
start: pin
nodes:
  pin:
    type: ask
    say: Please enter your PIN.
    collects: pin
    next: done
    fail: done
  done: {type: return}
"""


def _estate(tmp_path, config=None):
    (tmp_path / "main.yaml").write_text(MAIN)
    (tmp_path / "verify.yaml").write_text(VERIFY)
    if config is not None:
        (tmp_path / "ivraudit.toml").write_text(config)
    return tmp_path


def test_entries_says_which_part_callers_enter_and_why(tmp_path, monkeypatch):
    monkeypatch.chdir(_estate(tmp_path))
    result = CliRunner().invoke(main, ["entries", "."])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "entry    main.yaml: an ivraudit menu: calls start at its 'start'",
        "reached  verify.yaml: a subflow: it ends in 'return' at 'done'",
        "1 entries, 1 reached, 0 internal.",
    ]
    data = json.loads(CliRunner().invoke(main, ["entries", ".", "-f", "json"]).output)
    assert data[1] == {
        "file": "verify.yaml",
        "flow": "",
        "role": "reached",
        "reason": "a subflow: it ends in 'return' at 'done'",
    }


def test_a_subflow_checked_on_its_own_is_not_a_callers_line(tmp_path, monkeypatch):
    monkeypatch.chdir(_estate(tmp_path))
    result = CliRunner().invoke(main, ["check", "verify.yaml", "--no-witness"])
    assert result.exit_code == 0, result.output
    assert result.output == "0 findings (0 errors, 0 warnings, 0 info) in 1 file.\n"


def test_config_entries_override_the_importers_choice(tmp_path, monkeypatch):
    monkeypatch.chdir(_estate(tmp_path, 'entries = ["verify.yaml"]\n'))
    result = CliRunner().invoke(main, ["entries", "."])
    assert result.output.splitlines() == [
        "entry    verify.yaml: named in config 'entries'",
        "reached  main.yaml: not named in config 'entries'",
        "1 entries, 1 reached, 0 internal.",
    ]
    checked = CliRunner().invoke(main, ["check", "verify.yaml", "--no-witness", "--select", "DP"])
    assert checked.output.splitlines()[0] == (
        "verify.yaml:4:3: DP003 no route from the start reaches a person: it has no human transfer"
    )

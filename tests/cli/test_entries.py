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
        "1 entries, 1 reached, 0 samples, 0 internal.",
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
        "1 entries, 1 reached, 0 samples, 0 internal.",
    ]
    checked = CliRunner().invoke(main, ["check", "verify.yaml", "--no-witness", "--select", "DP"])
    assert checked.output.splitlines()[0] == (
        "verify.yaml:4:3: DP003 warning: no route from the start reaches a person: "
        "it has no human transfer"
    )


# Written from the FreeSWITCH mod_ivr documentation (ivr.conf.xml <menu>): the same
# menu twice, once named as a demo.  Key 1 hangs up after a refusal (DE003) and no
# key reaches a person (DP003); caller-line rules run on the live menu only.
DEMO = """\
<configuration name="ivr.conf" description="IVR menus">
  <menus>
    <menu name="{name}" greet-long="say:For opening hours press 1."
          invalid-sound="ivr/ivr-that_was_an_invalid_entry.wav" max-failures="3">
      <entry action="menu-exec-app" digits="1" param="playback say:We are closed. Goodbye."/>
      <entry action="menu-exec-app" digits="2" param="transfer orphan"/>
      <entry action="menu-top" digits="9"/>
    </menu>
  </menus>
</configuration>
"""


def _demo(tmp_path, config=None):
    (tmp_path / "ivr.conf.xml").write_text(DEMO.format(name="demo_ivr"))
    (tmp_path / "live.xml").write_text(DEMO.format(name="main_ivr"))
    if config is not None:
        (tmp_path / "ivraudit.toml").write_text(config)
    return tmp_path


# Read without a dialplan, what follows 'ivr main_ivr' once the menu gives up is unknown
# (not a hangup), so there is no DE005.
LIVE_FINDINGS = [
    "live.xml:3:5: MN003 warning: menu 'main_ivr' wires keys 2, 9 but its prompt never "
    "announces them",
]


def _rules_and_places(output):
    return [line for line in output.splitlines() if not line.startswith("    fix:")][:-2]


def test_a_part_named_as_a_demo_is_a_sample_with_structural_rules_only(tmp_path, monkeypatch):
    monkeypatch.chdir(_demo(tmp_path))
    listed = CliRunner().invoke(main, ["entries", "."])
    assert listed.output.splitlines() == [
        "entry    live.xml: a top menu; no dialplan was given to say which menus callers start in",
        "sample   ivr.conf.xml: named as a demo ('demo_ivr'): audited for structure only "
        "(config 'audit_samples = true' or 'entries' audits it as a caller's line)",
        "1 entries, 0 reached, 1 samples, 0 internal.",
    ]
    checked = CliRunner().invoke(main, ["check", ".", "--no-witness"])
    assert _rules_and_places(checked.output) == LIVE_FINDINGS


def test_audit_samples_audits_demos_as_caller_lines(tmp_path, monkeypatch):
    monkeypatch.chdir(_demo(tmp_path, "audit_samples = true\n"))
    checked = CliRunner().invoke(main, ["check", ".", "--no-witness"])
    demo = [line.replace("live.xml", "ivr.conf.xml") for line in LIVE_FINDINGS]
    assert (
        _rules_and_places(checked.output)
        == [line.replace("main_ivr", "demo_ivr") for line in demo] + LIVE_FINDINGS
    )


def test_entries_naming_a_sample_audits_it_as_a_callers_line(tmp_path, monkeypatch):
    monkeypatch.chdir(_demo(tmp_path, 'entries = ["demo_ivr"]\n'))
    listed = CliRunner().invoke(main, ["entries", "."])
    assert listed.output.splitlines()[:2] == [
        "entry    ivr.conf.xml: named in config 'entries'",
        "reached  live.xml: not named in config 'entries'",
    ]

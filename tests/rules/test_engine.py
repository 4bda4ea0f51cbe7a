"""The engine: severity, suppression, crashing rules, determinism."""

from __future__ import annotations

from pathlib import Path

from ivraudit import load, loads
from ivraudit.rules import RULES, Rule
from ivraudit.rules.config import config_from_dict
from ivraudit.rules.engine import audit
from tests.conftest import MENUS

MENU = """\
ivraudit: 1
start: main
nodes:
  main:
    type: menu
    say: For billing press 1.
    options: {"1": billing}
    audit: {ignore: [DE004, no-operator], reason: "the platform adds handlers"}
  billing: {type: transfer, target: "queue:billing", fail: billing}
"""


def test_node_level_suppression_is_counted():
    report = audit(loads(MENU), config_from_dict({"select": ["DE004", "MN002", "AU001"]}))
    assert report.findings == []
    assert report.suppressed == 2


def test_a_crashing_rule_becomes_a_finding_and_the_others_still_run(monkeypatch):
    def broken(ctx):
        """Crashes.

        ## Why callers suffer
        x
        ## Example
        x
        ## Fix
        x
        """
        raise KeyError("boom")

    original = RULES["MN004"]
    monkeypatch.setitem(
        RULES, "MN004", Rule("MN004", original.name, original.severity, original.summary, broken)
    )
    report = audit(
        load(MENUS / "telecom-bad.yaml"), config_from_dict({"select": ["MN004", "MN001", "AU002"]})
    )
    assert [f.rule for f in report.findings] == ["AU002", "MN001"]
    crash = report.findings[0].message
    assert crash.startswith("rule MN004 (long-prompt) failed: KeyError: 'boom' at test_engine.py:")


def test_the_demo_menu_lights_up_and_the_good_ones_stay_clean():
    bad = audit(load(MENUS / "telecom-bad.yaml"))
    assert sorted({f.rule for f in bad.findings}) == [
        "DE001",
        "DE002",
        "DE003",
        "DE004",
        "DE005",
        "DE006",
        "DE007",
        "DP001",
        "ID001",
        "ID002",
        "MN001",
        "MN002",
        "MN003",
        "MN004",
        "MN005",
        "MN006",
        "MN007",
        "ST001",
        "ST002",
    ]
    for name in ("bank.yaml", "clinic.yaml", "utility.json"):
        report = audit(load(MENUS / name))
        assert [f for f in report.findings if f.severity.value != "info"] == [], name


def test_findings_are_sorted_and_deterministic():
    first = audit(load(MENUS / "telecom-bad.yaml")).findings
    second = audit(load(MENUS / "telecom-bad.yaml")).findings
    assert first == second
    assert first == sorted(first, key=lambda f: f.sort_key)
    assert len({f.fingerprint for f in first}) == len(first)


def test_a_subflow_used_twice_is_reported_and_suppressed_once(tmp_path):
    (tmp_path / "notice.yaml").write_text("""\
ivraudit: 1
start: notice
nodes:
  notice:
    type: say
    say: Your call is important to us.
    next: slow
    audit: {ignore: [MN005], reason: legal wording}
  slow: {type: say, say: Please visit our website., next: done}
  done: {type: return}
""")
    (tmp_path / "main.yaml").write_text("""\
ivraudit: 1
start: main
nodes:
  main:
    type: menu
    say: For sales press 1. For service press 2. For an adviser press 0.
    options: {"1": first, "2": second, "0": adviser}
    no_input: main
    no_match: main
  first: {type: subflow, menu: notice.yaml, next: adviser}
  second: {type: subflow, menu: notice.yaml, next: adviser}
  adviser: {type: transfer, target: "queue:advisers", fail: voicemail}
  voicemail: {type: voicemail, say: Please leave a message.}
""")
    report = audit(load(tmp_path / "main.yaml"), config_from_dict({"select": ["MN005", "AU"]}))
    notice = str(tmp_path / "notice.yaml")
    assert [(f.rule, f.file, f.line, f.node) for f in report.findings] == [
        ("MN005", notice, 9, "first/slow")
    ]
    assert report.suppressed == 1


ZERO_DROPS = """\
ivraudit: 1
start: main
nodes:
  main:
    type: menu
    say: For billing press 1.
    options: {"1": billing, "0": not_understood}
    no_input: main
    no_match: main
  not_understood: {type: say, say: Sorry I did not understand., next: cut}
  cut: {type: hangup}
  billing: {type: transfer, target: "queue:billing", fail: main}
"""


def test_one_fault_told_by_two_rules_is_reported_once_by_the_first_in_order():
    report = audit(loads(ZERO_DROPS), config_from_dict({"select": ["DE003", "MN002"]}))
    assert [(f.rule, f.node) for f in report.findings] == [("DE003", "cut")]


NEVER_HOLDS = """\
ivraudit: 1
start: speech
nodes:
  speech:
    type: branch
    cases:
      - {when: "become == 'sales'", next: sales, never: "'become' names no variable"}
    else: agent
  sales: {type: say, say: Sales are open 9 to 5., next: agent}
  agent: {type: transfer, target: "queue:agents"}
"""


def test_a_case_that_never_holds_is_told_once_not_again_as_the_place_it_cuts_off():
    menu = loads(NEVER_HOLDS)
    assert [f.rule for f in audit(menu, config_from_dict({"select": ["ST002"]})).findings] == [
        "ST002"
    ]
    both = audit(menu, config_from_dict({"select": ["MN008", "ST002"]}))
    assert [(f.rule, f.node) for f in both.findings] == [("MN008", "speech")]


def test_a_suppressed_finding_hides_no_other_rule_s_finding_of_the_same_fault():
    menu = ZERO_DROPS.replace(
        "  cut: {type: hangup}", "  cut: {type: hangup, audit: {ignore: [DE003], reason: ok}}"
    )
    report = audit(loads(menu), config_from_dict({"select": ["DE003", "MN002"]}))
    assert [(f.rule, f.node) for f in report.findings] == [("MN002", "main")]
    assert report.suppressed == 1


def test_one_fault_in_a_subflow_used_twice_is_told_once_by_one_rule(tmp_path):
    (tmp_path / "account.yaml").write_text("""\
ivraudit: 1
start: account
nodes:
  account:
    type: menu
    say: For your balance press 1.
    options: {"1": balance, "0": not_understood}
    no_input: account
    no_match: account
  not_understood: {type: say, say: Sorry I did not understand., next: cut}
  cut: {type: hangup}
  balance: {type: say, say: Your balance is ten pounds., next: done}
  done: {type: return}
""")
    (tmp_path / "main.yaml").write_text("""\
ivraudit: 1
start: main
nodes:
  main:
    type: menu
    say: For your account press 1. For savings press 2. For an adviser press 0.
    options: {"1": first, "2": second, "0": adviser}
    no_input: main
    no_match: main
  first: {type: subflow, menu: account.yaml, next: main}
  second: {type: subflow, menu: account.yaml, next: main}
  adviser: {type: transfer, target: "queue:advisers", fail: main}
""")
    report = audit(load(tmp_path / "main.yaml"), config_from_dict({"select": ["DE003", "MN002"]}))
    assert [(f.rule, Path(f.file).name, f.line) for f in report.findings] == [
        ("DE003", "account.yaml", 11)
    ]

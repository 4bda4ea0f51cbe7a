"""The engine: severity, suppression, crashing rules, determinism."""

from __future__ import annotations

from ivraudit import audit, load, loads
from ivraudit.config import config_from_dict
from ivraudit.rules import RULES, Rule

from .conftest import MENUS

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
    assert crash.startswith("rule MN004 (long-prompt) failed: KeyError: 'boom' at test_audit.py:")


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

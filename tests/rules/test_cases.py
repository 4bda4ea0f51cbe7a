"""Every rule's cases, kept as data in tests/rules/cases/<ID>.yaml (sqlfluff style).

Each case is a small menu and the exact findings the rule must produce for it:
rule, node, message, and the witness route as node ids.  ``config`` may set
thresholds or other config keys for the case; ``traffic`` gives call-log counts
(:class:`ivraudit.config.Traffic`) for the rules that need them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ivraudit import loads
from ivraudit.rules import all_rules
from ivraudit.rules.config import config_from_dict
from ivraudit.rules.engine import audit

CASES = Path(__file__).parent / "cases"


def _cases() -> list[Any]:
    params = []
    for path in sorted(CASES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            params.append(pytest.param(data["rule"], case, id=f"{path.stem}-{case['name']}"))
    return params


@pytest.mark.parametrize(("rule_id", "case"), _cases())
def test_rule_case(rule_id: str, case: dict[str, Any]) -> None:
    config = config_from_dict({"select": [rule_id], **case.get("config", {})})
    if "traffic" in case:  # counts from call logs, as check --traffic passes them (TR rules)
        config = config.merged(traffic=case["traffic"])
    # A case is native YAML, or a platform's own text where only a platform can make
    # the fault (a dialplan line Asterisk skips): then it names its format and file.
    menu = loads(case["menu"], case.get("format"), name=case.get("file", "case.yaml"))
    report = audit(menu, config)
    expected = [{"rule": rule_id, **finding} for finding in case["findings"]]
    pairs = zip(report.findings, expected, strict=False)  # extra findings are shown below
    got = [_shown(finding, set(wanted)) for finding, wanted in pairs]
    got += [_shown(finding, set()) for finding in report.findings[len(got) :]]
    assert got == expected


def _shown(finding: Any, keys: set[str]) -> dict[str, Any]:
    """The parts of a finding a case names (rule, node and message always)."""
    values = {
        "rule": finding.rule,
        "node": finding.node,
        "message": finding.message,
        "line": finding.line,
        "witness": [step.node for step in finding.witness],
        "fix": finding.fix,
    }
    return {
        key: value for key, value in values.items() if key in keys | {"rule", "node", "message"}
    }


def test_every_rule_has_a_failing_and_a_passing_case() -> None:
    # AU002: only a crashing rule makes it (tests/rules/test_engine.py).
    engine_made = {"AU002"}
    for current in all_rules():
        if current.id in engine_made:
            continue
        path = CASES / f"{current.id}.yaml"
        assert path.is_file(), f"{current.id} has no cases file"
        cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
        assert any(case["findings"] for case in cases), f"{current.id} has no failing case"
        assert any(not case["findings"] for case in cases), f"{current.id} has no passing case"

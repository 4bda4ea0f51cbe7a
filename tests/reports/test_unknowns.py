"""Routes that leave what was read: counted in the summary, listed on request, never findings."""

from __future__ import annotations

import json

from click.testing import CliRunner

from ivraudit import audit, loads
from ivraudit.cli import main
from ivraudit.reports import RenderOptions, render

MENU = """\
ivraudit: 1
start: main
nodes:
  main:
    type: menu
    say: For billing press 1. For sales press 2. For an adviser press 0.
    options: {"1": billing, "2": sales, "0": adviser}
    no_input: main
    no_match: main
  billing: {type: unknown, reason: not-given, target: "flow:billing"}
  sales: {type: unknown, reason: run-time, target: "${SALES_QUEUE}"}
  adviser: {type: transfer, target: "queue:advisers", fail: voicemail}
  voicemail: {type: voicemail}
  unused: {type: unknown, reason: not-given, target: "flow:unused"}
"""


def test_unknowns_are_counted_and_listed_but_are_not_findings():
    report = audit(loads(MENU, name="line.yaml"))
    assert [f.rule for f in report.findings] == ["ST002"]
    assert [(u.node, u.reason, u.target, u.line) for u in report.unknowns] == [
        ("billing", "not-given", "flow:billing", 10),
        ("sales", "run-time", "${SALES_QUEUE}", 11),
    ]
    text = render(report, "text", RenderOptions(witness=False))
    assert text.splitlines()[-1] == (
        "2 routes leave what was read: 1 run-time target, 1 in a file or flow not given "
        "(--unknowns lists them)."
    )
    listed = render(report, "text", RenderOptions(witness=False, unknowns=True)).splitlines()
    assert listed[1:3] == [
        "line.yaml:10:3: unknown (not-given) 'flow:billing' at 'billing'",
        "line.yaml:11:3: unknown (run-time) '${SALES_QUEUE}' at 'sales'",
    ]
    data = json.loads(render(report, "json"))
    assert data["unknowns"][0] == {
        "file": "line.yaml",
        "line": 10,
        "column": 3,
        "node": "billing",
        "flow": "",
        "reason": "not-given",
        "target": "flow:billing",
    }
    assert (data["summary"]["unknown"], data["summary"]["unknown_by_reason"]) == (
        2,
        {"not-given": 1, "run-time": 1},
    )


def test_unknowns_never_change_the_exit_code(tmp_path):
    menu = tmp_path / "line.yaml"
    menu.write_text(
        MENU.replace('  unused: {type: unknown, reason: not-given, target: "flow:unused"}\n', "")
    )
    result = CliRunner().invoke(main, ["check", str(menu), "--unknowns", "--no-witness"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "2 routes leave what was read: 1 run-time target, 1 in a file or flow not given."
    )

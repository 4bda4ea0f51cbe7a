"""Reports at any size and with any bytes: streamed, shared witness steps, valid UTF-8.

Issue 15: a 100k-node menu with two findings per node needed 7 GB to write its JSON
report; a chain of Goto menus gave a report 150 times its input; a lone surrogate in
a report's data crashed every encoder.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

import ivraudit.reports
from ivraudit.cli import main
from ivraudit.config import Config
from ivraudit.model.findings import GAP, Finding, Report, Severity, Step, elided, numbered
from ivraudit.reports import REPORTERS, RenderOptions, render, sarif, write
from ivraudit.runner import check
from tests.conftest import ROOT

SARIF_SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
LONE = "\ud800"


def _surrogate_report() -> Report:
    steps = (
        Step(node=f"main{LONE}", hears=f"press 1 {LONE}", does="presses 1", via="key", key="1",
             file=f"menu{LONE}.json", line=1, column=1),
        Step(node=f"gone{LONE}", file=f"menu{LONE}.json", line=2, column=3),
    )  # fmt: skip
    finding = Finding(
        rule="ST001", severity=Severity.ERROR, file=f"menu{LONE}.json", line=2, column=3,
        node=f"main{LONE}", message=f"key 1 goes to 'gone{LONE}'", witness=steps,
        fact=LONE, name="missing-target", fix=f"add {LONE}",
    )  # fmt: skip
    return Report(findings=[finding], files=[f"menu{LONE}.json"], rules=["ST001"])


@pytest.mark.parametrize("format", sorted(REPORTERS))
def test_a_lone_surrogate_is_written_as_valid_utf8_in_every_format(format):
    out = io.BytesIO()
    write(_surrogate_report(), format, out)
    text = out.getvalue().decode("utf-8")  # raises on invalid UTF-8
    assert "\\ud800" in text
    if format in ("json", "sarif"):
        # In JSON the escape reads back as the same string.
        assert LONE in json.dumps(json.loads(text), ensure_ascii=False)


def test_a_lone_surrogate_json_report_reads_back_its_node():
    out = io.BytesIO()
    write(_surrogate_report(), "json", out)
    data = json.loads(out.getvalue())
    assert data["findings"][0]["node"] == f"main{LONE}"
    assert data["steps"][data["findings"][0]["witness"][0]]["hears"] == f"press 1 {LONE}"


@pytest.fixture
def report(monkeypatch):
    monkeypatch.chdir(ROOT)
    return check(["menus"], Config()).report


def _resolved(data: dict) -> dict:
    """A version 2 report as version 1 writes it: each index replaced by its step."""
    steps = data.pop("steps")
    for finding in data["findings"]:
        finding["witness"] = [steps[index] for index in finding["witness"]]
    return data | {"version": 1}


def test_json_v2_shares_steps_and_says_what_v1_says(report):
    v1 = json.loads(render(report, "json", RenderOptions(json_version=1)))
    v2 = json.loads(render(report, "json"))
    assert v2["version"] == 2 and v1["version"] == 1
    assert all(isinstance(index, int) for f in v2["findings"] for index in f["witness"])
    uses = sum(len(f["witness"]) for f in v2["findings"])
    assert len(v2["steps"]) < uses  # shared, not repeated
    assert len({json.dumps(step, sort_keys=True) for step in v2["steps"]}) == len(v2["steps"])
    assert _resolved(v2) == v1


def test_json_version_1_on_the_command_line(monkeypatch):
    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    command = ["check", "menus/telecom-bad.yaml", "-f", "json"]
    old = runner.invoke(main, [*command, "--json-version", "1"])
    new = runner.invoke(main, command)
    assert (old.exit_code, new.exit_code) == (1, 1)
    assert _resolved(json.loads(new.stdout)) == json.loads(old.stdout)
    witness = json.loads(old.stdout)["findings"][0]["witness"]
    assert witness and isinstance(witness[0], dict)


def test_no_witness_writes_no_steps(report):
    data = json.loads(render(report, "json", RenderOptions(witness=False)))
    assert data["steps"] == []
    assert {len(f["witness"]) for f in data["findings"]} == {0}


def test_sarif_code_flows_refer_to_shared_thread_flow_locations(report):
    data = json.loads(render(report, "sarif"))
    run = data["runs"][0]
    table = run["threadFlowLocations"]
    indexes = [
        location["index"]
        for result in run["results"]
        for flow in result.get("codeFlows", [])
        for location in flow["threadFlows"][0]["locations"]
    ]
    assert sorted(set(indexes)) == list(range(len(table)))
    assert len(indexes) > len(table)


def test_sarif_beyond_github_limit_keeps_the_most_severe_and_says_so(report, monkeypatch):
    monkeypatch.setattr(sarif, "MAX_RESULTS", 5)
    data = json.loads(render(report, "sarif"))
    run = data["runs"][0]
    assert len(run["results"]) == 5
    left_out = len(report.findings) - 5
    assert run["properties"] == {"ivrauditResultsLeftOut": left_out}
    notice = run["invocations"][0]["toolExecutionNotifications"][-1]
    assert notice["descriptor"] == {"id": "results-left-out"}
    assert notice["message"]["text"].startswith(f"{left_out} of {len(report.findings)} findings")
    errors = sum(f.severity is Severity.ERROR for f in report.findings)
    assert [r["level"] for r in run["results"]].count("error") == min(errors, 5)
    if SARIF_SCHEMA.is_file():
        jsonschema.validate(data, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))


def _goto_chain(folder: Path, menus: int) -> Path:
    lines = ["[from-pstn]", "exten => s,1,Answer()", " same => n,Goto(menu0,s,1)", ""]
    for number in range(menus):
        lines += [
            f"[menu{number}]",
            "exten => s,1,Background(main-menu)",
            " same => n,WaitExten(5)",
            f"exten => 1,1,Goto(menu{number + 1},s,1)",
            "exten => 2,1,Dial(SIP/agent)",
            "",
        ]
    lines += [f"[menu{menus}]", "exten => s,1,Dial(SIP/agent)", ""]
    path = folder / "extensions.conf"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_a_chain_of_goto_menus_gives_reports_proportional_to_it(tmp_path):
    """Fuzz class 5: 20,000 chained menus (2.4 MB) exhausted memory; at 300 menus the
    JSON report was 150 times the dialplan."""
    path = _goto_chain(tmp_path, 300)
    size = path.stat().st_size
    runner = CliRunner()
    ratios = {}
    for format in ("json", "sarif", "text"):
        out = tmp_path / f"report.{format}"
        result = runner.invoke(main, ["check", str(path), "-f", format, "-o", str(out)])
        assert result.exit_code == 1, result.output
        ratios[format] = out.stat().st_size / size
    # Bytes per finding are bounded (a finding per menu or so, SARIF the most verbose).
    assert ratios["json"] < 40 and ratios["text"] < 40 and ratios["sarif"] < 80, ratios
    text = (tmp_path / "report.text").read_text(encoding="utf-8")
    assert "   … (" in text and "more steps not shown)" in text


def test_long_witnesses_are_shown_with_their_ends_and_a_gap():
    witness = tuple(Step(node=f"m{n}", via="key", key="1") for n in range(100))
    shown = elided(witness, 20)
    assert len(shown) == 20
    assert shown[10].node == GAP and shown[10].key == "81"
    assert [number for number, _ in numbered(shown)][9:12] == [10, 91, 92]
    assert shown[-1] == witness[-1]
    # A gap already in the route counts the steps it stood for.
    again = elided((*witness[:15], Step(node=GAP, key="40"), *witness[15:50]), 20)
    assert again[10].key == str(40 + 31)


def test_without_witness_the_rules_find_the_same(monkeypatch):
    monkeypatch.chdir(ROOT)
    full = check(["menus"], Config()).report.findings
    bare = check(["menus"], Config(), witness=False).report.findings
    assert [(f.rule, f.node, f.message, len(f.witness)) for f in bare] == [
        (f.rule, f.node, f.message, len(f.witness)) for f in full
    ]
    assert all(step.hears is None for f in bare for step in f.witness)


def test_a_failing_stream_leaves_the_previous_report(tmp_path, monkeypatch):
    out = tmp_path / "report.json"
    out.write_text("previous report\n")

    def broken(report, options):
        yield "{\n"
        raise RuntimeError("disk full")

    streamed = dict(ivraudit.reports._STREAMED)
    streamed[ivraudit.reports.json_report.render] = broken
    monkeypatch.setattr(ivraudit.reports, "_STREAMED", streamed)
    result = CliRunner().invoke(
        main, ["check", str(ROOT / "menus" / "bank.yaml"), "-f", "json", "-o", str(out)]
    )
    assert result.exit_code == 2
    assert "internal error: RuntimeError: disk full" in result.stderr
    assert out.read_text() == "previous report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_a_text_only_stdout_still_gets_the_whole_report(monkeypatch):
    import io
    import sys

    from ivraudit import audit, loads
    from ivraudit.cli.common import write_report
    from ivraudit.reports import RenderOptions, render

    report = audit(loads("ivraudit: 1\nstart: a\nnodes:\n  a: {type: say, say: Hi, next: b}\n"))
    captured = io.StringIO()
    monkeypatch.setattr(sys, "stdout", captured)
    write_report(report, "json", RenderOptions(), None)
    assert captured.getvalue() == render(report, "json", RenderOptions())

"""Every output format: structure checks, and golden files built from menus/.

Regenerate the golden files with:  IVRAUDIT_REGENERATE=1 pytest tests/reports/test_reporters.py
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest

from ivraudit import loads
from ivraudit.config import Config
from ivraudit.model.findings import GAP, Report, Severity, elided
from ivraudit.reports import REPORTERS, RenderOptions, render
from ivraudit.reports.github import escape_data, escape_property
from ivraudit.rules import all_rules
from ivraudit.rules.engine import audit
from ivraudit.runner import check
from tests.conftest import ROOT

GOLDEN = Path(__file__).parent / "golden"
SARIF_SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
SUFFIX = {
    "text": "txt",
    "json": "json",
    "sarif": "sarif",
    "junit": "xml",
    "github": "txt",
    "markdown": "md",
    "html": "html",
}


@pytest.fixture
def report(monkeypatch):
    monkeypatch.chdir(ROOT)  # paths in reports are as given: keep them relative
    return check(["menus"], Config(), with_metrics=True).report


@pytest.mark.parametrize("format", sorted(REPORTERS))
def test_golden_output(format, report):
    text = render(report, format, RenderOptions())
    path = GOLDEN / f"menus.{format}.{SUFFIX[format]}"
    if os.environ.get("IVRAUDIT_REGENERATE"):
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, (
        f"{path.name} differs; if the change is intended run "
        "IVRAUDIT_REGENERATE=1 pytest tests/reports/test_reporters.py"
    )


def test_every_format_is_deterministic(report, monkeypatch):
    again = check(["menus"], Config(), with_metrics=True).report
    for format in REPORTERS:
        assert render(report, format) == render(again, format), format


def test_sarif_is_valid_against_the_official_schema(report):
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"SARIF schema not found at {SARIF_SCHEMA} (clone ../shared beside this repo)")
    data = json.loads(render(report, "sarif"))
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)


def test_sarif_structure(report):
    data = json.loads(render(report, "sarif"))
    run = data["runs"][0]
    driver = run["tool"]["driver"]
    assert [rule["id"] for rule in driver["rules"]] == [rule.id for rule in all_rules()]
    id001 = next(rule for rule in driver["rules"] if rule["id"] == "ID001")
    assert id001["name"] == "identity-asked-twice"
    assert id001["helpUri"].endswith("/docs/rules/ID001.md")
    assert id001["defaultConfiguration"] == {"level": "warning"}
    assert (
        id001["shortDescription"]["text"] == "The same identity field is asked twice on one route."
    )
    results = run["results"]
    assert len(results) == len(report.findings)
    repeat = next(r for r in results if r["ruleId"] == "ID001")
    location = repeat["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "menus/telecom-bad.yaml"
    assert location["region"] == {"startLine": 108, "startColumn": 3}
    assert driver["rules"][repeat["ruleIndex"]]["id"] == "ID001"
    table = run["threadFlowLocations"]
    steps = [table[s["index"]] for s in repeat["codeFlows"][0]["threadFlows"][0]["locations"]]
    assert [s["location"]["logicalLocations"][0]["name"] for s in steps] == [
        "welcome",
        "hours",
        "main",
        "billing_dob",
        "billing_account",
        "billing_menu",
        "disputes",
        "dispute_security",
        "agent_dob",
    ]
    assert steps[2]["location"]["physicalLocation"]["region"]["startLine"] == 30
    fingerprints = [r["partialFingerprints"]["ivrauditFingerprint/v1"] for r in results]
    assert len(set(fingerprints)) == len(fingerprints)
    assert {r["level"] for r in results} == {"error", "warning", "note"}


def test_junit_parses_with_one_case_per_rule_per_file(report):
    root = ET.fromstring(render(report, "junit", RenderOptions(fail_on=Severity.WARNING)))
    suites = root.findall("testsuite")
    assert [suite.get("name") for suite in suites] == [
        "menus/bank.yaml",
        "menus/clinic.yaml",
        "menus/telecom-bad.yaml",
        "menus/utility.json",
    ]
    rule_count = len(all_rules())
    for suite in suites:
        assert len(suite.findall("testcase")) == rule_count == int(suite.get("tests"))
    bad = suites[2]
    failing = {case.get("name").split()[0] for case in bad if case.find("failure") is not None}
    at_or_above = {
        f.rule
        for f in report.findings
        if f.file == "menus/telecom-bad.yaml" and f.severity.rank >= 1
    }
    assert failing == at_or_above
    assert int(bad.get("failures")) == len(at_or_above)
    info_only = next(case for case in bad if case.get("name").startswith("DE007"))
    assert info_only.find("failure") is None
    assert "DE007 human transfer 'billing_agent'" in info_only.find("system-out").text
    assert int(root.get("failures")) == len(at_or_above)


ANNOTATION = re.compile(
    r"^::(error|warning|notice) file=[^,:]+,line=\d+,col=\d+,title=[^,:]+::[^\r\n]+$"
)


def test_github_annotations_follow_the_documented_syntax(report):
    lines = render(report, "github").splitlines()
    assert len(lines) == len(report.findings)
    for line in lines:
        assert ANNOTATION.match(line), line
    assert lines[0] == (
        "::warning file=menus/telecom-bad.yaml,line=13,col=3,title=MN005 resented-phrase::"
        'the prompt of \'welcome\' says "your call is important to us", "listen carefully as our '
        'options have changed"%0Aroute: welcome'
    )


def test_github_escaping():
    assert escape_data("50% done\nnext\r") == "50%25 done%0Anext%0D"
    assert escape_property("a:b,c") == "a%3Ab%2Cc"


def test_markdown_groups_by_file_with_folded_routes(report):
    text = render(report, "markdown")
    assert text.startswith("## ivraudit: 31 findings in 1 of 4 files\n")
    assert "| 4 | 25 | 2 | 0 | 0 |" in text
    assert "### `menus/telecom-bad.yaml`" in text
    assert text.count("<details><summary>route a caller takes</summary>") == sum(
        1 for f in report.findings if f.witness
    )
    assert "### `menus/bank.yaml`" not in text  # clean files are not listed


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_html_is_self_contained_with_findings_and_metrics(report):
    text = render(report, "html")
    parser = _Collector()
    parser.feed(text)
    tags = parser.tags
    assert not [
        a for t, a in tags if t in ("script", "img", "link") and (a.get("src") or a.get("href"))
    ]
    items = [a for t, a in tags if t == "li" and "data-node" in a]
    assert len(items) == len(report.findings)
    assert {a["data-node"] for a in items} >= {"agent_dob", "tech_support", "roaming"}
    assert text.count("<h3>Routes") == 4
    assert "<td><code>billing_agent</code></td><td>human</td><td class=num>4</td>" in text


def _html_routes(text: str, shown: bool = True) -> tuple[list[list], list[list[list]]]:
    """The page's step table, and each finding's route as its rows: the steps its route
    lists (``shown``: ``data-steps``, else the whole ``data-route``), or the whole route
    the diagram highlights."""
    table = re.search(r'<script type="application/json" id="ivraudit-steps">(.*?)</script>', text)
    assert table is not None
    steps = json.loads(table.group(1))
    routes = []
    for item in re.findall(r'<li id="finding-[^>]*>', text):
        route = re.search(r' data-route="([^"]*)"', item)
        listed = re.search(r' data-steps="([^"]*)"', item)
        assert route is not None
        found = listed if shown and listed is not None else route
        routes.append([steps[int(index)] for index in found.group(1).split()])
    return steps, routes


def _rows(witness) -> list[list]:
    return [[s.node, s.hears, s.does, s.edge_key, 0] for s in witness]


def test_html_routes_index_one_table_of_distinct_steps(report):
    text = render(report, "html")
    steps, routes = _html_routes(text)
    assert len(routes) == len(report.findings)
    assert len({json.dumps(step) for step in steps}) == len(steps)
    for finding, rows in zip(report.findings, routes, strict=True):
        assert rows == _rows(elided(finding.witness)), finding.rule
    _, whole = _html_routes(text, shown=False)
    for finding, rows in zip(report.findings, whole, strict=True):
        assert rows == _rows(finding.witness), finding.rule
    # Without witnesses: nothing listed, but each route still highlights in the diagram.
    bare = check(["menus"], Config(), with_metrics=True, witness=False).report
    text = render(bare, "html", RenderOptions(witness=False))
    assert "<details>" not in text
    _, whole = _html_routes(text, shown=False)
    for finding, rows in zip(bare.findings, whole, strict=True):
        assert [row[0] for row in rows] == [step.node for step in finding.witness]
        assert all(row[1] is None and row[2] is None for row in rows)


def test_html_long_routes_list_a_gap_and_highlight_every_step():
    chain = {f"s{n}": {"type": "say", "say": "Hello.", "next": f"s{n + 1}"} for n in range(30)}
    chain["s30"] = {"type": "hangup"}
    menu = {"ivraudit": 1, "start": "s0", "nodes": chain}
    report = Report(findings=list(audit(loads(json.dumps(menu), name="chain.json")).findings))
    text = render(report, "html")
    _, routes = _html_routes(text)
    assert [finding.rule for finding in report.findings] == ["DP003", "DE003"]
    assert routes[0] == []  # no person anywhere: no route to show
    rows = routes[1]
    assert [row[0] for row in rows] == [
        *(f"s{n}" for n in range(10)),
        GAP,
        *(f"s{n}" for n in range(22, 31)),
    ]
    assert rows[10] == [GAP, None, "12 more steps not shown", None, 12]
    _, whole = _html_routes(text, shown=False)
    assert [row[0] for row in whole[1]] == [f"s{n}" for n in range(31)]


def test_html_step_table_cannot_end_its_script():
    menu = {
        "ivraudit": 1,
        "start": "main",
        "nodes": {"main": {"type": "say", "say": "</script><script>alert(1)</script>"}},
    }
    report = Report(findings=list(audit(loads(json.dumps(menu), name="x.json")).findings))
    text = render(report, "html")
    table = text[text.index('id="ivraudit-steps">') :]
    assert table.index("</script>") > table.index("\\u003c/script>\\u003cscript>alert(1)")
    steps, _ = _html_routes(text)
    assert steps[0][1] == "</script><script>alert(1)</script>"


def test_markdown_keeps_the_most_severe_findings_that_fit_the_limit(report):
    whole = render(report, "markdown", RenderOptions(markdown_limit=None))
    assert whole == render(report, "markdown")  # menus/ fits in a GitHub comment
    text = render(report, "markdown", RenderOptions(markdown_limit=6000))
    assert len(text) <= 6000
    listed = re.findall(r"^- (\S+) \*\*\[(\w+)\]", text, flags=re.MULTILINE)
    errors = [f.rule for f in report.findings if f.severity is Severity.ERROR]
    warnings = [f.rule for f in report.findings if f.severity is Severity.WARNING]
    # Every error, then the first warning in report order: the next does not fit.
    assert len(errors) == 4
    assert sorted(icon for icon, _ in listed) == ["🔴"] * 4 + ["🟠"]
    assert sorted(rule for _, rule in listed) == sorted([*errors, warnings[0]])
    left = len(report.findings) - len(listed)
    assert (
        f"**{left} of {len(report.findings)} findings left out** to keep this report under "
        "6,000 characters (GitHub's limit for a comment); the least severe were left out. "
        "`-f html` or `-f json` lists them all."
    ) in text
    # The summary still counts every finding.
    assert f"## ivraudit: {len(report.findings)} findings" in text


def test_markdown_with_no_room_lists_no_finding_but_says_so(report):
    whole = render(report, "markdown", RenderOptions(markdown_limit=None))
    head = whole[: whole.index("### ")]  # the summary
    notice = (
        f"**{len(report.findings)} of {len(report.findings)} findings left out** to keep this "
        f"report under {len(head) + 300:,} characters (GitHub's limit for a comment); the "
        "least severe were left out. `-f html` or `-f json` lists them all.\n"
    )
    text = render(report, "markdown", RenderOptions(markdown_limit=len(head) + 300))
    assert text == head + notice
    # Not even the summary fits: the report is cut, and says so.
    cut = render(report, "markdown", RenderOptions(markdown_limit=100))
    assert cut == "… (cut at 100 characters: `--format json` holds everything)\n"


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_html_findings_of_a_flow_highlight_in_that_flows_diagram(corpus):
    """A dialplan of several flows has a diagram per flow: each finding names its flow,
    and its route's ids are in that flow's drawing."""
    dialplan = corpus / "asterisk" / "Distrotech__distrotech-core__extensions.conf"
    report = check([str(dialplan)], Config(), with_metrics=True, draw="svg").report
    text = render(report, "html")
    pieces = text.split('<div class="drawing" data-flow="')[1:]
    drawings = dict(piece.split('">', 1) for piece in pieces)
    assert len(drawings) > 1
    items = re.findall(r'<li id="finding-[^>]* data-flow="([^"]*)"[^>]* data-route="([^"]*)"', text)
    assert len(items) == len(report.findings) > 0
    steps, _ = _html_routes(text)
    for flow, route in items:
        drawing = drawings[flow]
        if "<svg" not in drawing.split("</div>", 1)[0]:
            continue  # a flow Graphviz could not draw: nothing to highlight
        ids = json.loads(re.search(r'class="drawn">(.*?)</script>', drawing).group(1))
        nodes = [steps[int(index)][0] for index in route.split()]
        drawn = [node for node in nodes if node in ids["nodes"]]
        assert drawn, flow  # the route starts in its own flow's picture
        svg = html.unescape(drawing[: drawing.index("</svg>")])
        assert all(f'id="{ids["nodes"][node]}"' in svg for node in drawn)


def test_markdown_that_fits_exactly_is_whole(report):
    whole = render(report, "markdown", RenderOptions(markdown_limit=None))
    assert render(report, "markdown", RenderOptions(markdown_limit=len(whole))) == whole
    assert "left out" in render(report, "markdown", RenderOptions(markdown_limit=len(whole) - 1))

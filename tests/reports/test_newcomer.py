"""Issue 16, a newcomer's first day: what the reports say about a small estate of
menus (a line with a PIN-check subflow, and a clean menu beside it).

Problems 10 (a report written to a file still prints its summary), 11 (the HTML
report opens on the findings, and counts files right) and 14 (summaries count
the files with findings of the files checked; rule links lead where the project
says its documentation is; no dangling witness step).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ivraudit.cli import main
from ivraudit.reports import REPORTERS
from ivraudit.reports.links import HOMEPAGE, RULES_URL, rule_url
from ivraudit.rules import all_rules
from tests.conftest import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

LINE = """\
ivraudit: 1
title: Card line
start: welcome
nodes:
  welcome: {type: say, say: Welcome to Example Bank., next: verify}
  verify: {type: subflow, menu: pin.yaml, next: main}
  main:
    type: menu
    say: For lost cards press 1. To speak to an adviser press 0.
    options: {"1": card_agent, "0": card_agent}
    no_input: main
    no_match: main
  card_agent: {type: transfer, target: "queue:cards", passes: [pin]}
"""

PIN = """\
ivraudit: 1
start: ask_pin
nodes:
  ask_pin:
    type: ask
    say: Please enter your PIN.
    collects: pin
    next: done
  done: {type: return}
"""

CLEAN = """\
ivraudit: 1
start: main
nodes:
  main:
    type: menu
    say: For sales press 1. To speak to an adviser press 0.
    options: {"1": sales, "0": sales}
    no_input: main
    no_match: main
  sales: {type: transfer, target: "queue:sales", fail: voicemail}
  voicemail: {type: voicemail, say: Please leave a message.}
"""

#: One finding in the subflow (DE004), one in the line (DE007): two files of three.
SUMMARY = "2 findings (0 errors, 1 warning, 1 info) in 2 of 3 files."


@pytest.fixture
def estate(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    menus = tmp_path / "menus"
    menus.mkdir()
    (menus / "line.yaml").write_text(LINE, encoding="utf-8")
    (menus / "pin.yaml").write_text(PIN, encoding="utf-8")
    (menus / "clean.yaml").write_text(CLEAN, encoding="utf-8")
    return menus


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_summary_counts_files_with_findings_of_files_checked(estate):
    result = run("check", "menus", "--no-witness")
    assert result.exit_code == 1
    assert result.stdout == (
        "menus/line.yaml:13:3: DE007 info: human transfer 'card_agent' has no 'fail' route "
        "for busy, no answer or a full queue\n"
        "menus/pin.yaml:4:3: DE004 warning: ask 'verify/ask_pin' has no no-input and no-match "
        "handler: the platform hangs up on a caller who hesitates or mistypes\n"
        f"{SUMMARY}\n"
    )


def test_a_subflow_file_with_findings_counts_as_a_file(estate):
    # Checked alone, the line reads its subflow: its finding is in a second file.
    result = run("check", "menus/line.yaml", "--no-witness", "--select", "DE004,DE007")
    assert result.stdout.splitlines()[-1] == (
        "2 findings (0 errors, 1 warning, 1 info) in 2 files."
    )
    result = run("check", "menus/clean.yaml")
    assert result.stdout == "0 findings (0 errors, 0 warnings, 0 info) in 1 file.\n"


@pytest.mark.parametrize("output_format", sorted(REPORTERS))
def test_a_report_written_to_a_file_still_says_its_summary(estate, output_format):
    result = run("check", "menus", "-f", output_format, "-o", "report.out", "--no-diagram")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"{SUMMARY} Report written to report.out.\n"
    assert Path("report.out").stat().st_size > 0


def test_the_last_witness_step_leaves_no_colon_dangling(estate):
    result = run("check", "menus/line.yaml", "--select", "DE007")
    assert result.stdout.splitlines()[1:6] == [
        '    1. welcome: "Welcome to Example Bank."',
        "    2. verify: -> enters the subflow",
        '    3. verify/ask_pin: "Please enter your PIN." -> enters pin',
        "    4. verify/done: -> the subflow returns",
        '    5. main: "For lost cards press 1. To speak to an adviser press 0." -> presses 1',
    ]
    assert result.stdout.splitlines()[6] == "    6. card_agent: -> transfers to queue:cards"


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_html_report_opens_on_the_findings(estate):
    result = run("check", "menus", "-f", "html", "-o", "report.html")
    assert result.exit_code == 1
    text = Path("report.html").read_text(encoding="utf-8")
    assert "<p>2 findings in 2 of 3 files &middot;" in text
    assert '<div class="card"><b>3</b>files</div>' in text
    sections = re.findall(r'<section class="file">\n<h2>([^<]*)</h2>(.*?)</section>', text, re.S)
    # Files with findings first; in each, the findings before the diagram.
    assert [name for name, _ in sections] == [
        "menus/line.yaml",
        "menus/pin.yaml",
        "menus/clean.yaml",
    ]
    for _, body in sections:
        listed = body.find('<ol class="findings">')
        if listed < 0:
            listed = body.index("<p>No findings.</p>")
        assert listed < body.index('<div class="diagram">')
    # Drawn at its own size, so node text stays readable; a button fits it to the width.
    assert ".diagram svg { display: block; }" in text
    assert ".diagram.fit svg { width: 100%;" in text


def test_rule_links_are_the_urls_the_project_declares():
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]
    assert urls["Homepage"] == HOMEPAGE
    assert urls["Rules"] == RULES_URL
    # Every rule's link names a page the repository holds.
    folder = RULES_URL.removeprefix(f"{HOMEPAGE}/blob/main/")
    for rule in all_rules():
        assert rule_url(rule.id) == f"{RULES_URL}{rule.id}.md"
        assert (ROOT / folder / f"{rule.id}.md").is_file(), rule.id
    # ...and no report spells a URL of its own.
    for module in (ROOT / "src" / "ivraudit" / "reports").rglob("*.py"):
        if module.name != "links.py":
            assert "github.com" not in module.read_text(encoding="utf-8"), module


TWO_TYPOS = """\
ivraudit: 1
start: main
nodes:
  main:
    type: menu
    sya: Press 1.
    options: {"1": main}
    retries: three
"""


def test_every_problem_of_an_unreadable_file_is_in_every_report(estate):
    # Problem 6: each problem with file:line:column, what is wrong and how to fix it.
    (estate / "typos.yaml").write_text(TWO_TYPOS, encoding="utf-8")
    problems = [
        "menus/typos.yaml:6:5: unknown field 'sya' in node 'main' (did you mean 'say'?)",
        "menus/typos.yaml:8:5: field 'retries' of node 'main' must be a whole number, got 'three'",
    ]
    result = run("check", "menus/typos.yaml", "-f", "json")
    assert result.exit_code == 2
    assert result.stderr == "".join(f"{line}\n" for line in problems)
    data = json.loads(result.stdout)
    assert data["errors"] == [
        {
            "file": "menus/typos.yaml",
            "line": 6,
            "column": 5,
            "message": "unknown field 'sya' in node 'main'",
            "hint": "did you mean 'say'?",
        },
        {
            "file": "menus/typos.yaml",
            "line": 8,
            "column": 5,
            "message": "field 'retries' of node 'main' must be a whole number, got 'three'",
        },
    ]
    assert data["summary"]["unreadable"] == 1  # files, not problems
    github = run("check", "menus/typos.yaml", "-f", "github").stdout
    assert github.count("::error file=menus/typos.yaml,") == 2
    sarif = json.loads(run("check", "menus/typos.yaml", "-f", "sarif").stdout)
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [note["locations"][0]["physicalLocation"]["region"]["startLine"] for note in notes] == [
        6,
        8,
    ]
    markdown = run("check", "menus/typos.yaml", "-f", "markdown").stdout
    assert "- `menus/typos.yaml:8:5`: field 'retries' of node 'main' must be a whole" in markdown
    html = run("check", "menus/typos.yaml", "-f", "html", "--no-diagram").stdout
    assert html.count("<li>menus/typos.yaml:") == 2


def test_readme_rules_table_names_every_rule():
    # Problem 14: the table had left out AU001/AU002; it must name every registered rule.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("### The rules") : readme.index("Each has a page in")]
    named = set(re.findall(r"\b([A-Z]{2}\d{3})\b", table))
    assert named == {rule.id for rule in all_rules()}

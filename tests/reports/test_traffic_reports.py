"""`check --traffic` in Markdown, HTML and SARIF: each finding's calls and share (SARIF:
``rank``, §3.27.32, and ``properties``); without --traffic nothing changes (the goldens)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from ivraudit.cli import main
from tests.traffic.test_check_traffic import MENU, calls


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    Path("menu.yaml").write_text(MENU, encoding="utf-8")
    # 6 calls reach 'sales'; with 4 the count is suppressed (under --min-calls 5).
    Path("calls.csv").write_text(calls(), encoding="utf-8")
    Path("few.csv").write_text(calls(sales=4), encoding="utf-8")
    return tmp_path


def check(output_format: str, *args: str) -> str:
    result = CliRunner().invoke(
        main, ["check", "menu.yaml", "--no-witness", "-f", output_format, *args]
    )
    assert result.exit_code == 1, result.output
    return result.stdout


def test_markdown_gives_each_finding_its_calls_and_says_what_they_are_of(here):
    lines = check("markdown", "--traffic", "calls.csv").splitlines()
    assert lines[6] == (
        "Weighed by 45 logged calls (counts under 5 calls suppressed); findings sorted by "
        "calls, most first."
    )
    findings = [line for line in lines if line.startswith("- ")]
    assert [re.sub(r"\*\*\[.*?\)\*\*", "RULE", line) for line in findings] == [
        "- 🟠 RULE line 4, `main`: menu 'main' has no operator key 0: callers cannot ask for "
        "a person (45 calls, 100.0%)",
        "- 🟠 RULE line 11, `sales`: 'sales' hangs up without service after \"Sales is "
        'closed. Goodbye." (reason unavailable, declared) (6 calls, 13.3%)',
    ]


def test_markdown_says_a_suppressed_count_as_under_min_calls(here):
    findings = [
        line for line in check("markdown", "--traffic", "few.csv").splitlines() if "`sales`" in line
    ]
    assert findings[0].endswith("(reason unavailable, declared) (under 5 calls)")


def test_html_gives_each_finding_its_calls_and_the_logged_calls_a_card(here):
    page = check("html", "--traffic", "calls.csv")
    assert '<div class="card"><b>45</b>logged calls</div>' in page
    shown = re.findall(
        r'<span class="where">([^<]*)</span>( <strong class="calls">[^<]*</strong>)?', page
    )
    assert shown == [
        (
            "no-operator &middot; line 4 &middot; main",
            ' <strong class="calls">(45 calls, 100.0%)</strong>',
        ),
        (
            "disconnect-without-service &middot; line 11 &middot; sales",
            ' <strong class="calls">(6 calls, 13.3%)</strong>',
        ),
    ]


def test_sarif_ranks_each_result_by_its_share_in_percent(here):
    run = json.loads(check("sarif", "--traffic", "calls.csv"))["runs"][0]
    assert run["properties"] == {"ivrauditTraffic": {"calls": 45, "steps": 86, "min_calls": 5}}
    assert [(r["ruleId"], r["rank"], r["properties"]) for r in run["results"]] == [
        ("MN002", 100.0, {"calls": 45, "share": 1.0}),
        ("DE003", 13.3333, {"calls": 6, "share": 0.133333}),
    ]


def test_sarif_gives_a_suppressed_count_no_rank(here):
    run = json.loads(check("sarif", "--traffic", "few.csv"))["runs"][0]
    sales = next(r for r in run["results"] if r["ruleId"] == "DE003")
    # No rank: SARIF reads an absent rank as -1, unknown.
    assert "rank" not in sales
    assert sales["properties"] == {"calls": None, "share": None}


@pytest.mark.parametrize("output_format", ["markdown", "html"])
def test_without_traffic_nothing_of_it_is_written(here, output_format):
    written = check(output_format)
    for word in ("logged calls", "45 calls", 'class="calls"'):
        assert word not in written


def test_without_traffic_sarif_has_no_rank_and_no_traffic(here):
    run = json.loads(check("sarif"))["runs"][0]
    assert "properties" not in run
    assert [sorted({"rank", "properties"} & set(r)) for r in run["results"]] == [[], []]

"""`ivraudit traffic MENU LOGS` in Markdown and HTML (with the heat map), written to a file
with -o; and times to reach an outcome from `seconds` in a log placed by `seq` alone."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from ivraudit.cli import main


def run(*args: str):
    return CliRunner().invoke(main, ["traffic", *args])


def test_the_report_in_markdown(here):
    result = run("menu.yaml", "calls.csv", "--min-calls", "2", "-f", "markdown")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "## menu.yaml\n"
        "\n"
        "10 logged calls (counts under 2 calls are suppressed).\n"
        "\n"
        "| outcome | kind | calls | share | median seconds | p95 seconds |\n"
        "|---|---|--:|--:|--:|--:|\n"
        "| `billing` | transfer | 6 calls | 60.0% | 4 s | 8 s |\n"
        "| `sales` | hangup | 2 calls | 20.0% | 10 s | 10 s |\n"
        "\n"
        "| node | kind | calls | hung up there |\n"
        "|---|---|--:|--:|\n"
        "| `main` | menu | 10 calls | 2 calls |\n"
        "| `billing` | transfer | 6 calls |  |\n"
        "| `sales` | hangup | 2 calls |  |\n"
        "\n"
        "Menu `main`: 10 calls, no input 20.0%, no match -.\n"
        "\n"
        "| key | to | calls | share |\n"
        "|---|---|--:|--:|\n"
        "| `1` | `billing` | 6 calls | 60.0% |\n"
        "| `2` | `sales` | 2 calls | 20.0% |\n"
    )


def test_the_markdown_suppresses_under_min_calls(here):
    result = run("menu.yaml", "calls.csv", "-f", "markdown")
    assert result.exit_code == 0, result.output
    assert "| `sales` | hangup | under 5 | - | - | - |\n" in result.stdout
    assert "| `main` | menu | 10 calls | under 5 |\n" in result.stdout
    assert "2 calls" not in result.stdout and "+44" not in result.stdout


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz")
def test_the_html_report_holds_the_heat_map_and_the_tables(here):
    result = run("menu.yaml", "calls.csv", "--min-calls", "2", "-f", "html", "-o", "t.html")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    page = Path("t.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<p>10 logged calls &middot; 1 menu(s) &middot; ivraudit " in page
    assert "<h3>Heat map</h3>" in page
    assert 'class="graph heat_map"' in page and "<svg" in page
    assert (
        "<tr><td>billing</td><td>transfer</td><td class=num>6 calls</td>"
        "<td class=num>60.0%</td><td class=num>4 s</td><td class=num>8 s</td></tr>"
    ) in page
    assert (
        "<tr><td>main</td><td>menu</td><td class=num>10 calls</td><td class=num>2 calls</td></tr>"
    ) in page
    assert "<h3>Menu main: 10 calls, no input 20.0%, no match -</h3>" in page
    assert "+44" not in page
    # Written atomically: nothing but the report is left beside it.
    assert sorted(os.listdir(".")) == ["calls.csv", "menu.yaml", "t.html"]


def test_o_goes_with_the_report_not_with_counts(here):
    result = run("calls.csv", "--counts", "c.parquet", "-o", "r.txt")
    assert result.exit_code == 2
    assert "-o is for the report (MENU LOGS); --counts names its own file" in result.stderr


def test_times_from_seconds_in_a_log_placed_by_seq(here):
    # Six calls: main (3 s), then billing; two of them wait at main twice (3 s + 5 s).
    rows = ["call_id,node,seq,key,seconds"]
    for number in range(6):
        if number < 2:
            rows += [f"c{number},main,1,no_input,3", f"c{number},main,2,1,5"]
            rows.append(f"c{number},billing,3,,60")
        else:
            rows += [f"c{number},main,1,1,3", f"c{number},billing,2,,60"]
    Path("seq.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = run("menu.yaml", "seq.csv", "-f", "json")
    assert result.exit_code == 0, result.output
    (billing,) = [row for row in _outcomes(result.stdout) if row["node"] == "billing"]
    assert billing == {
        "node": "billing",
        "kind": "transfer",
        "calls": 6,
        "share": 1.0,
        "median_seconds": 3.0,
        "p95_seconds": 8.0,  # quantile_cont over 3, 3, 3, 3, 8, 8
    }


def test_a_step_without_seconds_leaves_the_steps_after_it_untimed(here):
    rows = ["call_id,node,seq,seconds"]
    for number in range(6):
        rows += [f"c{number},main,1,", f"c{number},billing,2,60"]
    Path("seq.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = run("menu.yaml", "seq.csv")
    assert result.exit_code == 0, result.output
    assert "  billing [transfer]: 6 calls, 100.0%, median -, p95 -\n" in result.stdout


def _outcomes(text: str) -> list[dict]:
    return json.loads(text)["menus"][0]["outcomes"]

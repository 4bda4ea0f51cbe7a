"""`ivraudit diagram`, and diagrams inside the Markdown and HTML reports."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from ivraudit.cli import main
from tests.conftest import MENUS

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_dot_to_stdout_by_default(runner):
    result = runner.invoke(main, ["diagram", str(MENUS / "bank.yaml")])
    assert result.exit_code == 0
    assert result.stdout.startswith("digraph ")
    assert 'id="node-adviser"' in result.stdout


@needs_dot
@pytest.mark.parametrize(
    ("suffix", "magic"), [(".svg", b"<?xml"), (".png", b"\x89PNG\r\n\x1a\n"), (".pdf", b"%PDF-")]
)
def test_format_from_the_output_suffix(runner, tmp_path, suffix, magic):
    out = tmp_path / f"menu{suffix}"
    result = runner.invoke(main, ["diagram", str(MENUS / "telecom-bad.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(magic)


def test_mermaid_route_focus_and_cut(runner, tmp_path):
    out = tmp_path / "menu.mmd"
    result = runner.invoke(
        main, ["diagram", str(MENUS / "telecom-bad.yaml"), "-o", str(out), "--route", "agent_dob"]
    )
    assert result.exit_code == 0
    assert out.read_text().startswith("flowchart TD\n")
    focus = runner.invoke(
        main,
        [
            "diagram",
            str(MENUS / "telecom-bad.yaml"),
            "--focus",
            "billing_menu",
            "--radius",
            "1",
            "-f",
            "mermaid",
        ],
    )
    assert focus.exit_code == 0
    assert "<b>billing_menu</b>" in focus.stdout and "<b>roaming</b>" not in focus.stdout
    cut = runner.invoke(main, ["diagram", str(MENUS / "telecom-bad.yaml"), "--max-presses", "1"])
    assert cut.exit_code == 0 and "agent_dob" not in cut.stdout


def test_bad_requests_exit_two(runner, tmp_path):
    unknown = runner.invoke(main, ["diagram", str(MENUS / "bank.yaml"), "--route", "nope"])
    assert unknown.exit_code == 2
    assert unknown.stderr == "ivraudit: error: --route: no node named 'nope'\n"
    suffix = runner.invoke(
        main, ["diagram", str(MENUS / "bank.yaml"), "-o", str(tmp_path / "a.txt")]
    )
    assert suffix.exit_code == 2
    assert "cannot tell the format from" in suffix.stderr


def test_missing_graphviz_is_a_clear_error(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    result = runner.invoke(
        main, ["diagram", str(MENUS / "bank.yaml"), "-o", str(tmp_path / "a.svg")]
    )
    assert result.exit_code == 2
    assert "the Graphviz program 'dot' was not found on PATH" in result.stderr
    assert "apt-get install graphviz" in result.stderr
    dot = runner.invoke(main, ["diagram", str(MENUS / "bank.yaml"), "-o", str(tmp_path / "a.dot")])
    assert dot.exit_code == 0
    html = runner.invoke(main, ["check", str(MENUS / "bank.yaml"), "-f", "html"])
    assert html.exit_code == 0
    assert "no diagram: the Graphviz program &#x27;dot&#x27; was not found" in html.stdout


def test_markdown_with_mermaid_diagrams(runner):
    result = runner.invoke(
        main, ["check", str(MENUS / "telecom-bad.yaml"), "-f", "markdown", "--diagram"]
    )
    assert result.exit_code == 1
    assert (
        f"<details><summary>diagram of `{MENUS / 'telecom-bad.yaml'} (connectra-mobile)`"
        "</summary>" in result.stdout
    )
    assert "```mermaid\nflowchart TD\n" in result.stdout
    plain = runner.invoke(main, ["check", str(MENUS / "telecom-bad.yaml"), "-f", "markdown"])
    assert "```mermaid" not in plain.stdout
    wrong = runner.invoke(main, ["check", str(MENUS / "bank.yaml"), "--diagram"])
    assert wrong.exit_code == 2


@needs_dot
def test_html_embeds_the_svg(runner):
    result = runner.invoke(main, ["check", str(MENUS / "telecom-bad.yaml"), "-f", "html"])
    assert result.stdout.count("<svg") == 1
    assert 'data-target="node-agent_dob"' in result.stdout
    assert "<?xml" not in result.stdout

"""The CLI through click's runner, and once through a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ivraudit.cli import main
from tests.conftest import MENUS

BROKEN = """\
ivraudit: 1
start: main
nodes:
  main:
    type: menu
    say: For sales press 1.
    options: {"1": sales}
    no_input: main
    no_match: main
  sales: {type: transfer, target: "queue:sales"}
  old: {type: say, say: Old., next: gone}
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_check_text_output_and_exit_code(runner, tmp_path):
    path = write(tmp_path, "menu.yaml", BROKEN)
    result = runner.invoke(main, ["check", str(path), "--select", "ST", "--no-witness"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{path}:11:3: ST002 warning: no route from the start reaches 'old'",
        f"{path}:11:31: ST001 error: 'next' of 'old' goes to 'gone', which does not exist",
        "2 findings (1 error, 1 warning, 0 info) in 1 file.",
    ]


def test_check_json_output(runner, tmp_path):
    path = write(tmp_path, "menu.yaml", BROKEN)
    result = runner.invoke(main, ["check", str(path), "--format", "json", "--select", "ST001"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["version"] == 2
    assert [(f["rule"], f["node"], f["line"], f["column"]) for f in data["findings"]] == [
        ("ST001", "old", 11, 31)
    ]
    finding = data["findings"][0]
    assert set(finding) >= {
        "rule",
        "severity",
        "file",
        "line",
        "column",
        "node",
        "message",
        "witness",
    }
    assert data["summary"]["error"] == 1
    assert data["errors"] == []


def test_clean_menu_exits_zero(runner):
    result = runner.invoke(main, ["check", str(MENUS / "bank.yaml")])
    assert result.exit_code == 0, result.output
    assert result.output.endswith("0 findings (0 errors, 0 warnings, 0 info) in 1 file.\n")


def test_fail_on_never_and_error(runner, tmp_path):
    path = write(tmp_path, "menu.yaml", BROKEN)
    assert runner.invoke(main, ["check", str(path), "--fail-on", "never"]).exit_code == 0
    only_warning = ["check", str(path), "--select", "ST002", "--fail-on", "error"]
    assert runner.invoke(main, only_warning).exit_code == 0


def test_bad_file_exits_two_with_one_line_and_no_traceback(runner, tmp_path):
    path = write(
        tmp_path,
        "bad.yaml",
        "ivraudit: 1\nstart: main\nnodes:\n  main:\n    type: menu\n    sya: hello\n",
    )
    result = runner.invoke(main, ["check", str(path)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"{path}:6:5: unknown field 'sya' in node 'main' (did you mean 'say'?)\n"
    )
    assert "Traceback" not in result.output


def test_directory_reports_bad_files_and_still_audits_good_ones(runner, tmp_path):
    write(tmp_path, "a.yaml", BROKEN)
    write(tmp_path, "b.yaml", "ivraudit: 1\nnodes: [\n")
    write(tmp_path, "package.json", '{"name": "x", "version": "1.0.0"}')
    result = runner.invoke(main, ["check", str(tmp_path), "--select", "ST001", "--no-witness"])
    assert result.exit_code == 2
    assert f"{tmp_path / 'a.yaml'}:11:31: ST001" in result.stdout
    assert f"{tmp_path / 'b.yaml'}:2:8: invalid YAML" in result.stderr
    assert "skipped 1 file(s) that are not menus" in result.stderr
    assert result.stdout.endswith(
        "1 finding (1 error, 0 warnings, 0 info) in 1 file; 1 file could not be read.\n"
    )


def test_a_file_named_directly_must_be_a_menu(runner, tmp_path):
    path = write(tmp_path, "package.json", '{"name": "x"}')
    result = runner.invoke(main, ["check", str(path)])
    assert result.exit_code == 2
    assert "not a menu" in result.stderr


def test_empty_directory_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == f"ivraudit: error: no menu files found in {tmp_path}\n"


def test_output_file_is_written(runner, tmp_path):
    path = write(tmp_path, "menu.yaml", BROKEN)
    out = tmp_path / "report.json"
    result = runner.invoke(
        main, ["check", str(path), "-f", "json", "-o", str(out), "--select", "ST"]
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    # The report went to the file; the terminal still hears what it holds.
    assert result.stderr == (
        f"2 findings (1 error, 1 warning, 0 info) in 1 file. Report written to {out}.\n"
    )
    assert json.loads(out.read_text())["summary"]["findings"] == 2
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".ivraudit-")] == []


def test_paths_are_spelt_one_way(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "menus").mkdir()
    write(tmp_path / "menus", "a.yaml", BROKEN)
    write(tmp_path / "menus", "b.yaml", BROKEN)
    result = runner.invoke(main, ["check", "./menus", "menus/b.yaml", "--no-witness"])
    files = {line.split(":", 1)[0] for line in result.stdout.splitlines() if ": ST" in line}
    assert files == {"menus/a.yaml", "menus/b.yaml"}


def test_unknown_rule_is_a_usage_error(runner):
    result = runner.invoke(main, ["check", str(MENUS), "--select", "ZZ123"])
    assert result.exit_code == 2
    assert result.stderr == "ivraudit: error: 'ZZ123' names no rule; see 'ivraudit rules'\n"


def test_config_file_selects_rules(runner, tmp_path):
    path = write(tmp_path, "menu.yaml", BROKEN)
    config = write(tmp_path, "ivraudit.toml", 'select = ["ST002"]\n')
    result = runner.invoke(main, ["check", str(path), "--config", str(config), "--no-witness"])
    assert [line.split(": ", 1)[1][:5] for line in result.output.splitlines()[:-1]] == ["ST002"]
    bad = write(tmp_path, "bad.toml", "max_option = 3\n")
    result = runner.invoke(main, ["check", str(path), "--config", str(bad)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"ivraudit: error: {bad}: unknown config key 'max_option' (did you mean 'max_options'?)\n"
    )


def test_schema_command(runner):
    result = runner.invoke(main, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["title"] == "ivraudit menu, format version 1"
    assert "MenuNode" in schema["$defs"]


def test_rules_list_and_one_rule(runner):
    listing = runner.invoke(main, ["rules"])
    assert listing.exit_code == 0
    assert listing.output.splitlines()[0].split()[:3] == ["AU001", "unused-suppression", "warning"]
    page = runner.invoke(main, ["rules", "ST001"])
    assert page.exit_code == 0
    assert page.output.startswith("# ST001 missing-target\n")
    assert "## Why callers suffer" in page.output
    missing = runner.invoke(main, ["rules", "XX1"])
    assert missing.exit_code == 2


def test_version(runner):
    from ivraudit import __version__

    result = runner.invoke(main, ["--version"])
    assert result.output == f"ivraudit, version {__version__}\n"


def test_real_subprocess(tmp_path):
    path = write(tmp_path, "menu.yaml", BROKEN)
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "ivraudit",
            "check",
            str(path),
            "--select",
            "ST001",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 1, completed.stderr
    assert json.loads(completed.stdout)["findings"][0]["rule"] == "ST001"
    bad = write(tmp_path, "bad.json", "{")
    completed = subprocess.run(
        [sys.executable, "-m", "ivraudit", "check", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 2
    assert completed.stderr.startswith(f"{bad}:1:2: invalid JSON")
    assert "Traceback" not in completed.stderr

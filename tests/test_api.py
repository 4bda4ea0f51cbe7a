"""The library matches the CLI (issue 16, problem 3): ``ivraudit.check`` finds and
applies the config as ``ivraudit check`` does; ``ivraudit.audit`` stays pure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import ivraudit
from ivraudit.cli import main
from tests.conftest import MENUS

BAD = (MENUS / "telecom-bad.yaml").read_text(encoding="utf-8")

CONFIG = """\
ignore = ["ST"]
severity = {DE002 = "info"}
per_file_ignores = {"menus/quiet.yaml" = ["DE"]}
"""


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    (tmp_path / "menus").mkdir()
    (tmp_path / "menus" / "telecom.yaml").write_text(BAD, encoding="utf-8")
    (tmp_path / "menus" / "quiet.yaml").write_text(BAD, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _cli_findings(*args: str) -> list[tuple[str, str, str, str]]:
    result = CliRunner().invoke(main, ["check", *args, "-f", "json"])
    return [
        (f["file"], f["rule"], f["node"], f["severity"])
        for f in json.loads(result.stdout)["findings"]
    ]


def _findings(report: ivraudit.Report) -> list[tuple[str, str, str, str]]:
    return [(f.file, f.rule, f.node, f.severity.value) for f in report.findings]


@pytest.mark.parametrize("where", ["ivraudit.toml", "pyproject.toml"])
def test_check_finds_the_config_as_the_cli_does(project, where):
    text = CONFIG if where == "ivraudit.toml" else "[tool.ivraudit]\n" + CONFIG
    (project / where).write_text(text, encoding="utf-8")
    report = ivraudit.check("menus")
    assert _findings(report) == _cli_findings("menus")
    rules = {finding.rule for finding in report.findings}
    assert not any(rule.startswith("ST") for rule in rules)
    assert {f.severity.value for f in report.findings if f.rule == "DE002"} == {"info"}
    assert not [f for f in report.findings if f.file == "menus/quiet.yaml" and f.rule[:2] == "DE"]
    assert report.files == ["menus/quiet.yaml", "menus/telecom.yaml"]


def test_check_from_a_subdirectory_walks_up_to_the_config(project, monkeypatch):
    (project / "ivraudit.toml").write_text('ignore = ["ST", "DE", "ID"]\n', encoding="utf-8")
    monkeypatch.chdir(project / "menus")
    report = ivraudit.check(["telecom.yaml"])
    assert _findings(report) == _cli_findings("telecom.yaml")
    families = {finding.rule[:2] for finding in report.findings}
    assert families and not families & {"ST", "DE", "ID"}


def test_check_takes_a_config_or_the_path_of_one(project):
    (project / "ivraudit.toml").write_text('ignore = ["ST"]\n', encoding="utf-8")
    (project / "strict.toml").write_text('select = ["ST002"]\n', encoding="utf-8")
    by_path = ivraudit.check(["menus/telecom.yaml"], "strict.toml")
    assert {finding.rule for finding in by_path.findings} == {"ST002"}
    given = ivraudit.check(["menus/telecom.yaml"], ivraudit.Config(select=["DE002"]))
    assert {finding.rule for finding in given.findings} == {"DE002"}


def test_audit_stays_pure(project):
    (project / "ivraudit.toml").write_text('ignore = ["ST"]\n', encoding="utf-8")
    report = ivraudit.audit(ivraudit.load("menus/telecom.yaml"))
    assert "ST002" in {finding.rule for finding in report.findings}


def test_unreadable_files_are_errors_in_the_report(project):
    (project / "menus" / "broken.yaml").write_text("ivraudit: 1\nnodes: [\n", encoding="utf-8")
    report = ivraudit.check("menus")
    assert [error.file for error in report.errors] == ["menus/broken.yaml"]
    assert len(report.files) == 2


def test_a_bad_config_and_no_menus_are_errors(project, tmp_path):
    (project / "ivraudit.toml").write_text('selekt = ["ST"]\n', encoding="utf-8")
    with pytest.raises(ivraudit.ConfigError):
        ivraudit.check("menus")
    (project / "ivraudit.toml").unlink()
    (project / "empty").mkdir()
    with pytest.raises(ivraudit.UsageError):
        ivraudit.check("empty")

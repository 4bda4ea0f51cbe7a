"""`check --traffic LOGS --fail-on-drift`: drift as a CI check of its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ivraudit.cli import main
from tests.traffic.test_check_traffic import DRIFT, MENU, calls

FAILING = (
    "ivraudit: failing on drift (--fail-on-drift): 1 node not in the menus checked: old_promo\n"
)


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    Path("menu.yaml").write_text(MENU, encoding="utf-8")
    Path("calls.csv").write_text(calls(), encoding="utf-8")
    # The same calls without the 5 that pressed 3 for old_promo: no drift.
    kept = [line for line in calls().splitlines() if not line.endswith(",3,")]
    kept = [line for line in kept if ",old_promo," not in line]
    Path("current.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(
        main, ["check", "menu.yaml", "--no-witness", "--fail-on", "never", *args]
    )


def test_drift_fails_the_check_and_says_how_many_nodes_and_which(here):
    result = run("--traffic", "calls.csv", "--fail-on-drift")
    assert result.exit_code == 1
    assert result.stderr == DRIFT + FAILING


def test_without_the_flag_drift_is_said_but_does_not_fail(here):
    result = run("--traffic", "calls.csv")
    assert result.exit_code == 0
    assert result.stderr == DRIFT


def test_logs_that_name_only_the_menus_nodes_pass(here):
    result = run("--traffic", "current.csv", "--fail-on-drift")
    assert result.exit_code == 0
    assert result.stderr == ""


def test_drift_fails_even_when_the_findings_pass_the_share_gate(here):
    result = CliRunner().invoke(
        main,
        [
            *("check", "menu.yaml", "--no-witness", "--traffic", "calls.csv"),
            *("--fail-on-share", "1", "--select", "DE003", "--fail-on-drift"),
        ],
    )
    assert result.exit_code == 1
    assert result.stderr == DRIFT + FAILING


def test_fail_on_drift_needs_traffic(here):
    result = run("--fail-on-drift")
    assert result.exit_code == 2
    assert "--fail-on-drift goes with --traffic" in result.stderr

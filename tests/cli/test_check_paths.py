"""`ivraudit check` from a newcomer's seat (issue 16): a subflow checked on its own,
one spelling per path in a run, and baselines that match from any directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ivraudit.cli import main
from tests.cli.test_entries import MAIN, VERIFY
from tests.conftest import MENUS

BAD = (MENUS / "telecom-bad.yaml").read_text(encoding="utf-8")

# A Twilio Studio flow that runs another as a subflow (Studio docs, Run Subflow
# widget): the importer reads verify.json through the estate of the run.
PARENT = {
    "states": [
        {
            "name": "Trigger",
            "type": "trigger",
            "transitions": [{"event": "incomingCall", "next": "run_verify"}],
            "properties": {},
        },
        {
            "name": "run_verify",
            "type": "run-subflow",
            "transitions": [
                {"event": "completed", "next": "agent"},
                {"event": "failed", "next": "agent"},
            ],
            "properties": {"flow_sid": "FW" + "a" * 32, "parameters": []},
        },
        {
            "name": "agent",
            "type": "send-to-flex",
            "transitions": [
                {"event": "callComplete"},
                {"event": "failedToEnqueue"},
                {"event": "callFailure"},
            ],
            "properties": {"workflow": "WW0123456789abcdef0123456789abcdef"},
        },
    ],
    "initial_state": "Trigger",
}
SUBFLOW = {
    "sid": "FW" + "a" * 32,
    "friendly_name": "Verify caller",
    "definition": {
        "states": [
            {
                "name": "Trigger",
                "type": "trigger",
                "transitions": [{"event": "incomingParent", "next": "confirm"}],
                "properties": {},
            },
            {
                "name": "confirm",
                "type": "gather-input-on-call",
                # Silence asks again with no limit (DE008); an empty transition of a
                # subflow goes back to the parent (Run Subflow 'Completed').
                "transitions": [{"event": "keypress"}, {"event": "timeout", "next": "confirm"}],
                "properties": {
                    "say": "If this is the account holder press 1.",
                    "number_of_digits": 1,
                },
            },
        ],
        "initial_state": "Trigger",
    },
}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_a_directory_holding_only_a_subflow_is_not_a_callers_line(runner, tmp_path, monkeypatch):
    # Problem 2: `ivraudit check sub/` on a PIN check ending in `return`.
    monkeypatch.chdir(tmp_path)
    Path("sub").mkdir()
    Path("sub/verify.yaml").write_text(VERIFY, encoding="utf-8")
    result = runner.invoke(main, ["check", "sub/"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "0 findings (0 errors, 0 warnings, 0 info) in 1 file.\n"
    entries = runner.invoke(main, ["entries", "sub/"])
    assert entries.stdout.splitlines()[0] == (
        "reached  sub/verify.yaml: a subflow: it ends in 'return' at 'done'"
    )


def _files_named(report: dict) -> set[str]:
    names = {finding["file"] for finding in report["findings"]}
    names |= {step["file"] for step in report["steps"] if step["file"]}
    names |= {unknown["file"] for unknown in report["unknowns"]}
    return names


@pytest.mark.parametrize("given", ["./flows", "flows", "flows/"])
def test_files_reached_through_a_reference_are_spelt_as_the_user_named_them(
    runner, tmp_path, monkeypatch, given
):
    # Problem 8: the subflow's findings were reported at an absolute path while
    # the parent's were relative: two spellings in one run.
    monkeypatch.chdir(tmp_path)
    Path("flows").mkdir()
    Path("flows/parent.json").write_text(json.dumps(PARENT), encoding="utf-8")
    Path("flows/verify.json").write_text(json.dumps(SUBFLOW), encoding="utf-8")
    result = runner.invoke(main, ["check", given, "--no-witness", "--select", "DE008"])
    finding_lines = [line for line in result.stdout.splitlines()[:-1] if line[:1] != " "]
    assert [line.split(":", 1)[0] for line in finding_lines] == ["flows/verify.json"]
    data = json.loads(runner.invoke(main, ["check", given, "-f", "json"]).stdout)
    assert _files_named(data) == {"flows/parent.json", "flows/verify.json"}


def test_absolute_paths_given_stay_absolute(runner, tmp_path):
    (tmp_path / "parent.json").write_text(json.dumps(PARENT), encoding="utf-8")
    (tmp_path / "verify.json").write_text(json.dumps(SUBFLOW), encoding="utf-8")
    data = json.loads(runner.invoke(main, ["check", str(tmp_path), "-f", "json"]).stdout)
    assert _files_named(data) == {str(tmp_path / "parent.json"), str(tmp_path / "verify.json")}


def _repository(root: Path) -> None:
    (root / "menus").mkdir()
    (root / "menus" / "telecom.yaml").write_text(BAD, encoding="utf-8")
    (root / "menus" / "main.yaml").write_text(MAIN, encoding="utf-8")
    (root / "menus" / "verify.yaml").write_text(VERIFY, encoding="utf-8")
    (root / "ci").mkdir()


@pytest.mark.parametrize(
    ("made_in", "baseline", "checked_in", "checked", "used"),
    [
        ("", "ci/baseline.json", "menus", ".", "../ci/baseline.json"),
        ("", "baseline.json", "menus", ".", "../baseline.json"),
        ("menus", "../ci/baseline.json", "", "./menus", "ci/baseline.json"),
        ("ci", "baseline.json", "", "menus/", "ci/baseline.json"),
    ],
)
def test_a_baseline_matches_from_any_directory(
    runner, tmp_path, monkeypatch, made_in, baseline, checked_in, checked, used
):
    # Problem 9: a baseline made at the root matched nothing when checked from menus/.
    _repository(tmp_path)
    monkeypatch.chdir(tmp_path / made_in)
    target = "." if made_in == "menus" else ("../menus" if made_in == "ci" else "menus")
    made = runner.invoke(main, ["baseline", target, "-o", baseline])
    assert made.exit_code == 0, made.output
    monkeypatch.chdir(tmp_path / checked_in)
    result = runner.invoke(main, ["check", checked, "--baseline", used])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "0 findings (0 errors, 0 warnings, 0 info) in 3 files; 32 in the baseline.\n"
    )
    assert result.stderr == (
        f"ivraudit: baseline {used}: 32 entries: 32 still found (absorbed), 0 fixed, "
        "0 in files not checked\n"
    )


def test_a_baseline_names_files_relative_to_itself(runner, tmp_path, monkeypatch):
    _repository(tmp_path)
    monkeypatch.chdir(tmp_path)
    runner.invoke(main, ["baseline", "menus", "-o", "ci/baseline.json"])
    entries = json.loads(Path("ci/baseline.json").read_text(encoding="utf-8"))["findings"]
    assert {entry["file"] for entry in entries} == {"../menus/main.yaml", "../menus/telecom.yaml"}


def test_the_baseline_summary_accounts_for_every_entry(runner, tmp_path, monkeypatch):
    # Problem 9: "absorbed 0 ... 0 entries now fixed" left the reader guessing
    # where the entries went: each is still found, fixed, or in a file not checked.
    _repository(tmp_path)
    monkeypatch.chdir(tmp_path)
    runner.invoke(main, ["baseline", "menus", "-o", "baseline.json"])
    other = runner.invoke(main, ["check", "menus/main.yaml", "--baseline", "baseline.json"])
    assert other.stderr == (
        "ivraudit: baseline baseline.json: 32 entries: 1 still found (absorbed), 0 fixed, "
        "31 in files not checked\n"
    )
    fixed_menu = BAD.replace(
        "  old_promo:\n    type: say\n    say: Ask about our summer offer.\n    next: main\n", ""
    )
    Path("menus/telecom.yaml").write_text(fixed_menu, encoding="utf-8")
    fixed = runner.invoke(main, ["check", "menus", "--baseline", "baseline.json"])
    assert fixed.exit_code == 0, fixed.output
    assert fixed.stderr == (
        "ivraudit: baseline baseline.json: 32 entries: 31 still found (absorbed), 1 fixed, "
        "0 in files not checked; run 'ivraudit baseline' again to drop the fixed ones\n"
    )

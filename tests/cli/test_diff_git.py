"""`ivraudit diff` from a newcomer's seat (issue 16): `--git` on menus with subflows,
from any directory, paths spelt once, and options callers lose said plainly."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from ivraudit import loads
from ivraudit.cli import main
from ivraudit.gate.diff import diff
from tests.cli.test_entries import MAIN, VERIFY

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

WITHOUT_OPERATOR = MAIN.replace(" For an adviser press 0.", "").replace(', "0": adviser}', "}")
NOT_VERIFIED = """\
ivraudit: 1
start: main
nodes:
  main:
    type: menu
    say: For an adviser press 0.
    options: {"0": adviser}
    no_input: main
    no_match: main
  adviser: {type: transfer, target: "queue:advisers", fail: voicemail}
  voicemail: {type: voicemail}
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _git(*args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repository(tmp_path, monkeypatch) -> Path:
    """A repository whose menus/main.yaml runs the subflow menus/verify.yaml."""
    monkeypatch.chdir(tmp_path)
    _git("init", "-q")
    Path("menus").mkdir()
    Path("menus/main.yaml").write_text(MAIN, encoding="utf-8")
    Path("menus/verify.yaml").write_text(VERIFY, encoding="utf-8")
    _git("add", ".")
    _git("commit", "-qm", "menus")
    return tmp_path


UNCHANGED = [
    "menus/main.yaml@HEAD -> menus/main.yaml",
    "  findings: 0 new, 0 fixed",
    "  outcomes: 0 added, 0 removed, 0 worse, 0 better",
    "  nearest person: 'adviser' 6.4 s -> 'adviser' 6.4 s",
    "  not worse",
    "menus/verify.yaml@HEAD -> menus/verify.yaml",
    "  findings: 0 new, 0 fixed",
    "  outcomes: 0 added, 0 removed, 0 worse, 0 better",
    "  nearest person: none -> none",
    "  not worse",
]


@needs_git
@pytest.mark.parametrize("given", ["menus/", "./menus", "menus"])
def test_diff_git_from_the_repository_root_reads_subflows(runner, repository, given):
    # Problem 1: from the root, the ref's main.yaml looked for verify.yaml in the
    # current directory ("subflow 'verify.yaml' ... not found", exit 2).
    result = runner.invoke(main, ["diff", "--git", "HEAD", given])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == UNCHANGED


@needs_git
def test_files_marked_export_ignore_are_still_read_at_the_ref(runner, repository):
    Path(".gitattributes").write_text("menus/verify.yaml export-ignore\n", encoding="utf-8")
    _git("add", ".")
    _git("commit", "-qm", "attributes")
    result = runner.invoke(main, ["diff", "--git", "HEAD", "menus"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == UNCHANGED


@needs_git
def test_diff_git_inside_the_menu_directory_spells_each_file_once(runner, repository, monkeypatch):
    # Problem 8: from menus/, each file was compared twice, as ./main.yaml and main.yaml.
    monkeypatch.chdir(repository / "menus")
    result = runner.invoke(main, ["diff", "--git", "HEAD", "."])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [line.replace("menus/", "") for line in UNCHANGED]


@needs_git
def test_the_old_version_reads_the_subflow_as_it_was_at_the_ref(runner, repository):
    # The subflow is deleted and main no longer uses it: the old main still has one.
    Path("menus/verify.yaml").unlink()
    Path("menus/main.yaml").write_text(NOT_VERIFIED, encoding="utf-8")
    result = runner.invoke(main, ["diff", "--git", "HEAD", "menus/", "-f", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert [(m["old"], m["new"], m["reasons"]) for m in data["menus"]] == [
        (
            "menus/main.yaml@HEAD",
            "menus/main.yaml",
            ["key 1 of 'main' no longer reaches a person (was 'adviser')"],
        ),
        ("menus/verify.yaml@HEAD", "(none)", []),
    ]
    fixed = data["menus"][0]["findings"]["fixed"]
    assert [(f["rule"], f["file"]) for f in fixed] == [("ID002", "menus/main.yaml")]


@needs_git
def test_a_broken_menu_at_the_ref_is_named_with_the_ref(runner, repository):
    Path("menus/main.yaml").write_text(MAIN.replace("verify.yaml", "gone.yaml"))
    _git("commit", "-qam", "points nowhere")
    Path("menus/main.yaml").write_text(MAIN)
    broken = runner.invoke(main, ["diff", "--git", "HEAD", "menus/main.yaml"])
    assert broken.exit_code == 2
    assert broken.stderr.startswith(
        "menus/main.yaml@HEAD:10:27: subflow 'gone.yaml' of node 'verify' not found"
    )


@needs_git
def test_a_file_found_nowhere_is_a_usage_error(runner, repository):
    result = runner.invoke(main, ["diff", "--git", "HEAD", "menus/nothing.yaml"])
    assert result.exit_code == 2
    assert result.stderr == (
        "ivraudit: error: menus/nothing.yaml exists neither in the working tree nor at HEAD\n"
    )


@needs_git
def test_diff_says_plainly_that_the_operator_key_no_longer_reaches_a_person(runner, repository):
    # Problem 12: after key 0 was deleted the diff showed only "+2 s" for the adviser.
    Path("menus/main.yaml").write_text(WITHOUT_OPERATOR, encoding="utf-8")
    result = runner.invoke(main, ["diff", "--git", "HEAD", "menus/main.yaml", "--select", "DE"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "menus/main.yaml@HEAD -> menus/main.yaml",
        "  findings: 0 new, 0 fixed",
        "  outcomes: 0 added, 0 removed, 2 worse, 0 better",
        "    worse: adviser (human): presses 1 -> 1, seconds 6.4 -> 8.0",
        "    worse: voicemail (voicemail): presses 1 -> 1, seconds 6.4 -> 8.0",
        "  nearest person: 'adviser' 6.4 s -> 'adviser' 8.0 s",
        "  worse: key 0 of 'main' no longer reaches a person (was 'adviser'); "
        "2 outcome(s) deeper or slower; the nearest person is 2 s further away",
    ]


def _menu(options: str) -> str:
    return f"""\
ivraudit: 1
start: main
nodes:
  main:
    type: menu
    say: Choose.
    options: {options}
    no_input: main
    no_match: main
  sales: {{type: transfer, target: "queue:sales"}}
  hours: {{type: say, say: We are open nine to five., next: main}}
  robot: {{type: transfer, target: "flow:robot", human: false}}
"""


def test_each_option_callers_lose_is_a_reason():
    old = loads(_menu('{"1": sales, "2": hours, "3": robot, "0": sales}'), name="m.yaml")
    new = loads(_menu('{"1": sales, "0": robot}'), name="m.yaml")
    result = diff(old, new)
    assert [loss.sentence for loss in result.options_lost] == [
        "menu 'main' lost option 2 (was 'hours')",
        "menu 'main' lost option 3 (was 'robot')",
        "key 0 of 'main' no longer reaches a person (was 'sales')",
    ]
    assert result.reasons[:3] == [loss.sentence for loss in result.options_lost]
    assert result.to_dict()["options"]["lost"][2] == {
        "menu": "main",
        "key": "0",
        "was": "sales",
        "person": "sales",
        "now": "robot",
        "message": "key 0 of 'main' no longer reaches a person (was 'sales')",
    }


def test_a_person_reached_only_by_coming_back_to_the_menu_does_not_count():
    # Key 2 leads back to main, from where key 1 reaches sales: key 2 itself never
    # reached a person, so losing it says only that the option is gone.
    old = loads(_menu('{"1": sales, "2": hours}'), name="m.yaml")
    new = loads(_menu('{"1": sales}'), name="m.yaml")
    lost = diff(old, new).options_lost
    assert [loss.sentence for loss in lost] == ["menu 'main' lost option 2 (was 'hours')"]


def test_adding_an_option_or_keeping_a_person_is_not_worse():
    old = loads(_menu('{"1": sales}'), name="m.yaml")
    new = loads(_menu('{"1": sales, "2": hours}'), name="m.yaml")
    result = diff(old, new, seconds_tolerance=10)
    assert (result.options_lost, result.worse) == ([], False)

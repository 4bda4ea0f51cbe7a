"""The CI gate: baseline round trip, diff of two versions (files and git), the
pytest helper, and the integration recipes run as written."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from ivraudit import load, loads
from ivraudit.analysis.metrics import metrics
from ivraudit.cli import main
from ivraudit.gate.diff import Diff, diff
from ivraudit.model.findings import Finding, Severity
from ivraudit.reports.diffs import render_markdown
from ivraudit.rules.engine import audit
from ivraudit.testing import assert_menus_clean
from tests.conftest import MENUS, ROOT

BAD = (MENUS / "telecom-bad.yaml").read_text(encoding="utf-8")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_baseline_round_trip(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("menu.yaml").write_text(BAD, encoding="utf-8")
    made = runner.invoke(main, ["baseline", "menu.yaml", "-o", "baseline.json"])
    assert made.exit_code == 0, made.output
    assert "baseline of 31 finding(s) in 1 file(s) written to baseline.json" in made.stderr
    entries = json.loads(Path("baseline.json").read_text())["findings"]
    assert len(entries) == 31
    assert {"fingerprint", "rule", "file", "node", "message"} == set(entries[0])

    # existing findings are absorbed: clean
    clean = runner.invoke(main, ["check", "./menu.yaml", "--baseline", "baseline.json"])
    assert clean.exit_code == 0, clean.output
    assert clean.stdout.endswith(
        "0 findings (0 errors, 0 warnings, 0 info) in 1 file; 31 in the baseline.\n"
    )

    # unrelated edits move every line; a new fault is the only one reported
    edited = "# moved down\n\n" + BAD.replace('"4": disputes}', '"4": disputes, "9": nowhere}')
    Path("menu.yaml").write_text(edited, encoding="utf-8")
    new = runner.invoke(main, ["check", "menu.yaml", "--baseline", "baseline.json", "--no-witness"])
    assert new.exit_code == 1
    assert [line.split(": ", 1)[1].split()[0] for line in new.stdout.splitlines()[:-1]] == [
        "MN003",
        "ST001",
    ]
    assert "key 9 of 'billing_menu' goes to 'nowhere'" in new.stdout

    # fixing a baselined fault lists the entry as fixed
    Path("menu.yaml").write_text(
        BAD.replace(
            "  old_promo:\n    type: say\n    say: Ask about our summer offer.\n    next: main\n",
            "",
        )
    )
    fixed = runner.invoke(main, ["check", "menu.yaml", "--baseline", "baseline.json", "-f", "json"])
    data = json.loads(fixed.stdout)
    assert [entry["rule"] for entry in data["fixed"]] == ["ST002"]
    assert data["summary"]["absorbed"] == 30
    assert fixed.exit_code == 0


def test_bad_baseline_is_a_usage_error(runner, tmp_path):
    bad = tmp_path / "b.json"
    bad.write_text("[1, 2]")
    result = runner.invoke(main, ["check", str(MENUS / "bank.yaml"), "--baseline", str(bad)])
    assert result.exit_code == 2
    assert "not an ivraudit baseline" in result.stderr


BANK = (MENUS / "bank.yaml").read_text(encoding="utf-8")


def test_diff_neutral():
    result = diff(
        load(MENUS / "bank.yaml"), loads(BANK.replace("# Acme", "# The Acme"), name="bank.yaml")
    )
    assert (result.added, result.fixed, result.worse_outcomes, result.worse) == ([], [], [], False)


def test_diff_worse():
    worse = BANK.replace('"3": lending, "0": adviser}', '"3": lending}')
    result = diff(load(MENUS / "bank.yaml"), loads(worse, name="bank.yaml"))
    assert [(f.rule, f.node) for f in result.added] == [("MN002", "main"), ("MN003", "main")]
    assert [(c.node, c.old.seconds, c.new.seconds) for c in result.worse_outcomes] == [
        ("adviser", 16.0, pytest.approx(25.6)),
        ("callback", 18.0, pytest.approx(19.6)),
    ]
    assert result.reasons == [
        "key 0 of 'main' no longer reaches a person (was 'adviser')",
        "2 new finding(s) at or above warning",
        "2 outcome(s) deeper or slower",
    ]


def test_diff_better_and_outcomes_removed():
    old = load(MENUS / "telecom-bad.yaml")
    better = loads(
        BAD.replace("  tech_support:\n    type: hangup\n", "  tech_support:\n    type: callback\n"),
        name="t.yaml",
    )
    result = diff(old, better)
    assert [(f.rule, f.node) for f in result.fixed] == [("DE003", "tech_support")]
    assert [(o.node, o.kind) for o in result.outcomes_added] == [("tech_support", "callback")]
    assert result.added == [] and not result.worse
    lost = diff(better, old)
    assert [(o.node, o.kind) for o in lost.outcomes_removed] == [("tech_support", "callback")]
    assert lost.reasons == [
        "1 new finding(s) at or above warning",
        "removed: tech_support (callback)",
    ]


def test_diff_command_files_and_exit_codes(runner, tmp_path):
    new = tmp_path / "bank.yaml"
    new.write_text(BANK.replace('"3": lending, "0": adviser}', '"3": lending}'))
    worse = runner.invoke(main, ["diff", str(MENUS / "bank.yaml"), str(new)])
    assert worse.exit_code == 1
    assert (
        "worse: key 0 of 'main' no longer reaches a person (was 'adviser'); "
        "2 new finding(s) at or above warning; 2 outcome(s) deeper or slower"
    ) in worse.stdout
    same = runner.invoke(
        main, ["diff", str(MENUS / "bank.yaml"), str(MENUS / "bank.yaml"), "-f", "json"]
    )
    assert same.exit_code == 0
    assert json.loads(same.stdout)["worse"] is False
    markdown = runner.invoke(main, ["diff", str(MENUS / "bank.yaml"), str(new), "-f", "markdown"])
    assert markdown.stdout.startswith("## ivraudit diff: 🔴 this change makes the menu worse\n")
    usage = runner.invoke(main, ["diff", str(new)])
    assert usage.exit_code == 2


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_diff_against_a_git_ref(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    Path("menus").mkdir()
    Path("menus/bank.yaml").write_text(BANK)
    Path("menus/notes.json").write_text('{"not": "a menu"}')
    Path("menus/.archive").mkdir()  # hidden: 'check' skips it, and so does diff
    Path("menus/.archive/old bank.yaml").write_text(BANK)
    git("add", ".")
    git("commit", "-qm", "first")
    assert runner.invoke(main, ["diff", "--git", "HEAD", "menus/"]).exit_code == 0
    Path("menus/bank.yaml").write_text(BANK.replace('"3": lending, "0": adviser}', '"3": lending}'))
    Path("menus/new.yaml").write_text(BANK)
    result = runner.invoke(main, ["diff", "--git", "HEAD", "menus/", "-f", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert [(m["old"], m["new"], m["worse"]) for m in data["menus"]] == [
        ("menus/bank.yaml@HEAD", "menus/bank.yaml", True),
        ("(none)", "menus/new.yaml", False),
    ]
    # A menu deleted since the ref: every outcome it served is gone.
    git("add", ".")
    git("commit", "-qm", "second")
    Path("menus/new.yaml").unlink()
    deleted = runner.invoke(main, ["diff", "--git", "HEAD", "menus/", "-f", "json"])
    assert deleted.exit_code == 1, deleted.output
    assert [(m["old"], m["new"], m["worse"]) for m in json.loads(deleted.stdout)["menus"]] == [
        ("menus/bank.yaml@HEAD", "menus/bank.yaml", False),
        ("menus/new.yaml@HEAD", "(none)", True),
    ]
    bad_ref = runner.invoke(main, ["diff", "--git", "no-such-ref", "menus/bank.yaml"])
    assert bad_ref.exit_code == 2
    assert "'no-such-ref' is not a git revision" in bad_ref.stderr


def test_pytest_helper():
    report = assert_menus_clean(MENUS / "bank.yaml", MENUS / "clinic.yaml")
    assert len(report.files) == 2
    with pytest.raises(AssertionError) as caught:
        assert_menus_clean(MENUS / "telecom-bad.yaml", fail_on="error")
    message = str(caught.value)
    assert message.startswith("4 finding(s) at or above error:\n")
    assert "DE002 callers who reach 'roaming' loop with no way out" in message
    assert_menus_clean(MENUS / "telecom-bad.yaml", ignore=["DE", "ST"], fail_on="error")


def _ivraudit_commands(text: str) -> list[list[str]]:
    """Every 'ivraudit ...' command in a recipe, as arguments."""
    joined = re.sub(r"\\\n\s*", " ", text)
    commands = []
    for match in re.finditer(r"ivraudit ((?:check|diff|baseline|metrics)[^\n|]*)", joined):
        line = match.group(1).split(" || ")[0].strip()
        commands.append(shlex.split(line))
    return commands


@pytest.mark.parametrize(
    "recipe", ["docs/examples/github-actions.yml", "docs/examples/gitlab-ci.yml"]
)
def test_ci_recipes_run_as_written(recipe, runner, tmp_path, monkeypatch):
    text = (ROOT / recipe).read_text(encoding="utf-8")
    assert yaml.safe_load(text)
    commands = _ivraudit_commands(text)
    assert commands, "no ivraudit command found"
    monkeypatch.chdir(tmp_path)
    subprocess.run(["git", "init", "-q"], check=True)
    shutil.copytree(MENUS, "menus")
    subprocess.run(["git", "add", "."], check=True)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "menus"],
        check=True,
    )
    for args in commands:
        args = [re.sub(r"^origin/.*$", "HEAD", arg) for arg in args]
        result = runner.invoke(main, args)
        assert result.exit_code in (0, 1), (args, result.output)


def test_pre_commit_hook_definition(runner, tmp_path):
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [hook["id"] for hook in hooks] == ["ivraudit", "ivraudit-dialplan"]
    entry = shlex.split(hooks[0]["entry"])
    assert entry[0] == "ivraudit"
    other = tmp_path / ".gitlab-ci.yml"
    other.write_text("stages: [test]\n")
    # pre-commit passes every changed file: non-menus are skipped, menus audited
    result = runner.invoke(main, [*entry[1:], str(other), str(MENUS / "bank.yaml")])
    assert result.exit_code == 0, result.output
    assert "skipped 1 file(s) that are not menus" in result.stderr
    result = runner.invoke(main, [*entry[1:], str(MENUS / "telecom-bad.yaml")])
    assert result.exit_code == 1


def test_a_markdown_diff_stays_under_the_comment_limit_and_says_what_it_left_out():
    old = load(MENUS / "bank.yaml")
    new = loads(BANK.replace('"3": lending, "0": adviser}', '"3": lending}'), name="bank.yaml")
    result = diff(old, new)
    whole = render_markdown([result], limit=None)
    assert whole == render_markdown([result])  # a small diff is whole
    items = [line for line in whole.splitlines() if line.startswith(("- ", "| `"))]
    assert len(items) == 4
    limit = len(whole) - 1
    cut = render_markdown([result], limit=limit)
    assert len(cut) <= limit
    kept = [line for line in cut.splitlines() if line.startswith(("- ", "| `"))]
    left = len(items) - len(kept)
    assert left >= 1 and set(kept) <= set(items)
    assert cut.splitlines()[2] == (
        f"**{left} lines left out** (findings and outcomes) to keep this comment under "
        f"{limit:,} characters (GitHub's limit); `--format json` lists them all."
    )
    # What makes the change worse is always there.
    assert "**Worse:** key 0 of 'main' no longer reaches a person" in cut
    # Past what is always shown, the comment is cut, and says so.
    assert render_markdown([result], limit=0) == (
        "… (cut at 0 characters: `--format json` holds everything)\n"
    )


def test_a_long_markdown_diff_shows_new_findings_before_fixed_ones():
    report = audit(load(MENUS / "telecom-bad.yaml"))
    fixed = [f for f in report.findings if f.severity.value != "error"]
    new = [f for f in report.findings if f.severity.value == "error"]
    files = [
        Diff(old="a.yaml", new="a.yaml", fixed=fixed * 20),
        Diff(old="b.yaml", new="b.yaml", added=new),
    ]
    whole = render_markdown(files, limit=None)
    text = render_markdown(files, limit=4000)
    assert len(whole) > 4000 >= len(text)
    listed = text.splitlines()
    assert sum(line.startswith("- 🆕") for line in listed) == len(new) == 4
    shown_fixed = sum(line.startswith("- ✅") for line in listed)
    assert 0 < shown_fixed < len(fixed) * 20
    left = len(fixed) * 20 - shown_fixed
    assert listed[2].startswith(f"**{left} lines left out**")


def test_a_long_reason_is_shortened():
    outcomes = metrics(load(MENUS / "telecom-bad.yaml")).outcomes
    people = [o for o in outcomes if o.kind == "human"] * 50  # a reorganisation
    result = Diff(old="a.yaml", new="a.yaml", outcomes_removed=people)
    (reason,) = result.reasons
    assert len(reason) > 2000
    (worse,) = [line for line in render_markdown([result]).splitlines() if "**Worse:**" in line]
    assert len(worse) < 600 and worse.endswith("…")


def _finding(line: int, words: int) -> Finding:
    return Finding(
        rule="DE003",
        severity=Severity.WARNING,
        file="a.yaml",
        line=line,
        column=1,
        node=f"n{line}",
        message="m" * words,
    )


def test_a_markdown_diff_that_fits_is_whole_and_better_news_waits_for_new_findings():
    change = Diff(
        old="a.yaml",
        new="a.yaml",
        added=[_finding(1, 10), _finding(2, 600)],
        fixed=[_finding(3, 10)],
    )
    whole = render_markdown([change], limit=None)
    assert render_markdown([change], limit=len(whole)) == whole  # no notice when it fits
    cut = render_markdown([change], limit=len(whole) - 5)
    # The long new finding does not fit: nothing less important is shown in its place.
    assert "🆕 **DE003** line 1" in cut
    assert "line 2" not in cut and "✅" not in cut
    assert "**2 lines left out**" in cut

"""The pre-commit recipe of docs/ci.md works as written: pre-commit itself runs it.

A temporary git repository gets the recipe's .pre-commit-config.yaml (only the
repository URL is pointed at this clone) and a menu with a fault; pre-commit
builds the hook from this clone's ``main`` and must fail on the fault, then pass
once it is fixed.  The first run installs the hook's environment with pip.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from tests.conftest import ROOT

BAD = """\
ivraudit: 1
start: main
nodes:
  main:
    type: menu
    say: For billing press 1. For an adviser press 0.
    options: {"1": billing, "0": adviser}
    no_input: main
    no_match: main
  billing: {type: hangup}
  adviser: {type: transfer, target: "queue:advisers", fail: voicemail}
  voicemail: {type: voicemail}
"""


def _recipe() -> str:
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    section = text.split("## pre-commit", 1)[1]
    return re.search(r"```yaml\n(.*?)```", section, re.S).group(1)


def _git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def repository(tmp_path):
    if shutil.which("pre-commit") is None or shutil.which("git") is None:
        pytest.skip("pre-commit or git is not installed (pip install -e '.[test]')")
    branch = subprocess.run(
        ["git", "branch", "--show-current"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    if branch != "main":
        pytest.skip(f"the recipe follows 'main'; this clone is on {branch or 'a detached HEAD'}")
    repo = tmp_path / "repo"
    (repo / "menus").mkdir(parents=True)
    recipe = _recipe().replace("https://github.com/ivraudit/ivraudit", str(ROOT))
    (repo / ".pre-commit-config.yaml").write_text(recipe)
    (repo / "menus" / "main.yaml").write_text(BAD)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    return repo


def _pre_commit(repo, home):
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(
        ["pre-commit", "run", "--all-files"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_the_documented_pre_commit_recipe_fails_on_a_fault_and_passes_when_fixed(
    repository, tmp_path
):
    failed = _pre_commit(repository, tmp_path / "cache")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert (
        "menus/main.yaml:10:3: DE003 warning: 'billing' hangs up and gives no reason"
        in failed.stdout
    ), failed.stdout
    fixed = BAD.replace(
        "billing: {type: hangup}",
        'billing: {type: transfer, target: "queue:billing", fail: voicemail}',
    )
    (repository / "menus" / "main.yaml").write_text(fixed)
    _git(repository, "add", ".")
    passed = _pre_commit(repository, tmp_path / "cache")
    assert passed.returncode == 0, passed.stdout + passed.stderr

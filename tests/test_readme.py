"""The README's first-day commands work as written (issue 16): the set-up command
audits the bundled menus through the installed console script, and the README
tells a newcomer why corpus tests skip."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _setup_commands() -> list[str]:
    section = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, re.S)


def test_the_setup_section_gives_the_install_and_test_commands():
    assert _setup_commands() == [
        "pip install -e . && ivraudit check menus/",
        "pip install -e '.[test]' && pytest",
    ]


def test_the_setup_check_runs_as_written_through_the_console_script():
    program = shutil.which("ivraudit")
    if program is None:
        pytest.skip("the ivraudit console script is not installed (pip install -e .)")
    command = _setup_commands()[0].split("&& ", 1)[1].split()
    done = subprocess.run(
        [program, *command[1:]], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    # The README: three menus come out clean, telecom-bad.yaml prints its faults, exit 1.
    assert done.returncode == 1, done.stderr
    found = [line for line in done.stdout.splitlines() if line.startswith("menus/")]
    files = {line.split(":", 1)[0] for line in found}
    assert files == {"menus/telecom-bad.yaml"}
    assert done.stdout.splitlines()[-1] == (
        "31 findings (4 errors, 25 warnings, 2 info) in 1 of 4 files."
    )


def test_the_readme_says_why_corpus_tests_skip_and_how_to_see_it():
    assert "../shared/corpus" in README
    assert "pytest -rs" in README

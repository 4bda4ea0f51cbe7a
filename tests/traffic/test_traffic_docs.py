"""The worked example of docs/traffic.md still runs: every command of its `sh` blocks
runs (in a scratch folder holding menus/ and benchmarks/), exits 0, and prints the lines
the doc shows after it, in order ("..." stands for lines left out); the heat map command
writes a PNG."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "traffic.md"


def worked_example() -> list[tuple[list[str], list[str]]]:
    """The example's commands, block by block, each with the output lines shown after it."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## A worked example", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(\w*)\n(.*?)```", section, re.DOTALL)
    found: list[tuple[list[str], list[str]]] = []
    for kind, body in blocks:
        if kind == "sh":
            commands = body.replace("\\\n", " ").strip().splitlines()
            found.append((commands, []))
        elif kind == "" and found:
            found[-1][1].extend(line for line in body.splitlines() if line != "...")
    return found


def run(command: str, cwd: Path) -> str:
    words = shlex.split(command)
    if words[0] == "python":
        words[0] = sys.executable
    elif words[0] == "ivraudit":
        words[:1] = [sys.executable, "-m", "ivraudit"]
    done = subprocess.run(words, cwd=cwd, capture_output=True, text=True, timeout=300)
    # check exits 1 on findings; every other command must succeed.
    allowed = (0, 1) if words[3:4] == ["check"] else (0,)
    assert done.returncode in allowed, f"{command}: {done.stderr}"
    return done.stderr + done.stdout


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz")
def test_the_worked_example_runs_and_prints_what_the_doc_shows(tmp_path):
    (tmp_path / "menus").symlink_to(ROOT / "menus")
    (tmp_path / "benchmarks").symlink_to(ROOT / "benchmarks")
    (tmp_path / "docs" / "images").mkdir(parents=True)  # not the repository's images
    example = worked_example()
    assert len(example) >= 4
    for commands, shown in example:
        printed = "".join(run(command, tmp_path) for command in commands).splitlines()
        position = 0
        for line in shown:
            assert line in printed[position:], f"{commands[-1]}: missing {line!r}"
            position = printed.index(line, position) + 1
    picture = tmp_path / "docs" / "images" / "telecom-bad-heat.png"
    assert picture.read_bytes().startswith(b"\x89PNG")
    assert (ROOT / "docs" / "images" / "telecom-bad-heat.png").exists()
    assert (tmp_path / "traffic.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not [name for name in os.listdir(tmp_path) if name.startswith(".ivraudit-")]

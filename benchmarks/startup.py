"""Start-up time: ``ivraudit --version`` and a small ``check`` against the floor of
any click + YAML command line (``python -c "import click, yaml"``).

Run from the repository root:  python benchmarks/startup.py [--repeat N]
Targets (issue 16): --version at most 2x the floor; a small check under 0.5 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _best(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat
    cli = [sys.executable, "-c", "from ivraudit.cli import main; main()"]
    rows = [
        ("python -c 'import click, yaml'", [sys.executable, "-c", "import click, yaml"]),
        ("ivraudit --version", [*cli, "--version"]),
        ("ivraudit check menus/bank.yaml", [*cli, "check", "menus/bank.yaml"]),
        ("ivraudit check menus/", [*cli, "check", "menus/"]),
    ]
    floor = None
    print(f"{'command':<34} {'best':>7} {'median':>7} {'÷ floor':>8}")
    for name, command in rows:
        best, median = _best(command, repeat)
        floor = floor or best
        print(f"{name:<34} {best:>6.3f}s {median:>6.3f}s {best / floor:>7.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

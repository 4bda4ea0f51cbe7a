"""The floor under ``ivraudit check`` on the many-findings shape, and what it says of
issue 15's time targets.

A check reads the file, builds the typed menu model with every node's position,
and writes a report of its findings; before any rule runs it pays for the
interpreter, its imports, the model and, after, for making and writing each
finding.  This script times each of those floors on the many-findings shape
(:func:`generate.generate_many`, about two findings per node), in fresh
interpreters where start-up is measured, and prints each as a multiple of a plain
``json.load`` of the file, next to the targets of issue 15 (a whole
``check --no-witness`` in 8x ``json.load``, ``check -f json`` in 20x):

    python benchmarks/floor.py            # 100,000 nodes
    python benchmarks/floor.py --size 20000

The floors are generous to the target: making findings is timed with every field
already worked out (no rule, no route, no position), and writing them with the
C encoder and nothing else.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

TARGETS = {"check --no-witness": 8.0, "check -f json": 20.0}


def best(repeat: int, run: Callable[[], Any]) -> float:
    """The shortest of ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def fresh(code: str, repeat: int = 5) -> float:
    """The shortest wall time of ``python -c CODE`` in a new interpreter."""
    command = [sys.executable, "-c", code]
    return best(repeat, lambda: subprocess.run(command, check=True))


def floors(path: str, findings: int) -> dict[str, float]:
    """Each floor in seconds (see the module's docstring)."""
    import ivraudit
    from ivraudit.model.findings import Severity, new_finding
    from ivraudit.reports.json_report import dumps

    def json_load() -> Any:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)

    interpreter = fresh("pass")
    imports = fresh("import ivraudit.cli.check") - interpreter
    values = {
        "rule": "DE004",
        "name": "platform-disconnect",
        "severity": Severity.WARNING,
        "file": path,
        "line": 1,
        "column": 1,
        "node": "main",
        "message": "ask 'main' has no no-input and no-match handler",
        "fix": "Add no_input and no_match routes.",
        "fact": "",
    }

    def make() -> list[Any]:
        return [new_finding(**values) for _ in range(findings)]

    made = make()
    items = [finding.to_dict(witness=False) for finding in made]

    def encode() -> None:
        for item in items:
            dumps(item)

    return {
        "json.load": best(3, json_load),
        "interpreter": interpreter,
        "imports": imports,
        "ivraudit.load (model, positions)": best(3, lambda: ivraudit.load(path, max_bytes=10**9)),
        f"make {findings:,} findings": best(3, make),
        f"encode {findings:,} findings": best(3, encode),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    args = parser.parse_args()
    from generate import generate_many

    with tempfile.TemporaryDirectory(prefix="ivraudit-floor-") as folder:
        path = os.path.join(folder, f"many-{args.size}.json")
        menu = generate_many(args.size)
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(menu, handle)
        measured = floors(path, 2 * len(menu["nodes"]))
    unit = measured["json.load"]
    print(f"many-findings shape, {args.size:,} nodes; each floor as a multiple of json.load")
    total = 0.0
    for name, seconds in measured.items():
        if name != "json.load":
            total += seconds
        print(f"  {name:<36} {seconds:7.3f} s  {seconds / unit:6.1f} x")
    print(f"  {'sum of the floors':<36} {total:7.3f} s  {total / unit:6.1f} x")
    for name, target in TARGETS.items():
        verdict = "out of reach" if total / unit > target else "within reach"
        print(f"  target for {name}: {target:g} x = {target * unit:.3f} s ({verdict})")


if __name__ == "__main__":
    main()

"""Precision on the ledger: how many of the judged findings ivraudit still reports, by verdict.

Run from the repository root:  python -m tests.precision.measure
It audits every corpus file the ledger names, matches findings by file, rule and
line, and prints per rule and in total: true, false and noise still reported, and
precision = true / (true + false + noise) over what is reported.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import yaml

from ivraudit.runner import check

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent.parent / "shared" / "corpus"
LEDGER = HERE / "ledger.yaml"

Key = tuple[str, str, int]


def ledger() -> list[dict]:
    """The judged findings, as written in ledger.yaml."""
    return yaml.safe_load(LEDGER.read_text(encoding="utf-8"))


def key(entry: dict) -> Key:
    return (entry["file"], entry["rule"], int(entry["line"]))


def reported(files: Iterable[str]) -> set[Key]:
    """(file, rule, line) of every finding ivraudit reports today on these corpus files."""
    paths = [str(CORPUS / name) for name in sorted(set(files))]
    result = check(paths, skip_non_menus=True)
    found = set()
    for finding in result.report.findings:
        relative = Path(finding.file).resolve().relative_to(CORPUS.resolve()).as_posix()
        found.add((relative, finding.rule, finding.line))
    return found


def tally(entries: list[dict], found: set[Key]) -> dict[str, Counter]:
    """Per rule (and '*' for all): how many judged findings of each verdict are still reported."""
    counts: dict[str, Counter] = {"*": Counter()}
    for entry in entries:
        state = "reported" if key(entry) in found else "gone"
        for rule in ("*", entry["rule"]):
            counts.setdefault(rule, Counter())[(entry["verdict"], state)] += 1
    return counts


def precision(counts: Counter) -> float | None:
    true = counts[("true", "reported")]
    total = true + counts[("false", "reported")] + counts[("noise", "reported")]
    return true / total if total else None


def main() -> int:
    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}", file=sys.stderr)
        return 2
    entries = ledger()
    counts = tally(entries, reported(entry["file"] for entry in entries))
    print("rule   true  false  noise  (still reported; gone in brackets)  precision")
    for rule in sorted(counts, key=lambda name: (name == "*", name)):
        row = counts[rule]
        cells = [
            f"{row[(v, 'reported')]:>4} [{row[(v, 'gone')]}]" for v in ("true", "false", "noise")
        ]
        value = precision(row)
        shown = "-" if value is None else f"{value:.0%}"
        print(f"{'all' if rule == '*' else rule:<6} {'  '.join(cells)}  {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

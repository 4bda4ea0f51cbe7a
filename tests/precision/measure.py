"""Precision on the ledger: how many of the judged findings ivraudit still reports, by verdict.

Run from the repository root:  python -m tests.precision.measure
It audits every corpus file the ledger names, matches findings by file, rule and
line, and prints per rule and in total: true, false and noise still reported, and
precision = true / (true + false + noise) over what is reported.  A finding judged
``unknown`` is a real fault that shows only with a file the corpus lacks: it must
not be reported on what was read, and does not count for precision.

``--mark-fixed`` writes ``fixed: true`` on every false, noise or unknown entry that is
no longer reported (from then on its return fails the build).
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import yaml

from ivraudit.runner import check

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent.parent / "shared"
CORPUS = SHARED / "corpus"
ESTATES = SHARED / "estates"
LEDGER = HERE / "ledger.yaml"

Key = tuple[str, str, int]


def ledger() -> list[dict]:
    """The judged findings, as written in ledger.yaml."""
    return yaml.safe_load(LEDGER.read_text(encoding="utf-8"))


def key(entry: dict) -> Key:
    """How a judged finding is matched: its file (relative to the corpus, or to the
    estates folder for an estate's), its rule and its line."""
    return (entry["file"], entry["rule"], int(entry["line"]))


def reported(entries: Iterable[dict]) -> Counter[Key]:
    """How many findings ivraudit reports today at each (file, rule, line) where the
    ledger judged: the whole corpus, checked as users check it, and each estate named."""
    estates = sorted({entry["estate"] for entry in entries if entry.get("estate")})
    found = _found(check([str(CORPUS)], skip_non_menus=True), CORPUS)
    for name in estates:
        found += _found(check([str(ESTATES / name)], skip_non_menus=True), ESTATES)
    return found


def _found(result, root: Path) -> Counter[Key]:
    found: Counter[Key] = Counter()
    for finding in result.report.findings:
        relative = Path(finding.file).resolve().relative_to(root.resolve()).as_posix()
        found[(relative, finding.rule, finding.line)] += 1
    return found


def standing(entries: Iterable[dict], found: Counter[Key]) -> set[str]:
    """The ids of the judged findings still reported.  Entries that share a key (two
    findings of one rule at one line, one judged a duplicate of the other) take the
    findings reported there in turn, duplicates last: when only one finding is left at
    that line, the duplicate is the one gone."""
    groups: dict[Key, list[dict]] = {}
    for entry in entries:
        groups.setdefault(key(entry), []).append(entry)
    ids: set[str] = set()
    for place, group in groups.items():
        group = sorted(group, key=lambda entry: entry.get("cause") == "duplicate")
        ids.update(entry["id"] for entry in group[: found[place]])
    return ids


def tally(entries: list[dict], found: Counter[Key], by: str = "rule") -> dict[str, Counter]:
    """Per rule, or per source (``by="source"``: the platform of a corpus file, or the
    estate), and '*' for all: how many judged findings of each verdict are still reported."""
    counts: dict[str, Counter] = {"*": Counter()}
    still = standing(entries, found)
    for entry in entries:
        state = "reported" if entry["id"] in still else "gone"
        group = entry["rule"] if by == "rule" else source(entry)
        for name in ("*", group):
            counts.setdefault(name, Counter())[(entry["verdict"], state)] += 1
    return counts


def source(entry: dict) -> str:
    """Where a judged finding was met: an estate's name, or the corpus folder of its format."""
    if entry.get("estate"):
        return str(entry["estate"])
    return "corpus/" + entry["file"].split("/", 1)[0]


def precision(counts: Counter) -> float | None:
    true = counts[("true", "reported")]
    wrong = ("false", "noise", "unknown")
    total = true + sum(counts[(verdict, "reported")] for verdict in wrong)
    return true / total if total else None


def mark_fixed(entries: list[dict], found: Counter[Key]) -> list[str]:
    """Add ``fixed: true`` after the verdict of every judged-wrong entry no longer
    reported, editing ledger.yaml in place (comments and order kept); their ids."""
    still = standing(ledger(), found)
    fixed = [
        entry["id"]
        for entry in entries
        if entry["verdict"] != "true" and not entry.get("fixed") and entry["id"] not in still
    ]
    lines = LEDGER.read_text(encoding="utf-8").splitlines(keepends=True)
    wanted = {f'- id: "{name}"' for name in fixed}
    out: list[str] = []
    inside = False
    for line in lines:
        if line.startswith("- id: "):
            inside = line.strip() in wanted
        out.append(line)
        if inside and line.startswith("  verdict: "):
            out.append("  fixed: true\n")
    LEDGER.write_text("".join(out), encoding="utf-8")
    return fixed


def main() -> int:
    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}", file=sys.stderr)
        return 2
    entries = ledger()
    found = reported(entries)
    if "--mark-fixed" in sys.argv[1:]:
        marked = mark_fixed(entries, found)
        print(f"marked {len(marked)} entries fixed: {', '.join(marked) or '-'}")
        entries = ledger()
    for by in ("rule", "source"):
        counts = tally(entries, found, by)
        print(f"{by:<30} true     false    noise    unknown  (still reported [gone])  precision")
        for name in sorted(counts, key=lambda item: (item == "*", item)):
            row = counts[name]
            cells = [
                f"{row[(v, 'reported')]:>4} [{row[(v, 'gone')]}]"
                for v in ("true", "false", "noise", "unknown")
            ]
            value = precision(row)
            shown = "-" if value is None else f"{value:.0%}"
            print(f"{'all' if name == '*' else name:<29} {'  '.join(cells)}  {shown}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())

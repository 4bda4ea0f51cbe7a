"""Two versions of a menu compared: findings added and fixed, outcomes added,
removed, deeper or slower, and the change in time to the nearest person.

Findings are matched by rule, node and fact (not file or line), outcomes by
node id, so renaming the file or moving lines changes nothing.
"""

from __future__ import annotations

import os
import subprocess
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ivraudit.analysis.context import AuditContext
from ivraudit.analysis.metrics import Metrics, OutcomeMetrics, metrics
from ivraudit.config import Config
from ivraudit.model.errors import UsageError
from ivraudit.model.findings import Finding, Severity
from ivraudit.model.menu import Menu
from ivraudit.rules.engine import audit

#: Outcomes whose loss makes a menu worse (a completed call or a hand-off may
#: rightly be removed; a way to a person, a message or a callback may not).
SERVICE_KINDS = ("human", "voicemail", "callback")


@dataclass(frozen=True)
class OutcomeChange:
    """One outcome in both versions, with what changed."""

    node: str
    kind: str
    old: OutcomeMetrics
    new: OutcomeMetrics

    @property
    def presses(self) -> int:
        return self.new.presses - self.old.presses

    @property
    def seconds(self) -> float:
        return self.new.seconds - self.old.seconds

    def to_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "kind": self.kind,
            "presses": [self.old.presses, self.new.presses],
            "seconds": [round(self.old.seconds, 1), round(self.new.seconds, 1)],
        }


@dataclass
class Diff:
    """The difference between two versions of one menu (see :func:`diff`)."""

    old: str
    new: str
    added: list[Finding] = field(default_factory=list)
    fixed: list[Finding] = field(default_factory=list)
    outcomes_added: list[OutcomeMetrics] = field(default_factory=list)
    outcomes_removed: list[OutcomeMetrics] = field(default_factory=list)
    worse_outcomes: list[OutcomeChange] = field(default_factory=list)
    better_outcomes: list[OutcomeChange] = field(default_factory=list)
    human_before: tuple[str, float] | None = None
    human_after: tuple[str, float] | None = None
    fail_on: Severity | None = Severity.WARNING
    seconds_tolerance: float = 1.0

    @property
    def human_change(self) -> float | None:
        """Seconds more (positive) or fewer to the nearest person, None if either has none."""
        if self.human_before is None or self.human_after is None:
            return None
        return self.human_after[1] - self.human_before[1]

    @property
    def reasons(self) -> list[str]:
        """Why the new version is worse, one sentence each (empty: not worse)."""
        reasons = []
        failing = [f for f in self.added if self.fail_on and f.severity.rank >= self.fail_on.rank]
        if failing:
            reasons.append(f"{len(failing)} new finding(s) at or above {self.fail_on}")
        lost = [o for o in self.outcomes_removed if o.kind in SERVICE_KINDS]
        if lost:
            reasons.append("removed: " + ", ".join(f"{o.node} ({o.kind})" for o in lost))
        if self.worse_outcomes:
            reasons.append(f"{len(self.worse_outcomes)} outcome(s) deeper or slower")
        if self.human_before is not None and self.human_after is None:
            reasons.append("no person can be reached any more")
        change = self.human_change
        if change is not None and change > self.seconds_tolerance:
            reasons.append(f"the nearest person is {change:.0f} s further away")
        return reasons

    @property
    def worse(self) -> bool:
        return bool(self.reasons)

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "worse": self.worse,
            "reasons": self.reasons,
            "findings": {
                "added": [f.to_dict() for f in self.added],
                "fixed": [f.to_dict() for f in self.fixed],
            },
            "outcomes": {
                "added": [o.to_dict() for o in self.outcomes_added],
                "removed": [o.to_dict() for o in self.outcomes_removed],
                "worse": [c.to_dict() for c in self.worse_outcomes],
                "better": [c.to_dict() for c in self.better_outcomes],
            },
            "nearest_human": {
                "before": _human(self.human_before),
                "after": _human(self.human_after),
            },
        }


def _human(value: tuple[str, float] | None) -> dict[str, Any] | None:
    return None if value is None else {"node": value[0], "seconds": round(value[1], 1)}


def diff(
    old: Menu | None,
    new: Menu | None,
    config: Config | None = None,
    *,
    seconds_tolerance: float = 1.0,
) -> Diff:
    """Compare two versions of a menu (either may be None: added or deleted).

    An outcome is worse when it needs more presses, or more than
    ``seconds_tolerance`` seconds more; the menu is worse (``Diff.worse``)
    when findings at or above the fail level appear, an outcome gets worse, a
    person, voicemail or callback outcome disappears, or the nearest person
    gets further away.
    """
    config = config or Config()
    before = _measure(old, config)
    after = _measure(new, config)
    result = Diff(
        old=old.path if old else "(none)",
        new=new.path if new else "(none)",
        fail_on=config.fail_on,
        seconds_tolerance=seconds_tolerance,
    )
    result.added, result.fixed = _compare_findings(before[0], after[0])
    old_outcomes = {o.node: o for o in (before[1].outcomes if before[1] else ())}
    new_outcomes = {o.node: o for o in (after[1].outcomes if after[1] else ())}
    result.outcomes_added = [o for node, o in new_outcomes.items() if node not in old_outcomes]
    result.outcomes_removed = [o for node, o in old_outcomes.items() if node not in new_outcomes]
    for node, was in old_outcomes.items():
        now = new_outcomes.get(node)
        if now is None:
            continue
        change = OutcomeChange(node, now.kind, was, now)
        if change.presses > 0 or change.seconds > seconds_tolerance:
            result.worse_outcomes.append(change)
        elif change.presses < 0 or change.seconds < -seconds_tolerance:
            result.better_outcomes.append(change)
    result.human_before = _nearest(before[1])
    result.human_after = _nearest(after[1])
    return result


def _measure(menu: Menu | None, config: Config) -> tuple[list[Finding], Metrics | None]:
    if menu is None:
        return [], None
    context = AuditContext(menu, config)
    return audit(menu, config, context=context).findings, metrics(menu, context=context)


def _nearest(measured: Metrics | None) -> tuple[str, float] | None:
    if measured is None or measured.nearest_human is None:
        return None
    return measured.nearest_human, measured.seconds_to_human or 0.0


def _compare_findings(
    before: list[Finding], after: list[Finding]
) -> tuple[list[Finding], list[Finding]]:
    old = Counter(f.identity for f in before)
    new = Counter(f.identity for f in after)
    added, fixed = [], []
    seen: Counter[tuple[str, str, str]] = Counter()
    for finding in after:
        seen[finding.identity] += 1
        if seen[finding.identity] > old[finding.identity]:
            added.append(finding)
    seen.clear()
    for finding in before:
        seen[finding.identity] += 1
        if seen[finding.identity] > new[finding.identity]:
            fixed.append(finding)
    return added, fixed


def _git(folder: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", "-C", folder, *args], capture_output=True, timeout=60, check=False
        )
    except FileNotFoundError:
        raise UsageError("git is not installed; --git needs it") from None
    except subprocess.TimeoutExpired:
        raise UsageError("git did not answer within 60 s") from None


def files_at_ref(paths: Sequence[str], ref: str) -> list[str]:
    """Menu files under the directories in ``paths`` as they were at ``ref`` (paths as the
    working tree would spell them), so that menus deleted since are compared too."""
    from ivraudit.formats import menu_suffixes

    found: list[str] = []
    suffixes = menu_suffixes()
    for given in paths:
        if not os.path.isdir(given):
            continue
        # Run in the directory, ls-tree names files relative to it; -z keeps odd names whole.
        listed = _git(given, "ls-tree", "-r", "-z", "--name-only", ref, "--", ".")
        if listed.returncode != 0:
            continue  # a bad ref or no repository: file_at_ref says so
        for line in listed.stdout.decode("utf-8", "replace").split("\0"):
            parts = line.split("/")
            # The files 'check' would find there: no hidden files or directories.
            if not line or any(part.startswith(".") for part in parts):
                continue
            if line.lower().endswith(suffixes):
                found.append(os.path.join(given, *parts))
    return found


def file_at_ref(path: str, ref: str) -> str | None:
    """The text of ``path`` at git revision ``ref``; None when it did not exist there.

    Raises UsageError when git is missing, the path is not in a repository,
    or the ref is unknown.
    """
    folder = os.path.dirname(os.path.abspath(path)) or "."
    name = os.path.basename(path)
    while not os.path.isdir(folder):  # a file deleted with its directory
        folder = os.path.dirname(folder)
        name = os.path.relpath(os.path.abspath(path), folder)
    if _git(folder, "rev-parse", "--show-toplevel").returncode != 0:
        raise UsageError(f"{path} is not in a git repository, so --git cannot compare it")
    if _git(folder, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode != 0:
        raise UsageError(f"'{ref}' is not a git revision in the repository of {path}")
    shown = _git(folder, "show", f"{ref}:./{name}")
    if shown.returncode != 0:
        return None
    try:
        return shown.stdout.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{path} at {ref} is not UTF-8 text") from None

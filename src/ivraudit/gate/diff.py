"""Two versions of a menu compared: findings added and fixed, outcomes added,
removed, deeper or slower, options of a menu lost or no longer leading to a
person, and the change in time to the nearest person.

Findings are matched by rule, node and fact (not file or line), outcomes and
options by node id, so renaming the file or moving lines changes nothing.
(:mod:`ivraudit.gate.git` compares menus with their versions at a git revision.)
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from ivraudit.analysis.context import AuditContext
from ivraudit.analysis.graph import SELECTION_VIAS
from ivraudit.analysis.metrics import Metrics, OutcomeMetrics, metrics
from ivraudit.config import Config
from ivraudit.formats import load_all
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


#: Keys shown bare ("key 0"); any other option is a phrase, shown quoted.
_KEYS = frozenset("0123456789*#ABCD")

#: What each option of each menu leads to: ``{menu: {key: (target, person or None)}}``.
Options = dict[str, dict[str, tuple[str, str | None]]]


@dataclass(frozen=True)
class OptionLoss:
    """An option of a menu that callers lose: its key (or phrase) is gone, or it no
    longer leads to a person.  ``person`` is the person it led to before (None: it
    led to none), ``now`` where it leads now (None: the option is gone)."""

    menu: str
    key: str
    was: str
    person: str | None
    now: str | None

    @property
    def sentence(self) -> str:
        """The loss in plain words, as a reason the change is worse."""
        if self.person is not None:
            option = f"key {self.key}" if self.key in _KEYS else f"option '{self.key}'"
            return f"{option} of '{self.menu}' no longer reaches a person (was '{self.person}')"
        option = self.key if self.key in _KEYS else f"'{self.key}'"
        return f"menu '{self.menu}' lost option {option} (was '{self.was}')"

    def to_dict(self) -> dict[str, Any]:
        return {
            "menu": self.menu,
            "key": self.key,
            "was": self.was,
            "person": self.person,
            "now": self.now,
            "message": self.sentence,
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
    options_lost: list[OptionLoss] = field(default_factory=list)
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
        reasons = [loss.sentence for loss in self.options_lost]
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
            "options": {"lost": [loss.to_dict() for loss in self.options_lost]},
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
    when a menu loses an option or an option no longer reaches a person
    (``Diff.options_lost``), findings at or above the fail level appear, an
    outcome gets worse, a person, voicemail or callback outcome disappears, or
    the nearest person gets further away.
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
    if old is not None and new is not None:
        result.options_lost = _lost_options(before[2], after[2])
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


def _measure(menu: Menu | None, config: Config) -> tuple[list[Finding], Metrics | None, Options]:
    if menu is None:
        return [], None, {}
    context = AuditContext(menu, config)
    findings = audit(menu, config, context=context).findings
    return findings, metrics(menu, context=context), _options(context)


def _options(ctx: AuditContext) -> Options:
    """Each menu's options: where each leads, and the person it reaches, if any."""
    found: Options = {}
    for menu in ctx.by_kind.get("menu", ()):
        choices = found.setdefault(menu, {})
        for target, _, data in ctx.out[menu]:
            if data["via"] in SELECTION_VIAS and data.get("key") is not None:
                choices.setdefault(str(data["key"]), (target, _person_from(ctx, menu, target)))
    return found


def _person_from(ctx: AuditContext, menu: str, target: str) -> str | None:
    """The nearest person (fewest steps) a caller can reach from ``target`` without
    coming back through ``menu``; None when there is none."""
    seen = {menu, target}
    queue = deque([target])
    while queue:
        node = queue.popleft()
        if ctx.outcomes.get(node) == "human":
            return node
        for nxt, _, _ in ctx.out[node]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return None


def _lost_options(before: Options, after: Options) -> list[OptionLoss]:
    """Options of menus in both versions that are gone, or no longer reach a person."""
    lost = []
    for menu, choices in before.items():
        if menu not in after:
            continue  # the menu itself is gone: its outcomes tell what callers lost
        for key, (was, person) in choices.items():
            now = after[menu].get(key)
            if now is None:
                lost.append(OptionLoss(menu, key, was, person, None))
            elif person is not None and now[1] is None:
                lost.append(OptionLoss(menu, key, was, person, now[0]))
    return lost


def pair_flows(old: list[Menu], new: list[Menu]) -> list[tuple[Menu | None, Menu | None]]:
    """Match the flows of two versions of a file by id (a single flow each: by position)."""
    if len(old) <= 1 and len(new) <= 1:
        return [(old[0] if old else None, new[0] if new else None)]
    old_by_id = {menu.id: menu for menu in old}
    new_by_id = {menu.id: menu for menu in new}
    ids = sorted(set(old_by_id) | set(new_by_id), key=lambda item: str(item))
    return [(old_by_id.get(key), new_by_id.get(key)) for key in ids]


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


def diff_files(
    old_path: str,
    new_path: str,
    config: Config | None = None,
    *,
    format: str | None = None,
    seconds_tolerance: float = 1.0,
) -> list[Diff]:
    """Compare two files (``ivraudit diff OLD NEW``): one :class:`Diff` per flow,
    flows paired by id.  Subflows resolve relative to each file."""
    config = config or Config()
    old = load_all(old_path, format, max_bytes=config.max_bytes)
    new = load_all(new_path, format, max_bytes=config.max_bytes)
    return [
        diff(before, after, config, seconds_tolerance=seconds_tolerance)
        for before, after in pair_flows(old, new)
    ]

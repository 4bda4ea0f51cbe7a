"""Rendering ``ivraudit diff`` results: text, JSON and Markdown (a PR comment)."""

from __future__ import annotations

import json
from collections.abc import Callable

from ivraudit._version import __version__
from ivraudit.analysis.metrics import OutcomeMetrics
from ivraudit.gate.diff import Diff
from ivraudit.model.prompts import shorten
from ivraudit.reports.markdown import code, cut_to, fitting, inline
from ivraudit.reports.options import MARKDOWN_LIMIT
from ivraudit.reports.text import plural


def _outcome(outcome: OutcomeMetrics) -> str:
    presses = f"{outcome.presses} press{'es' if outcome.presses != 1 else ''}"
    return f"{outcome.node} ({outcome.kind}): {presses}, {outcome.seconds:.1f} s"


def _human(value: tuple[str, float] | None) -> str:
    return "none" if value is None else f"'{value[0]}' {value[1]:.1f} s"


def render_text(diffs: list[Diff]) -> str:
    lines: list[str] = []
    for item in diffs:
        lines.append(f"{item.old} -> {item.new}")
        lines.append(f"  findings: {len(item.added)} new, {len(item.fixed)} fixed")
        for finding in item.added:
            lines.append(
                f"    + {finding.file}:{finding.line}:{finding.column}: {finding.rule} "
                f"{finding.message}"
            )
        for finding in item.fixed:
            lines.append(f"    - {finding.rule} {finding.message} (was line {finding.line})")
        lines.append(
            f"  outcomes: {len(item.outcomes_added)} added, {len(item.outcomes_removed)} removed, "
            f"{len(item.worse_outcomes)} worse, {len(item.better_outcomes)} better"
        )
        lines += [f"    + {_outcome(o)}" for o in item.outcomes_added]
        lines += [f"    - {_outcome(o)}" for o in item.outcomes_removed]
        for sign, changes in (("worse", item.worse_outcomes), ("better", item.better_outcomes)):
            for change in changes:
                lines.append(
                    f"    {sign}: {change.node} ({change.kind}): presses {change.old.presses} -> "
                    f"{change.new.presses}, seconds {change.old.seconds:.1f} -> "
                    f"{change.new.seconds:.1f}"
                )
        lines.append(f"  nearest person: {_human(item.human_before)} -> {_human(item.human_after)}")
        verdict = "worse: " + "; ".join(item.reasons) if item.worse else "not worse"
        lines.append(f"  {verdict}")
    return "\n".join(lines) + "\n"


def render_json(diffs: list[Diff]) -> str:
    data = {
        "version": 1,
        "tool": {"name": "ivraudit", "version": __version__},
        "worse": any(item.worse for item in diffs),
        "menus": [item.to_dict() for item in diffs],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


#: Lines that may be left out of a long Markdown diff, most important first: new
#: findings, outcomes made worse or removed, outcomes added, then what got better.
_NEW, _WORSE, _ADDED, _BETTER = range(4)
#: The longest a reason why a change is worse is shown (it may list many outcomes).
_REASON = 500


def _markdown_lines(item: Diff) -> list[tuple[str, int | None]]:
    """One file's part of the Markdown diff, each line with its rank when it is one of
    many (a finding or an outcome row) that may be left out to keep the comment short,
    None when it is always shown."""
    lines: list[tuple[str, int | None]] = [
        (f"### {code(item.new if item.new != '(none)' else item.old)}", None),
        ("", None),
    ]
    if item.worse:
        reasons = "; ".join(shorten(reason, _REASON) or "" for reason in item.reasons)
        lines += [(f"**Worse:** {inline(reasons)}", None), ("", None)]
    lines += [
        ("| | new | fixed |", None),
        ("|---|---:|---:|", None),
        (f"| findings | {len(item.added)} | {len(item.fixed)} |", None),
        ("", None),
    ]
    for finding in item.added:
        said = f"line {finding.line} {code(finding.node)}: {inline(finding.message)}"
        lines.append((f"- 🆕 **{finding.rule}** {said}", _NEW))
    for finding in item.fixed:
        said = f"{code(finding.node)}: {inline(finding.message)}"
        lines.append((f"- ✅ fixed **{finding.rule}** {said}", _BETTER))
    changes = item.worse_outcomes + item.better_outcomes
    if item.outcomes_added or item.outcomes_removed or changes:
        lines += [
            ("", None),
            ("| outcome | kind | presses | seconds | change |", None),
            ("|---|---|---:|---:|---|", None),
        ]
        for o, label, rank in [(o, "added", _ADDED) for o in item.outcomes_added] + [
            (o, "removed", _WORSE) for o in item.outcomes_removed
        ]:
            row = f"| {code(o.node)} | {o.kind} | {o.presses} | {o.seconds:.1f} | {label} |"
            lines.append((row, rank))
        for change in changes:
            worse = change in item.worse_outcomes
            row = (
                f"| {code(change.node)} | {change.kind} | {change.old.presses} → "
                f"{change.new.presses} | {change.old.seconds:.1f} → {change.new.seconds:.1f} "
                f"| {'worse' if worse else 'better'} |"
            )
            lines.append((row, _WORSE if worse else _BETTER))
    lines += [
        ("", None),
        (
            f"Nearest person: {inline(_human(item.human_before))} → "
            f"{inline(_human(item.human_after))}",
            None,
        ),
        ("", None),
    ]
    return lines


def _shown(parts: list[tuple[str, int | None]], room: int) -> set[int]:
    """The places of the optional lines that fit in ``room`` characters: the most
    important kind first, each in order; nothing less important is shown once a line
    does not fit."""
    ranked = (
        (place, len(line) + 1)
        for rank in (_NEW, _WORSE, _ADDED, _BETTER)
        for place, (line, of) in enumerate(parts)
        if of == rank
    )
    return set(fitting(ranked, room)[0])


def render_markdown(diffs: list[Diff], limit: int | None = MARKDOWN_LIMIT) -> str:
    """The diff as a pull-request comment.  Past ``limit`` characters (GitHub's for a
    comment) findings and outcome rows are left out, what got better first, and a line
    under the heading says how many; what makes the change worse is always shown."""
    worse = [item for item in diffs if item.worse]
    heading = "🔴 this change makes the menu worse" if worse else "🟢 no menu got worse"
    parts = [line for item in diffs for line in _markdown_lines(item)]
    lines = [f"## ivraudit diff: {heading}", ""]
    whole = "\n".join(lines + [line for line, _ in parts]).rstrip() + "\n"
    if limit is None or len(whole) <= limit:
        return whole
    optional = sum(1 for _, rank in parts if rank is not None)
    fixed = sum(len(line) + 1 for line, rank in parts if rank is None)
    notice = _left_out_line(optional, limit)
    room = limit - fixed - sum(len(line) + 1 for line in lines) - len(notice) - 2
    shown = _shown(parts, room)
    left = optional - len(shown)
    if left:
        lines += [_left_out_line(left, limit), ""]
    body = [line for place, (line, rank) in enumerate(parts) if rank is None or place in shown]
    return cut_to(("\n".join(lines + body)).rstrip() + "\n", limit)


def _left_out_line(left: int, limit: int) -> str:
    return (
        f"**{plural(left, 'line')} left out** (findings and outcomes) to keep this comment under "
        f"{limit:,} characters (GitHub's limit); `--format json` lists them all."
    )


#: Output formats of ``ivraudit diff``.
DIFF_REPORTERS: dict[str, Callable[[list[Diff]], str]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
}

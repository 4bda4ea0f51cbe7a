"""Rendering ``ivraudit diff`` results: text, JSON and Markdown (a PR comment)."""

from __future__ import annotations

import json
from collections.abc import Callable

from ivraudit._version import __version__
from ivraudit.analysis.metrics import OutcomeMetrics
from ivraudit.gate.diff import Diff
from ivraudit.reports.markdown import code, inline


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


def render_markdown(diffs: list[Diff]) -> str:
    worse = [item for item in diffs if item.worse]
    heading = "🔴 this change makes the menu worse" if worse else "🟢 no menu got worse"
    lines = [f"## ivraudit diff: {heading}", ""]
    for item in diffs:
        lines += [f"### {code(item.new if item.new != '(none)' else item.old)}", ""]
        if item.worse:
            lines += [f"**Worse:** {inline('; '.join(item.reasons))}", ""]
        lines += [
            "| | new | fixed |",
            "|---|---:|---:|",
            f"| findings | {len(item.added)} | {len(item.fixed)} |",
            "",
        ]
        for finding in item.added:
            lines.append(
                f"- 🆕 **{finding.rule}** line {finding.line} {code(finding.node)}: "
                f"{inline(finding.message)}"
            )
        for finding in item.fixed:
            lines.append(
                f"- ✅ fixed **{finding.rule}** {code(finding.node)}: {inline(finding.message)}"
            )
        changes = item.worse_outcomes + item.better_outcomes
        if item.outcomes_added or item.outcomes_removed or changes:
            lines += [
                "",
                "| outcome | kind | presses | seconds | change |",
                "|---|---|---:|---:|---|",
            ]
            for o in item.outcomes_added:
                lines.append(
                    f"| {code(o.node)} | {o.kind} | {o.presses} | {o.seconds:.1f} | added |"
                )
            for o in item.outcomes_removed:
                lines.append(
                    f"| {code(o.node)} | {o.kind} | {o.presses} | {o.seconds:.1f} | removed |"
                )
            for change in changes:
                label = "worse" if change in item.worse_outcomes else "better"
                lines.append(
                    f"| {code(change.node)} | {change.kind} | {change.old.presses} → "
                    f"{change.new.presses} | {change.old.seconds:.1f} → {change.new.seconds:.1f} "
                    f"| {label} |"
                )
        lines += [
            "",
            f"Nearest person: {inline(_human(item.human_before))} → "
            f"{inline(_human(item.human_after))}",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


#: Output formats of ``ivraudit diff``.
DIFF_REPORTERS: dict[str, Callable[[list[Diff]], str]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
}

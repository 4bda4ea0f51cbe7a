"""Plain text: one ``path:line:col: ID message`` line per finding, witness indented below."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ivraudit.model.findings import Finding, Report, Step, elided, numbered, unknowns_line
from ivraudit.model.prompts import shorten

if TYPE_CHECKING:
    from ivraudit.reports import RenderOptions


def render(report: Report, options: RenderOptions) -> str:
    return "".join(chunks(report, options))


def chunks(report: Report, options: RenderOptions) -> Iterator[str]:
    """The report as text, a finding at a time."""
    said: dict[int, str] = {}
    for finding in report.findings:
        lines = [
            f"{finding.file}:{finding.line}:{finding.column}: {finding.rule} "
            f"{finding.severity.value}: {finding.message}{calls_part(finding, report)}"
        ]
        if finding.fix:
            lines.append(f"    fix: {finding.fix}")
        if options.witness and finding.witness:
            lines.extend(witness_lines(finding, said=said))
        yield "\n".join(lines) + "\n"
    lines = unknown_lines(report) if options.unknowns else []
    lines.append(summary_line(report))
    leaving = unknowns_line(report.unknowns)
    if leaving:
        hint = "" if options.unknowns else " (--unknowns lists them)"
        lines.append(f"{leaving}{hint}.")
    yield "\n".join(lines) + "\n"


def calls_part(finding: Finding, report: Report) -> str:
    """ " (412 calls, 3.1%)" with --traffic, " (under 5 calls)" for a suppressed count,
    "" without traffic."""
    if report.traffic is None:
        return ""
    if finding.calls is None or finding.share is None:
        return f" (under {report.traffic['min_calls']} calls)"
    calls = plural(finding.calls, "call")
    return f" ({calls}, {finding.share * 100:.1f}%)"


def unknown_lines(report: Report) -> list[str]:
    """Each route that leaves what was read: where, why, and what it names."""
    lines = []
    for unknown in report.unknowns:
        named = f" {unknown.target!r}" if unknown.target else ""
        lines.append(
            f"{unknown.file}:{unknown.line}:{unknown.column}: unknown ({unknown.reason}){named} "
            f"at '{unknown.node}'"
        )
    return lines


def witness_lines(
    finding: Finding, indent: str = "    ", said: dict[int, str] | None = None
) -> list[str]:
    """The witness route, one numbered step per line.

    ``said`` keeps each step's text by ``id`` across the findings of one report: most
    findings share most of their steps, which are then worded once.  The report must
    hold the steps while ``said`` is in use (an ``id`` is reused once its object is gone).
    """
    lines = []
    for number, step in numbered(elided(finding.witness)):
        if step.is_gap:
            lines.append(f"{indent}   … ({step.does})")
            continue
        text = said.get(id(step)) if said is not None else None
        if text is None:
            text = _step_text(step)
            if said is not None:
                said[id(step)] = text
        lines.append(f"{indent}{number}. {text}")
    return lines


def _step_text(step: Step) -> str:
    heard = f' "{shorten(step.hears, 70)}"' if step.hears else ""
    does = f" -> {step.does}" if step.does else ""
    # No colon left dangling when nothing is heard or done at a step.
    colon = ":" if heard or does else ""
    return f"{step.node}{colon}{heard}{does}"


def plural(count: int, word: str) -> str:
    """'1 finding', '2 findings'."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def checked_files(report: Report) -> list[str]:
    """Every file the report covers: those checked, and the subflow files findings point at."""
    return sorted(set(report.files) | {finding.file for finding in report.findings})


def in_files(report: Report) -> str:
    """Where the findings are: "in 2 of 3 files" (files with findings of files checked),
    or "in 3 files" when that is all of them, or none has a finding."""
    checked = len(checked_files(report))
    with_findings = len({finding.file for finding in report.findings})
    if with_findings in (0, checked):
        return f"in {plural(checked, 'file')}"
    return f"in {with_findings} of {plural(checked, 'file')}"


def summary_line(report: Report) -> str:
    """One line: findings by severity, in how many of the files checked, files that could
    not be read."""
    counts = report.counts()
    parts = [
        f"{plural(len(report.findings), 'finding')} "
        f"({plural(counts['error'], 'error')}, {plural(counts['warning'], 'warning')}, "
        f"{counts['info']} info) {in_files(report)}"
    ]
    if report.errors:
        parts.append(f"{plural(len(report.errors), 'file')} could not be read")
    if report.suppressed:
        parts.append(f"{report.suppressed} suppressed in the menu")
    if report.absorbed:
        parts.append(f"{report.absorbed} in the baseline")
    if report.fixed:
        count = len(report.fixed)
        parts.append(f"{count} baseline {'entry' if count == 1 else 'entries'} now fixed")
    return "; ".join(parts) + "."

"""Markdown for a pull-request comment: a summary table, findings grouped by file,
witness routes folded away in ``<details>`` sections, and (when asked) a Mermaid
diagram per file."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from ivraudit.model.findings import Finding, Report, Severity, elided, numbered
from ivraudit.model.prompts import shorten
from ivraudit.reports.links import rule_url
from ivraudit.reports.text import calls_part, in_files, plural
from ivraudit.rules import RULES

if TYPE_CHECKING:
    from ivraudit.reports import RenderOptions

_ICONS = {Severity.ERROR: "🔴", Severity.WARNING: "🟠", Severity.INFO: "🔵"}


def inline(text: str) -> str:
    """Text safe inside a Markdown line or table cell."""
    escaped = text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "\\`")
    escaped = escaped.replace("<", "&lt;").replace(">", "&gt;").replace("*", "\\*")
    return escaped.replace("_", "\\_").replace("\n", " ")


def code(text: str) -> str:
    """Text in a code span, whatever backticks it holds."""
    fence = "``" if "`" in text else "`"
    return f"{fence}{text.replace(chr(10), ' ')}{fence}"


def _summary(report: Report) -> list[str]:
    counts = report.counts()
    title = f"## ivraudit: {plural(len(report.findings), 'finding')} {in_files(report)}"
    lines = [title, ""]
    if report.errors:
        lines += [f"**{len(report.errors)} file(s) could not be read.**", ""]
    lines += [
        "| 🔴 errors | 🟠 warnings | 🔵 info | suppressed | in baseline |",
        "|---:|---:|---:|---:|---:|",
        f"| {counts['error']} | {counts['warning']} | {counts['info']} | {report.suppressed} "
        f"| {report.absorbed} |",
        "",
    ]
    if report.traffic is not None:
        lines += [f"Weighed by {traffic_line(report)}; findings sorted by calls, most first.", ""]
    by_rule = Counter(finding.rule for finding in report.findings)
    if by_rule:
        lines += ["| rule | findings |", "|---|---:|"]
        for rule_id, count in sorted(by_rule.items()):
            rule = RULES.get(rule_id)
            name = f" {rule.name}" if rule else ""
            lines.append(f"| [{rule_id}]({rule_url(rule_id)}){name} | {count} |")
        lines.append("")
    return lines


def traffic_line(report: Report) -> str:
    """ "2,000 logged calls (counts under 5 calls suppressed)", for check --traffic."""
    traffic = report.traffic or {}
    calls = plural(traffic.get("calls", 0), "logged call")
    return f"{calls} (counts under {traffic.get('min_calls', 1)} calls suppressed)"


def _said(finding: Finding, report: Report) -> str:
    """The message, the calls that reached the node (check --traffic), then the fix."""
    said = finding.message + calls_part(finding, report)
    return f"{said}. Fix: {finding.fix}" if finding.fix else said


def witness_markdown(finding: Finding) -> list[str]:
    """The witness as a numbered list."""
    lines = []
    for number, step in numbered(elided(finding.witness)):
        if step.is_gap:
            # A paragraph between two lists, so the next list starts at its real number.
            lines += ["", f"… ({inline(step.does or '')})", ""]
            continue
        heard = f' — "{inline(shorten(step.hears, 100) or "")}"' if step.hears else ""
        does = f" → **{inline(step.does)}**" if step.does else ""
        lines.append(f"{number}. {code(step.node)}{heard}{does}")
    return lines


def render(report: Report, options: RenderOptions) -> str:
    lines = _summary(report)
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_file[finding.file].append(finding)
    for file in sorted(by_file):
        lines += [f"### {code(file)}", ""]
        for finding in by_file[file]:
            lines.append(
                f"- {_ICONS[finding.severity]} **[{finding.rule}]({rule_url(finding.rule)})** "
                f"line {finding.line}, {code(finding.node)}: {inline(_said(finding, report))}"
            )
            if options.witness and finding.witness:
                lines += [
                    "",
                    "  <details><summary>route a caller takes</summary>",
                    "",
                    *("  " + line if line else "" for line in witness_markdown(finding)),
                    "",
                    "  </details>",
                    "",
                ]
        lines.append("")
    for drawing in report.drawings:
        if drawing.kind != "mermaid":
            continue
        name = f"{drawing.file} ({drawing.menu})" if drawing.menu else drawing.file
        lines += [f"<details><summary>diagram of {code(name)}</summary>", ""]
        if drawing.note:
            lines += [f"_{inline(drawing.note)}_", ""]
        if drawing.content:
            lines += ["```mermaid", drawing.content.rstrip(), "```", ""]
        lines += ["</details>", ""]
    if report.errors:
        lines += ["### Files that could not be read", ""]
        for error in (problem for unreadable in report.errors for problem in unreadable.problems):
            where = code(f"{error.file}:{error.line}:{error.column}")
            hint = f" ({inline(error.hint)})" if error.hint else ""
            lines.append(f"- {where}: {inline(str(error.message))}{hint}")
        lines.append("")
    if report.fixed:
        entries = "entries are" if len(report.fixed) != 1 else "entry is"
        lines += [
            f"**{len(report.fixed)} baseline {entries} now fixed.**",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"

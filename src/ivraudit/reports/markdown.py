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


def _finding_lines(finding: Finding, report: Report, options: RenderOptions) -> list[str]:
    """A finding as a list item, its route folded in a ``<details>`` section."""
    lines = [
        f"- {_ICONS[finding.severity]} **[{finding.rule}]({rule_url(finding.rule)})** "
        f"line {finding.line}, {code(finding.node)}: {inline(_said(finding, report))}"
    ]
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
    return lines


def _size(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def _kept(report: Report, options: RenderOptions, room: int | None) -> dict[int, list[str]]:
    """The findings listed, by place in the report, with their lines: the most severe
    first (errors, warnings, info, each in report order) while they fit in ``room``
    characters (with their files' headings); every finding when ``room`` is None."""
    findings = report.findings
    if room is None:
        return {place: _finding_lines(f, report, options) for place, f in enumerate(findings)}
    order = sorted(range(len(findings)), key=lambda place: -findings[place].severity.rank)
    kept: dict[int, list[str]] = {}
    headed: set[str] = set()
    for place in order:
        finding = findings[place]
        lines = _finding_lines(finding, report, options)
        size = _size(lines) + (0 if finding.file in headed else _size(_heading(finding.file)))
        if size > room:
            break
        room -= size
        headed.add(finding.file)
        kept[place] = lines
    return kept


def _heading(file: str) -> list[str]:
    return [f"### {code(file)}", ""]


def _left_out(report: Report, listed: int, limit: int) -> list[str]:
    """The notice that says how many findings did not fit, and where to see them all."""
    left = len(report.findings) - listed
    if not left:
        return []
    return [
        f"**{left} of {plural(len(report.findings), 'finding')} left out** to keep this "
        f"report under {limit:,} characters (GitHub's limit for a comment); the least "
        "severe were left out. `-f html` or `-f json` lists them all.",
        "",
    ]


def _after(report: Report) -> list[str]:
    """What follows the findings: diagrams, unreadable files, fixed baseline entries."""
    lines: list[str] = []
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
    return lines


def render(report: Report, options: RenderOptions) -> str:
    """The report as Markdown.  Past ``options.markdown_limit`` characters the least
    severe findings are left out, and a notice under the summary says how many."""
    lines = _summary(report)
    after = _after(report)
    limit = options.markdown_limit
    room = None
    if limit is not None:
        # Room for the notice's longest form, whatever number it ends up saying.
        notice = _size(_left_out(report, 0, limit)) if report.findings else 0
        room = max(0, limit - _size(lines) - _size(after) - notice)
    kept = _kept(report, options, room)
    if limit is not None:
        lines += _left_out(report, len(kept), limit)
    by_file: dict[str, list[int]] = defaultdict(list)
    for place in sorted(kept):
        by_file[report.findings[place].file].append(place)
    for file in sorted(by_file):
        lines += _heading(file)
        for place in by_file[file]:
            lines += kept[place]
        lines.append("")
    lines += after
    return "\n".join(lines).rstrip() + "\n"

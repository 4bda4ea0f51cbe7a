"""Markdown for a pull-request comment: a summary table, findings grouped by file,
witness routes folded away in ``<details>`` sections, and (when asked) a Mermaid
diagram per file."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from ivraudit.model.findings import Finding, Report, Severity, elided, numbered
from ivraudit.model.prompts import shorten
from ivraudit.reports.links import rule_url
from ivraudit.reports.text import calls_part, in_files, plural
from ivraudit.rules import RULES

if TYPE_CHECKING:
    from ivraudit.reports import RenderOptions

T = TypeVar("T")

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


def cut_to(text: str, limit: int) -> str:
    """``text`` itself, or when it is longer than ``limit`` characters (what is always
    shown did not fit), its first lines and a last one saying where it was cut."""
    if len(text) <= limit:
        return text
    tail = f"… (cut at {limit:,} characters: `--format json` holds everything)\n"
    end = text.rfind("\n", 0, max(0, limit - len(tail)))
    return text[: end + 1] + tail


def _size(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def _sized_findings(
    report: Report, options: RenderOptions
) -> Iterator[tuple[tuple[int, tuple[str, list[str]]], int]]:
    """Each finding's place and lines, most severe first (errors, warnings, info, each in
    report order), with the characters it takes: the first of a file also pays for the
    file's heading and the blank line that ends its findings.  Made one at a time, as
    they are asked for: a report may hold 200,000 findings and a comment a few hundred."""
    findings = report.findings
    order = sorted(range(len(findings)), key=lambda place: -findings[place].severity.rank)
    headed: set[str] = set()
    for place in order:
        finding = findings[place]
        lines = _finding_lines(finding, report, options)
        opening = 0 if finding.file in headed else _size([*_heading(finding.file), ""])
        headed.add(finding.file)
        yield (place, (finding.file, lines)), _size(lines) + opening


def fitting(pieces: Iterable[tuple[T, int]], room: int | None) -> tuple[list[T], int | None]:
    """The pieces, each with its size in characters, that fit in ``room`` characters, in
    order until one does not (all when ``room`` is None), and the room left."""
    kept = []
    for piece, size in pieces:
        if room is not None:
            if size > room:
                break
            room -= size
        kept.append(piece)
    return kept, room


class _Placed(NamedTuple):
    """What a Markdown report lists: findings (by place: file, lines), problems, diagrams."""

    findings: dict[int, tuple[str, list[str]]]
    problems: list[str]
    diagrams: list[list[str]]


def _place(
    report: Report,
    options: RenderOptions,
    room: int | None,
    problems: list[str],
    diagrams: list[list[str]],
) -> _Placed:
    """Findings first, then problems reading files, then diagrams, while they fit."""
    findings, room = fitting(_sized_findings(report, options), room)
    shown_problems, room = fitting(((line, len(line) + 1) for line in problems), room)
    shown_diagrams, room = fitting(((block, _size(block)) for block in diagrams), room)
    return _Placed(dict(findings), shown_problems, shown_diagrams)


def _heading(file: str) -> list[str]:
    return [f"### {code(file)}", ""]


def _notices(report: Report, limit: int, findings: int, diagrams: int, problems: int) -> list[str]:
    """What did not fit (each a count of what was left out), and where to see it all."""
    lines = []
    if findings:
        lines += [
            f"**{findings} of {plural(len(report.findings), 'finding')} left out** to keep "
            f"this report under {limit:,} characters (GitHub's limit for a comment); the "
            "least severe were left out. `-f html` or `-f json` lists them all.",
            "",
        ]
    if diagrams:
        lines += [
            f"**{diagrams} of {plural(len(_diagrams(report)), 'diagram')} left out** to keep "
            "this report "
            f"under {limit:,} characters; `ivraudit diagram FILE -f mermaid` draws each.",
            "",
        ]
    if problems:
        lines += [
            f"**{problems} of {plural(len(_problems(report)), 'problem')} reading files left "
            "out** to "
            f"keep this report under {limit:,} characters; `-f json` lists them all.",
            "",
        ]
    return lines


def _diagrams(report: Report) -> list[list[str]]:
    """Each Mermaid drawing of the report, folded in a ``<details>`` section."""
    blocks = []
    for drawing in report.drawings:
        if drawing.kind != "mermaid":
            continue
        name = f"{drawing.file} ({drawing.menu})" if drawing.menu else drawing.file
        lines = [f"<details><summary>diagram of {code(name)}</summary>", ""]
        if drawing.note:
            lines += [f"_{inline(drawing.note)}_", ""]
        if drawing.content:
            lines += ["```mermaid", drawing.content.rstrip(), "```", ""]
        blocks.append([*lines, "</details>", ""])
    return blocks


def _problems(report: Report) -> list[str]:
    """A line for each problem met reading a file."""
    lines = []
    for error in (problem for unreadable in report.errors for problem in unreadable.problems):
        where = code(f"{error.file}:{error.line}:{error.column}")
        hint = f" ({inline(error.hint)})" if error.hint else ""
        lines.append(f"- {where}: {inline(str(error.message))}{hint}")
    return lines


_PROBLEMS_HEADING = ["### Files that could not be read", ""]


def _fixed(report: Report) -> list[str]:
    if not report.fixed:
        return []
    entries = "entries are" if len(report.fixed) != 1 else "entry is"
    return [f"**{len(report.fixed)} baseline {entries} now fixed.**", ""]


#: Characters the sizes above may over-count: the blank lines a report ends with.
_SLACK = 8


def render(report: Report, options: RenderOptions) -> str:
    """The report as Markdown.  Past ``options.markdown_limit`` characters the least
    severe findings are left out, then problems reading files, then diagrams, and a
    notice under the summary says how many of each."""
    summary = _summary(report)
    limit = options.markdown_limit
    diagrams, problems, fixed = _diagrams(report), _problems(report), _fixed(report)
    if limit is None:
        return _compose(summary, _place(report, options, None, problems, diagrams), fixed)
    heading = _size(_PROBLEMS_HEADING) + 1 if problems else 0
    room = limit - _size(summary) - _size(fixed) - heading
    # The whole report, when it fits: no notice.
    placed = _place(report, options, room + _SLACK, problems, diagrams)
    whole = len(placed.findings) + len(placed.problems) + len(placed.diagrams)
    if whole == len(report.findings) + len(problems) + len(diagrams):
        text = _compose(summary, placed, fixed)
        if len(text) <= limit:
            return text
    # Else with room for the notices' longest form, whatever numbers they end up saying.
    most = _notices(report, limit, len(report.findings), len(diagrams), len(problems))
    placed = _place(report, options, max(0, room - _size(most)), problems, diagrams)
    notices = _notices(
        report,
        limit,
        len(report.findings) - len(placed.findings),
        len(diagrams) - len(placed.diagrams),
        len(problems) - len(placed.problems),
    )
    return cut_to(_compose([*summary, *notices], placed, fixed), limit)


def _compose(head: list[str], placed: _Placed, fixed: list[str]) -> str:
    """The report's text: ``head``, the findings by file, diagrams, problems, fixed."""
    lines = list(head)
    by_file: dict[str, list[list[str]]] = defaultdict(list)
    for _, (file, found) in sorted(placed.findings.items()):
        by_file[file].append(found)
    for file in sorted(by_file):
        lines += _heading(file)
        for found in by_file[file]:
            lines += found
        lines.append("")
    for block in placed.diagrams:
        lines += block
    if placed.problems:
        lines += [*_PROBLEMS_HEADING, *placed.problems, ""]
    lines += fixed
    return "\n".join(lines).rstrip() + "\n"

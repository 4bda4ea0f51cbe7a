"""The report per menu (``ivraudit traffic MENU LOGS``) in every format: text and JSON
(:mod:`.report`), Markdown, and one self-contained HTML file with each menu's heat map.

Only counts and node names reach a page, as in the text report; every count under
``min_calls`` reads "under N".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from ivraudit._version import __version__
from ivraudit.model.findings import Drawing
from ivraudit.traffic.report import (
    OUTCOME_KINDS,
    MenuTraffic,
    NodeRow,
    render_json,
    render_text,
    said_calls,
    said_percent,
    said_seconds,
)

#: The formats of the report, for ``ivraudit traffic -f``.
FORMATS = ("text", "json", "markdown", "html")


def render(
    reports: Sequence[MenuTraffic], format: str, pictures: Sequence[Drawing] | None = None
) -> str:
    """The reports in ``format`` (one of :data:`FORMATS`); ``pictures``, one per report
    (its heat map, :func:`ivraudit.reports.diagrams.draw.heat_drawing`), go in HTML."""
    renderers: dict[str, Callable[[Sequence[MenuTraffic]], str]] = {
        "text": render_text,
        "json": render_json,
        "markdown": render_markdown,
    }
    if format == "html":
        return render_html(reports, pictures)
    if format not in renderers:
        raise ValueError(f"unknown report format {format!r} (one of {', '.join(FORMATS)})")
    return renderers[format](reports)


def _title(report: MenuTraffic) -> str:
    return report.file + (f" ({report.menu})" if report.menu else "")


def _suppressed(report: MenuTraffic) -> str:
    if report.min_calls > 1:
        return f"counts under {report.min_calls} calls are suppressed"
    return "no count is suppressed"


def _hung_up(node: NodeRow, min_calls: int) -> str:
    """The calls that ended at a node without an outcome, "" for an outcome, - unknown."""
    if node.kind in OUTCOME_KINDS:
        return ""
    if not node.abandoned_known:
        return "-"
    return said_calls(node.abandoned, min_calls)


def _drift(report: MenuTraffic) -> str | None:
    if not report.drift["nodes"]:
        return None
    strangers = ", ".join(report.drift["nodes"])
    return f"{report.drift['steps']} steps name nodes not in this menu: {strangers}"


# -- Markdown ------------------------------------------------------------------------------


def _cell(text: str) -> str:
    """Text for a Markdown table cell: pipes and line breaks cannot end it."""
    return " ".join(text.replace("\\", "\\\\").replace("|", "\\|").split())


def _code(text: str) -> str:
    plain = _cell(text).replace("`", "'")
    return f"`{plain}`"


def render_markdown(reports: Sequence[MenuTraffic]) -> str:
    """The reports as Markdown: per menu a heading, then tables of outcomes, nodes and
    options (for a pull-request comment or a wiki page)."""
    lines: list[str] = []
    for report in reports:
        few = report.min_calls
        lines += [f"## {_cell(_title(report))}", ""]
        lines += [f"{report.calls} logged calls ({_suppressed(report)}).", ""]
        lines += [
            "| outcome | kind | calls | share | median seconds | p95 seconds |",
            "|---|---|--:|--:|--:|--:|",
        ]
        for row in report.outcomes:
            lines.append(
                f"| {_code(row.node)} | {row.kind} | {said_calls(row.calls, few)} | "
                f"{said_percent(row.share)} | {said_seconds(row.median_seconds)} | "
                f"{said_seconds(row.p95_seconds)} |"
            )
        lines += ["", "| node | kind | calls | hung up there |", "|---|---|--:|--:|"]
        for node in report.nodes:
            lines.append(
                f"| {_code(node.node)} | {node.kind} | {said_calls(node.calls, few)} | "
                f"{_hung_up(node, few)} |"
            )
        for menu in report.menus:
            lines += [
                "",
                f"Menu {_code(menu.node)}: {said_calls(menu.calls, few)}, no input "
                f"{said_percent(menu.no_input)}, no match {said_percent(menu.no_match)}.",
                "",
                "| key | to | calls | share |",
                "|---|---|--:|--:|",
            ]
            for option in menu.options:
                chosen = said_calls(option.calls, few) if option.known else "-"
                lines.append(
                    f"| {_code(option.key)} | {_code(option.target)} | {chosen} | "
                    f"{said_percent(option.share)} |"
                )
        drifted = _drift(report)
        if drifted:
            lines += ["", f"Drift: {_cell(drifted)}."]
        lines.append("")
    return "\n".join(lines)


# -- HTML ----------------------------------------------------------------------------------

_STYLE = """
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: #1f2933; background: #f5f7fa; }
header { background: #102a43; color: #fff; padding: 20px 32px; }
header h1 { margin: 0; font-size: 22px; } header p { margin: 4px 0 0; color: #bcccdc; }
main { padding: 24px 32px 48px; max-width: 1400px; }
section { background: #fff; border: 1px solid #d9e2ec; border-radius: 8px;
          padding: 16px 20px; margin-bottom: 24px; }
h2 { margin: 0 0 8px; font-size: 18px; font-family: ui-monospace, monospace; }
h3 { font-size: 15px; margin: 18px 0 4px; }
.diagram { overflow: auto; max-height: 80vh; border: 1px solid #d9e2ec; border-radius: 6px; }
.diagram svg { display: block; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
th, td { border-bottom: 1px solid #d9e2ec; padding: 4px 10px; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: #616e7c; font-size: 13px; font-style: italic; }
"""


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], numbers: int) -> str:
    """An HTML table whose last ``numbers`` columns are right-aligned (cells escaped)."""
    first = len(head) - numbers

    def cells(values: Sequence[str], tag: str) -> str:
        return "".join(
            f"<{tag}{' class=num' if index >= first else ''}>{escape(value)}</{tag}>"
            for index, value in enumerate(values)
        )

    body = "".join(f"<tr>{cells(row, 'td')}</tr>" for row in rows)
    return f"<table><thead><tr>{cells(head, 'th')}</tr></thead><tbody>{body}</tbody></table>"


def render_html(reports: Sequence[MenuTraffic], pictures: Sequence[Drawing] | None = None) -> str:
    """The reports as one self-contained HTML file (no network needed to view it): per
    menu its heat map (``pictures``, one per report, inline SVG) and the tables."""
    calls = reports[0].calls if reports else 0
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>ivraudit traffic report</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<header><h1>ivraudit traffic report</h1>",
        f"<p>{calls} logged calls &middot; {len(reports)} menu(s) &middot; "
        f"ivraudit {escape(__version__)}</p></header><main>",
    ]
    for index, report in enumerate(reports):
        picture = pictures[index] if pictures is not None and index < len(pictures) else None
        parts.append(_menu_section(report, picture))
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"


def _menu_section(report: MenuTraffic, picture: Drawing | None) -> str:
    few = report.min_calls
    parts = [
        "<section>",
        f"<h2>{escape(_title(report))}</h2>",
        f"<p>{report.calls} logged calls ({escape(_suppressed(report))}).</p>",
    ]
    if picture is not None and picture.note:
        parts.append(f'<p class="note">{escape(picture.note)}</p>')
    if picture is not None and picture.content:
        parts.append(
            "<h3>Heat map</h3><p class=note>Edge width: the share of logged calls that "
            "took the edge; node colour: the share of the calls reaching the node that "
            "hung up there.</p>"
        )
        parts.append(f'<div class="diagram">{picture.content}</div>')
    parts.append("<h3>Outcomes</h3>")
    outcomes = [
        [
            row.node,
            row.kind,
            said_calls(row.calls, few),
            said_percent(row.share),
            said_seconds(row.median_seconds),
            said_seconds(row.p95_seconds),
        ]
        for row in report.outcomes
    ]
    head = ["outcome", "kind", "calls", "share", "median", "95th percentile"]
    parts.append(_table(head, outcomes, 4))
    parts.append("<h3>Nodes</h3>")
    nodes = [
        [node.node, node.kind, said_calls(node.calls, few), _hung_up(node, few)]
        for node in report.nodes
    ]
    parts.append(_table(["node", "kind", "calls", "hung up there"], nodes, 2))
    for menu in report.menus:
        parts.append(
            f"<h3>Menu {escape(menu.node)}: {escape(said_calls(menu.calls, few))}, no input "
            f"{escape(said_percent(menu.no_input))}, no match "
            f"{escape(said_percent(menu.no_match))}</h3>"
        )
        options = [
            [
                option.key,
                option.target,
                said_calls(option.calls, few) if option.known else "-",
                said_percent(option.share),
            ]
            for option in menu.options
        ]
        parts.append(_table(["key", "to", "calls", "share"], options, 2))
    drifted = _drift(report)
    if drifted:
        parts.append(f"<p>Drift: {escape(drifted)}.</p>")
    parts.append("</section>")
    return "\n".join(parts)

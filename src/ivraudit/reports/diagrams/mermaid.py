"""A :class:`~ivraudit.reports.diagrams.drawing.Drawing` as Mermaid ``flowchart TD`` text.

Mermaid ids are ``n1``, ``n2``, ... in drawing order (safe whatever the menu
calls its nodes); every piece of menu text in a label is written with Mermaid's
numeric entity codes (``#34;`` for a quote, ``#35;`` for ``#``), so no prompt can
end a label, start a comment or inject markup.  The caption is a ``%%`` comment,
written as plain text on its one line.
"""

from __future__ import annotations

from ivraudit.model.prompts import shorten
from ivraudit.reports.diagrams.drawing import Drawing, DrawnEdge, DrawnNode
from ivraudit.reports.diagrams.heat import BANDS, FAINT_EDGE, UNKNOWN_FILL, calls_words, width_of
from ivraudit.reports.diagrams.styles import (
    MORE_STYLE,
    ROUTE_COLOUR,
    SEVERITY_COLOURS,
    STUB_STYLE,
    STYLES,
    Style,
)

#: Mermaid node shapes by style: (opening, closing) around the quoted label.
SHAPES: dict[str, tuple[str, str]] = {
    "menu": ("[", "]"),
    "ask": ("[/", "/]"),
    "say": ("(", ")"),
    "decision": ("{{", "}}"),
    "action": ("[[", "]]"),
    "subflow": ("[[", "]]"),
    "return": (">", "]"),
    "human": ("([", "])"),
    "handoff": ("([", "])"),
    "message": ("([", "])"),
    "completed": ("((", "))"),
    "dead_end": ("((", "))"),
    "disconnect": ("(((", ")))"),
    "missing": ("[/", "\\]"),
    "more": ("[\\", "/]"),
    "stub": ("[", "]"),
}

# Characters written as entity codes: they end labels, start comments or make markup.
_ENTITIES = frozenset('"#;<>&[](){}|`\\')
# Tabs and Unicode line breaks become spaces; other control characters U+FFFD.
_BLANKS = frozenset("\t\r\x85\u2028\u2029")
_CONTROLS = frozenset(chr(code) for code in [*range(32), 127]) - {"\n"} - _BLANKS


def mermaid_text(drawing: Drawing) -> str:
    """The drawing as a Mermaid flowchart, one statement per line, ending in a newline."""
    ids = {node.name: f"n{index}" for index, node in enumerate(drawing.nodes, start=1)}
    lines = ["flowchart TD", f"    %% {comment(drawing.caption)}"]
    members: dict[str, list[DrawnNode]] = {}
    for node in drawing.nodes:
        members.setdefault(node.cluster, []).append(node)
    lines.extend(_node_line(node, ids, 1) for node in members.get("", []))
    lines.extend(_clusters(drawing, members, ids))
    route_links: list[int] = []
    min_calls = drawing.heat.min_calls if drawing.heat is not None else 1
    for index, edge in enumerate(drawing.edges):
        lines.append(_edge_line(edge, ids, min_calls))
        if edge.on_route:
            route_links.append(index)
    lines.extend(_classes(drawing, ids))
    lines.extend(_heat_links(drawing))
    if route_links:
        numbers = ",".join(str(index) for index in route_links)
        lines.append(f"    linkStyle {numbers} stroke:{ROUTE_COLOUR},stroke-width:4px")
    return "\n".join(lines) + "\n"


def escape(text: str) -> str:
    """Menu text for a quoted Mermaid label: entity codes, ``<br/>`` for new lines.

    >>> escape('Say "yes"; press #')
    'Say #34;yes#34;#59; press #35;'
    """
    out: list[str] = []
    for char in text:
        if char == "\n":
            out.append("<br/>")
        elif char in _ENTITIES:
            out.append(f"#{ord(char)};")
        elif char in _BLANKS:
            out.append(" ")
        elif char in _CONTROLS or "\ud800" <= char <= "\udfff":
            out.append("\ufffd")
        else:
            out.append(char)
    return "".join(out)


def comment(text: str) -> str:
    """Text for a ``%%`` comment line, as written: a comment runs to the end of its line
    and Mermaid reads no entity codes there, so only line breaks and control characters
    are replaced (by spaces), and ``%%`` is broken up so it cannot open a directive.

    >>> comment("Tiny line · 2 findings (2 warnings)\\nnext %%{init}")
    'Tiny line · 2 findings (2 warnings) next % %{init}'
    """
    plain = "".join(
        " " if char in _BLANKS or char in _CONTROLS or char == "\n" else char for char in text
    )
    while "%%" in plain:
        plain = plain.replace("%%", "% %")
    return plain


def _label(node: DrawnNode) -> str:
    parts = [f"<b>{escape(node.title)}</b>"]
    if node.detail:
        parts.append(escape(node.detail))
    if node.heat_line:
        parts.append(f"<b>{escape(node.heat_line)}</b>")
    if node.prompt:
        parts.append(f"<i>“{escape(shorten(node.prompt, 80) or '')}”</i>")
    if node.badges:
        parts.append(" ".join(escape(badge.rule) for badge in node.badges))
    return "<br/>".join(parts)


def _node_line(node: DrawnNode, ids: dict[str, str], depth: int) -> str:
    opening, closing = SHAPES[node.style]
    return f'{"    " * depth}{ids[node.name]}{opening}"{_label(node)}"{closing}'


def _clusters(
    drawing: Drawing, members: dict[str, list[DrawnNode]], ids: dict[str, str]
) -> list[str]:
    """Subgraphs for subflows, nested, opened and closed with an explicit stack."""
    lines: list[str] = []
    open_prefixes: list[str] = []
    for number, (cluster, depth) in enumerate(drawing.cluster_order(), start=1):
        while len(open_prefixes) > depth:
            open_prefixes.pop()
            lines.append(f"{'    ' * (len(open_prefixes) + 1)}end")
        indent = "    " * (depth + 1)
        lines.append(f'{indent}subgraph s{number}["{escape(cluster.label)}"]')
        open_prefixes.append(cluster.prefix)
        lines.extend(_node_line(node, ids, depth + 2) for node in members.get(cluster.prefix, []))
    while open_prefixes:
        open_prefixes.pop()
        lines.append(f"{'    ' * (len(open_prefixes) + 1)}end")
    return lines


def _counted(edge: DrawnEdge, min_calls: int) -> str | None:
    if edge.heated and edge.known and edge.calls is not None:
        return calls_words(edge.calls, min_calls)
    return None


def _edge_line(edge: DrawnEdge, ids: dict[str, str], min_calls: int = 1) -> str:
    arrow = "-.->" if edge.synthetic or edge.role in ("stub", "cut") else "-->"
    text = " · ".join(part for part in (edge.label, _counted(edge, min_calls)) if part)
    label = f'|"{escape(text)}"|' if text else ""
    return f"    {ids[edge.source]} {arrow}{label} {ids[edge.target]}"


def _class_def(name: str, style: Style) -> str:
    dashed = ",stroke-dasharray:4 3" if style.dashed or name == "t_stub" else ""
    return f"    classDef {name} fill:{style.fill},stroke:{style.border},color:{style.font}{dashed}"


def _classes(drawing: Drawing, ids: dict[str, str]) -> list[str]:
    """classDef per type used, then per severity, then the route (later ones win)."""
    lines: list[str] = []
    used = drawing.styles_used()
    for name in used:
        style = MORE_STYLE if name == "more" else STUB_STYLE if name == "stub" else STYLES[name]
        lines.append(_class_def(f"t_{name}", style))
    severities = drawing.severities_used()
    for severity in severities:
        colour = SEVERITY_COLOURS[severity]
        lines.append(f"    classDef sev_{severity} stroke:{colour},stroke-width:3px")
    on_route = any(node.on_route for node in drawing.nodes)
    if on_route:
        lines.append(f"    classDef on_route stroke:{ROUTE_COLOUR},stroke-width:4px")
    groups: dict[str, list[str]] = {}
    for node in drawing.nodes:
        groups.setdefault(f"t_{node.style}", []).append(ids[node.name])
        if node.severity:
            groups.setdefault(f"sev_{node.severity}", []).append(ids[node.name])
        if node.on_route:
            groups.setdefault("on_route", []).append(ids[node.name])
    bands = _heat_classes(drawing, groups, ids, lines)
    names = [f"t_{name}" for name in used] + [f"sev_{severity}" for severity in severities]
    for name in [*names, *bands, *(["on_route"] if on_route else [])]:
        lines.append(f"    class {','.join(groups[name])} {name}")
    return lines


def _heat_classes(
    drawing: Drawing, groups: dict[str, list[str]], ids: dict[str, str], lines: list[str]
) -> list[str]:
    """On a heat map: a classDef per abandonment band used (after the types', so its
    fill wins), and each node's band in ``groups``; returns the class names."""
    if drawing.heat is None:
        return []
    for node in drawing.nodes:
        if node.band is not None:
            groups.setdefault(f"abandon_{node.band}", []).append(ids[node.name])
    names = []
    for index, (_, fill, _) in enumerate(BANDS):
        if f"abandon_{index}" in groups:
            lines.append(f"    classDef abandon_{index} fill:{fill},color:#1b1b1b")
            names.append(f"abandon_{index}")
    if "abandon_unknown" in groups:
        lines.append(f"    classDef abandon_unknown fill:{UNKNOWN_FILL},color:#1b1b1b")
        names.append("abandon_unknown")
    return names


def _heat_links(drawing: Drawing) -> list[str]:
    """On a heat map: ``linkStyle`` widths by calls, one line per width (thin edges
    with no count shown in a faint colour)."""
    if drawing.heat is None:
        return []
    by_look: dict[tuple[float, bool], list[str]] = {}
    for index, edge in enumerate(drawing.edges):
        if not edge.heated:
            continue
        shown = edge.known and edge.calls is not None and edge.calls > 0
        width = width_of(edge.calls if edge.known else None, drawing.heat.calls)
        by_look.setdefault((width, shown), []).append(str(index))
    lines = []
    for (width, shown), numbers in sorted(by_look.items()):
        faint = "" if shown else f"stroke:{FAINT_EDGE},"
        lines.append(f"    linkStyle {','.join(numbers)} {faint}stroke-width:{width:g}px")
    return lines

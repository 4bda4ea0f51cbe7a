"""A :class:`~ivraudit.reports.diagrams.drawing.Drawing` as Graphviz DOT, in a ``graphviz.Digraph``.

Statements are written one per line, every id and attribute value quoted the
same way, in a fixed order, so the same menu always gives the same bytes (and
5,000 nodes take a fraction of a second, which per-attribute quoting did not).
"""

from __future__ import annotations

import re

import graphviz

from ivraudit.analysis.graph import SELECTION_VIAS
from ivraudit.reports.diagrams.drawing import Drawing, DrawnEdge, DrawnNode
from ivraudit.reports.diagrams.heat import (
    BANDS,
    FAINT_EDGE,
    THINNEST,
    UNKNOWN_FILL,
    WIDEST,
    calls_words,
    width_of,
)
from ivraudit.reports.diagrams.styles import (
    EVENT_VIAS,
    FOCUS_COLOUR,
    MORE_STYLE,
    ROUTE_COLOUR,
    SEVERITY_COLOURS,
    STUB_STYLE,
    STYLES,
    Style,
    wrap,
)

FONT = "Helvetica,Arial,sans-serif"
EDGE_COLOUR = "#455a64"
EVENT_EDGE_COLOUR = "#8a969e"
MUTED = "#78909c"
LEGEND_COLUMNS = 6
#: The SVG class of a heat map's graph (the HTML report titles it so).
HEAT_MAP_CLASS = "heat_map"
_UNREACHABLE = 1 << 30  # sorts the unreachable row last

Attributes = dict[str, str]


class Html(str):
    """An attribute value that is a Graphviz HTML-like label, written as ``<...>``."""


def to_dot(drawing: Drawing) -> graphviz.Digraph:
    """The drawing as a digraph whose ``body`` holds one DOT statement per line."""
    lines: list[str] = [
        _statement("graph", _graph_attributes(drawing)),
        _statement("node", {"fontname": FONT, "fontsize": "11", "style": "filled"}),
        _statement(
            "edge",
            {
                "fontname": FONT,
                "fontsize": "10",
                "color": EDGE_COLOUR,
                "fontcolor": "#263238",
                "arrowsize": "0.7",
            },
        ),
    ]
    members: dict[str, list[DrawnNode]] = {}
    for node in drawing.nodes:
        members.setdefault(node.cluster, []).append(node)
    # The ruler first, so that dot puts it on the left.
    last_ruler = _ranks(drawing, lines)
    lines.extend(_clusters(drawing, members))
    lines.extend(_node_line(node) for node in members.get("", []))
    total = drawing.heat.calls if drawing.heat is not None else None
    min_calls = drawing.heat.min_calls if drawing.heat is not None else 1
    lines.extend(_edge_line(edge, total, min_calls) for edge in drawing.edges)
    lines.extend(_legend(drawing, last_ruler))
    return graphviz.Digraph("ivraudit", body=lines)


def _graph_attributes(drawing: Drawing) -> Attributes:
    attributes = {
        "id": "ivraudit-diagram",
        "label": escape(drawing.caption),
        "labelloc": "t",
        "fontname": FONT,
        "fontsize": "16",
        "tooltip": escape(drawing.title),
        "newrank": "true",
        "rankdir": "TB",
        "nodesep": "0.25",
        "ranksep": "0.4",
        "outputorder": "edgesfirst",
        "bgcolor": "white",
        "pad": "0.2",
    }
    if drawing.heat is not None:
        attributes["class"] = HEAT_MAP_CLASS
    return attributes


# -- statements ---------------------------------------------------------------------------------


def quote(value: str) -> str:
    """A DOT id or attribute value: HTML-like labels as ``<...>``, the rest in quotes."""
    if isinstance(value, Html):
        return f"<{value}>"
    return '"' + value.replace('"', '\\"') + '"'


def _attribute_list(attributes: Attributes) -> str:
    return " ".join(f"{name}={quote(value)}" for name, value in attributes.items())


def _statement(kind: str, attributes: Attributes, indent: int = 1) -> str:
    return f"{chr(9) * indent}{kind} [{_attribute_list(attributes)}]\n"


def _node(name: str, attributes: Attributes, indent: int = 1) -> str:
    return f"{chr(9) * indent}{quote(name)} [{_attribute_list(attributes)}]\n"


def _edge(tail: str, head: str, attributes: Attributes, indent: int = 1) -> str:
    return f"{chr(9) * indent}{quote(tail)} -> {quote(head)} [{_attribute_list(attributes)}]\n"


# -- rows ---------------------------------------------------------------------------------------


def _ranks(drawing: Drawing, lines: list[str]) -> str | None:
    """``rank=same`` rows, top to bottom by presses, with a ruler on the left.

    Each presses level is a band of rows (see ``_Builder._rows``); the ruler
    names the level on the band's first row.  Unreachable nodes come last.
    Returns the ruler's lowest node, for the legend to hang below.
    """
    rows: dict[tuple[int, int], list[str]] = {}
    for node in drawing.nodes:
        key = (_UNREACHABLE, 0) if node.level is None else (node.level, node.row)
        rows.setdefault(key, []).append(node.name)
    previous: str | None = None
    for level, row in sorted(rows):
        ruler = _ruler_name(level, row)
        lines.append(_node(ruler, _ruler_attributes(level, row, drawing)))
        if previous is not None:
            lines.append(_edge(previous, ruler, {"style": "invis"}))
        previous = ruler
        lines.append("\t{\n\t\trank=same\n")
        lines.extend(f"\t\t{quote(name)}\n" for name in [ruler, *rows[level, row]])
        lines.append("\t}\n")
    return previous


def _ruler_name(level: int, row: int) -> str:
    name = "level-" + ("unreachable" if level == _UNREACHABLE else str(level))
    return f"{name}-{row}" if row else name


def _ruler_attributes(level: int, row: int, drawing: Drawing) -> Attributes:
    colour = MUTED
    if level == _UNREACHABLE:
        text, colour = "unreachable", "#b23b3b"
        tooltip = "no route from the start reaches these nodes"
    elif drawing.cut is not None and level > drawing.cut:
        text = f"more than {drawing.cut}\nselections"
        tooltip = f"nodes more than {drawing.cut} selections from the start, not drawn"
    else:
        text = f"{level} selection{'s' if level != 1 else ''}"
        tooltip = f"a caller reaches these nodes with {level} menu selections at the fewest"
        if level > drawing.limit:
            text += f"\n(over {drawing.limit})"
            colour = SEVERITY_COLOURS["warning"]
    return {
        "id": _ruler_name(level, row),
        "label": escape(text) if row == 0 else "",
        "shape": "plaintext",
        "style": "",
        "fontcolor": colour,
        "tooltip": escape(tooltip),
    }


# -- clusters -----------------------------------------------------------------------------------


def _clusters(drawing: Drawing, members: dict[str, list[DrawnNode]]) -> list[str]:
    """Subflows as nested clusters, built deepest first without recursion."""
    ordered = drawing.cluster_order()
    children: dict[str, list[str]] = {}
    for cluster, _ in ordered:
        children.setdefault(cluster.parent, []).append(cluster.prefix)
    built: dict[str, list[str]] = {}
    for cluster, depth in reversed(ordered):
        indent = depth + 1
        attributes = {
            "id": cluster.name,
            "label": escape(cluster.label),
            "tooltip": escape(cluster.tooltip),
            "style": "rounded,dashed",
            "color": MUTED,
            "fontcolor": "#37474f",
            "fontsize": "12",
            "labeljust": "l",
        }
        block = [
            f"{chr(9) * indent}subgraph {quote(cluster.name)} {{\n",
            _statement("graph", attributes, indent + 1),
        ]
        for child in children.get(cluster.prefix, []):
            block.extend(built.pop(child))
        block.extend(_node_line(node, indent + 1) for node in members.get(cluster.prefix, []))
        block.append(f"{chr(9) * indent}}}\n")
        built[cluster.prefix] = block
    lines: list[str] = []
    for cluster, depth in ordered:
        if depth == 0:
            lines.extend(built[cluster.prefix])
    return lines


# -- nodes --------------------------------------------------------------------------------------


def style_of(name: str) -> Style:
    """The style of a node category, including the drawing's own placeholders and stubs."""
    if name == "more":
        return MORE_STYLE
    if name == "stub":
        return STUB_STYLE
    return STYLES[name]


def _looks(style: Style, dashed: bool = False) -> str:
    looks = ["filled"]
    if style.rounded:
        looks.append("rounded")
    if style.dashed or dashed:
        looks.append("dashed")
    return ",".join(looks)


def _node_line(node: DrawnNode, indent: int = 1) -> str:
    return _node(node.name, node_attributes(node), indent)


def node_attributes(node: DrawnNode) -> Attributes:
    """The DOT attributes of a drawn node (see docs/diagrams.md for what each means)."""
    style = style_of(node.style)
    attributes: Attributes = {
        "id": node.name,
        "class": _node_classes(node),
        "label": _html_label(node, style),
        "shape": style.shape,
        "margin": style.margin,
        "style": _looks(style, node.role == "stub"),
        "fillcolor": node.fill or style.fill,
        "color": style.border,
        "fontcolor": style.font,
        "penwidth": "1.2",
        "tooltip": escape(node.tooltip),
    }
    if node.fill and style.font == "#ffffff":
        attributes["fontcolor"] = "#1b1b1b"  # a light heat fill under white text
    if node.severity:
        attributes["color"] = SEVERITY_COLOURS[node.severity]
        attributes["penwidth"] = "2.6"
    if node.on_route:
        attributes["color"] = ROUTE_COLOUR
        attributes["penwidth"] = "3.5"
    if node.focused:
        attributes["peripheries"] = "2"
        if not node.on_route and not node.severity:
            attributes["color"] = FOCUS_COLOUR
    if node.url:
        attributes["URL"] = escape(node.url)
        attributes["target"] = "_top"
    return attributes


def _node_classes(node: DrawnNode) -> str:
    """SVG classes, for styling and scripting: role, type, severity, route, focus.

    Graphviz itself puts ``node`` first in the SVG; other roles are named here.
    """
    classes = [] if node.role == "node" else [node.role]
    classes.append(f"type-{node.style}")
    if node.severity:
        classes.append(f"severity-{node.severity}")
    if node.on_route:
        classes.append("route")
    if node.focused:
        classes.append("focus")
    if node.band is not None:
        classes.append(f"abandon-{node.band}")
    return " ".join(classes)


def _html_label(node: DrawnNode, style: Style) -> Html:
    muted = "#dddddd" if style.font == "#ffffff" else "#4f5b62"
    rows = [f"<TR><TD><B>{html(node.title)}</B></TD></TR>"]
    if node.detail:
        rows.append(
            f'<TR><TD><FONT POINT-SIZE="9" COLOR="{muted}">{html(node.detail)}</FONT></TD></TR>'
        )
    if node.heat_line:
        rows.append(f'<TR><TD><FONT POINT-SIZE="9"><B>{html(node.heat_line)}</B></FONT></TD></TR>')
    if node.prompt:
        lines = wrap(node.prompt, 34, 3)
        lines[0] = "“" + lines[0]
        lines[-1] = lines[-1] + "”"
        text = "<BR/>".join(html(line) for line in lines)
        rows.append(f'<TR><TD><FONT POINT-SIZE="9"><I>{text}</I></FONT></TD></TR>')
    if node.badges:
        rows.append(f"<TR><TD>{_badge_table(node)}</TD></TR>")
    body = "".join(rows)
    return Html(f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{body}</TABLE>')


def _badge_table(node: DrawnNode) -> str:
    cells = [
        f'<TD BGCOLOR="{SEVERITY_COLOURS[badge.severity]}">'
        f'<FONT COLOR="#ffffff" POINT-SIZE="9"><B>{html(badge.rule)}</B></FONT></TD>'
        for badge in node.badges
    ]
    rows = ["".join(cells[start : start + 4]) for start in range(0, len(cells), 4)]
    body = "".join(f"<TR>{row}</TR>" for row in rows)
    return f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">{body}</TABLE>'


# -- edges --------------------------------------------------------------------------------------


def _edge_line(edge: DrawnEdge, total: int | None = None, min_calls: int = 1) -> str:
    return _edge(edge.source, edge.target, edge_attributes(edge, total, min_calls))


def edge_attributes(edge: DrawnEdge, total: int | None = None, min_calls: int = 1) -> Attributes:
    """The DOT attributes of a drawn edge: keys in bold, events grey, defaults dashed; on
    a heat map (``total`` logged calls), width by calls and the count in the label."""
    # Graphviz itself puts "edge" first in the SVG; other roles are named here.
    classes = [] if edge.role == "edge" else [edge.role]
    classes.extend(edge.merged)
    attributes: Attributes = {"id": edge.name, "class": ""}
    counted = None
    if edge.heated and edge.known and edge.calls is not None:
        counted = calls_words(edge.calls, min_calls)
    if edge.label is not None and edge.via in SELECTION_VIAS:
        more = f" · {html(counted)}" if counted else ""
        attributes["label"] = Html(f"<B>{html(edge.label)}</B>{more}")
        attributes["fontsize"] = "12"
    elif edge.label is not None or counted:
        label = " · ".join(part for part in (edge.label, counted) if part)
        attributes["label"] = escape(label)
    if edge.via in EVENT_VIAS:
        attributes["color"] = EVENT_EDGE_COLOUR
        attributes["fontcolor"] = "#5f6b72"
    if edge.synthetic:
        attributes["style"] = "dashed"
        classes.append("synthetic")
    if edge.role == "stub":
        attributes["style"] = "dotted"
        attributes["color"] = "#b0bec5"
    if edge.role == "cut":
        attributes["style"] = "dashed"
        attributes["color"] = "#9e9e9e"
    if edge.heated and total is not None:
        attributes["penwidth"] = f"{width_of(edge.calls if edge.known else None, total):g}"
        if not counted or not edge.calls:
            attributes["color"] = FAINT_EDGE
    if edge.on_route:
        attributes["color"] = ROUTE_COLOUR
        attributes["fontcolor"] = ROUTE_COLOUR
        attributes["penwidth"] = "3"
        classes.append("route")
    attributes["class"] = " ".join(classes)
    attributes["tooltip"] = escape(edge.tooltip)
    return attributes


# -- legend -------------------------------------------------------------------------------------


def _legend(drawing: Drawing, above: str | None) -> list[str]:
    """A cluster of samples below the drawing: node types, severities and edge kinds."""
    entries: list[tuple[str, Attributes]] = []
    for name in drawing.styles_used():
        style = style_of(name)
        sample: Attributes = {
            "label": escape(style.legend),
            "shape": style.shape,
            "margin": style.margin,
            "style": _looks(style, name == "stub"),
            "fillcolor": style.fill,
            "color": style.border,
            "fontcolor": style.font,
            "fontsize": "10",
        }
        entries.append((f"legend-{name}", sample))
    for severity in drawing.severities_used():
        entries.append((f"legend-{severity}", _severity_sample(severity)))
    for index, (text, look) in enumerate(_legend_edges(drawing)):
        entries.append((f"legend-edge-{index}", _edge_sample(text, look)))
    entries.extend(_heat_legend(drawing))
    lines = [
        '\tsubgraph "cluster-legend" {\n',
        _statement(
            "graph",
            {
                "id": "cluster-legend",
                "label": "Legend",
                "tooltip": "what the shapes, colours and lines mean",
                "style": "rounded",
                "color": "#b0bec5",
                "fontsize": "12",
                "labeljust": "l",
            },
            2,
        ),
    ]
    names = [name for name, _ in entries]
    for start in range(0, len(entries), LEGEND_COLUMNS):
        lines.append("\t\t{\n\t\t\trank=same\n")
        for name, attributes in entries[start : start + LEGEND_COLUMNS]:
            lines.append(_node(name, {"id": name, **attributes}, 3))
        lines.append("\t\t}\n")
    for upper, lower in zip(names, names[LEGEND_COLUMNS:], strict=False):
        lines.append(_edge(upper, lower, {"style": "invis"}, 2))
    lines.append("\t}\n")
    if above is not None:
        lines.extend(_edge(above, name, {"style": "invis"}) for name in names[:LEGEND_COLUMNS])
    return lines


def _legend_edges(drawing: Drawing) -> list[tuple[str, Attributes]]:
    edges: list[tuple[str, Attributes]] = [("key, phrase or next step", {})]
    if any(edge.via in EVENT_VIAS for edge in drawing.edges):
        edges.append(("no input, no match, fail", {"color": EVENT_EDGE_COLOUR}))
    if any(edge.synthetic for edge in drawing.edges):
        edges.append(("platform default", {"style": "dashed", "color": EVENT_EDGE_COLOUR}))
    if any(edge.on_route for edge in drawing.edges):
        edges.append(("route", {"color": ROUTE_COLOUR, "penwidth": "3"}))
    return edges


def _edge_sample(text: str, look: Attributes) -> Attributes:
    """An edge kind as a short line drawn in text beside its name."""
    colour = look.get("color", EDGE_COLOUR)
    line = "- - - - ▸" if look.get("style") == "dashed" else "———— ▸"
    if look.get("penwidth"):
        line = f'<FONT POINT-SIZE="12"><B>{line}</B></FONT>'
    label = f'<FONT COLOR="{colour}">{line}</FONT><FONT POINT-SIZE="10">  {html(text)}</FONT>'
    return {"label": Html(label), "shape": "plaintext", "style": ""}


def _heat_legend(drawing: Drawing) -> list[tuple[str, Attributes]]:
    """On a heat map: the abandonment bands used, and the edge widths."""
    if drawing.heat is None:
        return []
    entries: list[tuple[str, Attributes]] = []
    used = {node.band for node in drawing.nodes if node.band is not None}
    for index, (_, fill, text) in enumerate(BANDS):
        if str(index) in used:
            entries.append((f"legend-abandon-{index}", _fill_sample(text, fill)))
    if "unknown" in used:
        words = f"hung up: not known, or under {drawing.heat.min_calls} calls"
        entries.append(("legend-abandon-unknown", _fill_sample(words, UNKNOWN_FILL)))
    widths = (
        (f"{THINNEST:g} pt: no calls, or under {drawing.heat.min_calls}", THINNEST),
        (f"{WIDEST:g} pt: every logged call", WIDEST),
    )
    for index, (text, width) in enumerate(widths):
        line = f'<FONT COLOR="{EDGE_COLOUR}" POINT-SIZE="{8 + width * 1.5:g}"><B>——</B></FONT>'
        label = f'{line}<FONT POINT-SIZE="10">  edge width {html(text)}</FONT>'
        sample: Attributes = {"label": Html(label), "shape": "plaintext", "style": ""}
        entries.append((f"legend-width-{index}", sample))
    return entries


def _fill_sample(text: str, fill: str) -> Attributes:
    return {
        "label": escape(text),
        "shape": "box",
        "style": "filled",
        "fillcolor": fill,
        "color": "#78909c",
        "fontsize": "10",
    }


def _severity_sample(severity: str) -> Attributes:
    colour = SEVERITY_COLOURS[severity]
    badge = (
        '<TABLE BORDER="0" CELLSPACING="2" CELLPADDING="2"><TR>'
        f'<TD BGCOLOR="{colour}"><FONT COLOR="#ffffff" POINT-SIZE="9"><B>RULE</B></FONT></TD>'
        f'<TD><FONT POINT-SIZE="10">{severity} finding</FONT></TD></TR></TABLE>'
    )
    return {
        "label": Html(badge),
        "shape": "box",
        "style": "filled",
        "fillcolor": "#ffffff",
        "color": colour,
        "penwidth": "2.6",
    }


# -- escaping -----------------------------------------------------------------------------------

# Characters XML 1.0 (and so SVG) cannot carry, and lone surrogates UTF-8 cannot encode.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """Text with characters that SVG cannot carry replaced by U+FFFD."""
    return _UNSAFE.sub("\ufffd", text)


def escape(text: str) -> str:
    r"""Text for a DOT escString attribute (label, tooltip): literal backslashes, ``\n`` lines.

    >>> print(escape("C:\\temp\nnext line"))
    C:\\temp\nnext line
    """
    escaped = clean(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    escaped = escaped.replace("\\", "\\\\").replace("\n", "\\n")
    # A value may not end in a backslash: with the closing quote it would read as \".
    return escaped + " " if escaped.endswith("\\") else escaped


def html(text: str) -> str:
    """Text for a Graphviz HTML-like label: entities for ``& < > "``, one line."""
    return (
        clean(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", " ")
        .replace("\r", " ")
        .replace("\t", " ")
    )

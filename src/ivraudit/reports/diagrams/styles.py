"""How a diagram looks: node styles by category, colours, edge labels and wrapped text.

Shared by the drawing (which names a style per node) and both renderers.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from ivraudit.analysis.context import AuditContext
from ivraudit.model.prompts import shorten


@dataclass(frozen=True)
class Style:
    """How one kind of node looks: its legend text, Graphviz shape and colours."""

    legend: str
    shape: str
    fill: str
    border: str = "#546e7a"
    font: str = "#1b1b1b"
    rounded: bool = False
    dashed: bool = False
    margin: str = "0.1,0.04"


_TIGHT = "0.02,0.01"

#: Node styles by category, in legend order.
STYLES: dict[str, Style] = {
    "menu": Style("menu: the caller chooses", "box", "#dce8f5", "#2f5d8a"),
    "ask": Style("ask: the caller enters a value", "cds", "#ece2f6", "#6a4c93", margin="0.3,0.06"),
    "say": Style("message", "box", "#f7f7f7", "#78909c", rounded=True),
    "decision": Style("branch or opening hours", "hexagon", "#f6efdc", "#8d6e2f", margin=_TIGHT),
    "action": Style("action (external step)", "component", "#eeeeee", "#757575"),
    "subflow": Style("subflow (another file)", "box3d", "#eeeeee", "#757575"),
    "return": Style("return from a subflow", "larrow", "#eeeeee", "#757575", margin="0.2,0.04"),
    "human": Style("transfer to a person", "ellipse", "#b9e4bb", "#2e7d32", margin=_TIGHT),
    "handoff": Style("hand-off to another system", "ellipse", "#cdeef3", "#00838f", margin=_TIGHT),
    "message": Style("voicemail or callback", "ellipse", "#e6efc2", "#689f38", margin=_TIGHT),
    "completed": Style("hangup, caller served", "octagon", "#dcefdc", "#2e7d32", margin=_TIGHT),
    "dead_end": Style(
        "hangup, NOT served (dead end)", "octagon", "#f9d6d5", "#b23b3b", margin=_TIGHT
    ),
    "disconnect": Style(
        "platform disconnect (default)",
        "octagon",
        "#3c3c3c",
        "#000000",
        "#ffffff",
        dashed=True,
        margin=_TIGHT,
    ),
    "missing": Style("missing target", "box", "#fff4f4", "#c62828", "#b71c1c", dashed=True),
}

#: Styles of the drawing's own nodes: placeholders for cut-off parts and stubs.
MORE_STYLE = Style("nodes not drawn (deeper)", "folder", "#fafafa", "#9e9e9e", "#616161")
STUB_STYLE = Style("neighbour outside the focus", "box", "#ffffff", "#bdbdbd", "#757575")

#: Finding colours by severity (strong, for borders and badges).
SEVERITY_COLOURS = {"error": "#d32f2f", "warning": "#e08a00", "info": "#1e6fd0"}
#: Colour of the highlighted route.
ROUTE_COLOUR = "#8e24aa"
#: Colour of the focus node's second outline.
FOCUS_COLOUR = "#263238"

_CATEGORY_OF_KIND = {
    "menu": "menu",
    "ask": "ask",
    "say": "say",
    "branch": "decision",
    "hours": "decision",
    "action": "action",
    "subflow": "subflow",
    "return": "return",
    "voicemail": "message",
    "callback": "message",
    "disconnect": "disconnect",
    "missing": "missing",
}

#: Edge kinds drawn in grey: what happens when the caller gives no valid input or a step fails.
EVENT_VIAS = frozenset({"no_input", "no_match", "retries_exhausted", "fail", "error"})

_EDGE_WORDS = {
    "no_input": "no input",
    "no_match": "no match",
    "retries_exhausted": "retries exhausted",
    "else": "else",
    "open": "open",
    "closed": "closed",
    "holiday": "holiday",
    "fail": "fail",
    "error": "error",
    "subflow": "subflow",
    "return": "return",
}


def category(ctx: AuditContext, node: str) -> str:
    """The style category of a graph node (a key of :data:`STYLES`)."""
    kind = ctx.kind(node)
    if kind == "transfer":
        return "human" if ctx.outcome_kind(node) == "human" else "handoff"
    if kind == "hangup":
        return "completed" if ctx.outcome_kind(node) == "completed" else "dead_end"
    return _CATEGORY_OF_KIND.get(kind, "action")


def edge_label(via: str, key: str | None) -> str | None:
    """The label of an edge: the key, the phrase in quotes, or the event (None for next).

    >>> [edge_label("key", "1"), edge_label("speech", "sales"), edge_label("no_input", None)]
    ['1', '"sales"', 'no input']
    """
    if via == "key":
        return shorten(key, 24)
    if via == "speech":
        return f'"{shorten(key, 22)}"'
    if via == "case":
        return f"case {key}"
    if via == "next":
        return None
    return _EDGE_WORDS.get(via, via.replace("_", " "))


def wrap(text: str, width: int = 30, lines: int = 3) -> list[str]:
    """Text wrapped to at most ``lines`` lines of ``width`` characters, with an ellipsis."""
    folded = " ".join(text.split())
    wrapped = textwrap.wrap(folded, width, break_long_words=True) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        last = wrapped[-1]
        wrapped[-1] = (last if len(last) < width else last[: width - 1].rstrip()) + "…"
    return wrapped

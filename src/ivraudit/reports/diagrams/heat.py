"""How a heat map looks: edge width by the share of logged calls that took an edge, node
colour by abandonment (the share of the calls reaching a node that ended there without an
outcome), and the words that go with them.  Read by the layout and both renderers.

Only counts and node names from a log reach a picture, and no count under the logs'
``min_calls``: such an edge is drawn thin with no count, such a node says "under N calls".
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ivraudit.config import Traffic
    from ivraudit.model.menu import Menu
    from ivraudit.traffic.heat import EdgeHeat, Heat, NodeHeat

#: Edge widths (Graphviz points, Mermaid pixels): from a share of 0 to all the calls.
THINNEST = 1.0
WIDEST = 8.0

#: Abandonment bands: (lowest share, fill colour, legend), lowest band first.
BANDS: tuple[tuple[float, str, str], ...] = (
    (0.0, "#e3f2e1", "under 5% hung up there"),
    (0.05, "#fff3c4", "5-10% hung up"),
    (0.10, "#ffd8a8", "10-20% hung up"),
    (0.20, "#ff9f80", "20-40% hung up"),
    (0.40, "#e35d5d", "40% or more hung up"),
)
#: A node whose abandonment is not known (under min_calls, or several nodes share its log name).
UNKNOWN_FILL = "#ffffff"
#: An edge no count is shown on.
FAINT_EDGE = "#b0bec5"


@dataclass(frozen=True)
class HeatLook:
    """What one node shows: its fill (None: its type's), the line of counts, its band."""

    fill: str | None
    line: str
    band: str | None


def band_of(share: float | None) -> int | None:
    """The abandonment band of a share (an index of :data:`BANDS`), None when not known.

    >>> [band_of(0.0), band_of(0.05), band_of(0.25), band_of(0.9), band_of(None)]
    [0, 1, 3, 4, None]
    """
    if share is None:
        return None
    found = 0
    for index, (lowest, _, _) in enumerate(BANDS):
        if share >= lowest:
            found = index
    return found


def width_of(calls: int | None, total: int) -> float:
    """An edge's width: :data:`THINNEST` plus the share of all logged calls that took it
    times the rest of the scale (bounded: a share is at most 1).

    >>> [width_of(None, 100), width_of(0, 100), width_of(50, 100), width_of(100, 100)]
    [1.0, 1.0, 4.5, 8.0]
    """
    if not calls or total <= 0:
        return THINNEST
    share = min(calls / total, 1.0)
    return round(THINNEST + (WIDEST - THINNEST) * share, 1)


def calls_words(calls: int | None, min_calls: int) -> str:
    """ "412 calls", "1 call", or "under 5 calls" (suppressed)."""
    if calls is None:
        return f"under {min_calls} calls"
    return "1 call" if calls == 1 else f"{calls:,} calls"


def node_look(heat: NodeHeat, min_calls: int) -> HeatLook:
    """The fill and the line of counts of a node: outcomes keep their type's colour."""
    said = calls_words(heat.calls, min_calls)
    if heat.outcome:
        return HeatLook(None, said, None)
    band = band_of(heat.abandon_share)
    if band is None:
        if heat.calls and heat.known:
            hung = f", under {min_calls} hung up"  # suppressed, but not surely a small share
        else:
            hung = ", hung up: not known" if heat.calls else ""
        return HeatLook(UNKNOWN_FILL, f"{said}{hung}", "unknown")
    share = heat.abandon_share or 0.0
    hung = f"under {min_calls}" if heat.abandoned is None else f"{share * 100:.0f}%"
    return HeatLook(BANDS[band][1], f"{said}, {hung} hung up", str(band))


def edge_words(heat: EdgeHeat, min_calls: int) -> str | None:
    """The count an edge's label adds, or None (under ``min_calls`` or not known)."""
    if heat.calls is None or not heat.known:
        return None
    return calls_words(heat.calls, min_calls)


def edge_taken(heat: EdgeHeat, min_calls: int) -> str:
    """What an edge's tooltip says of its calls."""
    if not heat.known:
        return "calls not known apart from another edge to the same node"
    return calls_words(heat.calls, min_calls)


def heat_caption(heat: Heat) -> str:
    """The caption's part on the logs."""
    hidden = f", counts under {heat.min_calls} not shown" if heat.min_calls > 1 else ""
    return f"heat map of {heat.calls:,} logged calls{hidden}"


def config_heat(menu: Menu, graph: object, traffic: Traffic) -> Heat | None:
    """The heat of ``menu`` from the counts ``check --traffic`` put in the config, or
    None when the logs name none of its nodes (the report then draws the plain menu)."""
    from ivraudit.traffic.counts import Counts, EdgeCount, NodeCount
    from ivraudit.traffic.heat import heat_map
    from ivraudit.traffic.names import MenuNames, menu_names

    counts = Counts(
        calls=traffic.calls,
        steps=0,
        min_calls=traffic.min_calls,
        nodes=tuple(NodeCount(n.flow, n.node, n.calls, 0, n.ended) for n in traffic.nodes),
        edges=tuple(
            EdgeCount(e.flow, e.node, "", e.to_node, e.key, e.calls, 0) for e in traffic.edges
        ),
    )
    # The file again, for the names a platform's log gives its nodes (Connect, Asterisk).
    if menu.path and os.path.isfile(menu.path):
        names = menu_names([menu.path])
    else:
        names = MenuNames(nodes=set(menu.nodes))
    heat = heat_map(menu, graph, counts, names)
    return heat if heat.reached else None

"""The drawing: the boxes, arrows and subflow clusters a renderer emits, decided once.

The Graphviz and the Mermaid renderers both read a :class:`Drawing`, so the two
cannot disagree about what a menu looks like.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ivraudit.model.findings import Severity
from ivraudit.reports.diagrams.styles import EVENT_VIAS, STYLES

if TYPE_CHECKING:
    from ivraudit.traffic.heat import Heat


@dataclass(frozen=True)
class Badge:
    """A rule id shown on a node, coloured by the worst severity it was reported at."""

    rule: str
    severity: str


@dataclass
class DrawnNode:
    """One box in the picture: a menu node, a placeholder for cut-off nodes, or a stub."""

    name: str
    role: str
    style: str
    title: str
    graph_id: str | None = None
    detail: str | None = None
    prompt: str | None = None
    tooltip: str = ""
    badges: tuple[Badge, ...] = ()
    severity: str | None = None
    url: str | None = None
    on_route: bool = False
    focused: bool = False
    cluster: str = ""
    level: int | None = None
    row: int = 0
    #: On a heat map: the line of counts, the fill by abandonment (None: the type's),
    #: and the abandonment band (an index of ``heat.BANDS``, "unknown", or None).
    heat_line: str | None = None
    fill: str | None = None
    band: str | None = None


@dataclass
class DrawnEdge:
    """One arrow: a menu edge, a cut into a placeholder, or an edge to or from a stub."""

    name: str
    source: str
    target: str
    role: str
    label: str | None
    tooltip: str
    via: str | None = None
    synthetic: bool = False
    on_route: bool = False
    merged: tuple[str, ...] = ()
    #: On a heat map: whether the edge is weighed, the logged calls that took it (None:
    #: under min_calls), and whether the log tells it apart from its siblings.
    heated: bool = False
    calls: int | None = None
    known: bool = True
    #: Not known apart: the edges to the same node that share ``calls`` between them.
    shared: int = 1

    @property
    def look(self) -> tuple[str, str, bool, bool, bool]:
        """Edges between the same two boxes with the same look are drawn as one."""
        return (self.source, self.target, self.synthetic, self.via in EVENT_VIAS, self.on_route)


@dataclass(frozen=True)
class Cluster:
    """An inlined subflow: its prefix (the subflow node's id) and the file it came from."""

    prefix: str
    name: str
    label: str
    tooltip: str
    parent: str


@dataclass
class Drawing:
    """Everything a renderer needs, sorted and ready to emit."""

    title: str
    caption: str
    nodes: list[DrawnNode] = field(default_factory=list)
    edges: list[DrawnEdge] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    limit: int = 3
    cut: int | None = None
    #: The heat the drawing shows (``diagram --traffic``), or None.
    heat: Heat | None = None

    def cluster_order(self) -> list[tuple[Cluster, int]]:
        """Clusters parents first (depth-first, by prefix), each with its nesting depth."""
        children: dict[str, list[Cluster]] = {}
        for cluster in self.clusters:
            children.setdefault(cluster.parent, []).append(cluster)
        ordered: list[tuple[Cluster, int]] = []
        stack = [(cluster, 0) for cluster in reversed(children.get("", []))]
        while stack:
            cluster, depth = stack.pop()
            ordered.append((cluster, depth))
            for child in reversed(children.get(cluster.prefix, [])):
                stack.append((child, depth + 1))
        return ordered

    def styles_used(self) -> list[str]:
        """Node categories present, in legend order."""
        used = {node.style for node in self.nodes}
        return [name for name in (*STYLES, "more", "stub") if name in used]

    def severities_used(self) -> list[str]:
        """Severities present on drawn nodes, worst first."""
        used = {node.severity for node in self.nodes if node.severity}
        return [severity.value for severity in Severity if severity.value in used]


def merge_parallel(edges: list[DrawnEdge]) -> list[DrawnEdge]:
    """Parallel edges that look the same become one edge with the labels joined.

    The drawn edge keeps the id of the first; ``merged`` holds the ids of the others.
    """
    merged: dict[tuple[str, str, bool, bool, bool], DrawnEdge] = {}
    labels: dict[tuple[str, str, bool, bool, bool], list[str | None]] = {}
    members: dict[tuple[str, str, bool, bool, bool], list[DrawnEdge]] = {}
    for edge in edges:
        first = merged.get(edge.look)
        if first is None:
            merged[edge.look] = edge
            labels[edge.look] = [edge.label]
            members[edge.look] = [edge]
            continue
        labels[edge.look].append(edge.label)
        members[edge.look].append(edge)
        first.tooltip += "\n" + edge.tooltip
        first.merged = (*first.merged, edge.name)
    for look, edge in merged.items():
        if edge.merged:
            edge.label = ", ".join(unique_labels(labels[look])) or None
            if edge.heated:
                edge.calls, edge.known = merged_calls(members[look])
    return list(merged.values())


def merged_calls(members: list[DrawnEdge]) -> tuple[int | None, bool]:
    """The logged calls of edges drawn as one: their sum (None when every one is under
    min_calls), known when each is, or when the edges a log cannot tell apart are all here."""
    unknown = [edge for edge in members if not edge.known]
    counted = [edge.calls for edge in members if edge.known and edge.calls is not None]
    if unknown:
        whole = len(unknown) == unknown[0].shared and len({e.calls for e in unknown}) == 1
        if not whole:
            return None, False
        if unknown[0].calls is not None:
            counted.append(unknown[0].calls)
    return (sum(counted) if counted else None), True


def unique_labels(items: Iterable[str | None]) -> list[str]:
    """The labels that are not None, each once, in first-seen order."""
    seen: list[str] = []
    for item in items:
        if item is not None and item not in seen:
            seen.append(item)
    return seen

"""The heat of a menu's graph: the logged calls on each node and edge, and the share of the
calls reaching each node that ended there without an outcome (abandonment).

Built from :class:`Counts` (only counts and node names, suppressed under
``min_calls``) and the menu's graph; nodes are found in the counts as the report per
menu finds them (:class:`~ivraudit.traffic.report.NodeLookup`), so a platform's log
names (a Connect block's Identifier, an Asterisk ``context,exten``) count too.  The
diagrams draw it (``ivraudit diagram --traffic``, docs/diagrams.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ivraudit.model.menu import Menu
from ivraudit.traffic.counts import Counts, EdgeCount
from ivraudit.traffic.names import MenuNames
from ivraudit.traffic.report import OUTCOME_KINDS, NodeLookup

#: Edge events and the keys a log gives them.
_EVENT_KEYS = {"no_input": ("no_input",), "no_match": ("no_match",)}


@dataclass(frozen=True)
class NodeHeat:
    """Logged calls that reached a node (None: under ``min_calls``) and, for a node that is
    no outcome, the share of them that ended there (None: not known or suppressed)."""

    calls: int | None
    abandoned: int | None
    abandon_share: float | None
    outcome: bool
    #: False when the node's log name stands for several nodes (an Asterisk extension
    #: of several priorities): who ended there is not known.
    known: bool = True


@dataclass(frozen=True)
class EdgeHeat:
    """Logged calls that took an edge (None: under ``min_calls``, or not known when the log
    cannot tell it from another edge between the same nodes)."""

    calls: int | None
    known: bool = True
    #: For an edge not known apart: how many edges to the same node share ``calls``
    #: (the diagram draws them as one edge when they look the same, with the total).
    shared: int = 1


@dataclass(frozen=True)
class Heat:
    """A menu's heat: the logs' calls and threshold, each node's and each edge's heat
    (edges by ``(source, edge_key)`` as in the graph)."""

    calls: int
    min_calls: int
    nodes: dict[str, NodeHeat]
    edges: dict[tuple[str, str], EdgeHeat]

    @property
    def reached(self) -> bool:
        """Whether the logs name any node of the menu (a menu with traffic)."""
        return any(heat.calls for heat in self.nodes.values())


def heat_map(menu: Menu, graph: Any, counts: Counts, names: MenuNames) -> Heat:
    """The heat of ``menu`` (whose graph is ``graph``) in ``counts``.

    Synthetic nodes (the platform's disconnect, a missing target) have none: a log
    names no step there.
    """
    flow = (menu.id or "") if menu.one_of_many else ""
    lookup = NodeLookup(counts, names, flow)
    nodes: dict[str, NodeHeat] = {}
    edges: dict[tuple[str, str], EdgeHeat] = {}
    for node, data in graph.nodes(data=True):
        if data.get("synthetic"):
            continue
        nodes[node] = _node_heat(lookup, node, data["kind"])
        edges.update(_edges_heat(lookup, node, graph.out_edges(node, keys=True, data=True)))
    return Heat(counts.calls, counts.min_calls, nodes, edges)


def _node_heat(lookup: NodeLookup, node: str, kind: str) -> NodeHeat:
    calls, ended, known = lookup.node(node)
    outcome = kind in OUTCOME_KINDS
    if outcome or not known or not calls:
        return NodeHeat(calls, None, None, outcome, known)
    if ended is None:
        # Suppressed: fewer than min_calls ended here.  Say a share only when even the
        # largest hidden count is a small one (under 5 %).
        most = (lookup.counts.min_calls - 1) / calls
        return NodeHeat(calls, None, 0.0 if most < 0.05 else None, outcome)
    return NodeHeat(calls, ended, round(ended / calls, 6), outcome)


def _edges_heat(
    lookup: NodeLookup, source: str, out: Iterable[tuple[str, str, str, dict[str, Any]]]
) -> dict[tuple[str, str], EdgeHeat]:
    """The heat of each edge leaving ``source``, by the log's edges to the same target.

    Edges to one target are told apart by the key the log gives (a DTMF key, or
    ``no_input``/``no_match``); a log without keys (Twilio Studio) tells them apart only
    when a single edge leads there.
    """
    leaving = lookup.edges_from(source)
    by_target: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for _, target, edge_key, data in out:
        by_target.setdefault(target, []).append((edge_key, data))
    few = lookup.counts.min_calls
    events = {word for words in _EVENT_KEYS.values() for word in words}
    keyed = any(e.key and e.key not in events for e in leaving)
    found: dict[tuple[str, str], EdgeHeat] = {}
    for target, group in by_target.items():
        logged = [e for e in leaving if lookup.is_named(target, e.to_node)]
        claims = {edge_key: _claim(data) for edge_key, data in group}
        claimed = {key for keys in claims.values() for key in keys}
        loose = []
        for edge_key, data in group:
            exact = [e for e in logged if e.key in claims[edge_key]]
            # A key no step gives in a log that gives keys here, or an event (no input):
            # none took it.  A key in a log without keys (Studio): told by its target.
            told = data["via"] in _EVENT_KEYS or (bool(claims[edge_key]) and keyed)
            if exact or told:
                found[(source, edge_key)] = EdgeHeat(_sum(exact, few))
            else:
                loose.append(edge_key)
        rest = [e for e in logged if e.key not in claimed]
        for edge_key in loose:
            if len(loose) == 1:
                found[(source, edge_key)] = EdgeHeat(_sum(rest, few))
            else:
                found[(source, edge_key)] = EdgeHeat(_sum(rest, few), False, len(loose))
    return found


def _claim(data: dict[str, Any]) -> tuple[str, ...]:
    """The log keys that say a call took this edge."""
    if data["via"] == "key" and data.get("key") is not None:
        return (str(data["key"]),)
    return _EVENT_KEYS.get(data["via"], ())


def _sum(edges: list[EdgeCount], few: int) -> int | None:
    calls = sum(e.calls for e in edges)
    return calls if calls or few <= 1 else None

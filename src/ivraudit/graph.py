"""Menu -> networkx graph: the only place a graph is built (DESIGN.md §3).

Nodes are the menu's node ids (subflow nodes are inlined as ``sub/inner``).
Every edge has ``via`` (key, speech, next, no_input, no_match, fail,
retries_exhausted, case, else, open, closed, holiday, error, subflow, return)
and ``key`` (the DTMF key, phrase or case number, else None).  What the
platform does when the menu says nothing -- hang up on silence or an invalid
key -- becomes an explicit edge to the synthetic :data:`DISCONNECT` node, so
the silent default is visible and auditable.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from .errors import Position
from .model import AskNode, Menu, MenuNode, NodeBase, ReturnNode, SubflowNode

#: The synthetic node standing for the platform hanging up by default.
DISCONNECT = "<platform disconnect>"

#: Edge kinds that are a caller's choice (a key press or a spoken option).
SELECTION_VIAS = frozenset({"key", "speech"})
#: Edge kinds taken when the caller gives no valid input.
ERROR_VIAS = frozenset({"no_input", "no_match", "fail", "retries_exhausted"})

#: Subflows may not inline more nodes than this in total.
MAX_INLINED_NODES = 2_000_000


def missing_id(name: str) -> str:
    """The id of the synthetic node standing for a target that does not exist."""
    return f"<missing {name}>"


def to_graph(menu: Menu) -> nx.MultiDiGraph:
    """Build the menu's graph.

    Node attributes: ``kind`` (the node type, ``disconnect`` or ``missing``),
    ``node`` (the model, None for synthetic nodes), ``menu`` (the Menu it was
    read from), ``origin`` (its id in that menu), ``synthetic`` and ``subflow``
    (the prefix of an inlined subflow, "" at top level).  Edge attributes:
    ``via``, ``key``, ``field`` (where the edge is written, for positions) and
    ``synthetic`` (True for platform defaults).  ``graph.graph["start"]`` is the
    start node id, or None when the menu names none that exists.
    """
    graph = nx.MultiDiGraph()
    start = menu.start if menu.start in menu.nodes else None
    graph.graph["start"] = start
    graph.graph["menu"] = menu
    pending: list[tuple[Menu, str, str | None]] = [(menu, "", None)]
    while pending:
        current, prefix, return_to = pending.pop()
        _add_menu(graph, current, prefix, return_to, pending)
        if graph.number_of_nodes() > MAX_INLINED_NODES:
            raise ValueError(f"subflows inline more than {MAX_INLINED_NODES:,} nodes")
    return graph


def _add_menu(
    graph: nx.MultiDiGraph,
    menu: Menu,
    prefix: str,
    return_to: str | None,
    pending: list[tuple[Menu, str, str | None]],
) -> None:
    for origin, node in menu.nodes.items():
        graph.add_node(
            prefix + origin,
            kind=node.type,
            node=node,
            menu=menu,
            origin=origin,
            synthetic=False,
            subflow=prefix.rstrip("/"),
        )
    for origin, node in menu.nodes.items():
        source = prefix + origin
        for via, key, target in node.targets():
            _add_edge(graph, menu, prefix, source, target, via, key, _field(via, key), False)
        for via in _platform_defaults(node, origin):
            _add_disconnect_edge(graph, source, via)
        if isinstance(node, ReturnNode) and return_to is not None:
            _link(graph, source, return_to, "return", None, (), False)
        if isinstance(node, SubflowNode):
            _add_subflow(graph, menu, prefix, origin, node, pending)


def _add_subflow(
    graph: nx.MultiDiGraph,
    menu: Menu,
    prefix: str,
    origin: str,
    node: SubflowNode,
    pending: list[tuple[Menu, str, str | None]],
) -> None:
    inner = menu.subflows.get(node.menu)
    source = prefix + origin
    after = None if node.next is None else prefix + node.next
    if inner is None or inner.start not in inner.nodes:
        return  # not loaded: the subflow is opaque and its 'return' edge stands for it
    # The subflow's own 'return' edge is replaced by the inlined flow's returns.
    if after is not None and graph.has_edge(source, after, key="return"):
        graph.remove_edge(source, after, key="return")
    inner_prefix = f"{source}/"
    _link(graph, source, inner_prefix + inner.start, "subflow", None, ("menu",), False)
    graph.nodes[source]["inlined"] = True
    pending.append((inner, inner_prefix, after))


def _platform_defaults(node: NodeBase, origin: str) -> list[str]:
    """The handlers the platform supplies by hanging up, for a node that lacks them."""
    if not isinstance(node, (MenuNode, AskNode)):
        return []
    fallback = node.fail if isinstance(node, AskNode) else None
    missing = [
        via for via in ("no_input", "no_match") if getattr(node, via) is None and fallback is None
    ]
    retries_itself = origin in (node.no_input, node.no_match)
    exhausted_unhandled = node.retries_exhausted is None and fallback is None
    if node.retries is not None and exhausted_unhandled and retries_itself:
        missing.append("retries_exhausted")
    return missing


def _field(via: str, key: str | None) -> tuple[Any, ...]:
    if via == "key":
        return ("options", key)
    if via == "speech":
        return ("speech", key)
    if via == "case":
        return ("cases", int(key or 1) - 1, "next")
    if via == "return":
        return ("next",)
    return (via,)


def _add_edge(
    graph: nx.MultiDiGraph,
    menu: Menu,
    prefix: str,
    source: str,
    target: str,
    via: str,
    key: str | None,
    field: tuple[Any, ...],
    synthetic: bool,
) -> None:
    if target in menu.nodes:
        target_id = prefix + target
    else:
        target_id = prefix + missing_id(target)
        if target_id not in graph:
            graph.add_node(
                target_id,
                kind="missing",
                node=None,
                menu=menu,
                origin=target,
                synthetic=True,
                subflow=prefix.rstrip("/"),
            )
    _link(graph, source, target_id, via, key, field, synthetic)


def _add_disconnect_edge(graph: nx.MultiDiGraph, source: str, via: str) -> None:
    if DISCONNECT not in graph:
        graph.add_node(
            DISCONNECT,
            kind="disconnect",
            node=None,
            menu=graph.graph["menu"],
            origin=DISCONNECT,
            synthetic=True,
            subflow="",
        )
    _link(graph, source, DISCONNECT, via, None, (), True)


def _link(
    graph: nx.MultiDiGraph,
    source: str,
    target: str,
    via: str,
    key: str | None,
    field: tuple[Any, ...],
    synthetic: bool,
) -> None:
    # The edge attribute is called "key" (DESIGN.md §3), which add_edge() reserves
    # for the multigraph's own edge key, hence add_edges_from with a dict.
    edge_key = via if key is None else f"{via}:{key}"
    attributes = {"via": via, "key": key, "field": field, "synthetic": synthetic}
    graph.add_edges_from([(source, target, edge_key, attributes)])


def node_position(graph: nx.MultiDiGraph, node_id: str, *field: Any) -> Position:
    """Where a graph node (or one of its fields) is written in its source file."""
    data = graph.nodes[node_id]
    menu: Menu = data["menu"]
    if data["synthetic"]:
        return menu.locate()
    return menu.locate("nodes", data["origin"], *field)

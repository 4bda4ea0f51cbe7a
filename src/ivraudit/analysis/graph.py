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

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ivraudit.model.errors import Position
from ivraudit.model.findings import edge_key
from ivraudit.model.keypad import takes_key
from ivraudit.model.menu import (
    AskNode,
    BranchNode,
    Menu,
    MenuNode,
    NodeBase,
    ReturnNode,
    SubflowNode,
)

#: The synthetic node standing for the platform hanging up by default.
DISCONNECT = "<platform disconnect>"

#: Edge kinds that are a caller's choice (a key press or a spoken option).
SELECTION_VIAS = frozenset({"key", "speech"})
#: Edge kinds taken when the caller gives no valid input.
ERROR_VIAS = frozenset({"no_input", "no_match", "fail", "retries_exhausted"})

#: Subflows may not inline more nodes than this in total.
MAX_INLINED_NODES = 2_000_000

if TYPE_CHECKING:
    import networkx as nx


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
    return build(menu).to_networkx()


Edge = tuple[str, str, str, dict[str, Any]]


@dataclass
class GraphParts:
    """A menu's graph as plain data: node attributes by id and edges in file order.

    :func:`to_graph` turns it into the networkx graph; the audit reads the parts
    directly, which spares a 100,000-node menu building dict-of-dict views it
    only walks.
    """

    menu: Menu
    start: str | None
    nodes: dict[str, dict[str, Any]]
    edges: list[Edge]

    def to_networkx(self) -> nx.MultiDiGraph:
        import networkx as nx  # only for users of the graph: a check never needs it

        graph = nx.MultiDiGraph()
        graph.graph["start"] = self.start
        graph.graph["menu"] = self.menu
        # One bulk insertion each: much faster than an add_edge call per route.
        graph.add_nodes_from(self.nodes.items())
        graph.add_edges_from(self.edges)
        return graph


def build(menu: Menu) -> GraphParts:
    """The nodes and edges of a menu's graph (see :func:`to_graph`)."""
    start = menu.start if menu.start in menu.nodes else None
    builder = _Builder(menu)
    # First in, first out: subflows are inlined in the order the file uses them.
    pending: deque[tuple[Menu, str, str | None]] = deque([(menu, "", None)])
    while pending:
        current, prefix, return_to = pending.popleft()
        builder.add_menu(current, prefix, return_to, pending)
        if len(builder.nodes) > MAX_INLINED_NODES:
            raise ValueError(f"subflows inline more than {MAX_INLINED_NODES:,} nodes")
    return GraphParts(menu, start, builder.nodes, builder.edges)


class _Builder:
    """Collects nodes and edges (with platform defaults and inlined subflows)."""

    def __init__(self, top: Menu) -> None:
        self.top = top
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: list[Edge] = []

    def add_menu(
        self,
        menu: Menu,
        prefix: str,
        return_to: str | None,
        pending: deque[tuple[Menu, str, str | None]],
    ) -> None:
        subflow = prefix.rstrip("/")
        for origin, node in menu.nodes.items():
            self.nodes[prefix + origin] = {
                "kind": node.type,
                "node": node,
                "menu": menu,
                "origin": origin,
                "synthetic": False,
                "subflow": subflow,
            }
        for origin, node in menu.nodes.items():
            source = prefix + origin
            inner = self._inlined(menu, node)
            for via, key, target in node.targets():
                if via == "return" and inner is not None:
                    continue  # the inlined subflow's own return nodes lead to 'next'
                if via == "case" and _never(node, key):
                    continue  # a case that can never hold is no route (MN008 names it)
                self.link(source, self._target(menu, prefix, target), via, key, _field(via, key))
            for via in _platform_defaults(node, origin):
                self.disconnect(source, via)
            if isinstance(node, ReturnNode) and return_to is not None:
                self.link(source, return_to, "return", None, ())
            if inner is not None:
                assert isinstance(node, SubflowNode)
                after = None if node.next is None else prefix + node.next
                inner_prefix = f"{source}/"
                self.link(source, inner_prefix + inner.start, "subflow", None, ("menu",))
                self.nodes[source]["inlined"] = True
                pending.append((inner, inner_prefix, after))

    @staticmethod
    def _inlined(menu: Menu, node: NodeBase) -> Menu | None:
        if not isinstance(node, SubflowNode):
            return None
        inner = menu.subflows.get(node.menu)
        if inner is None or inner.start not in inner.nodes:
            return None  # not loaded: the subflow is opaque and its 'return' edge stands for it
        return inner

    def _target(self, menu: Menu, prefix: str, target: str) -> str:
        if target in menu.nodes:
            return prefix + target
        target_id = prefix + missing_id(target)
        if target_id not in self.nodes:
            self.nodes[target_id] = {
                "kind": "missing",
                "node": None,
                "menu": menu,
                "origin": target,
                "synthetic": True,
                "subflow": prefix.rstrip("/"),
            }
        return target_id

    def disconnect(self, source: str, via: str) -> None:
        if DISCONNECT not in self.nodes:
            self.nodes[DISCONNECT] = {
                "kind": "disconnect",
                "node": None,
                "menu": self.top,
                "origin": DISCONNECT,
                "synthetic": True,
                "subflow": "",
            }
        self.link(source, DISCONNECT, via, None, (), synthetic=True)

    def link(
        self,
        source: str,
        target: str,
        via: str,
        key: str | None,
        field: tuple[Any, ...],
        synthetic: bool = False,
    ) -> None:
        # The edge attribute is called "key" (DESIGN.md §3), which add_edge() reserves
        # for the multigraph's own edge key, hence edges as (u, v, edge key, attributes).
        taken = edge_key(via, key)
        attributes = {"via": via, "key": key, "field": field, "synthetic": synthetic}
        self.edges.append((source, target, taken, attributes))


def _never(node: NodeBase, key: str | None) -> bool:
    """Whether the branch case numbered ``key`` can never hold (``Case.never``)."""
    if not isinstance(node, BranchNode) or key is None:
        return False
    return node.cases[int(key) - 1].never is not None


def _platform_defaults(node: NodeBase, origin: str) -> list[str]:
    """The handlers the platform supplies by hanging up, for a node that lacks them."""
    if not isinstance(node, (MenuNode, AskNode)):
        return []
    fallback = node.fail if isinstance(node, AskNode) else None
    missing = [
        via for via in ("no_input", "no_match") if getattr(node, via) is None and fallback is None
    ]
    if "no_match" in missing and isinstance(node, MenuNode) and _takes_every_key(node):
        missing.remove("no_match")  # no key is invalid, so the platform never hangs up on one
    retries_itself = origin in (node.no_input, node.no_match)
    exhausted_unhandled = node.retries_exhausted is None and fallback is None
    if node.retries is not None and exhausted_unhandled and retries_itself:
        missing.append("retries_exhausted")
    return missing


def _takes_every_key(menu: MenuNode) -> bool:
    """Whether every key of the keypad (0-9, *, #) is an option, by itself or by a pattern
    (``_X`` and ``*`` and ``#`` in a dialplan, ``/^[0-9*#]$/``)."""
    return all(takes_key(menu.options, key) for key in "0123456789*#")


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


def position_of(data: dict[str, Any], *field: Any) -> Position:
    """Where a node, given its graph attributes (or one of its fields), is written."""
    menu: Menu = data["menu"]
    if data["synthetic"]:
        return menu.locate()
    return menu.locate("nodes", data["origin"], *field)

"""Graph facts about one menu: its nodes and edges in the shapes the analyses want,
where each is written, what a caller can reach, and how the menu's structure leads on.

The first layer of :class:`~ivraudit.analysis.context.AuditContext`; everything here
reads the graph alone, not the prompts and not the routes from the start.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ivraudit.analysis.graph import GraphParts, build, position_of
from ivraudit.analysis.parts import is_test_hook, named_kind
from ivraudit.analysis.routes import OutEdge, reachable
from ivraudit.config import Config, Settings
from ivraudit.model.errors import Position
from ivraudit.model.keypad import is_pattern, takes_key
from ivraudit.model.menu import (
    AskNode,
    BranchNode,
    HoursNode,
    Menu,
    MenuNode,
    NodeBase,
    SubflowNode,
)
from ivraudit.model.prompts import announced_keys

#: Spoken options that match anything the caller says: a catch-all, not a choice.
_ANY_SPEECH = frozenset({"*", ".*", ".+", "/.*/", "/.+/", "any", "anything", "<any>"})

if TYPE_CHECKING:
    import networkx as nx


class MenuFacts:
    """One menu's graph: nodes, edges, order, places in the file and reachability."""

    def __init__(self, menu: Menu, config: Config | None = None) -> None:
        self.menu = menu
        self.config = config or Config()
        self.settings: Settings = self.config.settings
        self.parts: GraphParts = build(menu)
        self.start: str | None = self.parts.start
        # Node attributes by id, and memos for hot paths.
        self.data: dict[str, dict[str, Any]] = self.parts.nodes
        self._positions: dict[str, Position] = {}
        self._locators: dict[int, Any] = {}
        self._followed: dict[str, str] = {}
        self._choices: dict[str, list[str]] = {}

    # -- the graph in the shapes the algorithms want --------------------------------------------

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The menu's networkx graph (see :func:`ivraudit.graph.to_graph`), built on first use."""
        return self.parts.to_networkx()

    @cached_property
    def out(self) -> dict[str, list[OutEdge]]:
        """Out-edges of every node, in file order: ``[(target, edge key, attributes)]``."""
        adjacency: dict[str, list[OutEdge]] = {node: [] for node in self.data}
        for source, target, edge_key, data in self.parts.edges:
            adjacency[source].append((target, edge_key, data))
        return adjacency

    @cached_property
    def into(self) -> dict[str, list[OutEdge]]:
        """In-edges of every node: ``[(source, edge key, attributes)]``."""
        adjacency: dict[str, list[OutEdge]] = {node: [] for node in self.data}
        for source, target, edge_key, data in self.parts.edges:
            adjacency[target].append((source, edge_key, data))
        return adjacency

    @cached_property
    def by_kind(self) -> dict[str, list[str]]:
        """Real (not synthetic) node ids by type, in graph order."""
        return {kind: [node for node, _ in pairs] for kind, pairs in self._pairs_by_kind.items()}

    @cached_property
    def _pairs(self) -> tuple[tuple[str, Any], ...]:
        # Rules walk every node many times over: a ready tuple is cheaper than a generator.
        return tuple(
            (node, data["node"]) for node, data in self.data.items() if not data["synthetic"]
        )

    @cached_property
    def _pairs_by_kind(self) -> dict[str, tuple[tuple[str, Any], ...]]:
        found: dict[str, list[tuple[str, Any]]] = {}
        for node, model in self._pairs:
            found.setdefault(model.type, []).append((node, model))
        return {kind: tuple(pairs) for kind, pairs in found.items()}

    def subgraph(self, nodes: Iterable[str]) -> nx.DiGraph:
        """The directed graph among ``nodes`` only (for networkx algorithms on a region)."""
        members = set(nodes)
        import networkx as nx  # only where a rule needs a graph algorithm

        region = nx.DiGraph()
        region.add_nodes_from(sorted(members, key=self.order.__getitem__))
        region.add_edges_from(
            (node, target)
            for node in members
            for target, _, _ in self.out[node]
            if target in members
        )
        return region

    @cached_property
    def order(self) -> dict[str, int]:
        """Each node's place in graph (file) order."""
        return {node: index for index, node in enumerate(self.data)}

    def kind(self, node: str) -> str:
        """The node's type, or ``disconnect`` / ``missing`` for synthetic nodes."""
        return self.data[node]["kind"]

    def model(self, node: str) -> NodeBase | None:
        """The node's model (None for synthetic nodes)."""
        return self.data[node]["node"]

    def nodes(self, *kinds: str) -> Sequence[tuple[str, Any]]:
        """``(id, model)`` of every real node in graph order, optionally only of the given types."""
        if not kinds:
            return self._pairs
        if len(kinds) == 1:
            return self._pairs_by_kind.get(kinds[0], ())
        return [pair for pair in self._pairs if pair[1].type in kinds]

    def position(self, node: str, *field: Any) -> Position:
        """Where a node, or one of its fields, is written."""
        if field:
            return position_of(self.data[node], *field)
        found = self._positions.get(node)
        if found is None:
            data = self.data[node]
            if data["synthetic"]:
                found = position_of(data)
            else:
                found = self._locator(data["menu"])(("nodes", data["origin"]))
            self._positions[node] = found
        return found

    def _locator(self, menu: Menu) -> Any:
        # Menu.locate goes through pydantic's private-attribute lookup on every call;
        # on a 100,000-node menu that alone took seconds, so keep its locator.
        found = self._locators.get(id(menu))
        if found is None:
            found = self._locators[id(menu)] = menu.locator()
        return found

    # -- reachability and where the structure leads ---------------------------------------------

    @cached_property
    def reachable(self) -> set[str]:
        """Nodes a caller can reach from the start (empty without a start)."""
        if self.start is None:
            return set()
        return reachable(self.out, [self.start])

    @cached_property
    def test_hooks(self) -> frozenset[str]:
        """Nodes whose own name says they are a test or demo hook (see
        :mod:`~ivraudit.analysis.parts`): not a caller's route.  Not a node a key the
        menu's prompt announces leads to (an option offered to callers), and none in
        menus written in ivraudit's own format or with config ``audit_samples``."""
        if self.menu.source_format == "native" or self.config.audit_samples:
            return frozenset()
        start = self.data[self.start]["origin"] if self.start is not None else None
        if any(named_kind(str(name)) for name in (self.menu.id, start) if name):
            return frozenset()  # the part itself is named so: its role decides, not its nodes
        named = {
            node
            for node, data in self.data.items()
            if not data["synthetic"]
            and node != self.start
            and is_test_hook(str(data.get("origin", node)), data["kind"])
        }
        named.update(
            node for node in self.menu.named_hooks if node in self.data and node != self.start
        )
        if not named:
            return frozenset()
        # A key a menu's prompt announces is offered to callers ("press 9 to test your
        # line"): where it leads is a caller's route, whatever its name.
        offered: set[str] = set()
        for node, model in self.nodes("menu"):
            keyed = [
                (t, d["key"]) for t, _, d in self.out[node] if t in named and d["via"] == "key"
            ]
            if keyed:
                announced = announced_keys(model.say)
                offered.update(target for target, key in keyed if key in announced)
        return frozenset(named - offered)

    @cached_property
    def caller_reachable(self) -> set[str]:
        """Nodes a caller can reach from the start without going through a test hook
        (:attr:`test_hooks`): DE003, DE005 and DP002 judge only these."""
        if not self.test_hooks:
            return self.reachable
        if self.start is None:
            return set()
        hooks = self.test_hooks
        return reachable(self.out, [self.start], lambda target, _: target not in hooks)

    def menu_choices(self, node: str) -> list[str]:
        """What a caller counts as a menu's choices: single keys other than the operator,
        star, hash, keys that repeat the menu or go back to the main menu, and keys a
        known prompt never announces; and spoken options that reach somewhere no key
        does.  Extensions dialled by number (``1234``, ``/^1[0-9]{3}$/``) are not menu options."""
        found = self._choices.get(node)
        if found is None:
            found = self._choices[node] = self._menu_choices(node)
        return found

    def _menu_choices(self, node: str) -> list[str]:
        menu = self.model(node)
        if not isinstance(menu, MenuNode):
            return []
        operator = self.settings.operator_key
        navigation = self.navigation_keys(node)
        # A key a known prompt never announces is hidden (MN003's), not a choice to remember.
        announced = set(announced_keys(menu.say)) if not menu.play else set()
        keys = [
            key
            for key in menu.options
            if len(key) == 1
            and key not in (operator, "*", "#")
            and key not in navigation
            and (not announced or key in announced)
        ]
        # A phrase that goes where a key goes is that key said aloud, and one that goes back
        # to this menu or the main menu ("repeat", "main menu") moves around it, as such keys.
        keyed = set(menu.options.values())
        here = {node, self.main_menu}
        spoken = [
            target
            for phrase, target in menu.speech.items()
            if target not in keyed
            and phrase.strip() not in _ANY_SPEECH
            and self._follow_edge(node, f"speech:{phrase}") not in here
        ]
        return keys + list(dict.fromkeys(spoken))

    def navigation_keys(self, node: str) -> set[str]:
        """Keys of a menu that only move around it: back to the same menu (repeat) or
        to the main menu (the first menu from the start).  Callers do not count them
        as options to remember."""
        menu = self.model(node)
        if not isinstance(menu, MenuNode):
            return set()
        here = {node, self.main_menu}
        found = set()
        for key in menu.options:
            target = self.edge_target(node, f"key:{key}")
            if target is None or self.follow_messages(target) not in here:
                continue
            if _tells_something(self, node, target):
                continue  # "for opening hours press 5": a message, then the menu again
            found.add(key)
        return found

    @cached_property
    def main_menu(self) -> str | None:
        """The first menu a call reaches from the start through messages and steps."""
        if self.start is None:
            return None
        node, seen = self.start, {self.start}
        while self.kind(node) != "menu":
            onward = [
                target
                for target, _, data in self.out.get(node, ())
                if data["via"] in ("next", "open", "else", "return", "subflow")
            ]
            if not onward or onward[0] in seen:
                return None
            node = onward[0]
            seen.add(node)
        return node

    def option_taking(self, node: str, key: str) -> str | None:
        """The option of menu ``node`` that pressing ``key`` picks: the key itself, or
        else the first key pattern (``/^[0-9]$/``, Asterisk's ``_X``) that matches it."""
        menu = self.model(node)
        if not isinstance(menu, MenuNode):
            return None
        if key in menu.options:
            return key
        for option in menu.options:
            if is_pattern(option) and takes_key((option,), key):
                return option
        return None

    def _runs_block(self, node: str) -> bool:
        """Whether action ``node`` only runs the block it leads to (Menu.block_steps)."""
        data = self.data.get(node)
        menu = data.get("menu") if data is not None else None
        return menu is not None and data["origin"] in menu.block_steps

    def _follow_edge(self, node: str, edge_key: str) -> str | None:
        target = self.edge_target(node, edge_key)
        return None if target is None else self.follow_messages(target)

    def edge_target(self, node: str, edge_key: str) -> str | None:
        """The node an edge (by its key, e.g. ``key:1``) leads to."""
        for target, key, _ in self.out.get(node, ()):
            if key == edge_key:
                return target
        return None

    def follow_messages(self, node: str) -> str:
        """Where a call ends up from ``node`` after plain messages (``say`` nodes) play, and
        through the step an importer puts in front of a block that may fail (Connect's
        ``Main menu (runs)``: :attr:`~ivraudit.model.menu.Menu.block_steps`)."""
        found = self._followed.get(node)
        if found is None:
            *_, found = self.messages_from(node)
            self._followed[node] = found
        return found

    def messages_from(self, node: str) -> Iterator[str]:
        """The nodes :meth:`follow_messages` passes from ``node``, in order, ending with
        where the call ends up (``node`` itself first)."""
        seen = {node}
        while True:
            yield node
            kind = self.kind(node)
            if kind not in ("say", "action"):
                return
            onward = [target for target, _, data in self.out[node] if data["via"] == "next"]
            if not onward or onward[0] in seen:
                return
            if kind == "action" and not self._runs_block(node):
                return  # a step that does something of its own
            node = onward[0]
            seen.add(node)

    def arrivals(self, node: str) -> list[tuple[str, dict[str, Any]]]:
        """The edges a call arrives by, looking back through plain messages before ``node``.

        ``[(source, edge attributes)]``: for a hangup after "Sorry, goodbye", the
        edges into that message, not the message's own ``next``.
        """
        return [(source, data) for source, data, _ in self.arrival_routes(node)]

    def arrival_routes(self, node: str) -> list[tuple[str, dict[str, Any], list[tuple[str, str]]]]:
        """Each arrival (see :meth:`arrivals`) with its steps on to ``node``:
        ``(source, edge attributes, [(node, edge key), ...])`` from the source through
        the plain messages, for a witness that shows that very arrival."""
        return self.routes_back(
            node, lambda source, data: self.kind(source) == "say" and data["via"] == "next"
        )

    def routes_back(
        self, node: str, passes: Callable[[str, dict[str, Any]], bool]
    ) -> list[tuple[str, dict[str, Any], list[tuple[str, str]]]]:
        """Walking back from ``node`` through the nodes ``passes(source, edge)`` lets
        through: every edge where the walk stops, as ``(source, edge attributes, steps)``
        with the ``(node, edge key)`` steps from that source on to ``node``."""
        found: list[tuple[str, dict[str, Any], list[tuple[str, str]]]] = []
        onward: dict[str, tuple[str, str]] = {}
        seen = {node}
        stack = [node]
        while stack:
            current = stack.pop()
            for source, edge_key, data in self.into[current]:
                if passes(source, data):
                    if source not in seen:
                        seen.add(source)
                        onward[source] = (edge_key, current)
                        stack.append(source)
                    continue
                steps = [(source, edge_key)]
                step = current
                while step != node:
                    key, following = onward[step]
                    steps.append((step, key))
                    step = following
                found.append((source, data, steps))
        return found

    def silent_gap(self, node: str) -> tuple[str, str] | None:
        """``(field, what)`` when a non-outcome node has no way onward for some case.

        A message or step with no ``next``, an ask with no ``next``, a menu with
        no options, a branch with no ``else``, hours with no ``open``/``closed``.
        """
        model = self.model(node)
        if model is None or model.type in ("transfer", "voicemail", "callback", "hangup"):
            return None
        if model.type == "unknown":
            return None  # the call goes on where ivraudit cannot see
        if isinstance(model, MenuNode):
            if not model.options and not model.speech:
                return "options", "offers no options: the caller cannot choose anything"
            return None
        if isinstance(model, AskNode):
            if model.next is None:
                return "next", "has no 'next': after answering, the caller is left in silence"
            return None
        if isinstance(model, BranchNode):
            if model.else_ is None:
                return "else", "has no 'else': when no case holds, the caller is left in silence"
            return None
        if isinstance(model, HoursNode):
            for via in ("open", "closed"):
                if getattr(model, via) is None:
                    return via, f"has no '{via}' route: callers at those times are left in silence"
            return None
        if isinstance(model, SubflowNode):
            if model.next is None and self._subflow_returns(node):
                return (
                    "next",
                    "has no 'next': when the subflow returns, the caller is left in silence",
                )
            return None
        if model.type == "return":
            return None  # back to the caller's flow (or, checked on its own, a hand-off)
        if not any(data["via"] == "next" for _, _, data in self.out[node]):
            return "next", "has no 'next': after it, the caller is left in silence"
        return None

    def _subflow_returns(self, node: str) -> bool:
        if not self.data[node].get("inlined"):
            return True
        return node in self._subflows_that_return

    @cached_property
    def _subflows_that_return(self) -> set[str]:
        """Inlined subflow nodes whose subflow has a ``return`` node (directly inside it)."""
        return {self.data[node]["subflow"] for node in self.by_kind.get("return", ())}


#: A message that only says the menu comes again: its key is a repeat key.
_REPEATS = re.compile(r"\b(?:again|repeat(?:ing)?|once more)\b", re.IGNORECASE)


def _tells_something(facts: MenuFacts, menu: str, node: str) -> bool:
    """Whether the way from a key of ``menu`` at ``node`` back to a menu plays a
    message only keys of ``menu`` lead to (an information option), not the menu's own
    lead-in that every way into it plays ("Welcome" before the options), nor one that
    only says the options come again ("Here are the options again")."""
    return any(
        facts.kind(step) == "say"
        and all(source == menu for source, _, _ in facts.into.get(step, ()))
        and not _REPEATS.search(getattr(facts.model(step), "say", None) or "")
        for step in facts.messages_from(node)
    )

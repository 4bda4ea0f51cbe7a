"""The audit context: one menu's graph and every analysis of it, each computed once.

Rules and metrics read these cached properties; none re-walks the menu for
something another has already worked out.  Every analysis is linear or
near-linear in nodes + edges (times the number of identity fields used).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import networkx as nx

from ivraudit.analysis.graph import (
    DISCONNECT,
    ERROR_VIAS,
    SELECTION_VIAS,
    GraphParts,
    build,
    position_of,
)
from ivraudit.analysis.routes import GAP, OutEdge, RouteTree, dijkstra, reachable, zero_one_bfs
from ivraudit.config import Config, Settings
from ivraudit.model.errors import Position
from ivraudit.model.findings import Step
from ivraudit.model.menu import (
    ActionNode,
    AskNode,
    BranchNode,
    HangupNode,
    HoursNode,
    Menu,
    MenuNode,
    NodeBase,
    SayNode,
    SubflowNode,
    TransferNode,
)
from ivraudit.model.prompts import (
    IdentityMatcher,
    announces_hours,
    hangup_reason_from_recording,
    hangup_reason_from_text,
    shorten,
    spoken_seconds,
)

#: Witness routes longer than this show their first and last steps only.
MAX_WITNESS_STEPS = 60

#: Edge kinds a call follows without the caller choosing or failing anything.
PASSIVE_VIAS = frozenset(
    {"next", "open", "closed", "holiday", "case", "else", "error", "return", "subflow", "fail"}
)

#: Outcome kinds: where a call may rightly end.
OUTCOME_KINDS = ("human", "voicemail", "callback", "completed", "handoff")


@dataclass(frozen=True)
class Collection:
    """An identity field a node collects, and whether the field was inferred."""

    node: str
    field: str
    inferred: bool


@dataclass(frozen=True)
class Repeat:
    """Field ``field`` collected at ``first`` and asked again at ``again`` on one route."""

    field: str
    first: str
    again: str
    route: tuple[tuple[str, str | None], ...]


class AuditContext:
    """Everything the rules need to know about one menu."""

    def __init__(self, menu: Menu, config: Config | None = None) -> None:
        self.menu = menu
        self.config = config or Config()
        self.settings: Settings = self.config.settings
        self.parts: GraphParts = build(menu)
        self.start: str | None = self.parts.start
        self.identity = IdentityMatcher.build(self.config.identity_fields)
        self._collected_after: dict[str, dict[str, dict[str, tuple[str, str, int]]]] = {}
        self._followed: dict[str, str] = {}
        # Node attributes by id, and memos for hot paths.
        self.data: dict[str, dict[str, Any]] = self.parts.nodes
        self._positions: dict[str, Position] = {}
        self._locators: dict[int, Any] = {}
        self._steps: dict[tuple[str, str | None, str | None], Step] = {}
        self._witnesses: dict[tuple[int, str], tuple[Step, ...]] = {}

    # -- the graph in the shapes the algorithms want -------------------------------------------

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
                found = self._locator(data["menu"])("nodes", data["origin"])
            self._positions[node] = found
        return found

    def _locator(self, menu: Menu) -> Any:
        # Menu.locate goes through pydantic's private-attribute lookup on every call;
        # on a 100,000-node menu that alone took seconds, so keep the bound function.
        found = self._locators.get(id(menu))
        if found is None:
            found = self._locators[id(menu)] = menu.locate
        return found

    # -- prompts --------------------------------------------------------------------------------

    def prompt(self, node: str) -> str | None:
        """The prompt text a node speaks (None for recorded or no prompt)."""
        model = self.model(node)
        return None if model is None else model.say

    def hears(self, node: str) -> str | None:
        """What the caller hears at a node, for witnesses: text, or the recording's name."""
        model = self.model(node)
        if model is None:
            return None
        if model.say:
            return model.say
        if model.play:
            return f"[recording {model.play}]"
        return None

    def prompt_seconds(self, node: str) -> float:
        """Estimated seconds the node's prompt takes to play."""
        model = self.model(node)
        if model is None:
            return 0.0
        seconds = spoken_seconds(model.say, self.settings.words_per_minute)
        if model.play and not model.say:
            seconds += self.settings.audio_prompt_seconds
        return seconds

    # -- reachability and routes ------------------------------------------------------------------

    @cached_property
    def reachable(self) -> set[str]:
        """Nodes a caller can reach from the start (empty without a start)."""
        if self.start is None:
            return set()
        return reachable(self.out, [self.start])

    def is_input(self, node: str, data: dict[str, Any]) -> bool:
        """Whether taking this edge needs the caller to press or say something."""
        return data["via"] in SELECTION_VIAS or (data["via"] == "next" and self.kind(node) == "ask")

    @cached_property
    def presses(self) -> RouteTree:
        """Fewest menu selections (key presses or spoken options) to every node."""
        if self.start is None:
            return RouteTree()
        return zero_one_bfs(
            self.out, [self.start], lambda node, data: 1 if data["via"] in SELECTION_VIAS else 0
        )

    @cached_property
    def inputs(self) -> RouteTree:
        """Fewest caller inputs (selections and answers to questions) to every node."""
        if self.start is None:
            return RouteTree()
        return zero_one_bfs(
            self.out, [self.start], lambda node, data: 1 if self.is_input(node, data) else 0
        )

    @cached_property
    def seconds(self) -> RouteTree:
        """Least estimated seconds to every node: prompts heard, inputs given, timeouts waited."""
        if self.start is None:
            return RouteTree()
        return dijkstra(self.out, [self.start], self._seconds_weight)

    @cached_property
    def nearest_human(self) -> tuple[str, float, RouteTree] | None:
        """The person fewest estimated seconds away: ``(node, seconds, route tree)``, or None.

        The search stops there, so a menu whose advisers are near the start is cheap
        to measure however large it is.
        """
        if self.start is None or not self.humans:
            return None
        if "seconds" in self.__dict__:
            tree = self.seconds
        else:
            humans = set(self.humans)
            tree = dijkstra(self.out, [self.start], self._seconds_weight, until=humans.__contains__)
        reached = [node for node in self.humans if node in tree]
        if not reached:
            return None
        nearest = min(reached, key=lambda node: (tree.cost[node], self.order[node]))
        return nearest, tree.cost[nearest], tree

    @cached_property
    def _heard_seconds(self) -> dict[str, float]:
        """Seconds each prompt takes to speak, filled in as the seconds search needs them."""
        return {}

    def _seconds_weight(self, node: str, data: dict[str, Any]) -> float:
        # A method, not a closure kept on the context: a closure would tie the context
        # into a reference cycle, and every object it holds would wait for the cyclic
        # collector instead of being freed when the audit ends.
        heard = self._heard_seconds.get(node)
        if heard is None:
            heard = self._heard_seconds[node] = self.prompt_seconds(node)
        via = data["via"]
        if self.is_input(node, data) or via == "no_match":
            return heard + self.settings.seconds_per_input
        if via == "no_input":
            return heard + self._timeout(node)
        if via in ("retries_exhausted", "fail") and self.kind(node) in ("menu", "ask"):
            # Every try: the prompt, then the wait for input that never comes.
            tries = (getattr(self.model(node), "retries", None) or 0) + 1
            return tries * (heard + self._timeout(node))
        return heard

    def _timeout(self, node: str) -> float:
        timeout = getattr(self.model(node), "timeout", None)
        return self.settings.input_timeout if timeout is None else timeout

    def steps(
        self, route: list[tuple[str, str | None]] | tuple[tuple[str, str | None], ...]
    ) -> tuple[Step, ...]:
        """A route as witness steps: what is heard at each node and what the caller does."""
        steps: list[Step] = []
        last = len(route) - 1
        for index, (node, edge_key) in enumerate(route):
            if node == GAP:
                # The gap's key is how many steps it stands for.
                steps.append(Step(node=GAP, does=f"{edge_key} more steps not shown", key=edge_key))
                continue
            target = route[index + 1][0] if edge_key is not None and index < last else None
            memo = (node, edge_key if target is not None else None, target)
            step = self._steps.get(memo)
            if step is None:
                step = self._steps[memo] = self._step(node, edge_key, target)
            steps.append(step)
        return tuple(steps)

    def _step(self, node: str, edge_key: str | None, target: str | None) -> Step:
        where = self.position(node)
        place = {"file": where.file, "line": where.line, "column": where.column}
        if edge_key is None or target is None:
            return Step(node=node, hears=self.hears(node), **place)
        data = next(d for t, k, d in self.out[node] if k == edge_key and t == target)
        return Step(
            node=node,
            hears=self.hears(node),
            does=self.describe_edge(node, data),
            via=data["via"],
            key=data["key"],
            **place,
        )

    def witness(self, node: str, tree: RouteTree | None = None) -> tuple[Step, ...]:
        """The shortest route (fewest selections by default) from the start to ``node``.

        A route of more than :data:`MAX_WITNESS_STEPS` steps shows its first
        and last steps, with one step saying how many were left out.
        """
        tree = tree or self.presses
        memo = (id(tree), node)
        found = self._witnesses.get(memo)
        if found is None:
            route = tree.route(node, MAX_WITNESS_STEPS) if node in tree else []
            found = self._witnesses[memo] = self.steps(route)
        return found

    def witness_via(self, source: str, edge_key: str, target: str) -> tuple[Step, ...]:
        """The shortest route to ``source``, then the edge ``edge_key`` to ``target``."""
        if source not in self.presses:
            return ()
        route = self.presses.route(source, MAX_WITNESS_STEPS - 1)[:-1]
        return self.steps([*route, (source, edge_key), (target, None)])

    def describe_edge(self, node: str, data: dict[str, Any]) -> str | None:
        """What the caller does (or what happens) to take an edge, in plain words."""
        via, key = data["via"], data["key"]
        kind = self.kind(node)
        if via == "key":
            return f"presses {key}"
        if via == "speech":
            return f'says "{key}"'
        if via == "next":
            if kind == "ask":
                field = self.collections.get(node)
                return f"enters {field.field.replace('_', ' ')}" if field else "answers"
            return None
        if via == "fail" and kind == "transfer":
            return "the transfer fails (busy, no answer or queue full)"
        if via == "case":
            model = self.model(node)
            cases = getattr(model, "cases", [])
            index = int(key or 1) - 1
            when = cases[index].when if 0 <= index < len(cases) else key
            return f"case {key} holds ({shorten(when, 60)})"
        return _EVENT_WORDS.get(via, via)

    # -- outcomes and dead ends -------------------------------------------------------------------

    @cached_property
    def hangup_reasons(self) -> dict[str, tuple[str | None, bool]]:
        """``{hangup node: (reason, inferred)}``; reasons not declared are read from prompts.

        A hangup with no text of its own takes the reason from the messages
        played just before it; any refusal among them wins.
        """
        reasons: dict[str, tuple[str | None, bool]] = {}
        for node, model in self.nodes("hangup"):
            assert isinstance(model, HangupNode)
            if model.reason is not None:
                reasons[node] = (model.reason, False)
                continue
            reason = _reason_heard(model)
            if reason is None:
                found = [
                    _reason_heard(self.model(source))
                    for source, _, data in self.into[node]
                    if data["via"] == "next" and isinstance(self.model(source), SayNode)
                ]
                known = [item for item in found if item is not None]
                refusals = [item for item in known if item != "completed"]
                reason = refusals[0] if refusals else (known[0] if known else None)
            reasons[node] = (reason, reason is not None)
        return reasons

    def outcome_kind(self, node: str) -> str | None:
        """``human``, ``handoff``, ``voicemail``, ``callback``, ``completed``, or None."""
        model = self.model(node)
        if isinstance(model, TransferNode):
            return "human" if model.human else "handoff"
        kind = self.kind(node)
        if kind in ("voicemail", "callback"):
            return kind
        if kind == "hangup" and self.hangup_reasons[node][0] == "completed":
            return "completed"
        if kind == "return" and not self.data[node]["subflow"]:
            # A flow module or subroutine checked on its own: returning hands the
            # call back to whatever flow ran it.
            return "handoff"
        return None

    @cached_property
    def outcomes(self) -> dict[str, str]:
        """Every outcome node and its kind, in graph order."""
        found: dict[str, str] = {}
        for node in self.data:
            kind = self.outcome_kind(node)
            if kind is not None:
                found[node] = kind
        return found

    @cached_property
    def humans(self) -> list[str]:
        """Human transfer nodes."""
        return [node for node, kind in self.outcomes.items() if kind == "human"]

    @cached_property
    def reaches_outcome(self) -> set[str]:
        """Nodes from which some outcome can be reached."""
        return reachable(self.into, list(self.outcomes))

    @cached_property
    def unserved_hangups(self) -> list[str]:
        """Hangups that end a call the caller chose to make, without serving it (DE003).

        Not: completed or closed hangups (DE006 judges those), hangups reached only
        through caller errors (DE005's), or only after a person, voicemail or
        callback has served the call.
        """
        found = []
        for node, _ in self.nodes("hangup"):
            if self.hangup_reasons[node][0] in ("completed", "closed"):
                continue
            arrivals = self.arrivals(node)
            if arrivals and all(data["via"] in ERROR_VIAS for _, data in arrivals):
                continue
            if node in self.reachable and node not in self.before_service:
                continue
            found.append(node)
        return found

    @cached_property
    def before_service(self) -> set[str]:
        """Nodes a caller can reach from the start without first being served (without
        passing a person, a hand-off, a voicemail, a callback or a completed call)."""
        if self.start is None:
            return set()
        outcomes = self.outcomes
        seen = {self.start}
        stack = [self.start]
        while stack:
            node = stack.pop()
            if node in outcomes:
                continue
            for target, _, _ in self.out[node]:
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        return seen

    @cached_property
    def reaches_service(self) -> set[str]:
        """Nodes from which a person, a voicemail or a callback can be reached."""
        served = [
            node
            for node, kind in self.outcomes.items()
            if kind in ("human", "voicemail", "callback")
        ]
        return reachable(self.into, served)

    @cached_property
    def reaches_hours_announcement(self) -> set[str]:
        """Nodes from which a prompt announcing the opening hours can be reached."""
        announcing = [node for node, model in self.nodes() if announces_hours(model.say)]
        return reachable(self.into, announcing)

    def _passive_edge(self, source: str, data: dict[str, Any]) -> bool:
        # Walking backwards: may a call go from ``source`` along this edge without
        # choosing anything or failing anything?  A 'fail' counts only when a
        # transfer or a step fails, not when the caller fails a question.
        via = data["via"]
        if via not in PASSIVE_VIAS or data["synthetic"]:
            return False
        return via != "fail" or self.kind(source) in ("transfer", "action")

    @cached_property
    def passive_to_human(self) -> set[str]:
        """Nodes that reach a person with no further selection or caller error.

        Found backwards from the human transfers over edges that are neither a
        selection nor a caller error (messages, hours checks, branches, steps).
        """
        return reachable(
            self.into,
            self.humans,
            allowed=self._passive_edge,
        )

    def menu_choices(self, node: str) -> list[str]:
        """What a caller counts as a menu's choices: single keys other than the operator,
        star and hash, and spoken options that reach somewhere no key does.  Extensions
        dialled by number (``1234``, ``/^1[0-9]{3}$/``) are not menu options."""
        menu = self.model(node)
        if not isinstance(menu, MenuNode):
            return []
        operator = self.settings.operator_key
        keys = [key for key in menu.options if len(key) == 1 and key not in (operator, "*", "#")]
        keyed = {menu.options[key] for key in keys} | {menu.options.get(operator)}
        spoken = [target for target in menu.speech.values() if target not in keyed]
        return keys + list(dict.fromkeys(spoken))

    def edge_target(self, node: str, edge_key: str) -> str | None:
        """The node an edge (by its key, e.g. ``key:1``) leads to."""
        for target, key, _ in self.out.get(node, ()):
            if key == edge_key:
                return target
        return None

    def follow_messages(self, node: str) -> str:
        """Where a call ends up from ``node`` after plain messages (``say`` nodes) play."""
        if node in self._followed:
            return self._followed[node]
        start = node
        seen = {node}
        while self.kind(node) == "say":
            onward = [target for target, _, data in self.out[node] if data["via"] == "next"]
            if not onward or onward[0] in seen:
                break
            node = onward[0]
            seen.add(node)
        self._followed[start] = node
        return node

    def arrivals(self, node: str) -> list[tuple[str, dict[str, Any]]]:
        """The edges a call arrives by, looking back through plain messages before ``node``.

        ``[(source, edge attributes)]``: for a hangup after "Sorry, goodbye", the
        edges into that message, not the message's own ``next``.
        """
        found: list[tuple[str, dict[str, Any]]] = []
        seen = {node}
        stack = [node]
        while stack:
            current = stack.pop()
            for source, _, data in self.into[current]:
                if self.kind(source) == "say" and data["via"] == "next":
                    if source not in seen:
                        seen.add(source)
                        stack.append(source)
                    continue
                found.append((source, data))
        return found

    def silent_gap(self, node: str) -> tuple[str, str] | None:
        """``(field, what)`` when a non-outcome node has no way onward for some case.

        A message or step with no ``next``, an ask with no ``next``, a menu with
        no options, a branch with no ``else``, hours with no ``open``/``closed``.
        """
        model = self.model(node)
        if model is None or model.type in ("transfer", "voicemail", "callback", "hangup"):
            return None
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

    def is_disconnect(self, node: str) -> bool:
        """Whether the call ends here without service (platform or non-completed hangup)."""
        if node == DISCONNECT:
            return True
        return self.kind(node) == "hangup" and self.outcome_kind(node) is None

    # -- identity ---------------------------------------------------------------------------------

    @cached_property
    def collections(self) -> dict[str, Collection]:
        """Identity fields collected by asks (and by actions that declare ``collects``)."""
        found: dict[str, Collection] = {}
        for node, model in self.nodes("ask", "action"):
            assert isinstance(model, (AskNode, ActionNode))
            if isinstance(model, ActionNode) and model.collects is None:
                continue
            prompt = model.say if isinstance(model, AskNode) else None
            field, inferred = self.identity.field_of(model.collects, prompt)
            if field is not None:
                found[node] = Collection(node, field, inferred)
        return found

    @cached_property
    def collectors(self) -> dict[str, list[str]]:
        """``{field: [nodes collecting it]}`` for reachable collectors, in graph order."""
        by_field: dict[str, list[str]] = {}
        for node, collection in self.collections.items():
            if node in self.reachable:
                by_field.setdefault(collection.field, []).append(node)
        return by_field

    def collected_after(self, field: str) -> dict[str, dict[str, tuple[str, str, int]]]:
        """For each node, up to two collectors of ``field`` that a route reaches it from.

        ``{node: {collector: (previous node, edge key, edges from the collector)}}``:
        a BFS seeded on the success edges
        of every collector, where each node keeps the first two distinct
        collectors to arrive (so "collected by someone other than me" is
        decidable in linear time).
        """
        if field not in self._collected_after:
            self._collected_after[field] = self._two_source_bfs(field)
        return self._collected_after[field]

    def _two_source_bfs(self, field: str) -> dict[str, dict[str, tuple[str, str, int]]]:
        # {node: {collector: (previous node, edge key, edges from the collector)}}
        labels: dict[str, dict[str, tuple[str, str, int]]] = {}
        queue: deque[tuple[str, str]] = deque()
        for collector in self.collectors.get(field, []):
            for target, edge_key, data in self.out[collector]:
                if data["via"] != "next":
                    continue  # only a successful answer collects the field
                found = labels.setdefault(target, {})
                if collector not in found and len(found) < 2:
                    found[collector] = (collector, edge_key, 1)
                    queue.append((target, collector))
        while queue:
            node, label = queue.popleft()
            hops = labels[node][label][2] + 1
            for target, edge_key, _ in self.out[node]:
                found = labels.setdefault(target, {})
                if label in found or len(found) >= 2:
                    continue
                found[label] = (node, edge_key, hops)
                queue.append((target, label))
        return labels

    def route_through(
        self, field: str, collector: str, node: str
    ) -> tuple[tuple[str, str | None], ...]:
        """A route from the start through ``collector`` (collecting ``field``) to ``node``.

        Like every witness it is shortened past :data:`MAX_WITNESS_STEPS`: the
        route to the collector and the route on from it are each cut to half,
        with a gap step saying how many steps were left out.
        """
        labels = self.collected_after(field)
        half = MAX_WITNESS_STEPS // 2
        tail: list[tuple[str, str | None]] = [(node, None)]
        current = node
        while current != collector and len(tail) < half:
            parent = labels.get(current, {}).get(collector)
            if parent is None:
                break
            previous, edge_key, _ = parent
            tail.append((previous, edge_key))
            current = previous
        if current != collector:
            hops = labels.get(current, {}).get(collector, (None, None, 1))[2]
            tail.append((GAP, str(hops - 1)))  # the nodes between the collector and here
            tail.append((collector, None))
        tail.reverse()
        head = self.presses.route(collector, half)[:-1] if collector in self.presses else []
        return (*head, *tail)

    @cached_property
    def must_collected(self) -> dict[str, int]:
        """Identity fields collected on *every* route to each node, as bitsets over fields.

        A forward "must" dataflow (intersection over incoming edges); a field
        is added only on a collector's success edge.  Each node's set only
        shrinks, so the worklist settles in O(fields x (nodes + edges)).
        """
        fields = self.identity.fields
        bit = {field: 1 << index for index, field in enumerate(fields)}
        everything = (1 << len(fields)) - 1
        gen = {node: bit[c.field] for node, c in self.collections.items()}
        if self.start is None:
            return {}
        order = list(self.presses.cost)  # every reachable node, roughly in BFS order
        state: dict[str, int] = dict.fromkeys(order, everything)
        state[self.start] = 0
        queue = deque(order)
        queued = set(order)
        while queue:
            node = queue.popleft()
            queued.discard(node)
            produced = gen.get(node, 0)
            for target, _, data in self.out[node]:
                if target == self.start:
                    continue  # a route may always begin here, with nothing collected
                carried = state[node] | (produced if data["via"] == "next" else 0)
                new = state[target] & carried
                if new != state[target]:
                    state[target] = new
                    if target not in queued:
                        queued.add(target)
                        queue.append(target)
        return state

    def field_bit(self, field: str) -> int:
        """The bit of ``field`` in :attr:`must_collected` sets."""
        return 1 << self.identity.fields.index(field)


def _reason_heard(model: Any) -> str | None:
    """A hangup reason from a node's prompt text, else from its recording's file name."""
    if model is None:
        return None
    return hangup_reason_from_text(model.say) or hangup_reason_from_recording(model.play)


_EVENT_WORDS = {
    "no_input": "says nothing (no input)",
    "no_match": "presses an invalid key (no match)",
    "retries_exhausted": "runs out of retries",
    "fail": "gives no valid answer",
    "else": "no case holds",
    "open": "calls during opening hours",
    "closed": "calls when closed",
    "holiday": "calls on a holiday",
    "error": "the step fails",
    "subflow": "enters the subflow",
    "return": "the subflow returns",
}

"""Shortest routes from the start -- fewest selections, fewest inputs, fewest seconds --
and the witness steps read off them: what the caller hears and does on the way.

The fourth layer of :class:`~ivraudit.analysis.context.AuditContext`: the seconds a
route takes come from the prompt readings, the nearest person from the outcomes.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from ivraudit.analysis.graph import SELECTION_VIAS
from ivraudit.analysis.outcomes import CallOutcomes
from ivraudit.analysis.routes import RouteTree, dijkstra, zero_one_bfs
from ivraudit.config import Config
from ivraudit.model.findings import GAP, Step
from ivraudit.model.menu import HangupNode, Menu, TransferNode, UnknownNode
from ivraudit.model.prompts import shorten

#: Witness routes longer than this show their first and last steps only.
MAX_WITNESS_STEPS = 60


class WitnessRoutes(CallOutcomes):
    """The route trees from one menu's start, and witnesses as steps a person can follow."""

    def __init__(self, menu: Menu, config: Config | None = None) -> None:
        super().__init__(menu, config)
        self._steps: dict[tuple[str, str | None, str | None], Step] = {}
        self._witnesses: dict[tuple[int, str], tuple[Step, ...]] = {}
        # Per route tree (by id, kept alive here): the steps of the route to a node, its
        # own step left out.  A node's is its parent's and one more step, so the routes
        # of many findings share their work (and their steps) instead of each walking
        # up the tree again.
        self._prefixes: dict[int, tuple[RouteTree, dict[str, tuple[Step, ...]]]] = {}
        #: Whether witness steps say what is heard and done, and where (False: only the
        #: node and the edge taken, for a report that prints no routes; rules read no more).
        self.full_steps = True

    # -- route trees ----------------------------------------------------------------------------

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
        to measure however large it is.  A person only a test hook leads to
        (:attr:`test_hooks`) is not a caller's.
        """
        humans = {node for node in self.humans if node in self.caller_reachable}
        if self.start is None or not humans:
            return None
        if "seconds" in self.__dict__:
            tree = self.seconds
        else:
            tree = dijkstra(self.out, [self.start], self._seconds_weight, until=humans.__contains__)
        reached = [node for node in self.humans if node in humans and node in tree]
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

    # -- witnesses ------------------------------------------------------------------------------

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
        if not self.full_steps:
            return self._bare_step(node, edge_key, target)
        where = self.position(node)
        if edge_key is None or target is None:
            does = self.ends(node)
            return Step(
                node, self.hears(node), does, None, None, where.file, where.line, where.column
            )
        data = self._edge_data(node, edge_key, target)
        does = self.describe_edge(node, data)
        hears, via, key = self.hears(node), data["via"], data["key"]
        return Step(node, hears, does, via, key, where.file, where.line, where.column)

    def _bare_step(self, node: str, edge_key: str | None, target: str | None) -> Step:
        if edge_key is None or target is None:
            return Step(node)
        data = self._edge_data(node, edge_key, target)
        return Step(node, None, None, data["via"], data["key"])

    def _edge_data(self, node: str, edge_key: str, target: str) -> dict[str, Any]:
        for to, key, data in self.out[node]:
            if key == edge_key and to == target:
                return data
        raise StopIteration  # as next() over no edge did: the route names an edge that exists

    def witness(self, node: str, tree: RouteTree | None = None) -> tuple[Step, ...]:
        """The shortest route (fewest selections by default) from the start to ``node``.

        A route of more than :data:`MAX_WITNESS_STEPS` steps shows its first
        and last steps, with one step saying how many were left out.
        """
        tree = tree or self.presses
        memo = (id(tree), node)
        found = self._witnesses.get(memo)
        if found is None:
            if node not in tree:
                found = ()
            else:
                found = self.steps_to(tree, node, MAX_WITNESS_STEPS, [(node, None)])
            self._witnesses[memo] = found
        return found

    def steps_to(
        self, tree: RouteTree, node: str, limit: int, rest: list[tuple[str, str | None]]
    ) -> tuple[Step, ...]:
        """``self.steps([*tree.route(node, limit)[:-1], *rest])``, where ``rest`` starts at
        ``node``: the route to ``node`` cut at ``limit`` steps, then ``rest``."""
        if tree.hops(node) >= limit:
            return self.steps([*tree.route(node, limit)[:-1], *rest])
        return self._prefix(tree, node) + self.steps(rest)

    def _prefix(self, tree: RouteTree, node: str) -> tuple[Step, ...]:
        """The steps of the whole route to ``node`` in ``tree``, but ``node``'s own."""
        held = self._prefixes.get(id(tree))
        if held is None or held[0] is not tree:
            held = self._prefixes[id(tree)] = (tree, {})
        prefixes = held[1]
        found = prefixes.get(node)
        if found is not None:
            return found
        # Walk up to the nearest node whose prefix is known (or a source), then down.
        chain = []
        current = node
        parent = tree.parent
        while current not in prefixes:
            edge = parent.get(current)
            if edge is None:
                prefixes[current] = ()
                break
            chain.append((current, edge))
            current = edge[0]
        memo = self._steps
        for child, (previous, edge_key) in reversed(chain):
            if previous == GAP:  # a node spelt like a gap reads as one, as in steps()
                step = self.steps([(GAP, edge_key)])[0]
            else:
                key = (previous, edge_key, child)
                step = memo.get(key)
                if step is None:
                    step = memo[key] = self._step(previous, edge_key, child)
            prefixes[child] = prefixes[previous] + (step,)
        return prefixes[node]

    def witness_via(self, source: str, edge_key: str, target: str) -> tuple[Step, ...]:
        """The shortest route to ``source``, then the edge ``edge_key`` to ``target``."""
        if source not in self.presses:
            return ()
        rest = [(source, edge_key), (target, None)]
        return self.steps_to(self.presses, source, MAX_WITNESS_STEPS - 1, rest)

    def witness_path(self, source: str, path: list[tuple[str, str]]) -> tuple[Step, ...]:
        """The shortest route to ``source``, then ``path`` (``(node, edge key)`` steps
        from ``source`` on); the last edge's target ends the route."""
        if source not in self.presses or not path:
            return ()
        last_target = self.edge_target(path[-1][0], path[-1][1])
        limit = max(2, MAX_WITNESS_STEPS - len(path))
        return self.steps_to(self.presses, source, limit, [*path, (last_target, None)])

    def ends(self, node: str) -> str | None:
        """What happens at ``node`` when a route ends there, in plain words ("transfers to
        queue:cards", "hangs up (reason completed)"); None where the node leads on and the
        route only stops at it (a menu a finding is about)."""
        kind = self.kind(node)
        fixed = END_WORDS.get(kind)
        if fixed is not None:
            return fixed
        model = self.model(node)
        if isinstance(model, TransferNode):
            where = shorten(model.target, 60)
            said = f"transfers to {where}" if where else "transfers the call"
            return said if model.human else f"{said} (not a person)"
        if isinstance(model, HangupNode):
            reason, inferred = self.hangup_reasons.get(node, (None, False))
            if reason is None:
                return HANGS_UP
            return f"{HANGS_UP} (reason {reason}" + (", read from the prompt)" if inferred else ")")
        if isinstance(model, UnknownNode):
            return f"leaves what was read ({_UNKNOWN_WORDS[model.reason]})"
        return None

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
            if getattr(self.model(node), "waits_in_queue", False):
                # A queue holds the caller until a person answers: what comes back is an
                # error, or the call leaving the queue after the agent (Twilio callComplete).
                return "the call comes back from the queue (an error, or after the agent's call)"
            return "the transfer fails (busy, no answer or queue full)"
        if via == "case":
            model = self.model(node)
            cases = getattr(model, "cases", [])
            index = int(key or 1) - 1
            when = cases[index].when if 0 <= index < len(cases) else key
            return f"case {key} holds ({shorten(when, 60)})"
        return _EVENT_WORDS.get(via, via)


#: A hangup, in the words witnesses and diagrams share.
HANGS_UP = "hangs up"

#: What happens where a route ends, by node kind, where the kind alone tells it
#: (shared with the diagrams, :mod:`ivraudit.reports.diagrams.layout`).
END_WORDS = {
    "disconnect": "the platform hangs up",
    "missing": "does not exist",
    "return": "returns to the flow that ran it",
    "voicemail": "takes a message",
    "callback": "books a call back",
}

_UNKNOWN_WORDS = {
    "run-time": "run-time target",
    "not-given": "not among the files given",
    "unsupported": "a construct ivraudit does not model",
}

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

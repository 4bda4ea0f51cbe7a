"""The audit context: one menu's graph and every analysis of it, each computed once.

Rules and metrics read these cached properties; none re-walks the menu for
something another has already worked out.  Every analysis is linear or
near-linear in nodes + edges (times the number of identity fields used).

:class:`AuditContext` is built in layers, each module over the one before:
graph facts (:mod:`~ivraudit.analysis.facts`), prompt readings
(:mod:`~ivraudit.analysis.readings`), call outcomes (:mod:`~ivraudit.analysis.outcomes`)
and shortest routes with their witnesses (:mod:`~ivraudit.analysis.witnesses`).
This module adds the last: how identity fields are carried along routes.
"""

from __future__ import annotations

from collections import deque
from functools import cached_property

from ivraudit.analysis.witnesses import MAX_WITNESS_STEPS, WitnessRoutes
from ivraudit.config import Config
from ivraudit.model.findings import GAP, Step
from ivraudit.model.menu import Menu


class AuditContext(WitnessRoutes):
    """Everything the rules need to know about one menu."""

    def __init__(self, menu: Menu, config: Config | None = None) -> None:
        super().__init__(menu, config)
        self._collected_after: dict[str, dict[str, dict[str, tuple[str, str, int]]]] = {}

    # -- identity carried along routes ----------------------------------------------------------

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
        self, field: str, collector: str, node: str, *, head: bool = True
    ) -> tuple[tuple[str, str | None], ...]:
        """A route from the start through ``collector`` (collecting ``field``) to ``node``.

        Like every witness it is shortened past :data:`MAX_WITNESS_STEPS`: the
        route to the collector and the route on from it are each cut to half,
        with a gap step saying how many steps were left out.  ``head=False``: only
        the route on from the collector.
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
        if not head or collector not in self.presses:
            return tuple(tail)
        return (*self.presses.route(collector, half)[:-1], *tail)

    def witness_through(self, field: str, collector: str, node: str) -> tuple[Step, ...]:
        """:meth:`route_through` as witness steps (the route to ``collector`` shared with
        the other witnesses that pass it)."""
        route = self.route_through(field, collector, node, head=False)
        if collector not in self.presses:
            return self.steps(route)
        return self.steps_to(self.presses, collector, MAX_WITNESS_STEPS // 2, list(route))

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

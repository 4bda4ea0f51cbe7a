"""Shortest routes through a menu graph: 0-1 BFS and Dijkstra, with parent edges.

Both run in O((nodes + edges) log nodes) at worst, iteratively, and remember
which edge reached each node, so the route to any node -- a finding's
witness -- is read back in time proportional to its length.  Ties are broken
by edge order (the order the menu file lists its routes), so results are
deterministic.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ivraudit.model.findings import GAP

#: One edge out of a node: (target, edge key, edge attributes).
OutEdge = tuple[str, str, dict[str, Any]]
Adjacency = Mapping[str, Sequence[OutEdge]]


@dataclass
class RouteTree:
    """Least cost from the sources to every reached node, and the edge that got there."""

    cost: dict[str, float] = field(default_factory=dict)
    parent: dict[str, tuple[str, str]] = field(default_factory=dict)
    _hops: dict[str, int] | None = field(default=None, repr=False)
    _heads: dict[str, str] = field(default_factory=dict, repr=False)

    def __contains__(self, node: str) -> bool:
        return node in self.cost

    def route(self, node: str, limit: int | None = None) -> list[tuple[str, str | None]]:
        """``[(node, edge key taken from it), ...]`` from a source to ``node`` (key None last).

        With ``limit``, a route of more steps keeps its first and last steps and
        puts ``(GAP, "<steps left out>")`` between them; finding that costs
        O(limit), not O(route), so a deep menu's many findings stay linear.
        """
        if limit is not None and self.hops(node) > limit:
            head_length = max(1, limit // 6)
            head = self._walk(self.head(node, head_length), None)
            tail = self._walk(node, limit - head_length - 1)
            left_out = self.hops(tail[0][0]) - self.hops(head[-1][0]) - 1
            return [*head[:-1], (head[-1][0], None), (GAP, str(left_out)), *tail]
        return self._walk(node, None)

    def _walk(self, node: str, most: int | None) -> list[tuple[str, str | None]]:
        steps: list[tuple[str, str | None]] = [(node, None)]
        seen = {node}
        current = node
        while current in self.parent and (most is None or len(steps) < most):
            previous, edge_key = self.parent[current]
            if previous in seen:  # cannot happen with non-negative costs; guard anyway
                break
            seen.add(previous)
            steps.append((previous, edge_key))
            current = previous
        steps.reverse()
        return steps

    def hops(self, node: str) -> int:
        """How many edges the route to ``node`` has (0 at a source)."""
        if self._hops is None:
            self._hops = self._count_hops()
        return self._hops.get(node, 0)

    def head(self, node: str, length: int) -> str:
        """The node ``length`` edges into the route to ``node`` (the node itself if nearer)."""
        if self.hops(node) <= length:
            return node
        key = f"{length}\x1f{node}"
        if key not in self._heads:
            # The parent's head is the same as the node's: walk up until one is known.
            chain = []
            current = node
            while self.hops(current) > length and f"{length}\x1f{current}" not in self._heads:
                chain.append(current)
                current = self.parent[current][0]
            found = self._heads.get(f"{length}\x1f{current}", current)
            for visited in chain:
                self._heads[f"{length}\x1f{visited}"] = found
        return self._heads[key]

    def _count_hops(self) -> dict[str, int]:
        children: dict[str, list[str]] = {}
        for child, (parent, _) in self.parent.items():
            children.setdefault(parent, []).append(child)
        hops = {node: 0 for node in self.cost if node not in self.parent}
        queue = deque(hops)
        while queue:
            node = queue.popleft()
            for child in children.get(node, ()):
                if child not in hops:
                    hops[child] = hops[node] + 1
                    queue.append(child)
        return hops


def zero_one_bfs(
    adjacency: Adjacency,
    sources: Iterable[str],
    cost: Callable[[str, dict[str, Any]], int],
) -> RouteTree:
    """Fewest cost-1 edges from any source to every node, where each edge costs 0 or 1.

    ``cost(source_node, edge)`` gives an edge's cost.
    """
    tree = RouteTree()
    queue: deque[str] = deque()
    for source in sources:
        if source not in tree.cost:
            tree.cost[source] = 0
            queue.append(source)
    done: set[str] = set()
    while queue:
        node = queue.popleft()
        if node in done:
            continue
        done.add(node)
        base = tree.cost[node]
        for target, edge_key, data in adjacency.get(node, ()):
            step = cost(node, data)
            new = base + step
            old = tree.cost.get(target)
            if old is None or new < old:
                tree.cost[target] = new
                tree.parent[target] = (node, edge_key)
                if step == 0:
                    queue.appendleft(target)
                else:
                    queue.append(target)
    return tree


def dijkstra(
    adjacency: Adjacency,
    sources: Iterable[str],
    weight: Callable[[str, dict[str, Any]], float],
    until: Callable[[str], bool] | None = None,
) -> RouteTree:
    """Least total weight from any source to every node (weights must be >= 0).

    With ``until``, the search stops at the first node it settles for which
    ``until(node)`` holds: that node's cost and route are final (others may not be).
    """
    tree = RouteTree()
    heap: list[tuple[float, int, str]] = []
    counter = 0
    for source in sources:
        if source not in tree.cost:
            tree.cost[source] = 0.0
            heap.append((0.0, counter, source))
            counter += 1
    heapq.heapify(heap)
    done: set[str] = set()
    while heap:
        base, _, node = heapq.heappop(heap)
        if node in done:
            continue
        done.add(node)
        if until is not None and until(node):
            break
        for target, edge_key, data in adjacency.get(node, ()):
            new = base + weight(node, data)
            old = tree.cost.get(target)
            if old is None or new < old - 1e-12:
                tree.cost[target] = new
                tree.parent[target] = (node, edge_key)
                counter += 1
                heapq.heappush(heap, (new, counter, target))
    return tree


def reachable(
    adjacency: Adjacency,
    sources: Iterable[str],
    allowed: Callable[[str, dict[str, Any]], bool] | None = None,
) -> set[str]:
    """Every node reachable from ``sources`` (sources included), over ``allowed`` edges.

    ``allowed(neighbour, edge)`` is asked before a neighbour is added.
    """
    seen = set(sources)
    stack = list(seen)
    empty: Sequence[OutEdge] = ()
    if allowed is None:  # the common case, without a test per edge
        while stack:
            node = stack.pop()
            for target, _, _ in adjacency.get(node, empty):
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        return seen
    while stack:
        node = stack.pop()
        for target, _, data in adjacency.get(node, empty):
            if target in seen or (allowed is not None and not allowed(target, data)):
                continue
            seen.add(target)
            stack.append(target)
    return seen

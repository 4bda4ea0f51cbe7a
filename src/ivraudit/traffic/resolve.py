"""Counts in the menus' own names: each row a platform's log names otherwise (a Connect
block's ``Identifier``, an Asterisk ``context,exten``, a Studio widget folded into a
menu) given to the node or nodes it stands for, so the rules that need traffic match
rows by node id alone (docs/traffic.md, "Rules that need traffic").

The matching is the one that gives findings their ``calls`` (:func:`.join.calls_at`,
:class:`.names.MenuNames`): a node's own rows when the log names it, else the rows of
the names its platform's log gives it, summed (an Asterisk pattern is met by every
extension it matches).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from typing import TypeVar

from ivraudit.traffic.counts import Counts, EdgeCount, NodeCount, ReachTime
from ivraudit.traffic.names import TWILIO_END, Alias, MenuNames

#: A node or reach-time row of the counts (both name a flow and a node).
Row = TypeVar("Row", NodeCount, ReachTime)


class Owners:
    """Which nodes of the menus a log name stands for (empty: the name is a node's own,
    or no node's: drift), with each node's alias."""

    def __init__(self, names: MenuNames) -> None:
        self.names = names
        self.exact: dict[str, list[str]] = defaultdict(list)
        self.patterns: dict[str, list[tuple[str, Alias]]] = defaultdict(list)
        for node, alias in names.aliases.items():
            for name in alias.names:
                self.exact[name].append(node)
            if alias.pattern is not None and alias.context is not None:
                self.patterns[alias.context].append((node, alias))
        self._found: dict[str, tuple[str, ...]] = {}

    def of(self, name: str) -> tuple[str, ...]:
        if name in self.names.nodes:
            return ()
        if name not in self._found:
            found = set(self.exact.get(name, ()))
            context = name.partition(",")[0]
            found |= {node for node, alias in self.patterns.get(context, ()) if alias.matches(name)}
            self._found[name] = tuple(sorted(found))
        return self._found[name]

    def sole(self, node: str) -> bool:
        """Whether calls that ended at ``node``'s log names ended at ``node``."""
        alias = self.names.names_of(node)
        return alias is None or alias.sole


def in_menu_names(counts: Counts, names: MenuNames) -> Counts:
    """``counts`` with every row a platform's log names otherwise renamed to the nodes
    its name stands for (one row per node and flow, the rows of several names summed),
    and the edges leaving a widget folded into a node (a Studio Split after its Gather)
    also leaving that node.  Rows of names that stand for no node (drift, or a node's
    own name) stay as they are.

    A node whose name stands for several nodes (the priorities of one extension) has
    no ``ended`` (who ended at which is not known), and a time to reach it only when
    one name gives it (quantiles of several names cannot be merged).
    """
    owners = Owners(names)
    nodes = _nodes(counts.nodes, owners)
    reach = _reach(counts.reach, owners, {(row.flow, row.node) for row in counts.nodes})
    edges = _edges(counts.edges, owners, names.folded)
    return dataclasses.replace(counts, nodes=nodes, reach=reach, edges=edges)


def _nodes(rows: Iterable[NodeCount], owners: Owners) -> tuple[NodeCount, ...]:
    rows = list(rows)
    own = {(row.flow, row.node) for row in rows if not owners.of(row.node)}
    kept, merged = _by_node(rows, owners, own)
    for (flow, node), named in sorted(merged.items()):
        ended = [row.ended for row in named]
        total = None if None in ended or not owners.sole(node) else sum(filter(None, ended))
        calls, steps = sum(row.calls for row in named), sum(row.steps for row in named)
        kept.append(NodeCount(flow, node, calls, steps, total))
    return tuple(_twilio_ends(kept, owners))


def _by_node(
    rows: Iterable[Row], owners: Owners, taken: set[tuple[str, str]]
) -> tuple[list[Row], dict[tuple[str, str], list[Row]]]:
    """The rows already named by a node of the menu, and the others grouped by each
    (flow, node) their name stands for, leaving out the places in ``taken``."""
    kept: list[Row] = []
    merged: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        found = owners.of(row.node)
        if not found:
            kept.append(row)
        for node in found:
            if (row.flow, node) not in taken:
                merged[(row.flow, node)].append(row)
    return kept, merged


def _twilio_ends(rows: list[NodeCount], owners: Owners) -> list[NodeCount]:
    """A Studio flow that ended after a widget whose end the importer does not draw (an
    ask that timed out): the calls ended at the widget, as the report per menu says."""
    ends = {
        (row.flow, row.node[: -len(TWILIO_END)]): row.ended
        for row in rows
        if row.node.endswith(TWILIO_END) and row.node not in owners.names.nodes
    }
    if not ends:
        return rows
    found = []
    for row in rows:
        more = ends.get((row.flow, row.node), 0)
        if row.node in owners.names.nodes and more != 0:
            ended = None if row.ended is None or more is None else row.ended + more
            row = dataclasses.replace(row, ended=ended)
        found.append(row)
    return found


def _reach(
    rows: Iterable[ReachTime], owners: Owners, counted: set[tuple[str, str]]
) -> tuple[ReachTime, ...]:
    kept, merged = _by_node(rows, owners, counted)
    for (flow, node), named in sorted(merged.items()):
        if len(named) == 1:
            kept.append(dataclasses.replace(named[0], flow=flow, node=node))
    return tuple(kept)


def _edges(rows: Iterable[EdgeCount], owners: Owners, folded: set[str]) -> tuple[EdgeCount, ...]:
    """Each edge from each node its name stands for, to the node its target's name stands
    for when that is one node (else the log's name: the rules then tell options apart by
    key); and the edges leaving a folded widget from each node that leads to it."""
    renamed = []
    for row in rows:
        to = owners.of(row.to_node)
        target = to[0] if len(to) == 1 else row.to_node
        for node in owners.of(row.node) or (row.node,):
            renamed.append(dataclasses.replace(row, node=node, to_node=target))
    into: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in renamed:
        if row.to_node in folded and not owners.of(row.to_node):
            into[(row.to_flow, row.to_node)].add(row.node)
    for row in list(renamed):
        for node in sorted(into.get((row.flow, row.node), ())):
            if node != row.node:
                renamed.append(dataclasses.replace(row, node=node))
    return tuple(renamed)

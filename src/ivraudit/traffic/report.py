"""Where the logged calls went in one menu: outcomes with their times, abandonment per
node, and per menu the share of each option and the no-input and no-match rates.

Built from :class:`Counts` (so only counts and node names, suppressed under
``min_calls``) and the menu, whose nodes are found in the counts by their names or
the names their platform's log gives them (:mod:`.names`).  Rendered as text or
JSON (docs/traffic.md, "A report per menu").
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ivraudit.formats import Estate, load_all, menu_files
from ivraudit.model.errors import UsageError
from ivraudit.model.menu import Menu, MenuNode
from ivraudit.traffic.counts import Counts, EdgeCount, NodeCount, ReachTime
from ivraudit.traffic.join import drift
from ivraudit.traffic.names import TWILIO_END, MenuNames, menu_names

#: Node kinds where a call reaches an outcome.
OUTCOME_KINDS = ("transfer", "voicemail", "callback", "hangup")


@dataclass(frozen=True)
class OutcomeRow:
    node: str
    kind: str
    calls: int | None
    share: float | None
    median_seconds: float | None
    p95_seconds: float | None


@dataclass(frozen=True)
class NodeRow:
    """Calls that reached ``node`` and, for a node that is no outcome, those whose last
    logged step it was (they hung up there)."""

    node: str
    kind: str
    calls: int | None
    #: None when suppressed, or when not known (``abandoned_known`` False): an outcome,
    #: or a node whose log name stands for several nodes.
    abandoned: int | None
    abandoned_known: bool


@dataclass(frozen=True)
class OptionRow:
    """Calls that chose an option (None: suppressed, or not known when ``known`` is
    False: a log without keys, and several options lead to the same node)."""

    key: str
    target: str
    calls: int | None
    share: float | None
    known: bool


@dataclass(frozen=True)
class MenuRow:
    node: str
    calls: int | None
    options: tuple[OptionRow, ...]
    no_input: float | None
    no_match: float | None


@dataclass(frozen=True)
class MenuTraffic:
    """The report of one menu: its file and id, the logs' totals, and the rows."""

    file: str
    menu: str
    calls: int
    min_calls: int
    outcomes: tuple[OutcomeRow, ...]
    nodes: tuple[NodeRow, ...]
    menus: tuple[MenuRow, ...]
    drift: dict[str, Any]


class NodeLookup:
    """The counts of one menu's nodes, found by node id or by the names logs give them."""

    def __init__(self, counts: Counts, names: MenuNames, flow: str) -> None:
        self.counts = counts
        self.names = names
        self.flow = flow

    def _in_flow(self, flow: str) -> bool:
        return flow == self.flow or not flow or not self.flow

    def names_of(self, node: str, rows: Sequence[NodeCount | ReachTime]) -> list[str]:
        direct = [row.node for row in rows if row.node == node and self._in_flow(row.flow)]
        if direct:
            return direct
        alias = self.names.names_of(node)
        if alias is None:
            return []
        return sorted(
            {row.node for row in rows if self._in_flow(row.flow) and alias.matches(row.node)}
        )

    def node(self, node: str) -> tuple[int | None, int | None, bool]:
        """Calls that reached ``node`` and calls that ended there (None: suppressed, or
        not known when the log's name for the node stands for several nodes)."""
        found = set(self.names_of(node, self.counts.nodes))
        rows = [row for row in self.counts.nodes if row.node in found and self._in_flow(row.flow)]
        if not rows:
            return (0, 0, True) if self.counts.min_calls <= 1 else (None, None, True)
        ended = [row.ended for row in rows]
        alias = self.names.names_of(node)
        if node not in found and alias is not None and not alias.sole:
            return sum(row.calls for row in rows), None, False
        # A Studio flow that ended after a widget whose end the importer does not draw
        # (an ask that timed out): the call ended at the widget.
        ends = f"{node}{TWILIO_END}"
        if ends not in self.names.nodes:
            ended += [row.ended for row in self.counts.nodes if row.node == ends]
        total = None if None in ended else sum(e for e in ended if e is not None)
        return sum(row.calls for row in rows), total, True

    def reach(self, node: str) -> ReachTime | None:
        found = self.names_of(node, self.counts.reach)
        rows = [row for row in self.counts.reach if row.node in found and self._in_flow(row.flow)]
        # Quantiles of several log names cannot be merged: only one name has a time.
        return rows[0] if len(rows) == 1 else None

    def edges_from(self, node: str) -> list[EdgeCount]:
        """Edges leaving ``node``, and leaving the widgets folded into it that it leads to
        (a Studio Split after its Gather)."""
        found = set(self.names_of(node, self.counts.nodes)) | {node}
        leaving = [e for e in self.counts.edges if e.node in found and self._in_flow(e.flow)]
        folded = {e.to_node for e in leaving if e.to_node in self.names.folded}
        leaving += [e for e in self.counts.edges if e.node in folded and self._in_flow(e.flow)]
        return leaving

    def is_named(self, node: str, name: str) -> bool:
        alias = self.names.names_of(node)
        return name == node or (alias is not None and alias.matches(name))


def menu_traffic(
    menu_path: str,
    counts: Counts,
    format: str | None = None,
) -> list[MenuTraffic]:
    """The report of each menu in ``menu_path`` (a file or directory) for ``counts``
    (counted with ``times`` for the outcomes' seconds).  A file that is no menu raises
    :class:`~ivraudit.model.errors.MenuError`."""
    return [report for _, report in traffic_menus(menu_path, counts, format)[0]]


def traffic_menus(
    menu_path: str,
    counts: Counts,
    format: str | None = None,
) -> tuple[list[tuple[Menu, MenuTraffic]], MenuNames]:
    """Each menu in ``menu_path`` with its report, and the log names of their nodes (for
    a heat map of each: :func:`ivraudit.traffic.heat.heat_map`)."""
    files = menu_files([menu_path])
    if not files:
        raise UsageError(f"{menu_path}: no menu files found")
    estate = Estate.named([menu_path], files)
    names = menu_names([menu_path], format)
    found = drift(counts.nodes, names)
    reports = []
    for path in files:
        for menu in load_all(path, format, estate=estate):
            reports.append((menu, _one(path, menu, counts, names, found)))
    return reports, names


def _share(calls: int | None, whole: int | None) -> float | None:
    if calls is None or not whole:
        return None
    return round(calls / whole, 6)


def _one(
    path: str, menu: Menu, counts: Counts, names: MenuNames, found: dict[str, Any]
) -> MenuTraffic:
    flow = (menu.id or "") if menu.one_of_many else ""
    lookup = NodeLookup(counts, names, flow)
    outcomes, nodes, menus = [], [], []
    for node_id, node in menu.nodes.items():
        calls, ended, known = lookup.node(node_id)
        if node.type in OUTCOME_KINDS:
            reach = lookup.reach(node_id)
            outcomes.append(
                OutcomeRow(
                    node_id,
                    node.type,
                    calls,
                    _share(calls, counts.calls),
                    None if reach is None else round(reach.median_seconds, 3),
                    None if reach is None else round(reach.p95_seconds, 3),
                )
            )
        outcome = node.type in OUTCOME_KINDS
        abandoned = None if outcome else ended
        nodes.append(NodeRow(node_id, node.type, calls, abandoned, known and not outcome))
        if isinstance(node, MenuNode):
            menus.append(_menu_row(lookup, node_id, node, calls))
    return MenuTraffic(
        path,
        menu.id or "",
        counts.calls,
        counts.min_calls,
        tuple(sorted(outcomes, key=lambda row: -(row.calls or 0))),
        tuple(nodes),
        tuple(menus),
        found,
    )


def _menu_row(lookup: NodeLookup, node_id: str, node: MenuNode, calls: int | None) -> MenuRow:
    """Each option's calls: the edges leaving the menu with its key; in a log without
    keys (Studio), the keyless edges to its target, from the menu or a widget folded
    into it, unless several options share the target (then not known)."""
    leaving = lookup.edges_from(node_id)
    own = set(lookup.names_of(node_id, lookup.counts.nodes)) | {node_id}
    targets = Counter(node.options.values())
    few = lookup.counts.min_calls
    options = []
    for key, target in node.options.items():
        by_key = [e for e in leaving if e.node in own and e.key == key]
        if by_key:
            taken: int | None = sum(e.calls for e in by_key)
        elif targets[target] > 1:
            options.append(OptionRow(key, target, None, None, False))
            continue
        else:
            found = [e for e in leaving if not e.key and lookup.is_named(target, e.to_node)]
            taken = sum(e.calls for e in found)
        taken = taken if taken or few <= 1 else None
        options.append(OptionRow(key, target, taken, _share(taken, calls), True))
    rates = []
    for word in ("no_input", "no_match"):
        missed = sum(e.calls for e in leaving if e.key == word)
        rates.append(_share(missed if missed or few <= 1 else None, calls))
    return MenuRow(node_id, calls, tuple(options), rates[0], rates[1])


# -- rendering -------------------------------------------------------------------------------


def render_json(reports: Sequence[MenuTraffic]) -> str:
    """The reports as one JSON document: ``{"menus": [...]}``."""
    return json.dumps({"menus": [asdict(report) for report in reports]}, indent=2) + "\n"


def said_calls(calls: int | None, min_calls: int) -> str:
    if calls is None:
        return f"under {min_calls}"
    return "1 call" if calls == 1 else f"{calls} calls"


def said_percent(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.1f}%"


def said_seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:g} s"


def render_text(reports: Sequence[MenuTraffic]) -> str:
    """The reports as text, one block per menu."""
    lines: list[str] = []
    for report in reports:
        title = f"{report.file}" + (f" ({report.menu})" if report.menu else "")
        suppressed = (
            f"counts under {report.min_calls} calls are suppressed"
            if report.min_calls > 1
            else "no count is suppressed"
        )
        lines.append(f"{title}: {report.calls} logged calls ({suppressed})")
        lines.append("outcomes (calls, share, median and 95th-percentile seconds to reach):")
        for row in report.outcomes:
            lines.append(
                f"  {row.node} [{row.kind}]: {said_calls(row.calls, report.min_calls)}, "
                f"{said_percent(row.share)}, median {said_seconds(row.median_seconds)}, "
                f"p95 {said_seconds(row.p95_seconds)}"
            )
        lines.append("nodes (calls that reached them, calls that hung up there; -: not known):")
        for node in report.nodes:
            if node.kind in OUTCOME_KINDS:
                ended = ""
            elif not node.abandoned_known:
                ended = ", abandoned -"
            else:
                ended = f", abandoned {said_calls(node.abandoned, report.min_calls)}"
            lines.append(
                f"  {node.node} [{node.kind}]: {said_calls(node.calls, report.min_calls)}{ended}"
            )
        for menu in report.menus:
            lines.append(
                f"menu {menu.node}: {said_calls(menu.calls, report.min_calls)}, "
                f"no input {said_percent(menu.no_input)}, no match {said_percent(menu.no_match)}"
            )
            for option in menu.options:
                chosen = said_calls(option.calls, report.min_calls) if option.known else "-"
                lines.append(
                    f"  {option.key} -> {option.target}: {chosen}, {said_percent(option.share)}"
                )
        if report.drift["nodes"]:
            strangers = ", ".join(report.drift["nodes"])
            lines.append(
                f"drift: {report.drift['steps']} steps name nodes not in this menu: {strangers}"
            )
        lines.append("")
    return "\n".join(lines)

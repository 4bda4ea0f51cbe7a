"""What a diagram shows, decided once: which nodes and edges, with their marks and rows.

Building a :class:`~ivraudit.reports.diagrams.drawing.Drawing` is linear in
nodes + edges: one breadth-first pass for ``focus``, one pass over the
fewest-presses tree for ``max_presses``, and no enumeration of paths.
"""

from __future__ import annotations

import difflib
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ivraudit.analysis.context import AuditContext
from ivraudit.analysis.graph import SELECTION_VIAS
from ivraudit.config import Config
from ivraudit.model.errors import UsageError
from ivraudit.model.findings import Finding, Report
from ivraudit.model.menu import HoursNode, Menu, SubflowNode, TransferNode
from ivraudit.model.prompts import shorten
from ivraudit.reports.diagrams.clusters import subflow_clusters
from ivraudit.reports.diagrams.dom_ids import (
    edge_dom_id,
    finding_anchor,
    node_dom_id,
    out_edge_number,
    slug,
)
from ivraudit.reports.diagrams.drawing import (
    Drawing,
    DrawnEdge,
    DrawnNode,
    merge_parallel,
    unique_labels,
)
from ivraudit.reports.diagrams.heat import edge_taken, heat_caption, node_look
from ivraudit.reports.diagrams.marks import badges_for, findings_by_node, worst_finding
from ivraudit.reports.diagrams.styles import STYLES, category, edge_label

if TYPE_CHECKING:
    from ivraudit.traffic.heat import Heat

# STYLES, category and the DOM ids are read from here too (the HTML report, the tests).
__all__ = [
    "STYLES",
    "Options",
    "build_drawing",
    "category",
    "finding_anchor",
    "node_dom_id",
]


@dataclass(frozen=True)
class Options:
    """What to draw: the whole menu, or a route, a neighbourhood or the top levels."""

    route: str | None = None
    focus: str | None = None
    radius: int = 2
    max_presses: int | None = None
    #: The logged calls to draw as a heat map (``diagram --traffic``), or None.
    heat: Heat | None = None


def build_drawing(
    menu: Menu,
    report: Report | None = None,
    options: Options | None = None,
    config: Config | None = None,
    context: AuditContext | None = None,
) -> Drawing:
    """Decide what the diagram of ``menu`` shows; raises UsageError for a bad option."""
    options = options or Options()
    ctx = context or AuditContext(menu, config)
    _check_options(ctx, options)
    return _Builder(ctx, report, options).build()


def _check_options(ctx: AuditContext, options: Options) -> None:
    for what, node in (("route", options.route), ("focus", options.focus)):
        if node is not None and node not in ctx.data:
            raise UsageError(f"--{what}: no node named '{node}'{_did_you_mean(ctx, node)}")
    if options.route is not None and options.route not in ctx.presses:
        raise UsageError(f"--route: no route from the start reaches '{options.route}'")
    if options.radius < 0:
        raise UsageError(f"--radius must be 0 or more, got {options.radius}")
    if options.max_presses is not None and options.max_presses < 0:
        raise UsageError(f"--max-presses must be 0 or more, got {options.max_presses}")


def _did_you_mean(ctx: AuditContext, node: str) -> str:
    names = [name for name in ctx.data if isinstance(name, str)]
    close = difflib.get_close_matches(node, names, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


class _Builder:
    """Builds one Drawing; every step is a single pass over nodes or edges."""

    def __init__(self, ctx: AuditContext, report: Report | None, options: Options) -> None:
        self.ctx = ctx
        # The audit's own node and edge lists: a drawing of a few hundred nodes of a big
        # menu need not build its networkx graph.
        self.data = ctx.data
        self.options = options
        self.levels = ctx.presses.cost
        self.findings, self.counts = findings_by_node(ctx, report)
        self.near = self._near() if options.focus is not None else None
        self.drawn = [node for node in self.data if self._drawn(node)]
        self.drawn_set = set(self.drawn)
        self.route_nodes, self.route_edges = self._route()
        self.rows = self._rows()

    # -- what is drawn ----------------------------------------------------------------------

    def _near(self) -> set[str]:
        """Nodes within ``radius`` edges of the focus, either direction (one BFS)."""
        focus = self.options.focus
        assert focus is not None
        distance = {focus: 0}
        queue = deque([focus])
        while queue:
            node = queue.popleft()
            if distance[node] >= self.options.radius:
                continue
            neighbours = [target for target, _, _ in self.ctx.out[node]]
            neighbours += [source for source, _, _ in self.ctx.into[node]]
            for other in neighbours:
                if other not in distance:
                    distance[other] = distance[node] + 1
                    queue.append(other)
        return set(distance)

    def _deep(self, node: str) -> bool:
        """Whether ``max_presses`` hides the node (deeper than the cut, or unreachable)."""
        limit = self.options.max_presses
        if limit is None:
            return False
        level = self.levels.get(node)
        return level is None or level > limit

    def _drawn(self, node: str) -> bool:
        return (self.near is None or node in self.near) and not self._deep(node)

    def _rows(self) -> dict[str, int]:
        """Each reachable node's row inside its presses level (one BFS for every level).

        A level's first row holds the nodes a selection leads to (and the
        start); each step that needs no selection (a message, an hours check,
        a failed transfer) goes one row further down, so the picture reads top
        to bottom like the call, and every row holds nodes of one level.
        """
        row: dict[str, int] = {}
        queue: deque[str] = deque()
        for node in self.levels:
            parent = self.ctx.presses.parent.get(node)
            if parent is None or self.levels[parent[0]] != self.levels[node]:
                row[node] = 0
                queue.append(node)
        while queue:
            node = queue.popleft()
            for target, _, data in self.ctx.out[node]:
                if target in row or data["via"] in SELECTION_VIAS:
                    continue
                if self.levels.get(target) == self.levels[node]:
                    row[target] = row[node] + 1
                    queue.append(target)
        return row

    def _route(self) -> tuple[set[str], set[tuple[str, str]]]:
        if self.options.route is None:
            return set(), set()
        steps = self.ctx.presses.route(self.options.route)
        nodes = {node for node, _ in steps}
        edges = {(node, edge_key) for node, edge_key in steps if edge_key is not None}
        return nodes, edges

    # -- building -----------------------------------------------------------------------------

    def build(self) -> Drawing:
        ctx = self.ctx
        drawing = Drawing(
            title=_title(ctx.menu),
            caption="",
            limit=ctx.settings.max_presses,
            cut=self.options.max_presses,
            heat=self.options.heat,
        )
        for node in self.drawn:
            drawing.nodes.append(self._node(node))
        stubs: dict[str, DrawnNode] = {}
        cuts: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for source in self.data:
            for target, edge_key, data in ctx.out[source]:
                edge = self._edge(source, target, edge_key, data, stubs, cuts)
                if edge is not None:
                    drawing.edges.append(edge)
        drawing.edges = merge_parallel(drawing.edges)
        drawing.nodes.extend(stubs[name] for name in sorted(stubs))
        self._add_placeholders(drawing, cuts)
        drawing.clusters = subflow_clusters(self.ctx, self.drawn)
        drawing.caption = self._caption(drawing)
        return drawing

    def _node(self, node: str) -> DrawnNode:
        ctx = self.ctx
        data = self.data[node]
        found = self.findings.get(node, [])
        badges = badges_for(found)
        detail = self._detail(node)
        heard = ctx.hears(node)
        lines = [f"{node} ({data['kind']})"]
        level = self.levels.get(node)
        lines.append(
            "unreachable: no route from the start"
            if level is None
            else f"reached after {int(level)} selection{'s' if level != 1 else ''}"
        )
        if detail:
            lines.append(detail)
        if heard:
            lines.append(f'"{heard}"')
        for finding in found:
            lines.append(f"{finding.rule} {finding.severity.value}: {finding.message}")
        heat = self.options.heat
        looks = None
        if heat is not None and node in heat.nodes:
            looks = node_look(heat.nodes[node], heat.min_calls)
            lines.append(f"logged: {looks.line}")
        return DrawnNode(
            name=node_dom_id(node),
            role="node",
            style=category(ctx, node),
            title=node,
            graph_id=node,
            detail=detail,
            prompt=shorten(heard, 300) if heard else None,
            tooltip="\n".join(lines),
            badges=badges,
            severity=badges[0].severity if badges else None,
            url=f"#{finding_anchor(worst_finding(found))}" if found else None,
            on_route=node in self.route_nodes,
            focused=node == self.options.focus,
            cluster=data["subflow"],
            level=None if level is None else int(level),
            row=self.rows.get(node, 0),
            heat_line=None if looks is None else looks.line,
            fill=None if looks is None else looks.fill,
            band=None if looks is None else looks.band,
        )

    def _detail(self, node: str) -> str | None:
        """A short second line saying what the node does, by type."""
        ctx = self.ctx
        model = ctx.model(node)
        kind = ctx.kind(node)
        if kind in ("disconnect", "missing"):
            return ctx.ends(node)  # the words witnesses end with
        if kind == "ask":
            collection = ctx.collections.get(node)
            if collection is None:
                return "asks"
            inferred = " (inferred)" if collection.inferred else ""
            return f"asks {collection.field.replace('_', ' ')}{inferred}"
        if isinstance(model, TransferNode):
            target = shorten(model.target, 40) or "transfer"
            return target if model.human else f"{target} (not a person)"
        if kind == "hangup":
            reason, inferred = ctx.hangup_reasons.get(node, (None, False))
            if reason is None:
                return ctx.ends(node)
            return f"hangs up: {reason}" + (" (read from prompt)" if inferred else "")
        if isinstance(model, HoursNode):
            return shorten(model.schedule, 40) or "opening hours"
        if isinstance(model, SubflowNode):
            return f"runs {shorten(model.menu, 40)}"
        if kind in ("voicemail", "callback", "branch"):
            return kind
        if kind == "action" and model is not None and model.note:
            return shorten(model.note, 40)
        return None

    def _edge(
        self,
        source: str,
        target: str,
        edge_key: str,
        data: dict[str, Any],
        stubs: dict[str, DrawnNode],
        cuts: dict[str, list[tuple[str, dict[str, Any]]]],
    ) -> DrawnEdge | None:
        source_in = source in self.drawn_set
        target_in = target in self.drawn_set
        if not source_in and not target_in:
            return None
        if source_in and not target_in and self._deep(target):
            cuts.setdefault(source, []).append((target, data))
            return None
        if target_in and not source_in and self._deep(source):
            return None  # an edge back up from a cut-off part: the placeholder stands for it
        number = out_edge_number(self.ctx.out[source], target, edge_key)
        role = "edge"
        tail, head = node_dom_id(source), node_dom_id(target)
        if not target_in:
            head = self._stub(target, stubs)
            role = "stub"
        elif not source_in:
            tail = self._stub(source, stubs)
            role = "stub"
        description = self.ctx.describe_edge(source, data) or "then"
        tooltip = f"{source} → {target}: {description}"
        if data["synthetic"]:
            tooltip += " (platform default: not written in the menu)"
        heat = self.options.heat.edges.get((source, edge_key)) if self.options.heat else None
        if heat is not None and role == "edge" and self.options.heat is not None:
            tooltip += f" · logged: {edge_taken(heat, self.options.heat.min_calls)}"
        return DrawnEdge(
            name=edge_dom_id(source, target, number),
            source=tail,
            target=head,
            role=role,
            label=edge_label(data["via"], data["key"]),
            tooltip=tooltip,
            via=data["via"],
            synthetic=bool(data["synthetic"]),
            on_route=(source, edge_key) in self.route_edges,
            heated=heat is not None and role == "edge",
            calls=heat.calls if heat is not None and role == "edge" else None,
            known=heat.known if heat is not None else True,
            shared=heat.shared if heat is not None else 1,
        )

    def _stub(self, node: str, stubs: dict[str, DrawnNode]) -> str:
        name = f"stub-{slug(node)}"
        if name not in stubs:
            level = self.levels.get(node)
            stubs[name] = DrawnNode(
                name=name,
                role="stub",
                style="stub",
                title=f"… {node}",
                graph_id=node,
                tooltip=f"{node}: outside the drawn neighbourhood",
                level=None if level is None else int(level),
                row=self.rows.get(node, 0),
            )
        return name

    def _add_placeholders(
        self, drawing: Drawing, cuts: dict[str, list[tuple[str, dict[str, Any]]]]
    ) -> None:
        """One "… N more nodes" placeholder per drawn node whose edges lead below the cut."""
        limit = self.options.max_presses
        if limit is None:
            return
        owned = self._owners()
        counts: dict[str, int] = {}
        hidden_findings: dict[str, list[Finding]] = {}
        for node, owner in owned.items():
            counts[owner] = counts.get(owner, 0) + 1
            hidden_findings.setdefault(owner, []).extend(self.findings.get(node, []))
        for source in self.drawn:
            if source not in cuts:
                continue
            count = counts.get(source, 0)
            found = hidden_findings.get(source, [])
            name = f"more-{slug(source)}"
            targets = []
            for target, data in cuts[source]:
                label = edge_label(data["via"], data["key"])
                targets.append(f"{label} → {target}" if label else f"→ {target}")
            title = f"… {count} more node{'s' if count != 1 else ''}" if count else "… deeper"
            drawing.nodes.append(self._placeholder(name, title, targets, found, limit + 1))
            labels = unique_labels(edge_label(data["via"], data["key"]) for _, data in cuts[source])
            drawing.edges.append(
                DrawnEdge(
                    name=f"cut-{slug(source)}",
                    source=node_dom_id(source),
                    target=name,
                    role="cut",
                    label=shorten(", ".join(labels), 30) if labels else None,
                    tooltip=f"{source}: {len(cuts[source])} edges lead deeper than {limit}",
                    on_route=any((source, key) in self.route_edges for key in self._keys(source)),
                )
            )
        self._add_unreachable(drawing)

    def _keys(self, source: str) -> list[str]:
        return [key for target, key, _ in self.ctx.out[source] if self._deep(target)]

    def _add_unreachable(self, drawing: Drawing) -> None:
        hidden = [
            node
            for node in self.data
            if node not in self.levels and (self.near is None or node in self.near)
        ]
        if not hidden:
            return
        found = [finding for node in hidden for finding in self.findings.get(node, [])]
        count = len(hidden)
        title = f"… {count} unreachable node{'s' if count != 1 else ''}"
        # Slugs never contain "-", so no node's placeholder can be called this.
        name = "more-unreachable-nodes"
        drawing.nodes.append(self._placeholder(name, title, hidden, found, None))

    def _placeholder(
        self,
        name: str,
        title: str,
        members: list[str],
        found: list[Finding],
        level: int | None,
    ) -> DrawnNode:
        badges = badges_for(found)
        listed = members[:20] + (["…"] if len(members) > 20 else [])
        tooltip = "\n".join([title, *listed])
        if found:
            tooltip += f"\n{len(found)} finding{'s' if len(found) != 1 else ''} in these nodes"
        return DrawnNode(
            name=name,
            role="more",
            style="more",
            title=title,
            tooltip=tooltip,
            badges=badges[:6],
            severity=badges[0].severity if badges else None,
            level=level,
        )

    def _owners(self) -> dict[str, str]:
        """For each reachable node below the cut, the drawn-level ancestor it hangs from.

        Walks the fewest-presses tree upwards with path compression, so the
        whole pass is linear however deep the menu is.
        """
        owner: dict[str, str] = {}
        parent = self.ctx.presses.parent
        for node in self.levels:
            if not self._deep(node) or node in owner:
                continue
            chain = [node]
            current = parent[node][0]
            while self._deep(current) and current not in owner:
                chain.append(current)
                current = parent[current][0]
            top = owner.get(current, current)
            for member in chain:
                owner[member] = top
        return owner

    def _caption(self, drawing: Drawing) -> str:
        parts = [drawing.title]
        total = sum(self.counts.values())
        if total:
            shown = ", ".join(
                f"{count} {name}" if name == "info" or count == 1 else f"{count} {name}s"
                for name, count in self.counts.items()
                if count
            )
            parts.append(f"{total} finding{'s' if total != 1 else ''} ({shown})")
        elif self.counts:
            parts.append("no findings")
        if self.options.heat is not None:
            parts.append(heat_caption(self.options.heat))
        if self.options.route is not None:
            parts.append(f"route to {self.options.route}")
        if self.options.focus is not None:
            parts.append(f"within {self.options.radius} of {self.options.focus}")
        if self.options.max_presses is not None:
            count = self.options.max_presses
            parts.append(f"cut after {count} selection{'s' if count != 1 else ''}")
        return " · ".join(parts)


def _title(menu: Menu) -> str:
    return menu.title or menu.id or menu.path

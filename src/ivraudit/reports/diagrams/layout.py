"""What a diagram shows, decided once: nodes, edges, clusters, styles, highlights.

The Graphviz and the Mermaid drawings both render a :class:`Drawing`, so the
two cannot disagree about what a menu looks like.  Building one is linear in
nodes + edges: one breadth-first pass for ``focus``, one pass over the
fewest-presses tree for ``max_presses``, and no enumeration of paths.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import textwrap
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ivraudit.analysis.context import AuditContext
from ivraudit.analysis.graph import SELECTION_VIAS
from ivraudit.config import Config
from ivraudit.model.errors import UsageError
from ivraudit.model.findings import Finding, Report, Severity, Step
from ivraudit.model.menu import HoursNode, Menu, SubflowNode, TransferNode
from ivraudit.model.prompts import shorten

# -- styles -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    """How one kind of node looks: its legend text, Graphviz shape and colours."""

    legend: str
    shape: str
    fill: str
    border: str = "#546e7a"
    font: str = "#1b1b1b"
    rounded: bool = False
    dashed: bool = False
    margin: str = "0.1,0.04"


_TIGHT = "0.02,0.01"

#: Node styles by category, in legend order.
STYLES: dict[str, Style] = {
    "menu": Style("menu: the caller chooses", "box", "#dce8f5", "#2f5d8a"),
    "ask": Style("ask: the caller enters a value", "cds", "#ece2f6", "#6a4c93", margin="0.3,0.06"),
    "say": Style("message", "box", "#f7f7f7", "#78909c", rounded=True),
    "decision": Style("branch or opening hours", "hexagon", "#f6efdc", "#8d6e2f", margin=_TIGHT),
    "action": Style("action (external step)", "component", "#eeeeee", "#757575"),
    "subflow": Style("subflow (another file)", "box3d", "#eeeeee", "#757575"),
    "return": Style("return from a subflow", "larrow", "#eeeeee", "#757575", margin="0.2,0.04"),
    "human": Style("transfer to a person", "ellipse", "#b9e4bb", "#2e7d32", margin=_TIGHT),
    "handoff": Style("hand-off to another system", "ellipse", "#cdeef3", "#00838f", margin=_TIGHT),
    "message": Style("voicemail or callback", "ellipse", "#e6efc2", "#689f38", margin=_TIGHT),
    "completed": Style("hangup, caller served", "octagon", "#dcefdc", "#2e7d32", margin=_TIGHT),
    "dead_end": Style(
        "hangup, NOT served (dead end)", "octagon", "#f9d6d5", "#b23b3b", margin=_TIGHT
    ),
    "disconnect": Style(
        "platform disconnect (default)",
        "octagon",
        "#3c3c3c",
        "#000000",
        "#ffffff",
        dashed=True,
        margin=_TIGHT,
    ),
    "missing": Style("missing target", "box", "#fff4f4", "#c62828", "#b71c1c", dashed=True),
}

#: Styles of the drawing's own nodes: placeholders for cut-off parts and stubs.
MORE_STYLE = Style("nodes not drawn (deeper)", "folder", "#fafafa", "#9e9e9e", "#616161")
STUB_STYLE = Style("neighbour outside the focus", "box", "#ffffff", "#bdbdbd", "#757575")

#: Finding colours by severity (strong, for borders and badges).
SEVERITY_COLOURS = {"error": "#d32f2f", "warning": "#e08a00", "info": "#1e6fd0"}
#: Colour of the highlighted route.
ROUTE_COLOUR = "#8e24aa"
#: Colour of the focus node's second outline.
FOCUS_COLOUR = "#263238"

_CATEGORY_OF_KIND = {
    "menu": "menu",
    "ask": "ask",
    "say": "say",
    "branch": "decision",
    "hours": "decision",
    "action": "action",
    "subflow": "subflow",
    "return": "return",
    "voicemail": "message",
    "callback": "message",
    "disconnect": "disconnect",
    "missing": "missing",
}

#: Edge kinds drawn in grey: what happens when the caller gives no valid input or a step fails.
EVENT_VIAS = frozenset({"no_input", "no_match", "retries_exhausted", "fail", "error"})

_EDGE_WORDS = {
    "no_input": "no input",
    "no_match": "no match",
    "retries_exhausted": "retries exhausted",
    "else": "else",
    "open": "open",
    "closed": "closed",
    "holiday": "holiday",
    "fail": "fail",
    "error": "error",
    "subflow": "subflow",
    "return": "return",
}

# -- ids ----------------------------------------------------------------------------------------

_CLEAN_ID = re.compile(r"[A-Za-z0-9_]+")
_WORD = re.compile(r"[A-Za-z0-9_]+")


def slug(node_id: str) -> str:
    """The node id as used inside DOM ids: ``[A-Za-z0-9_]`` only, never a dash.

    Ids made of letters, digits and ``_`` are kept as they are; any other id
    keeps its words joined by ``_`` plus the first 8 hex digits of the id's
    SHA-1, so different ids never share a slug.

    >>> slug("billing_dob")
    'billing_dob'
    >>> slug("check/dob")
    'check_dob_717f19dc'
    """
    if _CLEAN_ID.fullmatch(node_id):
        return node_id
    digest = hashlib.sha1(node_id.encode("utf-8")).hexdigest()[:8]
    words = _WORD.findall(node_id)
    return "_".join([*words, digest])


def node_dom_id(node_id: str) -> str:
    """The ``id`` of a menu node in DOT and SVG: ``node-<slug>``."""
    return f"node-{slug(node_id)}"


def edge_dom_id(source: str, target: str, number: int) -> str:
    """The ``id`` of the ``number``-th edge (from 1, in graph order) from source to target."""
    return f"edge-{slug(source)}-{slug(target)}-{number}"


def edge_number(graph: Any, source: str, target: str, edge_key: str) -> int:
    """Position (from 1) of an edge among the edges from ``source`` to ``target``."""
    for number, key in enumerate(graph[source][target], start=1):
        if key == edge_key:
            return number
    raise KeyError(f"no edge {edge_key!r} from {source!r} to {target!r}")


def witness_dom_ids(graph: Any, witness: Sequence[Step]) -> list[str]:
    """The DOM ids of a witness route's nodes and edges, in route order.

    For the HTML report: highlight a finding's route in the inline SVG.
    """
    found: list[str] = []
    for index, step in enumerate(witness):
        found.append(node_dom_id(step.node))
        if step.via is None or index + 1 >= len(witness):
            continue
        target = witness[index + 1].node
        edge_key = step.via if step.key is None else f"{step.via}:{step.key}"
        if graph.has_edge(step.node, target, edge_key):
            found.append(drawn_edge_id(graph, step.node, target, edge_key))
    return found


def drawn_edge_id(graph: Any, source: str, target: str, edge_key: str) -> str:
    """The id of the drawn edge that shows a graph edge (in a drawing without ``route``).

    Parallel edges that look the same are drawn as one (see :func:`merge_parallel`),
    which carries the id of the first of them.
    """
    wanted = graph[source][target][edge_key]
    look = (bool(wanted["synthetic"]), wanted["via"] in EVENT_VIAS)
    for number, data in enumerate(graph[source][target].values(), start=1):
        if (bool(data["synthetic"]), data["via"] in EVENT_VIAS) == look:
            return edge_dom_id(source, target, number)
    return edge_dom_id(source, target, edge_number(graph, source, target, edge_key))


def finding_anchor(finding: Finding) -> str:
    """The anchor a node with this finding links to: ``finding-<fingerprint>``."""
    return f"finding-{finding.fingerprint}"


# -- the drawing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Badge:
    """A rule id shown on a node, coloured by the worst severity it was reported at."""

    rule: str
    severity: str


@dataclass
class DrawnNode:
    """One box in the picture: a menu node, a placeholder for cut-off nodes, or a stub."""

    name: str
    role: str
    style: str
    title: str
    graph_id: str | None = None
    detail: str | None = None
    prompt: str | None = None
    tooltip: str = ""
    badges: tuple[Badge, ...] = ()
    severity: str | None = None
    url: str | None = None
    on_route: bool = False
    focused: bool = False
    cluster: str = ""
    level: int | None = None
    row: int = 0


@dataclass
class DrawnEdge:
    """One arrow: a menu edge, a cut into a placeholder, or an edge to or from a stub."""

    name: str
    source: str
    target: str
    role: str
    label: str | None
    tooltip: str
    via: str | None = None
    synthetic: bool = False
    on_route: bool = False
    merged: tuple[str, ...] = ()

    @property
    def look(self) -> tuple[str, str, bool, bool, bool]:
        """Edges between the same two boxes with the same look are drawn as one."""
        return (self.source, self.target, self.synthetic, self.via in EVENT_VIAS, self.on_route)


@dataclass(frozen=True)
class Cluster:
    """An inlined subflow: its prefix (the subflow node's id) and the file it came from."""

    prefix: str
    name: str
    label: str
    tooltip: str
    parent: str


@dataclass
class Drawing:
    """Everything a renderer needs, sorted and ready to emit."""

    title: str
    caption: str
    nodes: list[DrawnNode] = field(default_factory=list)
    edges: list[DrawnEdge] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    limit: int = 3
    cut: int | None = None

    def cluster_order(self) -> list[tuple[Cluster, int]]:
        """Clusters parents first (depth-first, by prefix), each with its nesting depth."""
        children: dict[str, list[Cluster]] = {}
        for cluster in self.clusters:
            children.setdefault(cluster.parent, []).append(cluster)
        ordered: list[tuple[Cluster, int]] = []
        stack = [(cluster, 0) for cluster in reversed(children.get("", []))]
        while stack:
            cluster, depth = stack.pop()
            ordered.append((cluster, depth))
            for child in reversed(children.get(cluster.prefix, [])):
                stack.append((child, depth + 1))
        return ordered

    def styles_used(self) -> list[str]:
        """Node categories present, in legend order."""
        used = {node.style for node in self.nodes}
        return [name for name in (*STYLES, "more", "stub") if name in used]

    def severities_used(self) -> list[str]:
        """Severities present on drawn nodes, worst first."""
        used = {node.severity for node in self.nodes if node.severity}
        return [severity.value for severity in Severity if severity.value in used]


@dataclass(frozen=True)
class Options:
    """What to draw: the whole menu, or a route, a neighbourhood or the top levels."""

    route: str | None = None
    focus: str | None = None
    radius: int = 2
    max_presses: int | None = None


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
        if node is not None and node not in ctx.graph:
            raise UsageError(f"--{what}: no node named '{node}'{_did_you_mean(ctx, node)}")
    if options.route is not None and options.route not in ctx.presses:
        raise UsageError(f"--route: no route from the start reaches '{options.route}'")
    if options.radius < 0:
        raise UsageError(f"--radius must be 0 or more, got {options.radius}")
    if options.max_presses is not None and options.max_presses < 0:
        raise UsageError(f"--max-presses must be 0 or more, got {options.max_presses}")


def _did_you_mean(ctx: AuditContext, node: str) -> str:
    names = [name for name in ctx.graph if isinstance(name, str)]
    close = difflib.get_close_matches(node, names, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def category(ctx: AuditContext, node: str) -> str:
    """The style category of a graph node (a key of :data:`STYLES`)."""
    kind = ctx.kind(node)
    if kind == "transfer":
        return "human" if ctx.outcome_kind(node) == "human" else "handoff"
    if kind == "hangup":
        return "completed" if ctx.outcome_kind(node) == "completed" else "dead_end"
    return _CATEGORY_OF_KIND.get(kind, "action")


def edge_label(via: str, key: str | None) -> str | None:
    """The label of an edge: the key, the phrase in quotes, or the event (None for next).

    >>> [edge_label("key", "1"), edge_label("speech", "sales"), edge_label("no_input", None)]
    ['1', '"sales"', 'no input']
    """
    if via == "key":
        return shorten(key, 24)
    if via == "speech":
        return f'"{shorten(key, 22)}"'
    if via == "case":
        return f"case {key}"
    if via == "next":
        return None
    return _EDGE_WORDS.get(via, via.replace("_", " "))


def wrap(text: str, width: int = 30, lines: int = 3) -> list[str]:
    """Text wrapped to at most ``lines`` lines of ``width`` characters, with an ellipsis."""
    folded = " ".join(text.split())
    wrapped = textwrap.wrap(folded, width, break_long_words=True) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        last = wrapped[-1]
        wrapped[-1] = (last if len(last) < width else last[: width - 1].rstrip()) + "…"
    return wrapped


class _Builder:
    """Builds one Drawing; every step is a single pass over nodes or edges."""

    def __init__(self, ctx: AuditContext, report: Report | None, options: Options) -> None:
        self.ctx = ctx
        self.graph = ctx.graph
        self.options = options
        self.levels = ctx.presses.cost
        self.findings, self.counts = _findings_by_node(ctx, report)
        self.near = self._near() if options.focus is not None else None
        self.drawn = [node for node in self.graph if self._drawn(node)]
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
        )
        for node in self.drawn:
            drawing.nodes.append(self._node(node))
        stubs: dict[str, DrawnNode] = {}
        cuts: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for source in self.graph:
            for target, edge_key, data in ctx.out[source]:
                edge = self._edge(source, target, edge_key, data, stubs, cuts)
                if edge is not None:
                    drawing.edges.append(edge)
        drawing.edges = merge_parallel(drawing.edges)
        drawing.nodes.extend(stubs[name] for name in sorted(stubs))
        self._add_placeholders(drawing, cuts)
        drawing.clusters = self._clusters()
        drawing.caption = self._caption(drawing)
        return drawing

    def _node(self, node: str) -> DrawnNode:
        ctx = self.ctx
        data = self.graph.nodes[node]
        found = self.findings.get(node, [])
        badges = _badges(found)
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
            url=f"#{finding_anchor(_worst(found))}" if found else None,
            on_route=node in self.route_nodes,
            focused=node == self.options.focus,
            cluster=data["subflow"],
            level=None if level is None else int(level),
            row=self.rows.get(node, 0),
        )

    def _detail(self, node: str) -> str | None:
        """A short second line saying what the node does, by type."""
        ctx = self.ctx
        model = ctx.model(node)
        kind = ctx.kind(node)
        if kind == "disconnect":
            return "the platform hangs up"
        if kind == "missing":
            return "does not exist"
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
                return "hangs up"
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
        number = edge_number(self.graph, source, target, edge_key)
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
            labels = _unique(edge_label(data["via"], data["key"]) for _, data in cuts[source])
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
            for node in self.graph
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
        badges = _badges(found)
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

    def _clusters(self) -> list[Cluster]:
        prefixes: set[str] = set()
        for node in self.drawn:
            prefix = self.graph.nodes[node]["subflow"]
            while prefix and prefix not in prefixes:
                prefixes.add(prefix)
                prefix = self.graph.nodes[prefix]["subflow"] if prefix in self.graph else ""
        clusters = []
        for prefix in sorted(prefixes):
            model = self.ctx.model(prefix) if prefix in self.graph else None
            file = model.menu if isinstance(model, SubflowNode) else prefix
            inner = self._inner_path(prefix)
            clusters.append(
                Cluster(
                    prefix=prefix,
                    name=f"cluster-{slug(prefix)}",
                    label=f"subflow {prefix}: {file}",
                    tooltip=f"{prefix}: nodes of {inner or file}",
                    parent=self.graph.nodes[prefix]["subflow"] if prefix in self.graph else "",
                )
            )
        return clusters

    def _inner_path(self, prefix: str) -> str | None:
        model = self.ctx.model(prefix) if prefix in self.graph else None
        if isinstance(model, SubflowNode):
            inner = self.graph.nodes[prefix]["menu"].subflows.get(model.menu)
            if inner is not None:
                return inner.path
        return None

    def _caption(self, drawing: Drawing) -> str:
        parts = [drawing.title]
        total = sum(self.counts.values())
        if total:
            shown = ", ".join(f"{count} {name}" for name, count in self.counts.items() if count)
            parts.append(f"{total} finding{'s' if total != 1 else ''} ({shown})")
        elif self.counts:
            parts.append("no findings")
        if self.options.route is not None:
            parts.append(f"route to {self.options.route}")
        if self.options.focus is not None:
            parts.append(f"within {self.options.radius} of {self.options.focus}")
        if self.options.max_presses is not None:
            count = self.options.max_presses
            parts.append(f"cut after {count} selection{'s' if count != 1 else ''}")
        return " · ".join(parts)


def merge_parallel(edges: list[DrawnEdge]) -> list[DrawnEdge]:
    """Parallel edges that look the same become one edge with the labels joined.

    The drawn edge keeps the id of the first; ``merged`` holds the ids of the others.
    """
    merged: dict[tuple[str, str, bool, bool, bool], DrawnEdge] = {}
    labels: dict[tuple[str, str, bool, bool, bool], list[str | None]] = {}
    for edge in edges:
        first = merged.get(edge.look)
        if first is None:
            merged[edge.look] = edge
            labels[edge.look] = [edge.label]
            continue
        labels[edge.look].append(edge.label)
        first.tooltip += "\n" + edge.tooltip
        first.merged = (*first.merged, edge.name)
    for look, edge in merged.items():
        if edge.merged:
            edge.label = ", ".join(_unique(labels[look])) or None
    return list(merged.values())


def _title(menu: Menu) -> str:
    return menu.title or menu.id or menu.path


def _findings_by_node(
    ctx: AuditContext, report: Report | None
) -> tuple[dict[str, list[Finding]], dict[str, int]]:
    """The report's findings on this menu's nodes, and its counts by severity for this menu.

    A report may cover other files too: only findings in this menu's file (or
    its subflows' files) count.
    """
    if report is None:
        return {}, {}
    files = {ctx.menu.path}
    pending = [ctx.menu]
    while pending:
        current = pending.pop()
        for inner in current.subflows.values():
            if inner.path not in files:
                files.add(inner.path)
                pending.append(inner)
    found: dict[str, list[Finding]] = {}
    counts = {severity.value: 0 for severity in Severity}
    for finding in report.findings:
        if finding.file not in files:
            continue
        counts[finding.severity.value] += 1
        if finding.node in ctx.graph:
            found.setdefault(finding.node, []).append(finding)
    for node in found:
        found[node].sort(key=lambda finding: (-finding.severity.rank, finding.sort_key))
    return found, counts


def _worst(found: list[Finding]) -> Finding:
    return min(found, key=lambda finding: (-finding.severity.rank, finding.sort_key))


def _badges(found: Iterable[Finding]) -> tuple[Badge, ...]:
    """One badge per rule, at the worst severity it was reported at; worst first."""
    worst: dict[str, Severity] = {}
    for finding in found:
        current = worst.get(finding.rule)
        if current is None or finding.severity.rank > current.rank:
            worst[finding.rule] = finding.severity
    ordered = sorted(worst.items(), key=lambda item: (-item[1].rank, item[0]))
    return tuple(Badge(rule, severity.value) for rule, severity in ordered)


def _unique(items: Iterable[str | None]) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item is not None and item not in seen:
            seen.append(item)
    return seen

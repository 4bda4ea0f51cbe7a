"""Route metrics: what it takes a caller to reach each outcome, and a summary.

Everything is read off the audit context's route trees (0-1 BFS for presses
and inputs, Dijkstra for seconds), so it costs one pass over the graph each.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ivraudit.analysis.context import AuditContext
from ivraudit.analysis.graph import DISCONNECT
from ivraudit.config import Config, Settings
from ivraudit.model.menu import Menu


@dataclass(frozen=True)
class OutcomeMetrics:
    """How a caller reaches one outcome.

    ``presses`` (and ``route``, its keys) are for the route with the fewest
    selections, ``inputs`` for the one with the fewest inputs, ``seconds`` for
    the quickest: three minima, which may be three different routes.
    """

    node: str
    kind: str
    presses: int
    inputs: int
    seconds: float
    route: tuple[str, ...]
    line: int

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["route"] = list(self.route)
        data["seconds"] = round(self.seconds, 1)
        return data


@dataclass(frozen=True)
class MenuMetrics:
    """One menu node: how many choices it offers and how long its prompt is."""

    node: str
    options: int
    prompt_seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "prompt_seconds": round(self.prompt_seconds, 1)}


@dataclass(frozen=True)
class Metrics:
    """Route metrics of one menu (see :func:`metrics`)."""

    file: str
    id: str | None
    title: str | None
    nodes: int
    edges: int
    reachable: int
    outcomes: tuple[OutcomeMetrics, ...]
    menus: tuple[MenuMetrics, ...]
    depth: int | None
    nearest_human: str | None
    seconds_to_human: float | None
    dead_ends: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        """The metrics as JSON output writes them (version 1)."""
        return {
            "file": self.file,
            "id": self.id,
            "title": self.title,
            "nodes": self.nodes,
            "edges": self.edges,
            "reachable": self.reachable,
            "depth": self.depth,
            "nearest_human": self.nearest_human,
            "seconds_to_human": (
                None if self.seconds_to_human is None else round(self.seconds_to_human, 1)
            ),
            "dead_ends": self.dead_ends,
            "outcomes": [outcome.to_dict() for outcome in self.outcomes],
            "menus": [menu.to_dict() for menu in self.menus],
        }


def metrics(
    menu: Menu, settings: Settings | None = None, *, context: AuditContext | None = None
) -> Metrics:
    """Measure every route of a menu.

    For every reachable outcome (a person, a hand-off, voicemail, callback, a
    completed call): the fewest menu selections (``presses``), the fewest
    caller inputs including answers (``inputs``), the least estimated
    ``seconds``, and the selections on the fewest-presses route.  Summary:
    ``depth`` (the most presses any outcome needs), the nearest person and the
    seconds to reach them, options per menu, and counts of dead ends.

    >>> from ivraudit import load
    >>> m = metrics(load("menus/bank.yaml"))
    >>> m.depth, m.nearest_human
    (2, 'lost_card')
    """
    if context is None:
        context = AuditContext(menu, Config(settings=settings or Settings()))
    ctx = context
    outcomes = []
    for node, kind in ctx.outcomes.items():
        if node not in ctx.presses:
            continue
        outcomes.append(
            OutcomeMetrics(
                node=node,
                kind=kind,
                presses=int(ctx.presses.cost[node]),
                inputs=int(ctx.inputs.cost[node]),
                seconds=ctx.seconds.cost[node],
                route=_route(ctx, node),
                line=ctx.position(node).line,
            )
        )
    outcomes.sort(key=lambda item: (item.presses, item.seconds, item.node))
    humans = [item for item in outcomes if item.kind == "human"]
    nearest = min(humans, key=lambda item: (item.seconds, ctx.order[item.node]), default=None)
    return Metrics(
        file=menu.path,
        id=menu.id,
        title=menu.title,
        nodes=len(ctx.nodes()),
        edges=len(ctx.parts.edges),
        reachable=sum(1 for node in ctx.reachable if not ctx.data[node]["synthetic"]),
        outcomes=tuple(outcomes),
        menus=tuple(_menus(ctx)),
        depth=max((item.presses for item in outcomes), default=None),
        nearest_human=nearest.node if nearest else None,
        seconds_to_human=nearest.seconds if nearest else None,
        dead_ends=_dead_ends(ctx),
    )


def _route(ctx: AuditContext, node: str) -> tuple[str, ...]:
    """What the caller does on the fewest-presses route: keys, ``[answers]``, ``(events)``."""
    route = []
    for source, edge_key in ctx.presses.route(node)[:-1]:
        via, key = edge_key.split(":", 1) if ":" in edge_key else (edge_key, None)
        if via in ("key", "speech"):
            route.append(key or "")
        elif via == "next" and source in ctx.collections:
            route.append(f"[{ctx.collections[source].field.replace('_', ' ')}]")
        elif via == "next" and ctx.kind(source) == "ask":
            route.append("[answer]")
        elif via in _EVENTS:
            route.append(_EVENTS[via])
    return tuple(route)


_EVENTS = {
    "no_input": "(silence)",
    "no_match": "(invalid key)",
    "retries_exhausted": "(retries used up)",
    "fail": "(fails)",
}


def _menus(ctx: AuditContext) -> list[MenuMetrics]:
    found = []
    for node, _ in ctx.nodes("menu"):
        # The choices a caller counts, as MN001 counts them.
        found.append(MenuMetrics(node, len(ctx.menu_choices(node)), ctx.prompt_seconds(node)))
    return found


def _dead_ends(ctx: AuditContext) -> dict[str, int]:
    """Reachable places where a call ends without an outcome, by kind."""
    hangups = sum(1 for node in ctx.unserved_hangups if node in ctx.reachable)
    platform = sum(
        1
        for node in ctx.reachable
        if node != DISCONNECT and any(target == DISCONNECT for target, _, _ in ctx.out[node])
    )
    silent = sum(1 for node in ctx.reachable if ctx.silent_gap(node) is not None)
    trapped = sum(
        1
        for node in ctx.reachable
        if node not in ctx.reaches_outcome and not ctx.data[node]["synthetic"]
    )
    return {
        "hangups_without_service": hangups,
        "platform_disconnects": platform,
        "silent_ends": silent,
        "nodes_without_outcome": trapped,
    }


def render_text(all_metrics: list[Metrics]) -> str:
    """Metrics as text tables, one block per menu."""
    blocks = []
    for item in all_metrics:
        lines = [f"{item.file}: {item.title or item.id or ''}".rstrip(": ")]
        human = (
            f"nearest person '{item.nearest_human}' about {item.seconds_to_human:.0f} s"
            if item.nearest_human
            else "no person reachable"
        )
        depth = "no outcome reachable" if item.depth is None else f"depth {item.depth}"
        dead = sum(item.dead_ends[key] for key in ("hangups_without_service", "silent_ends"))
        lines.append(
            f"  {depth}; {human}; {item.nodes} nodes, {item.edges} edges; "
            f"{dead} dead end{'s' if dead != 1 else ''}, "
            f"{item.dead_ends['platform_disconnects']} platform disconnect"
            f"{'s' if item.dead_ends['platform_disconnects'] != 1 else ''}"
        )
        rows = [("outcome", "kind", "presses", "inputs", "seconds", "route (fewest presses)")]
        for outcome in item.outcomes:
            rows.append(
                (
                    outcome.node,
                    outcome.kind,
                    str(outcome.presses),
                    str(outcome.inputs),
                    f"{outcome.seconds:.1f}",
                    " ".join(outcome.route) or "-",
                )
            )
        lines.extend(_table(rows, right=(2, 3, 4)))
        menu_rows = [("menu", "options", "prompt s")]
        for menu in item.menus:
            menu_rows.append((menu.node, str(menu.options), f"{menu.prompt_seconds:.1f}"))
        if len(menu_rows) > 1:
            lines.extend(_table(menu_rows, right=(1, 2)))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _table(rows: list[tuple[str, ...]], right: tuple[int, ...]) -> list[str]:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(widths[index]) if index in right else cell.ljust(widths[index])
            for index, cell in enumerate(row)
        ]
        lines.append("  " + "  ".join(cells).rstrip())
    return lines

"""Pictures of a phone menu: Graphviz DOT (and SVG/PNG/PDF through ``dot``) and Mermaid.

:func:`diagram` draws the menu as a ``graphviz.Digraph`` ranked by key presses
from the start, coloured by node type, with findings, a highlighted route, a
neighbourhood or the top levels only; :func:`mermaid` draws the same picture as
Mermaid text; :func:`render` runs Graphviz.  What is drawn is decided once in
:mod:`ivraudit.reports.diagrams.layout`, so both drawings agree.  See docs/diagrams.md.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import graphviz

from ivraudit.analysis.context import AuditContext
from ivraudit.config import Config
from ivraudit.model.errors import IvrauditError
from ivraudit.model.findings import Drawing, Report
from ivraudit.model.menu import Menu
from ivraudit.reports.diagrams.dom_ids import (
    drawn_dom_ids,
    drawn_edge_id,
    edge_dom_id,
    finding_anchor,
    node_dom_id,
    slug,
    witness_dom_ids,
)
from ivraudit.reports.diagrams.dot import to_dot
from ivraudit.reports.diagrams.heat import config_heat
from ivraudit.reports.diagrams.layout import Options, build_drawing
from ivraudit.reports.diagrams.mermaid import mermaid_text

if TYPE_CHECKING:
    from ivraudit.traffic.counts import Counts
    from ivraudit.traffic.heat import Heat
    from ivraudit.traffic.names import MenuNames

__all__ = [
    "FORMATS",
    "DiagramError",
    "diagram",
    "drawn_edge_id",
    "edge_dom_id",
    "finding_anchor",
    "format_from_suffix",
    "heat_drawing",
    "mermaid",
    "node_dom_id",
    "render",
    "report_drawing",
    "slug",
    "witness_dom_ids",
]

#: Formats :func:`render` produces (``dot`` is the DOT source itself).
FORMATS = ("dot", "svg", "png", "pdf")

#: Seconds Graphviz may run before :func:`render` gives up.
RENDER_TIMEOUT = 120.0

INSTALL_HINT = (
    "install Graphviz: 'apt-get install graphviz' (Debian, Ubuntu), "
    "'brew install graphviz' (macOS), or see https://graphviz.org/download/; "
    "or write DOT (.dot) or Mermaid (.mmd), which need no program"
)

_SUFFIXES = {
    ".dot": "dot",
    ".gv": "dot",
    ".svg": "svg",
    ".png": "png",
    ".pdf": "pdf",
    ".mmd": "mermaid",
    ".mermaid": "mermaid",
}


class DiagramError(IvrauditError):
    """A diagram that cannot be rendered: Graphviz missing, failing or too slow."""


def diagram(
    menu: Menu,
    report: Report | None = None,
    *,
    route: str | None = None,
    focus: str | None = None,
    radius: int = 2,
    max_presses: int | None = None,
    config: Config | None = None,
    context: AuditContext | None = None,
    heat: Heat | None = None,
) -> graphviz.Digraph:
    """Draw ``menu`` as a Graphviz digraph, with ``report``'s findings on its nodes.

    Nodes are ranked top to bottom by the fewest key presses from the start;
    shape and fill say the node type, a red, amber or blue border and badges
    the findings on it.  ``route`` highlights the fewest-presses route to a
    node; ``focus`` with ``radius`` draws only nodes within that many edges of
    a node; ``max_presses`` collapses everything deeper into placeholders.
    ``context`` reuses an :class:`AuditContext` already built for ``menu``.
    ``heat`` (:func:`ivraudit.traffic.heat.heat_map`) draws it as a heat map: edge
    width by logged calls, node colour by abandonment (docs/diagrams.md).
    The DOT source is deterministic.  Raises UsageError for an unknown node.

    >>> from ivraudit import load
    >>> menu = load("ivraudit: 1\\nstart: hi\\nnodes:\\n  hi: {type: say, say: Hi, next: gone}")
    >>> dot = diagram(menu).source
    >>> 'id="node-hi"' in dot and 'id="edge-hi-' in dot
    True
    """
    options = Options(route=route, focus=focus, radius=radius, max_presses=max_presses, heat=heat)
    drawing = build_drawing(menu, report, options, config, context)
    return to_dot(drawing)


def mermaid(
    menu: Menu,
    report: Report | None = None,
    *,
    route: str | None = None,
    focus: str | None = None,
    radius: int = 2,
    max_presses: int | None = None,
    config: Config | None = None,
    context: AuditContext | None = None,
    heat: Heat | None = None,
) -> str:
    """Draw ``menu`` as a Mermaid ``flowchart TD``, with the same options as :func:`diagram`.

    Node ids are ``n1``, ``n2``, ... in graph order; every label is escaped
    with Mermaid entity codes, so any prompt text renders.  ``heat`` draws a heat map
    (``linkStyle`` widths, ``classDef`` fills).
    """
    options = Options(route=route, focus=focus, radius=radius, max_presses=max_presses, heat=heat)
    return mermaid_text(build_drawing(menu, report, options, config, context))


def render(
    digraph: graphviz.Digraph | str,
    format: str,
    *,
    timeout: float = RENDER_TIMEOUT,
    dpi: float | None = None,
) -> bytes:
    """Render a digraph (or DOT source) with Graphviz's ``dot`` to ``svg``, ``png`` or ``pdf``.

    ``dot`` returns the DOT source itself and needs no program.  ``dpi`` sets
    the resolution of a PNG (Graphviz's default is 96).  Raises
    :class:`DiagramError` (never a traceback) when ``dot`` is not installed,
    fails without writing a whole picture, or takes longer than ``timeout`` seconds.
    """
    source = digraph if isinstance(digraph, str) else digraph.source
    if format not in FORMATS:
        choices = ", ".join(FORMATS)
        hint = "; Mermaid text comes from mermaid(), not render()" if format == "mermaid" else ""
        raise DiagramError(f"cannot render format '{format}' (choose one of {choices}{hint})")
    if format == "dot":
        return source.encode("utf-8")
    program = shutil.which("dot")
    if program is None:
        raise DiagramError(f"the Graphviz program 'dot' was not found on PATH ({INSTALL_HINT})")
    command = [program, f"-T{format}"]
    if dpi is not None:
        command.append(f"-Gdpi={dpi:g}")
    try:
        done = subprocess.run(
            command,
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise DiagramError(
            f"Graphviz took longer than {timeout:g} s to lay out the diagram "
            "(draw less of it: --max-presses N or --focus NODE --radius N)"
        ) from None
    except OSError as exc:
        raise DiagramError(f"could not run Graphviz '{program}': {exc} ({INSTALL_HINT})") from None
    if (done.returncode != 0 or not done.stdout) and not _complete(done.stdout, format):
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = message[-1] if message else f"exit status {done.returncode}"
        raise DiagramError(f"Graphviz could not render the diagram as {format}: {detail}")
    return done.stdout


def _complete(output: bytes, format: str) -> bool:
    """Whether ``dot`` wrote a whole picture: Graphviz 2.43 exits with status 1 when it
    could not route a few edges well ("Unable to reclaim box space in spline routing"),
    after writing the whole drawing, which is worth more than no picture."""
    if format == "svg":
        return output.rstrip().endswith(b"</svg>")
    if format == "png":
        return output.startswith(b"\x89PNG\r\n\x1a\n") and output[-12:-4].endswith(b"IEND")
    return format == "pdf" and b"%%EOF" in output[-1024:]


def format_from_suffix(path: str | os.PathLike[str]) -> str | None:
    """The diagram format a file name asks for, from its suffix, or None.

    >>> [format_from_suffix(name) for name in ("a.gv", "b.SVG", "c.mmd", "d.txt")]
    ['dot', 'svg', 'mermaid', None]
    """
    return _SUFFIXES.get(Path(path).suffix.lower())


#: Menus larger than this are drawn in a report only to a few selections deep.
REPORT_MAX_NODES = 400


def report_drawing(
    menu: Menu,
    report: Report,
    kind: str,
    *,
    context: AuditContext | None = None,
    config: Config | None = None,
) -> Drawing:
    """The picture of ``menu`` for an HTML (``kind="svg"``) or Markdown (``"mermaid"``)
    report, with the DOM ids of the nodes and edges it draws, so the report can
    highlight any finding's witness route (``Drawing.node_ids``, ``edge_ids``).

    A report draws at most :data:`REPORT_MAX_NODES` nodes: a larger menu is drawn
    only as many selections deep as fit (a note says so), or not at all when
    even its first level does not fit -- so Graphviz finishes in seconds and the
    report is the same every time.  A missing or failing Graphviz gives a
    drawing with no picture and a note saying why.  With the counts of
    ``check --traffic`` (``config.traffic``), a menu the logs reach is drawn as a heat
    map.
    """
    context = context or AuditContext(menu, config)
    traffic = config.traffic if config is not None else None
    heat = config_heat(menu, context.graph, traffic) if traffic is not None else None
    name = menu.id or ""
    cut, note = _report_cut(context, len(context.nodes()))
    if cut == -1:
        return Drawing(menu.path, name, kind, "", note=note)
    if kind == "mermaid":
        text = mermaid(menu, report, max_presses=cut, config=config, context=context, heat=heat)
        return Drawing(menu.path, name, kind, text, note=note)
    options = Options(max_presses=cut, heat=heat)
    layout = build_drawing(menu, report, options, config, context)
    node_ids, edge_ids = drawn_dom_ids(
        context.out, (node.graph_id for node in layout.nodes if node.graph_id is not None)
    )
    try:
        svg = render(to_dot(layout), "svg")
    except DiagramError as error:
        return Drawing(menu.path, name, kind, "", note=f"no diagram: {error}")
    text = svg.decode("utf-8")
    start = text.find("<svg")
    content = text[start:] if start >= 0 else text
    return Drawing(menu.path, name, kind, content, node_ids, edge_ids, note)


def heat_drawing(
    menu: Menu,
    counts: Counts,
    names: MenuNames,
    *,
    config: Config | None = None,
) -> Drawing:
    """The heat map of ``menu`` in ``counts`` as inline SVG for a page (the HTML report of
    ``ivraudit traffic``), cut as :func:`report_drawing` cuts a large menu; a missing or
    failing Graphviz gives no picture and a note saying why."""
    from ivraudit.traffic.heat import heat_map

    context = AuditContext(menu, config)
    heat = heat_map(menu, context.graph, counts, names)
    name = menu.id or ""
    cut, note = _report_cut(context, len(context.nodes()))
    if cut == -1:
        return Drawing(menu.path, name, "svg", "", note=note)
    try:
        drawn = diagram(menu, None, max_presses=cut, config=config, context=context, heat=heat)
        svg = render(drawn, "svg").decode("utf-8")
    except DiagramError as error:
        return Drawing(menu.path, name, "svg", "", note=f"no diagram: {error}")
    start = svg.find("<svg")
    return Drawing(menu.path, name, "svg", svg[start:] if start >= 0 else svg, note=note)


def _report_cut(context: AuditContext, size: int) -> tuple[int | None, str | None]:
    """How many selections deep a report draws the menu (None: all; -1: nothing), and why."""
    if size <= REPORT_MAX_NODES:
        return None, None
    per_level: dict[int, int] = {}
    for cost in context.presses.cost.values():
        per_level[int(cost)] = per_level.get(int(cost), 0) + 1
    drawn, deepest = 0, -1
    for level in sorted(per_level):
        if drawn + per_level[level] > REPORT_MAX_NODES:
            break
        drawn += per_level[level]
        deepest = level
    more = "use 'ivraudit diagram' with --focus or --max-presses to draw it"
    if deepest < 0:
        return -1, f"the menu has {size:,} nodes, too many to draw in a report ({more})"
    return deepest, f"the menu has {size:,} nodes: drawn to {deepest} selections deep ({more})"

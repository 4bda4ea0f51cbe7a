"""One self-contained HTML file: summary, then per file its findings with witness
routes, each menu's diagram inline (when drawn) and the per-outcome metrics table.

Files with findings come first, and in each file the findings come before the
diagram, so the first screen shows what is wrong; diagrams are drawn at their
own size (readable, scrolling inside their box), with a button to fit them.

No network access is needed to view it: styles and script are inline, the
diagram is inline SVG.  Clicking a finding highlights its node and route in
the diagram; clicking a node lists its findings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from html import escape
from typing import TYPE_CHECKING, Any

from ivraudit._version import __version__
from ivraudit.model.findings import Drawing, Finding, Report, Step
from ivraudit.reports.diagrams.dot import HEAT_MAP_CLASS
from ivraudit.reports.diagrams.layout import finding_anchor, node_dom_id
from ivraudit.reports.json_report import StepTable, dumps
from ivraudit.reports.links import rule_url
from ivraudit.reports.text import calls_part, checked_files, in_files, plural
from ivraudit.rules import RULES

if TYPE_CHECKING:
    from ivraudit.reports import RenderOptions

_STYLE = """
:root { --error: #c62828; --warning: #ef8f00; --info: #1565c0; --ink: #1f2933;
        --muted: #616e7c; --line: #d9e2ec; --paper: #ffffff; --wash: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); background: var(--wash); }
header { background: #102a43; color: #fff; padding: 20px 32px; }
header h1 { margin: 0; font-size: 22px; }
header p { margin: 4px 0 0; color: #bcccdc; }
main { padding: 24px 32px 48px; max-width: 1400px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin-bottom: 24px; }
.card { background: var(--paper); border: 1px solid var(--line); border-radius: 8px;
        padding: 12px 18px; min-width: 120px; }
.card b { display: block; font-size: 26px; }
.card.error b { color: var(--error); } .card.warning b { color: var(--warning); }
.card.info b { color: var(--info); }
section.file { background: var(--paper); border: 1px solid var(--line); border-radius: 8px;
               padding: 16px 20px; margin-bottom: 24px; }
section.file h2 { margin: 0 0 12px; font-size: 18px; font-family: ui-monospace, monospace; }
.diagram { overflow: auto; max-height: 80vh; border: 1px solid var(--line); border-radius: 6px;
           background: #fff; margin-bottom: 16px; }
.diagram svg { display: block; }
.diagram.fit svg { width: 100%; height: auto; max-height: 78vh; }
.zoom { font: inherit; font-size: 12px; margin: 0 0 6px 8px; }
ol.findings { list-style: none; padding: 0; margin: 0; }
ol.findings > li { border-left: 4px solid var(--line); padding: 6px 12px; margin: 6px 0;
                   background: var(--wash); border-radius: 0 6px 6px 0; cursor: pointer; }
ol.findings > li.error { border-color: var(--error); }
ol.findings > li.warning { border-color: var(--warning); }
ol.findings > li.info { border-color: var(--info); }
ol.findings > li.selected { outline: 2px solid #334e68; }
ol.findings > li.hidden { display: none; }
.rule { font-weight: 700; font-family: ui-monospace, monospace; }
.where { color: var(--muted); font-family: ui-monospace, monospace; font-size: 13px; }
.sev { text-transform: uppercase; font-size: 11px; font-weight: 700; letter-spacing: .04em; }
.sev.error { color: var(--error); } .sev.warning { color: var(--warning); }
.sev.info { color: var(--info); }
details { margin-top: 4px; } summary { color: var(--muted); font-size: 13px; }
ol.route { margin: 6px 0 2px 18px; padding: 0; font-size: 13px; }
ol.route code { background: #e4e7eb; padding: 0 4px; border-radius: 3px; }
ol.route li.gap { list-style: none; color: #52606d; }
.does { font-weight: 600; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
h3 { font-size: 15px; margin: 18px 0 4px; }
.filter { color: var(--muted); font-size: 13px; margin: 4px 0 8px; }
.filter button { font: inherit; margin-left: 8px; }
.errors li { color: var(--error); font-family: ui-monospace, monospace; }
.note { color: var(--muted); font-size: 13px; font-style: italic; }
svg .ivr-selected > * { stroke: #102a43 !important; stroke-width: 3px !important; }
svg .ivr-route > path, svg .ivr-route > polygon { stroke: #6a1b9a !important;
  stroke-width: 3px !important; }
svg g.node { cursor: pointer; }
"""

_SCRIPT = """
(function () {
  var table = document.getElementById('ivraudit-steps');
  var STEPS = table ? JSON.parse(table.textContent) : [];
  // A step: [node, words heard, what the caller does, edge taken to the next, gap size].
  function rows(li, name) {
    var indexes = (li.getAttribute(name) || '').split(' ');
    return indexes.filter(function (i) { return i !== ''; }).map(function (i) {
      return STEPS[Number(i)]; });
  }
  function drawnIds(drawing) {
    var script = drawing ? drawing.querySelector('script.drawn') : null;
    return script ? JSON.parse(script.textContent) : {nodes: {}, edges: {}};
  }
  // The drawing of the finding's flow (a file may hold several); else, as for a flow of
  // another file that runs through this one, the drawing that shows most of its route.
  function drawingOf(section, li) {
    var drawings = Array.prototype.slice.call(section.querySelectorAll('.drawing'));
    var flow = li.getAttribute('data-flow');
    var own = drawings.filter(function (d) { return d.getAttribute('data-flow') === flow; });
    if (flow !== null && own.length) { return own[0]; }
    var route = rows(li, 'data-route');
    var best = drawings.length ? drawings[0] : null;
    var most = 0;
    drawings.forEach(function (drawing) {
      var nodes = drawnIds(drawing).nodes;
      var shown = route.filter(function (row) { return nodes[row[0]]; }).length;
      if (shown > most) { best = drawing; most = shown; }
    });
    return best;
  }
  function byId(drawing, id) {
    var svg = drawing ? drawing.querySelector('.diagram svg') : null;
    return svg ? svg.querySelector('[id="' + id + '"]') : null;
  }
  function routeIds(drawing, li) {
    var ids = drawnIds(drawing);
    var route = rows(li, 'data-route');
    var found = [];
    route.forEach(function (row, i) {
      if (row[4]) { return; }
      if (ids.nodes[row[0]]) { found.push(ids.nodes[row[0]]); }
      var next = route[i + 1];
      if (next && !next[4] && row[3] !== null) {
        var edge = ids.edges[row[0] + '\\u0000' + row[3] + '\\u0000' + next[0]];
        if (edge) { found.push(edge); }
      }
    });
    return found;
  }
  function fillRoute(li) {
    var list = li.querySelector('ol.route');
    if (!list || list.childElementCount) { return; }
    var number = 0;
    var shown = li.hasAttribute('data-steps') ? rows(li, 'data-steps') : rows(li, 'data-route');
    shown.forEach(function (row) {
      var item = document.createElement('li');
      if (row[4]) {
        number += row[4];
        item.className = 'gap';
        item.textContent = '\\u2026 (' + (row[2] || '') + ')';
      } else {
        number += 1;
        item.value = number;
        var code = document.createElement('code');
        code.textContent = row[0];
        item.appendChild(code);
        if (row[1]) {
          item.appendChild(document.createTextNode(' \\u2014 \\u201c' + row[1] + '\\u201d'));
        }
        if (row[2]) {
          item.appendChild(document.createTextNode(' \\u2192 '));
          var does = document.createElement('span');
          does.className = 'does';
          does.textContent = row[2];
          item.appendChild(does);
        }
      }
      list.appendChild(item);
    });
  }
  function clear(section) {
    section.querySelectorAll('.ivr-selected, .ivr-route').forEach(function (el) {
      el.classList.remove('ivr-selected'); el.classList.remove('ivr-route'); });
    section.querySelectorAll('ol.findings > li').forEach(function (li) {
      li.classList.remove('selected'); li.classList.remove('hidden'); });
    var note = section.querySelector('.filter'); if (note) { note.hidden = true; }
  }
  function showFinding(section, li) {
    clear(section);
    li.classList.add('selected');
    var drawing = drawingOf(section, li);
    routeIds(drawing, li).forEach(function (id) {
      var el = byId(drawing, id); if (el) { el.classList.add('ivr-route'); }
    });
    var target = byId(drawing, li.getAttribute('data-target'));
    if (target) {
      target.classList.add('ivr-selected');
      target.scrollIntoView({block: 'center', inline: 'center', behavior: 'smooth'});
    }
  }
  function showNode(section, node) {
    clear(section);
    node.classList.add('ivr-selected');
    var shown = 0;
    var name = node.id.replace(/^node-/, '');
    section.querySelectorAll('ol.findings > li').forEach(function (li) {
      if (li.getAttribute('data-target') === node.id) {
        shown += 1; name = li.getAttribute('data-node');
      } else { li.classList.add('hidden'); }
    });
    var note = section.querySelector('.filter');
    if (note) {
      note.hidden = false;
      note.querySelector('span').textContent = shown + ' finding(s) at ' + name;
    }
  }
  function showStart(box) {
    // A diagram is drawn at its own size: scroll its box (not the page) to the top node.
    var first = null;
    box.querySelectorAll('svg g.node').forEach(function (node) {
      var where = node.getBoundingClientRect();
      if (!first || where.top < first.top) { first = where; }
    });
    if (!first) { return; }
    var frame = box.getBoundingClientRect();
    box.scrollLeft += first.left + first.width / 2 - (frame.left + frame.width / 2);
  }
  // A route is listed when its details are first opened ('toggle' does not bubble), and
  // at once for any opened while the page was still loading.
  document.addEventListener('toggle', function (event) {
    var details = event.target;
    if (details.open && details.parentElement) { fillRoute(details.parentElement); }
  }, true);
  document.querySelectorAll('ol.findings > li > details[open]').forEach(function (details) {
    fillRoute(details.parentElement);
  });
  document.querySelectorAll('section.file').forEach(function (section) {
    section.querySelectorAll('.diagram').forEach(showStart);
    // One listener per section, not one per finding: a report may list thousands.
    section.addEventListener('click', function (event) {
      var li = event.target.closest('ol.findings > li');
      if (li && !event.target.closest('details') && !event.target.closest('a')) {
        showFinding(section, li);
        return;
      }
      var node = event.target.closest('.diagram svg g.node');
      if (node) {
        event.preventDefault();
        showNode(section, node);
      }
    });
    section.querySelectorAll('.drawing').forEach(function (drawing) {
      var zoom = drawing.querySelector('button.zoom');
      if (zoom) { zoom.addEventListener('click', function () {
        drawing.querySelector('.diagram').classList.toggle('fit'); }); }
    });
    var reset = section.querySelector('.filter button');
    if (reset) { reset.addEventListener('click', function () { clear(section); }); }
  });
})();
"""


def render(report: Report, options: RenderOptions) -> str:
    return "".join(chunks(report, options))


def chunks(report: Report, options: RenderOptions) -> Iterator[str]:
    """The page, a finding at a time; the witness steps they share come once, at the end."""
    counts = report.counts()
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_file[finding.file].append(finding)
    # Files with findings first: the first screen shows what is wrong.
    files = sorted(checked_files(report), key=lambda file: (file not in by_file, file))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>ivraudit report</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<header><h1>ivraudit report</h1>",
        f"<p>{plural(len(report.findings), 'finding')} {in_files(report)} "
        f"&middot; ivraudit {escape(__version__)}</p></header><main>",
        '<div class="cards">',
        f'<div class="card error"><b>{counts["error"]}</b>errors</div>',
        f'<div class="card warning"><b>{counts["warning"]}</b>warnings</div>',
        f'<div class="card info"><b>{counts["info"]}</b>info</div>',
        f'<div class="card"><b>{len(files)}</b>files</div>',
        f'<div class="card"><b>{len(report.errors)}</b>unreadable</div>',
        f'<div class="card"><b>{report.suppressed}</b>suppressed</div>',
        *_traffic_card(report),
        "</div>",
        '<noscript><p class="note">The routes and the diagram highlighting need JavaScript; '
        "<code>-f text</code> and <code>-f json</code> list the routes too.</p></noscript>",
    ]
    if report.errors:
        parts.append('<h2>Files that could not be read</h2><ul class="errors">')
        parts += [
            f"<li>{escape(problem.headline)}</li>"
            for error in report.errors
            for problem in error.problems
        ]
        parts.append("</ul>")
    yield "\n".join(parts) + "\n"
    table = StepTable()
    for file in files:
        yield from _file_section(file, by_file.get(file, []), report, options, table)
    rows = (_step_row(step) for step in table.steps)
    yield (
        f'</main><script type="application/json" id="ivraudit-steps">[{",".join(rows)}]'
        f"</script>\n<script>{_SCRIPT}</script></body></html>\n"
    )


def _script_json(value: Any) -> str:
    """JSON to put inside a ``<script>`` element: no ``<`` that could end it."""
    return dumps(value).replace("<", "\\u003c")


def _step_row(step: Step) -> str:
    """A witness step as the page's script reads it: node, words heard, what the caller
    does, the edge taken to the next step (``via:key``), and for a gap how many steps it
    stands for."""
    gap = int(step.key or 0) if step.is_gap else 0
    return _script_json([step.node, step.hears, step.does, step.edge_key, gap])


def _traffic_card(report: Report) -> list[str]:
    """With check --traffic: the logged calls every share is of."""
    if report.traffic is None:
        return []
    return [f'<div class="card"><b>{report.traffic["calls"]}</b>logged calls</div>']


def _file_section(
    file: str, findings: list[Finding], report: Report, options: RenderOptions, table: StepTable
) -> Iterator[str]:
    drawings = [d for d in report.drawings if d.file == file and d.kind == "svg"]
    parts = ['<section class="file">', f"<h2>{escape(file)}</h2>"]
    parts.append(
        '<p class="filter" hidden><span></span><button type="button">show all</button></p>'
    )
    if findings:
        parts.append('<ol class="findings">')
        yield "\n".join(parts) + "\n"
        for finding in findings:
            yield _finding_item(finding, options, report, table) + "\n"
        parts = ["</ol>"]
    else:
        parts.append("<p>No findings.</p>")
    for drawing in drawings:
        parts += _drawing(drawing)
    for measured in report.metrics:
        if measured.file == file:
            parts.append(_metrics_table(measured))
    parts.append("</section>")
    yield "\n".join(parts) + "\n"


def _drawing(drawing: Drawing) -> list[str]:
    """A menu's diagram with the DOM ids of what it draws, for the page's script:
    ``nodes`` by node, ``edges`` by ``source NUL edge key NUL target``.  A file's
    findings of one flow highlight in that flow's diagram (``data-flow``)."""
    parts = [f'<div class="drawing" data-flow="{escape(drawing.menu)}">']
    if drawing.note:
        parts.append(f'<p class="note">{escape(drawing.note)}</p>')
    if drawing.content:
        parts.append(
            f'<h3>{_diagram_title(drawing.content)} <button type="button" class="zoom">'
            "fit to width / actual size</button></h3>"
        )
        parts.append(f'<div class="diagram">{drawing.content}</div>')
        ids = {
            "nodes": dict(sorted(drawing.node_ids.items())),
            "edges": {"\0".join(edge): id for edge, id in sorted(drawing.edge_ids.items())},
        }
        parts.append(f'<script type="application/json" class="drawn">{_script_json(ids)}</script>')
    parts.append("</div>")
    return parts


def _diagram_title(svg: str) -> str:
    """ "Heat map" for a menu drawn with the logged calls (check --traffic), else "Diagram"."""
    opening = svg[: svg.find(">", svg.find("<g")) + 1]
    if f'class="graph {HEAT_MAP_CLASS}"' in opening:
        return (
            "Heat map <small>(edge width: logged calls; node colour: the share who hung up "
            "there)</small>"
        )
    return "Diagram"


def _calls_html(finding: Finding, report: Report) -> str:
    """With check --traffic: the logged calls that reached the finding's node."""
    said = calls_part(finding, report).strip()
    return f' <strong class="calls">{escape(said)}</strong>' if said else ""


def _finding_item(
    finding: Finding, options: RenderOptions, report: Report, table: StepTable
) -> str:
    """A finding; its route is indexes into the page's step table, listed by the script
    when its details are opened (and highlighted in the diagram when it is clicked)."""
    rule = RULES.get(finding.rule)
    name = escape(rule.name) if rule else ""
    witness = options.witness and bool(finding.witness)
    # The whole route highlights in the diagram (with or without --no-witness); the steps
    # listed are the route itself, or for a long one its first and last steps (data-steps).
    route = table.route(finding.witness)
    shown = table.shown(finding.witness) if witness else route
    attributes = (
        f'id="{finding_anchor(finding)}" class="{finding.severity.value}" '
        f'data-node="{escape(finding.node)}" data-target="{node_dom_id(finding.node)}"'
        + (f' data-flow="{escape(finding.flow)}"' if finding.flow else "")
        + f' data-route="{" ".join(map(str, route))}"'
        + (f' data-steps="{" ".join(map(str, shown))}"' if shown != route else "")
    )
    parts = [
        f"<li {attributes}>",
        f'<span class="sev {finding.severity.value}">{finding.severity.value}</span> ',
        f'<a class="rule" href="{rule_url(finding.rule)}">{finding.rule}</a> '
        f'<span class="where">{name} &middot; line {finding.line} &middot; '
        f"{escape(finding.node)}</span>{_calls_html(finding, report)}<br>",
        escape(finding.message_and_fix),
    ]
    if witness:
        parts.append(
            '<details><summary>route a caller takes</summary><ol class="route"></ol></details>'
        )
    parts.append("</li>")
    return "".join(parts)


def _metrics_table(measured: Any) -> str:
    human = (
        f"nearest person <code>{escape(measured.nearest_human)}</code> in about "
        f"{measured.seconds_to_human:.0f} s"
        if measured.nearest_human
        else "no person reachable"
    )
    title = escape(measured.title or measured.id or "")
    depth = "&ndash;" if measured.depth is None else str(measured.depth)
    rows = [
        f"<h3>Routes{': ' + title if title else ''}</h3>",
        f"<p>depth {depth} &middot; {human} &middot; {measured.nodes} nodes, "
        f"{measured.edges} edges</p>",
        "<table><thead><tr><th>outcome</th><th>kind</th><th class=num>presses</th>"
        "<th class=num>inputs</th><th class=num>seconds</th><th>route</th></tr></thead><tbody>",
    ]
    for outcome in measured.outcomes:
        rows.append(
            f"<tr><td><code>{escape(outcome.node)}</code></td><td>{escape(outcome.kind)}</td>"
            f"<td class=num>{outcome.presses}</td><td class=num>{outcome.inputs}</td>"
            f"<td class=num>{outcome.seconds:.1f}</td>"
            f"<td>{escape(' '.join(outcome.route) or '-')}</td></tr>"
        )
    rows.append("</tbody></table>")
    return "\n".join(rows)

"""Diagrams: a drawing model of the menu, rendered as Graphviz DOT or Mermaid.

- :mod:`ivraudit.reports.diagrams.layout`: what to draw (nodes, edges, rows, cut-off parts),
  with :mod:`~ivraudit.reports.diagrams.marks` (findings and badges on nodes) and
  :mod:`~ivraudit.reports.diagrams.clusters` (subflows).
- :mod:`~ivraudit.reports.diagrams.drawing`: the drawing every renderer reads;
  :mod:`~ivraudit.reports.diagrams.styles`: how it looks;
  :mod:`~ivraudit.reports.diagrams.dom_ids`: the ids that link a report to it.
- :mod:`~ivraudit.reports.diagrams.dot` and :mod:`~ivraudit.reports.diagrams.mermaid`:
  the two renderers.
- :mod:`ivraudit.reports.diagrams.draw`: the public entry points and file output.
"""

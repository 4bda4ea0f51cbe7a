"""Diagrams: a drawing model of the menu, rendered as Graphviz DOT or Mermaid.

- :mod:`ivraudit.reports.diagrams.layout`: what to draw (nodes, edges, marks, clusters).
- :mod:`~ivraudit.reports.diagrams.dot` and :mod:`~ivraudit.reports.diagrams.mermaid`:
  the two renderers.
- :mod:`ivraudit.reports.diagrams.draw`: the public entry points and file output.
"""

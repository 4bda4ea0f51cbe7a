"""Analysis: the facts every rule reads, computed once per menu.

- :mod:`ivraudit.analysis.graph`: Menu -> graph; the only place a graph is built.
- :mod:`ivraudit.analysis.routes`: linear-time searches (0-1 BFS, Dijkstra, reachability).
- :mod:`ivraudit.analysis.context`: the audit context the rules share, built in layers:
  :mod:`~ivraudit.analysis.facts` (nodes, edges, reachability),
  :mod:`~ivraudit.analysis.readings` (what prompts say),
  :mod:`~ivraudit.analysis.outcomes` (where calls end) and
  :mod:`~ivraudit.analysis.witnesses` (shortest routes and their witnesses).
- :mod:`ivraudit.analysis.metrics`: presses, inputs and seconds per outcome.
"""

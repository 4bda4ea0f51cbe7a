"""Analysis: the facts every rule reads, computed once per menu.

- :mod:`ivraudit.analysis.graph`: Menu -> graph; the only place a graph is built.
- :mod:`ivraudit.analysis.routes`: linear-time searches (0-1 BFS, Dijkstra, reachability).
- :mod:`ivraudit.analysis.context`: the audit context the rules share.
- :mod:`ivraudit.analysis.metrics`: presses, inputs and seconds per outcome.
"""

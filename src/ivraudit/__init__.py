"""ivraudit: audit IVR phone menus for deep routes, repeated identity prompts and dead ends.

The public API::

    import ivraudit
    menu = ivraudit.load("menus/bank.yaml")      # a Menu, or MenuError
    report = ivraudit.audit(menu)                # a Report of Findings
    measured = ivraudit.metrics(menu)            # presses, seconds per outcome
    graph = ivraudit.to_graph(menu)              # a networkx MultiDiGraph

The package follows the pipeline, one folder a stage (CONTRIBUTING.md):
``formats`` (files to a Menu) -> ``model`` -> ``analysis`` (graph, routes,
metrics) -> ``rules`` -> ``reports`` and ``gate`` -> ``cli``.
"""

from __future__ import annotations

from ivraudit._version import __version__
from ivraudit.analysis.graph import to_graph
from ivraudit.analysis.metrics import Metrics, metrics
from ivraudit.config import Config, Settings
from ivraudit.formats import load, load_all, loads
from ivraudit.gate.diff import Diff, diff
from ivraudit.model.errors import ConfigError, IvrauditError, MenuError, Position, UsageError
from ivraudit.model.findings import Finding, Report, Severity, Step
from ivraudit.model.menu import Menu
from ivraudit.reports.diagrams.draw import diagram, mermaid
from ivraudit.rules.config import load_config
from ivraudit.rules.engine import audit

__all__ = [
    "Config",
    "ConfigError",
    "Diff",
    "Finding",
    "IvrauditError",
    "Menu",
    "MenuError",
    "Metrics",
    "Position",
    "Report",
    "Settings",
    "Severity",
    "Step",
    "UsageError",
    "__version__",
    "audit",
    "diagram",
    "diff",
    "load",
    "load_all",
    "load_config",
    "loads",
    "mermaid",
    "metrics",
    "to_graph",
]

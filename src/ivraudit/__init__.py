"""ivraudit: audit IVR phone menus for deep routes, repeated identity prompts and dead ends.

The public API::

    import ivraudit
    menu = ivraudit.load("menus/bank.yaml")      # a Menu, or MenuError
    report = ivraudit.audit(menu)                # a Report of Findings
    measured = ivraudit.metrics(menu)            # presses, seconds per outcome
    graph = ivraudit.to_graph(menu)              # a networkx MultiDiGraph
"""

from __future__ import annotations

from ._version import __version__
from .audit import audit
from .config import Config, Settings, load_config
from .diagram import diagram, mermaid
from .diff import Diff, diff
from .errors import ConfigError, IvrauditError, MenuError, Position, UsageError
from .findings import Finding, Report, Severity, Step
from .graph import to_graph
from .loaders import load, load_all, loads
from .metrics import Metrics, metrics
from .model import Menu

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

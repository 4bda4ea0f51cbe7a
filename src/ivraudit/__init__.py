"""ivraudit: audit IVR phone menus for deep routes, repeated identity prompts and dead ends.

The public API::

    import ivraudit
    report = ivraudit.check(["menus/"])          # as 'ivraudit check menus/': config found
    menu = ivraudit.load("menus/bank.yaml")      # a Menu, or MenuError
    report = ivraudit.audit(menu)                # a Report of Findings (config as given)
    measured = ivraudit.metrics(menu)            # presses, seconds per outcome
    graph = ivraudit.to_graph(menu)              # a networkx MultiDiGraph

The package follows the pipeline, one folder a stage (CONTRIBUTING.md):
``formats`` (files to a Menu) -> ``model`` -> ``analysis`` (graph, routes,
metrics) -> ``rules`` -> ``reports`` and ``gate`` -> ``cli``.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ivraudit._version import __version__

if TYPE_CHECKING:
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

#: Where each public name lives.  They are imported on first use (PEP 562), so
#: ``import ivraudit`` and ``ivraudit --version`` stay fast; every name is still
#: ``ivraudit.<name>`` and ``from ivraudit import <name>`` as usual.
_HOMES = {
    "to_graph": "ivraudit.analysis.graph",
    "Metrics": "ivraudit.analysis.metrics",
    "metrics": "ivraudit.analysis.metrics",
    "Config": "ivraudit.config",
    "Settings": "ivraudit.config",
    "load": "ivraudit.formats",
    "load_all": "ivraudit.formats",
    "loads": "ivraudit.formats",
    "Diff": "ivraudit.gate.diff",
    "diff": "ivraudit.gate.diff",
    "ConfigError": "ivraudit.model.errors",
    "IvrauditError": "ivraudit.model.errors",
    "MenuError": "ivraudit.model.errors",
    "Position": "ivraudit.model.errors",
    "UsageError": "ivraudit.model.errors",
    "Finding": "ivraudit.model.findings",
    "Report": "ivraudit.model.findings",
    "Severity": "ivraudit.model.findings",
    "Step": "ivraudit.model.findings",
    "Menu": "ivraudit.model.menu",
    "diagram": "ivraudit.reports.diagrams.draw",
    "mermaid": "ivraudit.reports.diagrams.draw",
    "load_config": "ivraudit.rules.config",
    "audit": "ivraudit.rules.engine",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'ivraudit' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def check(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    config: Config | str | os.PathLike[str] | None = None,
    *,
    format: str | None = None,
    root: str | None = None,
    jobs: int = 1,
) -> Report:
    """Check menu files, or every menu file under directories, as ``ivraudit check`` does.

    ``config`` is a :class:`Config`, the path of a config file, or None: then the
    config is found as the CLI finds it, the nearest ``ivraudit.toml`` or
    ``pyproject.toml`` with ``[tool.ivraudit]`` walking up from the current
    directory (defaults when there is none), with its selection, severities,
    per-file ignores, entries and thresholds applied.  (:func:`audit` is the pure
    form: one menu, the config you pass, nothing read from disk.)

    Files that cannot be read are in ``report.errors``; the others are still
    checked.  ``format`` reads every file as that format instead of detecting it,
    ``root`` is the directory nothing is read outside of (default: the deepest one
    holding the paths), ``jobs`` the worker processes (the report does not depend
    on it).  Raises :class:`ConfigError` for a bad config and :class:`UsageError`
    when the paths hold no menu file.

    >>> report = check(["menus/bank.yaml"])
    >>> report.files, report.fails(Severity.WARNING)
    (['menus/bank.yaml'], False)
    """
    from ivraudit.config import Config
    from ivraudit.rules.config import load_config
    from ivraudit.runner import check as check_paths

    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    if not isinstance(config, Config):
        config = load_config(config)
    return check_paths(list(paths), config, format=format, root=root, jobs=jobs).report


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
    "check",
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

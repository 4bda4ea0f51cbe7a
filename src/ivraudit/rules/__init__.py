"""The rules: a registry, one module per family, and the engine that runs them.

- :mod:`ivraudit.rules.registry`: the :class:`Rule` type, the ``@rule`` decorator,
  selectors (id, prefix or name) and :data:`RULES`.
- One module per family: structure (ST), dead_ends (DE), identity (ID),
  depth (DP), menus (MN), meta (AU), usage (TR: rules that need call logs).
  Importing a family registers its rules.
- :mod:`ivraudit.rules.engine`: :func:`audit` runs the selected rules over the
  audit context and turns their hits into findings.
"""

from __future__ import annotations

from ivraudit.rules import dead_ends, depth, identity, menus, meta, structure, usage
from ivraudit.rules.registry import (
    FAMILIES,
    RULES,
    Hit,
    Rule,
    all_rules,
    check_config,
    check_selectors,
    get,
    matches,
    rule,
    selected,
)

__all__ = [
    "FAMILIES",
    "RULES",
    "Hit",
    "Rule",
    "all_rules",
    "check_config",
    "check_selectors",
    "dead_ends",
    "depth",
    "get",
    "identity",
    "matches",
    "menus",
    "meta",
    "rule",
    "selected",
    "structure",
    "usage",
]

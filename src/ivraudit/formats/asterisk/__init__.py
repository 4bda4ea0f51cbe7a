"""Asterisk dialplans: parse (contexts, lines, includes), match (patterns, variables), apps (the
application table), targets (where jumps land), walker (priority after priority), talk and jumps
(the node each application becomes), nodes (node pools), flow (priorities to nodes, driving those),
loader (contexts to Menus)."""

from __future__ import annotations

from ivraudit.formats.asterisk.loader import FORMATS, NEAR_MISSES
from ivraudit.formats.asterisk.words import WORDS

__all__ = ["FORMATS", "NEAR_MISSES", "WORDS"]

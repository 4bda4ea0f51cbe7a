"""Asterisk dialplans: parse (contexts, lines, includes), match (patterns, variables), apps (the
application table), flow (priorities to nodes), loader (contexts to Menus)."""

from __future__ import annotations

from ivraudit.formats.asterisk.loader import FORMATS, NEAR_MISSES

__all__ = ["FORMATS", "NEAR_MISSES"]

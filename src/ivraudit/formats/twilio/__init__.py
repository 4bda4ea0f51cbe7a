"""Twilio Studio flows: flow (the definition), conditions (split conditions), widgets (widgets to
nodes, with gathers for gathers and their splits and nodes for ids and routes), loader."""

from __future__ import annotations

from ivraudit.formats.twilio.loader import FORMATS, NEAR_MISSES
from ivraudit.formats.twilio.words import WORDS

__all__ = ["FORMATS", "NEAR_MISSES", "WORDS"]

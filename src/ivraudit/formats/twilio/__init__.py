"""Twilio Studio flows: flow (the definition), conditions (split conditions), widgets (widgets to
nodes), loader."""

from __future__ import annotations

from ivraudit.formats.twilio.loader import FORMATS, NEAR_MISSES

__all__ = ["FORMATS", "NEAR_MISSES"]

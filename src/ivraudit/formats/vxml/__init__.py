"""VoiceXML 2.x documents: text (prompts and URIs), content (executable content), fields (form
items), loader (dialogs to Menus)."""

from __future__ import annotations

from ivraudit.formats.vxml.loader import FORMATS, NEAR_MISSES

__all__ = ["FORMATS", "NEAR_MISSES"]

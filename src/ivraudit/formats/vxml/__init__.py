"""VoiceXML 2.x documents: text (prompts and URIs), content (executable content), dialogs
(dialogs, items, scopes), events (handlers), fields (<field>), menus (<menu>, <link>), forms
(form items), loader (documents to Menus)."""

from __future__ import annotations

from ivraudit.formats.vxml.loader import FORMATS, NEAR_MISSES
from ivraudit.formats.vxml.words import WORDS

__all__ = ["FORMATS", "NEAR_MISSES", "WORDS"]

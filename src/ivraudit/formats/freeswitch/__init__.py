"""FreeSWITCH IVR menus: apps (menu entry actions and dialplan applications), loader (menus to
Menus)."""

from __future__ import annotations

from ivraudit.formats.freeswitch.loader import FORMATS, NEAR_MISSES
from ivraudit.formats.freeswitch.words import WORDS

__all__ = ["FORMATS", "NEAR_MISSES", "WORDS"]

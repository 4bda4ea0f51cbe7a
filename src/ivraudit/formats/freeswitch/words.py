"""How findings on an IVR menu say what to do, in FreeSWITCH's terms (menus, entries and the
dialplan), not in ivraudit's own format."""

from __future__ import annotations

from ivraudit.model.words import Words

WORDS = Words(
    "FreeSWITCH",
    {
        "DE003:reason:None": "play a closing message that says the caller was served, or "
        "transfer to an extension that bridges to a person",
        "DE005": "after max-failures the ivr application returns: in the dialplan, after "
        "'ivr {node}', transfer to an operator extension instead of hanging up",
        "DE007": "set continue_on_fail=true before the bridge and add a fallback after it "
        "(voicemail, or another extension)",
        "MN002": 'add <entry action="menu-exec-app" digits="0" param="transfer OPERATOR '
        "XML default\"/> to menu '{node}'",
        "MN003": "make greet-long/greet-short of '{node}' and the menu's entries agree",
        "MN008": "write the digits pattern so that keypad input (0-9, *, #) matches it",
        "DP003": "add an entry that transfers to an extension bridging to a user or a queue",
        "ST001": "name a menu that ivr.conf defines",
    },
)

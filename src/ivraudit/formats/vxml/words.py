"""How findings on a VoiceXML document say what to do, in VoiceXML's terms (elements and
event handlers), not in ivraudit's own format."""

from __future__ import annotations

from ivraudit.model.words import Words

WORDS = Words(
    "VoiceXML",
    {
        "DE001": "end '{node}' with a <goto>, a <transfer> or an <exit/>",
        "DE003:reason:None": "before <disconnect/> (or the end of the form), play a <prompt> "
        "that says the caller was served, or <transfer> to an agent",
        "DE003": "<transfer> to an agent, or offer to leave a message, instead of <disconnect/>",
        "DE004": "add <noinput> and <nomatch> handlers to '{node}' (or in the document or the "
        "application root)",
        "DE005": 'in the last <noinput>/<nomatch> handler (count="3"), <transfer> to an '
        "agent instead of <disconnect/> or <exit/>",
        "DE007": "check the <transfer>'s result (busy, noanswer, network_busy) in its <filled> "
        "and offer a message or a callback",
        "MN002": 'add a <choice dtmf="0"> to <menu id="{node}"> that goes to a <transfer> '
        "to an operator",
        "MN003": "make the <prompt> of '{node}' and its <choice dtmf> or DTMF grammar agree",
        "DP003": "add a <transfer> to an agent that callers can reach",
        "ST001": "point the <goto> or next= at a dialog that exists",
    },
)

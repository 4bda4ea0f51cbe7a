"""How findings on a dialplan say what to do, in Asterisk's terms (extensions, priorities,
applications), not in ivraudit's own format."""

from __future__ import annotations

from ivraudit.model.words import Words

WORDS = Words(
    "Asterisk",
    {
        "DE001": "give '{node}' a next priority (n,Goto() back to a menu, n,Dial() or "
        "n,Queue() a person), or end it with a closing Playback() and Hangup()",
        "DE002": "add a way out of the loop: an extension that Dial()s or Queue()s a person, "
        "or VoiceMail()",
        "DE003:reason:None": "before Hangup(), Playback() a message that says the caller was "
        "served, or Dial()/Queue() a person instead",
        "DE003": "Dial() or Queue() a person, or offer VoiceMail(), instead of Hangup()",
        "DE004": "add 't' (timeout) and 'i' (invalid) extensions to the context of '{node}', "
        "each going back to the menu or to an operator",
        "DE005": "after the last retry, Goto an operator (Dial()/Queue()) or VoiceMail() "
        "instead of Hangup()",
        "DE006": "on the closed branch of GotoIfTime(), Playback() the opening hours and offer "
        "VoiceMail()",
        "DE007": "after Dial()/Queue() at '{node}', branch on ${DIALSTATUS} or ${QUEUESTATUS} "
        "(BUSY, NOANSWER, CHANUNAVAIL, TIMEOUT, FULL) to VoiceMail() or a callback",
        "MN002": "add exten => 0,1,... to the context of '{node}' that Dial()s or Queue()s an "
        "operator",
        "MN003": "make the Background() prompt of '{node}' and the context's extensions agree",
        "DP003": "add a route that Dial()s or Queue()s a person",
        "ST001": "point the Goto at a context, extension and priority (or label) that exist",
        "ST004": "correct the line so that Asterisk reads it, or delete it",
    },
)

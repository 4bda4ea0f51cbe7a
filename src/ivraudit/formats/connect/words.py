"""How findings on a contact flow say what to do, in Amazon Connect's terms (blocks and their
branches), not in ivraudit's own format."""

from __future__ import annotations

from ivraudit.model.words import Words

WORDS = Words(
    "Amazon Connect",
    {
        "DE001": "connect every branch of block '{node}' to a next block",
        "DE002": "give the loop a way out: Set working queue and Transfer to queue",
        "DE003:reason:None": "before Disconnect, play a prompt that says the caller was served, "
        "or Set working queue and Transfer to queue instead",
        "DE003": "Set working queue and Transfer to queue, or offer a queued callback, instead "
        "of Disconnect",
        "DE004": "connect the Timeout and Default branches of Get customer input '{node}' back "
        "to it or to a queue",
        "DE005": "after the last retry, route the Timeout/Default branch to Set working queue "
        "and Transfer to queue, not Disconnect",
        "DE006": "on the Out of hours branch of Check hours of operation, play the opening "
        "hours and offer voicemail or a queued callback",
        "DE007": "connect the At capacity and Error branches of '{node}' to a voicemail flow "
        "or a queued callback",
        "MN002": "add a condition for 0 to Get customer input '{node}' that leads to Set "
        "working queue and Transfer to queue",
        "MN003": "make the prompt of '{node}' and its conditions agree",
        "DP003": "add a Set working queue and Transfer to queue route that callers can reach",
        "ST001": "point the branch at a block that exists",
    },
)

"""How findings on a Studio flow say what to do, in Studio's terms (widgets and their
transitions), not in ivraudit's own format."""

from __future__ import annotations

from ivraudit.model.words import Words

WORDS = Words(
    "Twilio Studio",
    {
        "DE001": "connect the empty transition of widget '{node}' to the next widget",
        "DE002": "give the loop a way out: a transition to Send to Flex or Connect Call To",
        "DE003:reason:None": "before the flow ends, Say/Play a message that says the caller "
        "was served, or connect the route to Send to Flex or Connect Call To",
        "DE003": "connect the route to Send to Flex or Connect Call To instead of ending the flow",
        "DE004": "connect the Timeout and No Match (or the Split's No Condition Matches) "
        "transitions of '{node}' back to it or to an agent",
        "DE005": "after the last retry, connect the route to Send to Flex or Connect Call To, "
        "not to the end of the flow",
        "DE006": "when closed, Say the opening hours and offer Record Voicemail",
        "DE007": "connect the Busy, No Answer and Call Failed transitions of '{node}' to Record "
        "Voicemail or a callback",
        "MN002": "add a '0' condition to the Split on the Digits of '{node}' that goes to Send "
        "to Flex or Connect Call To",
        "MN003": "make the Say/Play text of '{node}' and the Split conditions on its Digits agree",
        "MN009": "split on the Digits of the gather the caller has just answered",
        "MN010": "take the Split condition that sends the hidden key of '{node}' to the test "
        "widget out of the live flow, or give the test automation a flow of its own",
        "DP003": "add a Send to Flex or Connect Call To widget that callers can reach",
        "ST001": "point the transition at a widget that exists",
    },
)

"""The platform's words: how to fix a finding, said in the terms of the file it is in.

A finding on a Twilio flow should say "connect the Timeout transition of
'gather_1'", not "set 'no_input'", a field of ivraudit's own format the user
does not have.  Each format gives its :class:`Words` (see the platform
packages' ``words.py``); the engine attaches the fix to every finding it can.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Words:
    """How a platform says what to do about each rule's findings.

    ``fixes`` maps a rule id, or ``RULE:fact-prefix`` for one kind of the rule's
    findings, to a sentence; ``{node}`` in it is replaced by the node as the
    platform names it (a widget, a block, an extension's priority, an element).
    """

    platform: str
    fixes: Mapping[str, str] = field(default_factory=dict)

    def fix(self, rule: str, fact: str, node: str) -> str:
        """The fix for one finding, or "" when the platform's words have none."""
        parts = fact.split(":")
        for end in range(len(parts), 0, -1):
            text = self.fixes.get(f"{rule}:{':'.join(parts[:end])}")
            if text is not None:
                return text.replace("{node}", node)
        return self.fixes.get(rule, "").replace("{node}", node)


#: ivraudit's own format: fixes name its fields.
NATIVE = Words(
    "ivraudit",
    {
        # Its messages already name the fields to change; this one needs a choice.
        "DE003:reason:None": "if the caller has been served, set 'reason: completed'; "
        "otherwise offer a way to be served",
    },
)

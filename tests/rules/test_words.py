"""Findings on a platform's file say how to fix them in that platform's words."""

from __future__ import annotations

from ivraudit import audit, loads
from ivraudit.model.words import NATIVE, Words
from ivraudit.rules.config import config_from_dict

DIALPLAN = """\
[incoming]
exten => s,1,Answer()
 same => n,Background(main-menu)
 same => n,WaitExten(5)
exten => 1,1,Dial(SIP/sales,20)
exten => 2,1,Playback(our-hours)
 same => n,Hangup()
"""


def test_a_dialplan_finding_gives_the_fix_in_asterisk_terms():
    menu = loads(DIALPLAN, name="extensions.conf")
    report = audit(menu, config_from_dict({"select": ["DE004"]}))
    assert [(f.rule, f.fix) for f in report.findings] == [
        (
            "DE004",
            "add 't' (timeout) and 'i' (invalid) extensions to the context of "
            "'incoming,s,2', each going back to the menu or to an operator",
        )
    ]


def test_a_native_finding_keeps_its_own_words():
    menu = loads("ivraudit: 1\nstart: bye\nnodes:\n  bye: {type: hangup}\n", name="menu.yaml")
    (finding,) = audit(menu, config_from_dict({"select": ["DE003"]})).findings
    assert finding.message == "'bye' hangs up and gives no reason"
    assert finding.fix == (
        "if the caller has been served, set 'reason: completed'; otherwise offer a way to be served"
    )
    assert finding.message_and_fix == f"{finding.message}. Fix: {finding.fix}"


def test_the_most_specific_fix_wins():
    words = Words("x", {"DE003": "general", "DE003:reason:None": "no reason {node}"})
    assert words.fix("DE003", "reason:None", "bye") == "no reason bye"
    assert words.fix("DE003", "reason:error", "bye") == "general"
    assert words.fix("DE004", "no_input", "main") == ""
    assert NATIVE.fix("MN002", "unwired", "main") == ""
